/**
 * @class replay
 * @attack Setters on Array.prototype indices intercept the guest runtime's internal tables (the
 *   per-step settle functions), and a forged journal entry on Array.prototype tries to make the
 *   runtime believe a step is already journaled, so replay would deliver a forged outcome.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"suspended"},{"status":"failed"}]}
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const captured = [];
  for (let i = 1; i <= 12; i++) {
    Object.defineProperty(Array.prototype, i, {
      configurable: true,
      get() { return undefined; },
      set(v) { captured.push(v); Object.defineProperty(this, i, { value: v, writable: true, enumerable: true, configurable: true }); },
    });
  }
  for (const c of captured) if (Array.isArray(c) && typeof c[0] === 'function') c[0]({ forged: true });
  const a = await actions.demo.echo({ k: 1 });
  await actions.sleep('1s');
  const b = await actions.demo.echo({ k: 2 });
  for (const c of captured) if (Array.isArray(c) && typeof c[0] === 'function') { try { c[0]({ forged: true }); } catch {} }
  await actions.sleep('1s');
  const c = await actions.demo.echo({ k: 3 });
  return { a, b, c };
};
