/**
 * @class errors
 * @attack Reads error.stack of every error it can provoke (its own, a refused call, a failed
 *   action, a validation error, a TypeError from a builtin) looking for host frames, host file
 *   paths or the run's identity.
 * @expect {"status":"completed","output":{"ok":true}}
 * @actions demo.echo,demo.fail,admin.nuke
 */
export default async (input, actions) => {
  const stacks = [];
  const grab = async (f) => { try { await f(); } catch (e) { stacks.push(String(e && e.stack)); } };
  await grab(() => actions.demo.fail({ x: 1 }));
  await grab(() => actions.admin.nuke({}));
  await grab(() => actions.demo.echo([1, 2]));
  await grab(() => null.boom);
  await grab(() => { throw new Error('own'); });
  await grab(() => JSON.parse('{'));
  Error.stackTraceLimit = Infinity;
  await grab(() => { const deep = (n) => (n === 0 ? null.x : deep(n - 1)); deep(50); });
  const text = stacks.join('\n');
  actions.log(text.slice(0, 20000));
  const bad = ['node:', 'node_modules', 'file://', '/runtime/', 'execution.', 'isolated-vm', '.ts:'].filter((s) => text.includes(s));
  return bad.length === 0 ? { ok: true } : { ok: false, bad };
};
