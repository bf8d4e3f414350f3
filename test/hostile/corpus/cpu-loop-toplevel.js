/**
 * @class cpu
 * @attack An endless loop while the module is evaluated.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 */
for (;;) {}
export default async () => 1;
