/**
 * @class cpu
 * @attack Spins inside a getter of an action's arguments, i.e. inside the runtime's own
 *   serialization of the call.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => actions.demo.echo({ get x() { for (;;) {} } });
