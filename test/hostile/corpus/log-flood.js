/**
 * @class log
 * @attack Writes more than the 1,000 log() lines a run may write.
 * @expect {"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"log-lines"}
 * @actions demo.echo
 */
export default async (input, actions) => {
  for (let i = 0; i < 1500; i++) actions.log('flood', i);
  return 'flooded';
};
