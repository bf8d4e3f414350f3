/**
 * @class replay
 * @attack As replay-actionerror-stack-delivered, for an inline action (kv.get refused by its
 *   schema, answered at the call): the ActionError's stack names the line of the guest runtime
 *   that settled it, one line for the first run's answer from the host and another for the
 *   re-run's answer from the journal. The re-run's report differs and the run fails as
 *   non-deterministic.
 * @expect {"status":"suspended"}
 * @then {"advance":"2s","expect":{"status":"completed","output":{"same":true}}}
 * @actions kv.get, demo.echo
 * @requires stdlib
 */
export default async (input, actions) => {
  let stack = '';
  try {
    await actions.kv.get({ notTheKey: 1 });
  } catch (e) {
    stack = String(e.stack);
  }
  const reported = await actions.demo.echo({ error: stack });
  await actions.sleep('1s');
  return { same: reported.error === stack };
};
