/**
 * @class undeclared
 * @attack The bundle declares admin.nuke in its own manifest (a hostile manifest is accepted at
 *   deploy), but the run's permissions do not grant it: every call, however repeated or
 *   concurrent, must be refused before the action runs.
 * @expect {"status":"completed","output":["ALICE_UNAUTHORIZED","ALICE_UNAUTHORIZED","ALICE_UNAUTHORIZED","ALICE_UNAUTHORIZED"]}
 * @actions admin.nuke,demo.echo
 */
export default async (input, actions) => {
  const settled = await Promise.allSettled([actions.admin.nuke({}), actions.admin.nuke({ again: 1 }), actions.admin.nuke({ all: true })]);
  let last;
  try { await actions.admin.nuke({ sequential: true }); } catch (e) { last = e.code; }
  return [...settled.map((s) => (s.status === 'rejected' ? s.reason.code : 'ran')), last];
};
