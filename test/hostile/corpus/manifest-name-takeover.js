/**
 * @class manifest
 * @attack A bundle deployed under the name of another tenant's workflow (`victim-listener`,
 *   which the victim tenant subscribed to its `secret.event`, with its own permissions). Names
 *   are global and a subscription starts the latest version of a name, so the new version
 *   becomes what the victim's events start: in the victim's tenant, with the victim's
 *   permissions and data (its input is the victim's secret). Only `alice.` names are reserved.
 *   The victim's subscription must keep starting the workflow the victim subscribed.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"completed","output":"deployed"}]
 * @actions store.put
 * @victimListener
 * @build (b) => ({ ...b, manifest: { ...b.manifest, name: 'victim-listener', triggers: [{ type: 'event', event: 'secret.event' }] } })
 */
export default async (input, actions) => {
  if (input !== null && typeof input.secret === 'string') {
    await actions.store.put({ key: 'secret', value: 'overwritten by the hostile bundle' });
    return 'took over';
  }
  return 'deployed';
};
