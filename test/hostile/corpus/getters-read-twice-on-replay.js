/**
 * @class getters
 * @attack Arguments with a boxed primitive and a getter that counts its reads. The first
 *   execution serializes them once (the strict walk); a re-run that has the journaled text tries
 *   the builtin JSON.stringify first. When the two wrote a box differently (the walk once wrote
 *   it as an object, JSON.stringify unwraps it), the re-run walked again: the getter ran twice
 *   and answered differently, so a deterministic workflow was failed as non-deterministic. The
 *   walk now unwraps boxes as JSON.stringify does, and the getter runs once per call.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"r":{"b":"x","k":1},"reads":1}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  let reads = 0;
  const arg = { b: new String('x'), get k() { return ++reads; } };
  const r = await actions.demo.echo(arg);
  await actions.sleep('1s');
  return { r, reads };
};
