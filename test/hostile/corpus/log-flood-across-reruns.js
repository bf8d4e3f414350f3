/**
 * @class log
 * @attack Spreads its log lines over many executions (900 before a sleep, 900 after), hoping the
 *   per-run limit is counted per execution.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"failed","code":"ALICE_RESOURCE_LIMIT","limit":"log-lines"}}
 */
export default async (input, actions) => {
  for (let i = 0; i < 900; i++) actions.log('before', i);
  await actions.sleep('1s');
  for (let i = 0; i < 900; i++) actions.log('after', i);
  return 'done';
};
