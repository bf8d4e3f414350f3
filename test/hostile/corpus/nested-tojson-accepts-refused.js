/**
 * @class replay
 * @attack A toJSON that returns an object with a toJSON of its own (which would give NaN).
 *   JSON.stringify calls toJSON once per value (and drops the returned object's toJSON, a
 *   function); the strict walk called it again, refused the NaN on the first run, and the re-run's
 *   quick check then matched the refused call to the fallback's step. The walk now calls it once
 *   too: the call is accepted as {"x":{"a":1}}, the same on every run.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"first":{"x":{"a":1}},"second":null}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  const v = { toJSON() { return { toJSON() { return NaN; }, a: 1 }; } };
  let first;
  try { first = await actions.demo.echo({ x: v }); } catch (e) { first = e.code; }
  let second = null;
  if (first === 'ALICE_INVALID_VALUE') second = await actions.demo.echo({ x: { a: 1 } });
  await actions.sleep('1s');
  return { first, second };
};
