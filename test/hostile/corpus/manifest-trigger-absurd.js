/**
 * @class manifest
 * @attack Triggers no scheduler could honour: a cron of 8 fields with out-of-range values, an
 *   empty event type, an event type of 10,000 characters with escapes, a match that is a
 *   string, a number and an array. Deploy may refuse them (typed) or keep them; either way the
 *   run works and nothing else is disturbed.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"completed","output":{"ok":true}}]
 * @build (b) => ({ ...b, manifest: { ...b.manifest, triggers: [{ type: 'schedule', cron: '99 99 99 99 99 * * 1999999' }, { type: 'schedule', cron: '' }, { type: 'event', event: '' }, { type: 'event', event: '\u001b[2J'.repeat(2500) }, { type: 'event', event: 'x', match: 'abc' }, { type: 'event', event: 'y', match: 7 }, { type: 'event', event: 'z', match: [1, 2] }, { type: 'manual' }] } })
 */
export default async () => ({ ok: true });
