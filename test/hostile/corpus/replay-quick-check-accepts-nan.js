/**
 * @class replay
 * @attack A call whose arguments hold NaN is refused in the guest (ALICE_INVALID_VALUE, no step
 *   number taken); the workflow catches that and falls back to the same call with null, which
 *   is journaled as the next step. On the re-run the quick check (the builtin JSON.stringify,
 *   which silently writes NaN as null) finds the refused call equal to the journaled fallback,
 *   so the refused call takes the fallback's step and outcome, the catch never runs and the
 *   re-run silently takes another path than the first execution. A faithful replay refuses the
 *   NaN call again and ends exactly as the first execution would have.
 * @expect {"status":"suspended"}
 * @then {"advance":"1s","expect":{"status":"completed","output":{"first":"ALICE_INVALID_VALUE","second":{"n":null}}}}
 * @actions demo.echo
 */
export default async (input, actions) => {
  await actions.demo.echo({ k: 0 });
  let first;
  try {
    first = await actions.demo.echo({ n: NaN });
  } catch (e) {
    first = e.code;
  }
  let second = null;
  if (first === 'ALICE_INVALID_VALUE') second = await actions.demo.echo({ n: null });
  await actions.sleep('1s');
  return { first, second };
};
