/**
 * @class scheduler
 * @attack 300 concurrent waits (sleeps and waitForEvents with timeouts) at once.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"in-flight"}
 */
export default async (input, actions) => {
  const all = [];
  for (let i = 0; i < 150; i++) all.push(actions.sleep('1h'), actions.waitForEvent('e' + i, { timeout: '1h' }));
  return (await Promise.all(all)).length;
};
