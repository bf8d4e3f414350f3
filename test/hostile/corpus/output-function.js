/**
 * @class output
 * @attack Returns a function, a symbol and undefined fields.
 * @expect [{"status":"completed","output":null},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
export default async () => function leak() { return globalThis; };
