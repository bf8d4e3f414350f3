/**
 * @class cpu
 * @attack An endless loop in the workflow body.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 */
export default async () => { for (;;) {} };
