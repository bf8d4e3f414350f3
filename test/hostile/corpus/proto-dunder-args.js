/**
 * @class prototypes
 * @attack Sends `__proto__`, `constructor` and `prototype` keys inside action arguments (built
 *   with JSON.parse so they are own properties), hoping the host merges them into an object
 *   and pollutes the host's prototypes or the arguments' prototype.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo,store.get,store.put
 */
export default async (input, actions) => {
  const evil = JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"k":1}');
  const r = await actions.demo.echo(evil);
  let put = null;
  try { put = await actions.store.put(JSON.parse('{"key":"k","value":1,"__proto__":{"tenant":"victim-tenant"}}')); } catch (e) { put = e.code; }
  const got = await actions.store.get(JSON.parse('{"key":"secret","__proto__":{"key":"secret","tenant":"victim-tenant"}}')).catch((e) => e.code);
  const problems = [];
  if (({}).polluted !== undefined || ({}).isAdmin !== undefined) problems.push('guest prototype polluted');
  if (r.k !== 1) problems.push('echo lost k');
  if (Object.getPrototypeOf(r) !== Object.prototype) problems.push('echo result has a foreign prototype');
  if (JSON.stringify(got).includes('victim-secret')) problems.push('read victim data');
  return problems.length === 0 ? { ok: true } : { ok: false, problems, put, got };
};
