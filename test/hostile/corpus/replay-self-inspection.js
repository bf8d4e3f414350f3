/**
 * @class replay
 * @attack A workflow that inspects its own execution to tell a re-run from the first run: the
 *   depth of its own stack traces at the start and after each kind of step, how many microtask
 *   turns pass between issuing a step and its settling (ordinary, inline, failed), and whether
 *   WeakRef, FinalizationRegistry, `performance` and `gc` are there. It journals what it saw,
 *   sleeps, and compares on the re-run: a difference would let code branch on being replayed
 *   (and the journal check would report the run as non-deterministic).
 * @expect {"status":"suspended"}
 * @then {"advance":"2s","expect":{"status":"completed","output":{"same":true}}}
 * @actions demo.echo, demo.fail, kv.get
 * @requires stdlib
 */
export default async (input, actions) => {
  const probe = () => {
    const depth = String(new Error('probe').stack).split('\n').length;
    let weak = 'absent';
    try { weak = typeof new WeakRef({}); } catch (e) { weak = 'refused'; }
    let registry = 'absent';
    try { registry = typeof new FinalizationRegistry(() => {}); } catch (e) { registry = 'refused'; }
    // An array, not an object: the echo's result comes back with its keys sorted.
    return [depth, weak, registry, typeof performance, typeof gc];
  };
  const turns = async (p) => {
    let n = 0;
    let done = false;
    p.then(() => { done = true; }, () => { done = true; });
    while (!done && n < 5000) { n++; await null; }
    return n;
  };
  const seen = [probe()];
  seen.push(await turns(actions.demo.echo({ a: 1 })), probe());
  seen.push(await turns(actions.kv.get({ key: 'x' })), probe());
  seen.push(await turns(actions.demo.fail({})), probe());
  const journaled = await actions.demo.echo({ seen });
  await actions.sleep('1s');
  return { same: JSON.stringify(journaled.seen) === JSON.stringify(seen) };
};
