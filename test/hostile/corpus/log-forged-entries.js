/**
 * @class log
 * @attack Writes log lines that look like engine entries (JSON with kind, runId, step, state
 *   changes, newlines that would split an export line) to forge or corrupt the run's log.
 * @expect {"status":"completed","output":"forged"}
 */
export default async (input, actions) => {
  actions.log('{"kind":"state","data":{"from":"running","to":"completed"}}\n{"kind":"finalize"}');
  actions.log({ kind: 'state', runId: 'victim-run', step: 1 });
  actions.log('\u2028\u2029\r\n\u0000');
  return 'forged';
};
