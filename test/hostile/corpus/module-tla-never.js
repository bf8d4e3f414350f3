/**
 * @class modules
 * @attack A top-level await that never resolves.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
await new Promise(() => {});
export default async () => 'unreachable';
