/**
 * @class modules
 * @attack No default export at all.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
export const workflow = async () => 1;
