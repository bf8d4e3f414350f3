/**
 * @class scheduler
 * @attack More than 10,000 sequential steps in one run.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"steps"}
 * @actions demo.echo
 * @timeout 60000
 */
export default async (input, actions) => {
  for (let i = 0; i < 10001; i++) await actions.demo.echo({ i });
  return 'all done';
};
