/**
 * @class modules
 * @attack A default export that is not a function.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
export default { then(resolve) { resolve('I am a thenable, not a function'); } };
