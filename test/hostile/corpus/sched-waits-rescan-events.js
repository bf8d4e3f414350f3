/**
 * @class scheduler
 * @attack 200 waits for an event type that never match, then 5,000 events of that type in the
 *   run's own tenant (emitted by the run; ordinary traffic of a busy tenant does the same),
 *   then a sleep. Each time the run resumes, every waiting step looks for its event from where
 *   the wait began, so the host parses and matches waits × events (10^6) in one synchronous
 *   pass, and again at every later resume: the cost of a resume grows with the tenant's event
 *   history. The host must stay responsive.
 * @expect {"status":"suspended"}
 * @then {"advance":"2s","expect":{"status":"suspended"}}
 * @then {"advance":"2h","expect":{"status":"completed","output":"done"}}
 * @actions events.emit
 * @requires stdlib
 * @permissions events:emit
 * @maxBlockMs 1500
 * @timeout 60000
 */
export default async (input, actions) => {
  const waits = [];
  for (let i = 0; i < 200; i++) waits.push(actions.waitForEvent('flood', { match: { never: i }, timeout: '1h' }));
  for (let i = 0; i < 5000; i += 50) {
    const batch = [];
    for (let j = 0; j < 50; j++) batch.push(actions.events.emit({ type: 'flood', data: { n: i + j } }));
    await Promise.all(batch);
  }
  await actions.sleep('1s');
  await Promise.all(waits);
  return 'done';
};
