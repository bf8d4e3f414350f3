/**
 * @class replay
 * @attack A setter on Array.prototype[0] while a call's arguments are serialized. The strict
 *   walk kept its cycle stack and key trail in plain arrays: the setter swallowed seen[0] = obj
 *   and `seen.length = -1` then threw, so the first run refused the call, and the re-run's quick
 *   JSON.stringify accepted it as the journaled fallback. Those arrays have no prototype now:
 *   the call is accepted, the same on every run.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"first":{"x":1},"second":null}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  Object.defineProperty(Array.prototype, '0', { set(v) {}, get() { return undefined; }, configurable: true });
  let first;
  try { first = await actions.demo.echo({ x: 1 }); } catch (e) { first = e.code; }
  delete Array.prototype[0];
  let second = null;
  if (first === 'ALICE_INVALID_VALUE') second = await actions.demo.echo({ x: 1 });
  await actions.sleep('1s');
  return { first, second };
};
