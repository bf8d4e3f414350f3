/**
 * @class bridge
 * @attack Asks a host action that returns a class instance with getters, functions, a Map and a
 *   Date, then climbs what arrived (prototypes, constructors, descriptors) to reach host code.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions host.weird
 */
export default async (input, actions) => {
  const r = await actions.host.weird({});
  const problems = [];
  const walk = (v, path) => {
    if (typeof v === 'function') problems.push('function at ' + path);
    if (v === null || typeof v !== 'object') return;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== Array.prototype) problems.push('prototype at ' + path);
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
      if (d.get || d.set) problems.push('accessor at ' + path + '.' + k);
      else walk(d.value, path + '.' + k);
    }
  };
  walk(r, 'r');
  // Code from strings is refused (EvalError); were it not, it must not see the host.
  try { if (r.constructor.constructor('return typeof process')() !== 'undefined') problems.push('escape'); } catch (e) { if (!(e instanceof EvalError)) problems.push('constructor threw ' + e); }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
};
