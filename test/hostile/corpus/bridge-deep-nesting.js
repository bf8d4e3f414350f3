/**
 * @class bridge
 * @attack Replaces JSON.stringify (which the guest runtime's serializer calls at run time) so
 *   that the argument text sent to the host is nested 200,000 levels deep, to overflow the
 *   host's stack while it parses, hashes or re-serializes the arguments.
 *   The guest runtime serializes with the intrinsics it captured before any workflow code ran,
 *   so the patch changes nothing and the call goes through as written; failing is fine too.
 * @expect [{"status":"completed","output":{"x":"deep"}},{"status":"failed","code":"ALICE_VALIDATION"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_RESOURCE_LIMIT"},{"status":"failed","code":"ALICE_INVALID_VALUE"}]
 * @limits {"cpuMs":5000}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const real = JSON.stringify;
  JSON.stringify = (v) => (v === 'deep' ? '['.repeat(200000) + ']'.repeat(200000) : real(v));
  return actions.demo.echo({ x: 'deep' });
};
