/**
 * @class prototypes
 * @attack The classic escape: constructor.constructor('return this')() from every object the
 *   engine hands over (input, actions, action functions, results, errors, ActionError, Date),
 *   then looking for host globals on what it returns.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo,demo.fail
 * @input {"nested":{"a":[1]}}
 */
export default async (input, actions) => {
  const sources = [input, input.nested, input.nested.a, actions, actions.demo, actions.demo.echo, actions.sleep, actions.log, ActionError, Date, Math.random];
  sources.push(await actions.demo.echo({ v: 1 }));
  try { await actions.demo.fail({}); } catch (e) { sources.push(e); }
  const problems = [];
  for (const [i, s] of sources.entries()) {
    let ctor;
    try { ctor = s.constructor; } catch {}
    if (ctor === undefined) continue; // null-prototype objects have none: nothing to climb
    let g;
    try { g = ctor.constructor('return this')(); } catch (e) { continue; }
    if (g !== globalThis) problems.push('source ' + i + ' reached another global');
    for (const name of ['process', 'require', 'module', 'Buffer', 'global', 'ivm', '_ivm', 'setTimeout', 'fetch']) {
      if (g && name in g) problems.push('source ' + i + ' sees ' + name);
    }
  }
  // Code from strings is refused (EvalError); were it not, its sloppy `this` must be ours.
  let sloppyThis = globalThis;
  try { sloppyThis = Function('return this')(); } catch (e) { if (!(e instanceof EvalError)) problems.push('Function threw ' + e); }
  if (sloppyThis !== globalThis) problems.push('sloppy this is foreign');
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
};
