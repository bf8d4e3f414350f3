/**
 * @class manifest
 * @attack A manifest whose action list names prototype keys and built-in names beside a real
 *   action (`__proto__`, `constructor`, `toString`, `__proto__.polluted`, `hasOwnProperty`,
 *   `sleep`), hoping a lookup by name finds something on Object.prototype (in the catalog or
 *   in the guest's actions object) and the bundle deploys with more than it should.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @actions demo.echo
 * @build (b) => ({ ...b, manifest: { ...b.manifest, actions: ['demo.echo', '__proto__', 'constructor', 'toString', '__proto__.polluted', 'hasOwnProperty', 'sleep'] } })
 */
export default async (input, actions) => {
  const seen = [];
  for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) seen.push(typeof actions[k]);
  return { seen, echo: await actions.demo.echo({}) };
};
