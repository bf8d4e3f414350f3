/**
 * @class output
 * @attack Throws an error carrying an engine error code, limit and reason, to make its own failure
 *   look like a resource limit: the run's reason must still say the workflow threw.
 * @expect {"status":"failed","reason":"error"}
 */
export default async () => {
  const e = new Error('resource limit \'heap\' exceeded');
  e.code = 'ALICE_RESOURCE_LIMIT';
  e.limit = 'heap';
  e.reason = 'resource-limit';
  throw e;
};
