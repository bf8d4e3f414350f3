/**
 * @class output
 * @attack Returns an object whose toJSON throws a non-Error value (an object with a getter that
 *   throws again).
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 */
export default async () => ({ toJSON() { throw { get message() { throw new Error('again'); } }; } });
