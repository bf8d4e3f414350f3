/**
 * @class log
 * @attack Log lines just under and then over the size limit, in multi-byte characters (so the
 *   character count is under the limit while the bytes are not), with values whose toJSON
 *   explodes in size.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"bridge-bytes"}
 * @limits {"bridgeBytes":65536}
 */
export default async (input, actions) => {
  actions.log('a'.repeat(60000));
  actions.log({ toJSON() { return 'b'.repeat(30000); } }, { toJSON() { return 'c'.repeat(30000); } });
  actions.log('€'.repeat(30000));
  return 'logged';
};
