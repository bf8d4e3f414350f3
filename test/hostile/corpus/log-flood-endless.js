/**
 * @class log
 * @attack log() in an endless loop, swallowing whatever the runtime throws.
 * @expect [{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"log-lines"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}]
 * @limits {"cpuMs":100}
 */
export default async (input, actions) => {
  for (;;) { try { actions.log('x'); } catch {} }
};
