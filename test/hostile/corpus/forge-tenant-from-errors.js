/**
 * @class forge
 * @attack Learn the run's tenant, which the context keeps from the guest (DESIGN §4), from the
 *   errors of standard actions: with the CLI's tenant directory (`registered`), a run whose
 *   tenant is not registered is refused by every kv action, with a message and details that
 *   name the tenant. The guest returns and logs all it read.
 * @expect {"status":"completed"}
 * @actions kv.get, kv.set
 * @requires stdlib
 * @tenants registered
 */
export default async (input, actions) => {
  const seen = [];
  for (const call of [() => actions.kv.get({ key: 'secret' }), () => actions.kv.set({ key: 'k', value: 1 })]) {
    try {
      seen.push(await call());
    } catch (e) {
      seen.push({ code: e.code, message: e.message, details: e.details });
    }
  }
  actions.log(JSON.stringify(seen));
  return seen;
};
