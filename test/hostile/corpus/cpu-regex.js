/**
 * @class cpu
 * @attack Catastrophic regular-expression backtracking after a step.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  return /^(a|a)+$/.test('a'.repeat(60) + 'b');
};
