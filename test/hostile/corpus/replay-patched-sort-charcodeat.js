/**
 * @class replay
 * @attack Replaces Array.prototype.sort and String.prototype.charCodeAt (never used by the
 *   workflow itself) before its first call. A re-run checks the calls of its first slice (their
 *   journaled text is not fed yet) by the fingerprint of their canonical form, which the guest
 *   computes with a key sort and a hash that read these two methods from the prototypes at
 *   call time: the same call then fingerprints differently (a deterministic run fails as
 *   non-deterministic), or, patched to match, different arguments pass as the journaled call.
 *   The guest's helpers must use the intrinsics captured before workflow code ran.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"a":{"b":1,"a":2},"c":{"z":1,"y":2}}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  Array.prototype.sort = function () { return this; };
  String.prototype.charCodeAt = function () { return 7; };
  const a = await actions.demo.echo({ b: 1, a: 2 });
  await actions.sleep('1s');
  const c = await actions.demo.echo({ z: 1, y: 2 });
  return { a, c };
};
