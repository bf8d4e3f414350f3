/**
 * @class errors
 * @attack Makes every stack trace run forever (Error.prepareStackTrace never returns), then
 *   throws, so that whoever formats the error — guest runtime or host — spins.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"cpu"}]
 * @limits {"cpuMs":100}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({});
  Error.prepareStackTrace = () => { for (;;) {} };
  throw new Error('format me');
};
