/**
 * @class replay
 * @attack Steps that complete out of issue order (a slow action issued first, fast ones and an
 *   inline one after it), so the journal's completion order is not its seq order and the
 *   host reorders the columns it hands the guest; races between them and a Promise.allSettled
 *   over a memoized failure. The trace of what settled when is journaled before a sleep, so a
 *   re-run that replays another order, or an outcome for the wrong step, is non-deterministic;
 *   the run must complete with the first execution's trace. (kv.get is answered at the call
 *   only while few runs execute, so either order may be the first execution's; the journaled
 *   trace makes the re-run reproduce whichever it was.)
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":[{"status":"completed","output":["fast","kv","fail","first:fast","slow","first:slow","settled:3"]},
 *   {"status":"completed","output":["fast","fail","kv","first:fast","slow","first:slow","settled:3"]}]}
 * @actions demo.echo,demo.fail,host.slow,kv.get
 * @requires stdlib
 */
export default async (input, actions) => {
  const trace = [];
  const t = (label) => (v) => { trace.push(label); return v; };
  const slow = actions.host.slow({ ms: 150 }).then(t('slow'));
  const fast = actions.demo.echo({ f: 1 }).then(t('fast'));
  const failed = actions.demo.fail({ x: 1 }).catch(t('fail'));
  await fast;
  await actions.kv.get({ key: 'k' }).then(t('kv'));
  trace.push('first:' + (await Promise.race([slow.then(() => 'slow'), fast.then(() => 'fast')])));
  trace.push('first:' + (await Promise.race([slow.then(() => 'slow'), new Promise(() => {})])));
  const all = await Promise.allSettled([slow, fast, failed]);
  trace.push('settled:' + all.length);
  await actions.demo.echo({ trace });
  await actions.sleep('1s');
  return trace;
};
