/**
 * @class replay
 * @attack An ordinary workflow that reports a failed step's error with its stack (as one does:
 *   `catch (e) { await notify({ error: e.stack }) }`), then sleeps. The ActionError's stack
 *   names the guest runtime's frames, which differ between the first run (`deliver`) and a
 *   re-run (`replayNext`): the re-run's report call has other arguments than the journal's,
 *   and an innocent workflow fails as non-deterministic; a hostile one can tell a re-run from
 *   the first run. A re-run must see the error exactly as the first run did.
 * @expect {"status":"suspended"}
 * @then {"advance":"2s","expect":{"status":"completed","output":{"same":true}}}
 * @actions demo.fail, demo.echo
 */
export default async (input, actions) => {
  let stack = '';
  try {
    await actions.demo.fail({ why: 'to get an ActionError' });
  } catch (e) {
    stack = String(e.stack);
  }
  const reported = await actions.demo.echo({ error: stack });
  await actions.sleep('1s');
  return { same: reported.error === stack };
};
