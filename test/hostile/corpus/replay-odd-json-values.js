/**
 * @class replay
 * @attack Arguments at the edges of canonical JSON, replayed: an own `__proto__` key, integer-like
 *   keys (which Object.keys orders numerically but the canonical form sorts as text), the empty
 *   key, -0, lone surrogates in keys and values, 1e21 and 5e-324, and nesting at exactly the
 *   200-level limit; the first slice's calls are checked by fingerprint on the re-run, later ones
 *   by text. Every call must replay as itself (no false non-determinism, no outcome of another
 *   call) and the outcomes must come back exactly as the first execution saw them.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"a":[true,true,true,true],"b":[true,true,true,true]}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  let deep = 0;
  for (let i = 0; i < 199; i++) deep = [deep];
  const values = [
    JSON.parse('{"__proto__":{"x":1},"10":"ten","9":"nine","":"empty","a":-0}'),
    { '\ud800': '\udfff\ud83d', z: '\u2028\u001e', y: 1e21, x: 5e-324 },
    { deep },
    { '\ud83d\ude00': ['\ud83d'], '\uffff': 0 },
  ];
  // Results come back in canonical form (keys sorted), so compare canonically.
  const canon = (v) => (v === null || typeof v !== 'object' ? JSON.stringify(v)
    : Array.isArray(v) ? '[' + v.map(canon).join(',') + ']'
    : '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}');
  const check = async () => {
    const out = [];
    for (const v of values) {
      const r = await actions.demo.echo(v);
      out.push(canon(r) === canon(v) && Object.getPrototypeOf(r) === Object.prototype);
    }
    return out;
  };
  const a = await check();
  await actions.sleep('1s');
  const b = await check();
  return { a, b };
};
