/**
 * @class scheduler
 * @attack A waitForEvent whose match object is over the bridge limit.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"bridge-bytes"}
 * @limits {"bridgeBytes":65536}
 */
export default async (input, actions) => {
  const match = {};
  for (let i = 0; i < 20000; i++) match['k' + i] = i;
  return actions.waitForEvent('too.big', { match, timeout: '1h' });
};
