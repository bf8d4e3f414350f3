/**
 * @class errors
 * @attack Error.captureStackTrace with the bridged action functions as the constructor
 *   argument, on plain objects and frozen ones, plus Error.stackTraceLimit games, to surface
 *   frames above the workflow (the host side of the bridge).
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const found = [];
  const holder = {};
  Error.stackTraceLimit = 1000;
  Error.captureStackTrace(holder, actions.demo.echo);
  found.push(String(holder.stack));
  const o2 = {};
  const p = actions.demo.echo({ get x() { Error.captureStackTrace(o2); return 1; } });
  await p;
  found.push(String(o2.stack));
  try { Error.captureStackTrace(Object.freeze({})); } catch (e) { found.push(String(e)); }
  try { Error.captureStackTrace(actions); } catch (e) { found.push(String(e)); }
  Error.stackTraceLimit = -1;
  found.push(String(new Error('x').stack));
  const text = found.join('\n');
  const bad = ['node:', 'node_modules', 'file://', '/runtime/'].filter((s) => text.includes(s));
  return bad.length === 0 && typeof actions.demo.echo === 'function' ? { ok: true } : { ok: false, bad };
};
