/**
 * @class replay
 * @attack A getter earlier in the same arguments installs BigInt.prototype.toJSON while they are
 *   serialized, so that the re-run's JSON.stringify writes a BigInt the first run's strict walk
 *   refused, and the text matches the journaled fallback. BigInt.prototype.toJSON is fixed to
 *   undefined in the sandbox: the assignment fails, and the BigInt is refused on every run.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"first":"ALICE_INVALID_VALUE","second":{"a":0,"x":1}}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  const arg = { get a() { try { BigInt.prototype.toJSON = function () { return 1; }; } catch (e) {} return 0; }, x: 1n };
  let first;
  try { first = await actions.demo.echo(arg); } catch (e) { first = e.code; }
  let second = null;
  if (first === 'ALICE_INVALID_VALUE') second = await actions.demo.echo({ a: 0, x: 1 });
  await actions.sleep('1s');
  return { first, second };
};
