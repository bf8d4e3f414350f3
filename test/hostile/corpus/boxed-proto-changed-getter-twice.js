/**
 * @class getters
 * @attack A Boolean object whose prototype is set to null: JSON.stringify writes its slot (true),
 *   the strict walk (unbox skips objects whose prototype is Object.prototype/Array.prototype/null)
 *   writes {}. The re-run's quick text then differs, the walk runs again, the getter runs twice.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"n":1}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  let reads = 0;
  const b = Object.setPrototypeOf(new Boolean(true), null);
  await actions.demo.echo({ get n() { return ++reads; }, b });
  const r = await actions.demo.echo({ n: reads });
  await actions.sleep('1s');
  return r;
};
