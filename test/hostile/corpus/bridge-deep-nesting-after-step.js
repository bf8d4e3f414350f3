/**
 * @class bridge
 * @attack As bridge-deep-nesting, after a first step, so the malformed call reaches the host
 *   while it is delivering an outcome.
 *   The guest runtime serializes with the intrinsics it captured before any workflow code ran,
 *   so the patch changes nothing and the call goes through as written; failing is fine too.
 * @expect [{"status":"completed","output":{"x":"deep"}},{"status":"failed","code":"ALICE_VALIDATION"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT"},{"status":"failed","code":"ALICE_INVALID_VALUE"}]
 * @limits {"cpuMs":5000}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ first: true });
  const real = JSON.stringify;
  JSON.stringify = (v) => (v === 'deep' ? '['.repeat(200000) + ']'.repeat(200000) : real(v));
  return actions.demo.echo({ x: 'deep' });
};
