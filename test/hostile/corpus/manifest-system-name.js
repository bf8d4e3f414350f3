/**
 * @class manifest
 * @attack A user bundle (kind "user") under a name reserved for Alice's own workflows
 *   (`alice.chat`): a subscription starts the latest version of a name, so a new version under
 *   that name would be started in place of the system's.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @actions demo.echo
 * @build (b) => ({ ...b, manifest: { ...b.manifest, name: 'alice.chat' } })
 */
export default async (input, actions) => actions.demo.echo({ hijacked: true });
