/**
 * @class replay
 * @attack Tries to replace ActionError (assignment, defineProperty, its prototype, its
 *   constructor's prototype chain, Error.prototype accessors) so that a memoized error replays
 *   as a success or with another code.
 * @expect [{"status":"suspended"},{"status":"failed"}]
 * @then {"advance":"1s","expect":[{"status":"completed","output":{"code":"DEMO_FAILED","name":"ActionError"}},{"status":"failed"}]}
 * @actions demo.fail
 */
export default async (input, actions) => {
  for (const f of [
    () => { globalThis.ActionError = class {}; },
    () => Object.defineProperty(globalThis, 'ActionError', { value: class {} }),
    () => { ActionError.prototype.code = 'FORGED'; },
    () => Object.setPrototypeOf(ActionError.prototype, {}),
    () => Object.setPrototypeOf(ActionError, function () {}),
  ]) { try { f(); } catch {} }
  let e;
  try { await actions.demo.fail({}); } catch (err) { e = err; }
  await actions.sleep('1s');
  return { code: e.code, name: e.name };
};
