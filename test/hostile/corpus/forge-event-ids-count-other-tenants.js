/**
 * @class forge
 * @attack Count other tenants' events through event ids: the id `events.emit` returns and the
 *   id a `waitForEvent` result carries are the store's global event sequence, shared by every
 *   tenant. The run emits one event, waits for the next one of its own tenant, and subtracts:
 *   every id in between is an event of another tenant (here the victim's `secret.event`), so a
 *   tenant can watch the others' activity, timing-free. A run may learn only its own tenant's
 *   events; ids it sees must not count anyone else's.
 * @expect {"status":"suspended"}
 * @then {"event":{"type":"probe","data":{"n":1}},"expect":[{"status":"completed","output":{"foreign":0}},{"status":"completed","output":{"foreign":null}}]}
 * @actions events.emit
 * @requires stdlib
 * @permissions events:emit
 */
export default async (input, actions) => {
  const mine = await actions.events.emit({ type: 'probe.mine', data: {} });
  const next = await actions.waitForEvent('probe', { timeout: '1h' });
  const foreign = next.id - mine.id - 1;
  return { foreign: Number.isFinite(foreign) ? foreign : null };
};
