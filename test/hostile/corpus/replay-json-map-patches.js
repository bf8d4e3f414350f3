/**
 * @class replay
 * @attack Patches JSON.parse, JSON.stringify, Object.keys, Array.prototype.sort, Map and Set
 *   after the first step (the guest runtime's serializer and journal lookups may use them), then
 *   sleeps so the next execution replays with the patches in place again.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed","output":{"a":{"k":1},"b":{"k":2}}},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const a = await actions.demo.echo({ k: 1 });
  const parse = JSON.parse;
  JSON.parse = (t) => { const v = parse(t); return v && typeof v === 'object' ? { ...v, forged: true } : v; };
  const keys = Object.keys;
  Object.keys = (o) => keys(o).reverse();
  Array.prototype.sort = function () { return this.reverse(); };
  Map.prototype.get = () => ({ forged: true });
  Set.prototype.has = () => true;
  await actions.sleep('1s');
  const b = await actions.demo.echo({ k: 2 });
  JSON.parse = parse;
  Object.keys = keys;
  return { a, b };
};
