/**
 * @class prototypes
 * @attack Pollutes Object.prototype.toJSON (returning null) before the first call, so the guest
 *   runtime's canonical JSON of sleep's arguments is the text `null`: the host receives
 *   arguments that are not an object.
 * @expect [{"status":"failed","code":"ALICE_VALIDATION"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"failed","code":"ALICE_INVALID_VALUE"}]
 * @actions demo.echo
 */
export default async (input, actions) => {
  Object.prototype.toJSON = function () { return null; };
  await actions.sleep('1s');
  return 'slept';
};
