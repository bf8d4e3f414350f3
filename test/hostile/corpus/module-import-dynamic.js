/**
 * @class modules
 * @attack Dynamic import() of Node built-ins and of a data: URL, from the workflow body.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"completed","output":["refused","refused","refused"]},{"status":"failed","code":"ALICE_WORKFLOW_ERROR"}]
 */
export default async () => {
  const out = [];
  for (const spec of ['node:fs', 'child_process', 'data:text/javascript,export default globalThis.process']) {
    try { await import(spec); out.push('imported'); } catch { out.push('refused'); }
  }
  return out;
};
