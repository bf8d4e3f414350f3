/**
 * @class schema
 * @attack An input schema that accepts the run's own input (`{ ok: true }`) but recurses
 *   without end on anything else (`anyOf: [{ required: ["ok"] }, { not: { $ref: "#" } }]`), on
 *   a workflow subscribed to the event it waits for. When the event comes, starting the
 *   subscribed run overflows the stack inside `deliverEvent`'s transaction: the event must
 *   still reach the run waiting for it (the refused start reported in `refused`), not be
 *   rolled back with a RangeError thrown at whoever delivered it.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"suspended"}]
 * @then {"event":{"type":"loop.wake","data":{"other":1}},"expect":{"status":"completed","output":{"other":1}}}
 * @input {"ok":true}
 * @subscribe
 * @build (b) => ({ ...b, manifest: { ...b.manifest, triggers: [{ type: 'event', event: 'loop.wake' }], inputSchema: { anyOf: [{ type: 'object', required: ['ok'] }, { not: { $ref: '#' } }] } } })
 */
export default async (input, actions) => {
  if (input === null || input.ok !== true) return 'started by the event';
  const e = await actions.waitForEvent('loop.wake', { timeout: '1h' });
  return e === null ? 'timed out' : e.data;
};
