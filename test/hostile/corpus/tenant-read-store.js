/**
 * @class tenant
 * @attack Reads another tenant's key from a tenant-scoped store with every key spelling it can
 *   think of (the victim's key, path tricks, JSON-array keys that mimic the store's internal
 *   slot, prototype names) and with a forged tenant field.
 * @expect {"status":"completed","output":{"values":[null,null,null,null,null,null,null],"forgedTenant":"ALICE_VALIDATION"}}
 * @actions store.get
 */
export default async (input, actions) => {
  const keys = ['secret', 'victim-tenant/secret', '../victim-tenant/secret', '["victim-tenant","secret"]', 'victim-tenant","secret', '__proto__', 'constructor'];
  const values = [];
  for (const key of keys) values.push((await actions.store.get({ key })).value);
  let forgedTenant;
  try { forgedTenant = await actions.store.get({ key: 'secret', tenant: 'victim-tenant' }); } catch (e) { forgedTenant = e.code; }
  return { values, forgedTenant };
};
