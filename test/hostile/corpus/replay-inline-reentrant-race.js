/**
 * @class replay
 * @attack Inline actions (kv.*, answered at the call) against the replay's ordering: a getter on
 *   the arguments of an inline call issues another inline call with the very same arguments
 *   (so the quick text check of the outer call matches the inner call's journal entry), and
 *   inline and ordinary steps race each other and microtask chains of different lengths. The
 *   trace of what settled when is journaled (kv.set) before a sleep, so a re-run that saw
 *   another order, or replayed an outcome for the wrong call, is non-deterministic; the run
 *   must complete with the first execution's trace.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":["inner","outer","long","e1","k2","k3","e2"]}}
 * @actions demo.echo,kv.get,kv.set
 * @requires stdlib
 */
export default async (input, actions) => {
  const trace = [];
  const t = (label) => (v) => { trace.push(label); return v; };
  const inner = [];
  const outerArgs = { get key() { inner.push(actions.kv.get({ key: 'k' }).then(t('inner'))); return 'k'; } };
  const outer = actions.kv.get(outerArgs).then(t('outer'));
  const e1 = actions.demo.echo({ e: 1 }).then(t('e1'));
  const k2 = actions.kv.get({ key: 'k2' }).then(t('k2'));
  const long = Promise.resolve().then(() => 0).then(() => 0).then(() => 0).then(t('long'));
  await Promise.race([e1, k2, long]);
  await Promise.all([outer, ...inner, e1, k2]);
  await actions.kv.set({ key: 'k', value: trace.length });
  await Promise.race([actions.kv.get({ key: 'k' }).then(t('k3')), actions.demo.echo({ e: 2 }).then(t('e2'))]);
  await Promise.resolve().then(() => 0).then(() => 0);
  await actions.kv.set({ key: 'trace', value: trace });
  await actions.sleep('1s');
  return trace;
};
