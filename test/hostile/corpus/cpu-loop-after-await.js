/**
 * @class cpu
 * @attack An endless loop placed after an await, so it runs while the host delivers an outcome.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => { await actions.demo.echo({}); for (;;) {} };
