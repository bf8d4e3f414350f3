/**
 * @class tenant
 * @attack Reads the victim tenant's stdlib kv entry: by its key, by prefix listing (empty prefix,
 *   SQL wildcard prefixes, a prefix with the byte 0xFF the store uses as a range bound), paging
 *   past the end, and with a forged tenant field.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions kv.get,kv.list
 * @requires stdlib
 */
export default async (input, actions) => {
  const got = [];
  got.push(await actions.kv.get({ key: 'secret' }));
  for (const prefix of ['', '%', '_', 'secret', '\u00ff', '\uffff']) got.push(await actions.kv.list({ prefix }));
  got.push(await actions.kv.list({ limit: 1000 }));
  try { got.push(await actions.kv.get({ key: 'secret', tenant: 'victim-tenant' })); } catch (e) { got.push(e.code); }
  const text = JSON.stringify(got);
  return text.includes('victim') ? { ok: false, got } : { ok: true };
};
