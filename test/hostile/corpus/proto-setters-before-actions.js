/**
 * @class prototypes
 * @attack Defines setters and getters on Object.prototype and Error.prototype for the names the
 *   guest runtime writes (code, name, message, action, details, ok, value, then) before calling
 *   actions, to intercept or corrupt outcomes on their way in.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed"},{"status":"failed"}]}
 * @actions demo.echo,demo.fail
 */
export default async (input, actions) => {
  const seen = [];
  for (const k of ['code', 'name', 'action', 'details', 'ok', 'value', 'error']) {
    Object.defineProperty(Object.prototype, k, { configurable: true, get() { return 'forged-' + k; }, set(v) { seen.push(k); } });
  }
  for (const k of ['code', 'name', 'message']) {
    Object.defineProperty(Error.prototype, k, { configurable: true, get() { return 'forged-' + k; }, set(v) { seen.push('E.' + k); } });
  }
  const r = await actions.demo.echo({ x: 1 });
  let code = null;
  try { await actions.demo.fail({}); } catch (e) { code = e.code; }
  await actions.sleep('1s');
  return { r, code, seen: seen.length };
};
