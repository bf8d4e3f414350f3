/**
 * @class cpu
 * @attack Returns an output whose getter and toJSON never finish, so serializing the output —
 *   done by the runtime after the workflow is over — spins.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  return { get spin() { for (;;) {} } };
};
