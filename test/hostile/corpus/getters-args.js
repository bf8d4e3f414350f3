/**
 * @class getters
 * @attack Arguments whose getters return a different value on each read, throw, or issue
 *   another action call while the runtime canonicalizes them (re-entrant issue).
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  let n = 0;
  const changing = { get v() { return ++n; } };
  const r1 = await actions.demo.echo(changing);
  let r2;
  try { r2 = await actions.demo.echo({ get boom() { throw new Error('getter throws'); } }); } catch (e) { r2 = e.code ?? e.message; }
  let inner;
  const reentrant = { get v() { inner = actions.demo.echo({ nested: true }); return 'outer'; } };
  const r3 = await actions.demo.echo(reentrant);
  const r4 = await inner;
  await actions.sleep('1s');
  return { r1, r2, r3, r4 };
};
