/**
 * @class errors
 * @attack Installs Error.prepareStackTrace to collect CallSite objects — getThis(),
 *   getFunction(), getEvalOrigin() — of every frame while an action call is issued (from a getter
 *   run during argument copying) and while outcomes are delivered, hoping to reach the host
 *   callback or the guest runtime's private functions.
 * @expect [{"status":"failed","code":"ALICE_WORKFLOW_ERROR"},{"status":"completed","output":{"ok":true,"functions":0,"receivers":0}}]
 * @actions demo.echo
 */
export default async (input, actions) => {
  let functions = 0;
  let receivers = 0;
  const files = new Set();
  Error.prepareStackTrace = (err, sites) => {
    for (const s of sites) {
      try { if (s.getFunction() !== undefined) functions++; } catch {}
      try { if (s.getThis() !== undefined && s.getThis() !== globalThis) receivers++; } catch {}
      try { files.add(String(s.getFileName())); } catch {}
    }
    return 'stack';
  };
  const probe = () => new Error('probe').stack;
  const args = { get a() { probe(); return 1; } };
  await actions.demo.echo(args);
  await Promise.resolve().then(probe);
  const r = await actions.demo.echo({ b: 2 }).then((v) => { probe(); return v; });
  probe();
  return { ok: r.b === 2, functions, receivers };
};
