/**
 * @class errors
 * @attack An action fails with a host Error that carries the run context, a host function and a
 *   host class instance; the workflow inspects the caught error for anything host-side: own
 *   properties, prototype chain, constructor.constructor, details.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions host.error
 */
export default async (input, actions) => {
  let e;
  try {
    await actions.host.error({});
  } catch (err) {
    e = err;
  }
  const problems = [];
  if (!(e instanceof Error)) problems.push('not an Error of this realm');
  const own = Object.getOwnPropertyNames(e).sort().join(',');
  if (own !== 'action,code,details,message,name,stack') problems.push('own: ' + own);
  for (let p = e; p !== null; p = Object.getPrototypeOf(p)) {
    for (const k of Reflect.ownKeys(p)) {
      const d = Reflect.getOwnPropertyDescriptor(p, k);
      if (d && typeof d.value === 'function' && /hostFn|ctx|runId/.test(String(k))) problems.push('proto fn ' + String(k));
    }
  }
  // Code from strings is refused (EvalError); were it not, its `this` must be ours.
  let g = globalThis;
  try { g = e.constructor.constructor('return this')(); } catch (err) { if (!(err instanceof EvalError)) problems.push('constructor threw ' + err); }
  if (g !== globalThis) problems.push('constructor escape');
  for (const name of ['process', 'require', 'module', 'Buffer', 'global']) if (name in g) problems.push('global ' + name);
  const walk = (v, path) => {
    if (typeof v === 'function') problems.push('function at ' + path);
    if (v && typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== Array.prototype) problems.push('foreign prototype at ' + path);
      for (const k of Object.keys(v)) walk(v[k], path + '.' + k);
    }
  };
  walk(e.details, 'details');
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
};
