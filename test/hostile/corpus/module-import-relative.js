/**
 * @class modules
 * @attack Imports another module by relative path and by bare name (the engine's own code).
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
export { default } from '../../../runtime/index.js';
