/**
 * @class scheduler
 * @attack 300 steps in flight at once (the limit is 256).
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"in-flight"}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const all = [];
  for (let i = 0; i < 300; i++) all.push(actions.demo.echo({ i }));
  return (await Promise.all(all)).length;
};
