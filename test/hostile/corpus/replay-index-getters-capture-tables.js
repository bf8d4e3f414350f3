/**
 * @class replay
 * @attack Getters on Array.prototype and Object.prototype at the step numbers a re-run will use:
 *   when the guest runtime reads a hole of one of its tables by seq, the getter receives that
 *   table as `this` and writes forged entries into it (a journal position, an arguments text
 *   that matches, a forged outcome), so the next call would be settled from them without
 *   reaching the host. The tables have no prototype, so the getters never run: every step
 *   reaches the host and the output is the real one.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"a":{"k":1},"b":{"k":2},"c":{"k":3},"captured":0}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  const a = await actions.demo.echo({ k: 1 });
  await actions.sleep('1s');
  const tables = [];
  for (let i = 3; i <= 6; i++) {
    for (const proto of [Array.prototype, Object.prototype]) {
      Object.defineProperty(proto, i, {
        configurable: true,
        get() {
          if (Array.isArray(this) || Object.getPrototypeOf(this) === null) {
            if (!tables.includes(this)) tables.push(this);
            try {
              Object.defineProperty(this, i, { value: tables.length === 1 ? 0 : tables.length === 2 ? { ok: true, value: { forged: true } } : '{"k":' + (i - 1) + '}', writable: true, enumerable: true, configurable: true });
            } catch {}
          }
          return undefined;
        },
      });
    }
  }
  const b = await actions.demo.echo({ k: 2 });
  const c = await actions.demo.echo({ k: 3 });
  for (let i = 3; i <= 6; i++) { delete Array.prototype[i]; delete Object.prototype[i]; }
  return { a, b, c, captured: tables.length };
};
