/**
 * @class scheduler
 * @attack A waitForEvent whose match object is huge (tens of thousands of keys, just under the
 *   size limit), so that every event delivered for its type costs the host a long comparison.
 * @expect {"status":"suspended"}
 * @then {"event":{"type":"big.match","data":{"k0":0}},"expect":{"status":"suspended"}}
 * @then {"advance":"1h","expect":{"status":"completed","output":null}}
 * @limits {"bridgeBytes":1048576}
 */
export default async (input, actions) => {
  const match = {};
  for (let i = 0; i < 60000; i++) match['k' + i] = i;
  return actions.waitForEvent('big.match', { match, timeout: '1h' });
};
