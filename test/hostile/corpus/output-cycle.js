/**
 * @class output
 * @attack Returns a cyclic object.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
export default async () => { const a = {}; a.self = a; return a; };
