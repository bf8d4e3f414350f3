/**
 * @class tenant
 * @attack Waits for the event type another tenant receives (the test delivers one to the victim
 *   tenant, carrying the victim's secret) and for every event at all (no match), hoping events
 *   cross tenants.
 * @expect {"status":"suspended"}
 * @then {"advance":"1h","expect":{"status":"completed","output":[null,null]}}
 */
export default async (input, actions) => {
  return Promise.all([actions.waitForEvent('secret.event', { timeout: '1h' }), actions.waitForEvent('secret.event', { match: {}, timeout: '1h' })]);
};
