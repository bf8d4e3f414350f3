/**
 * @class cpu
 * @attack An endless chain of microtasks (never a synchronous loop), started after a step.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  const spin = () => Promise.resolve().then(spin);
  spin();
  return new Promise(() => {});
};
