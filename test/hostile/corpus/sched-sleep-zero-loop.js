/**
 * @class scheduler
 * @attack sleep(0) in an endless loop: each one is a step that is due at once.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"steps"}
 * @timeout 60000
 */
export default async (input, actions) => {
  for (;;) await actions.sleep(0);
};
