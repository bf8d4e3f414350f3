/**
 * @class manifest
 * @attack A user's bundle that claims kind "system": system workflows run with the system's
 *   permissions (`*` when started without any) and subscriptions start the latest version of a
 *   name, so a bundle that could take the kind would inherit both.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @actions demo.echo
 * @build (b) => ({ ...b, manifest: { ...b.manifest, kind: 'system' } })
 */
export default async (input, actions) => actions.demo.echo({ system: true });
