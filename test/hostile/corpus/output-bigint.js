/**
 * @class output
 * @attack Returns a BigInt inside the output.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
export default async () => ({ n: 10n });
