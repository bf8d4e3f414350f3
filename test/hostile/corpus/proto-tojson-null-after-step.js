/**
 * @class prototypes
 * @attack As proto-tojson-null-first-slice, but after a first step: the malformed call now
 *   reaches the host while it delivers an outcome, and waitForEvent is the target.
 * @expect [{"status":"failed","code":"ALICE_VALIDATION"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_INVALID_VALUE"}]
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ first: true });
  Object.prototype.toJSON = function () { return null; };
  await actions.waitForEvent('never', { timeout: '1s' });
  return 'waited';
};
