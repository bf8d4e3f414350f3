/**
 * @class bridge
 * @attack Makes the guest runtime hand the host bridge an object instead of argument text (by
 *   replacing JSON.stringify, which its serializer calls), an object whose getters never return:
 *   the bridge's copy of the value runs them.
 * @expect [{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_VALIDATION"},{"status":"failed","code":"ALICE_INVALID_VALUE"}]
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const real = JSON.stringify;
  const spin = { length: 2, get a() { for (;;) {} }, get b() { for (;;) {} } };
  JSON.stringify = (v) => (v === 'spin' ? spin : real(v));
  return actions.demo.echo({ toJSON() { return 'spin'; } });
};
