/**
 * @class manifest
 * @attack A manifest with a 48 MB description (the script is capped at 4 MiB; nothing caps the
 *   manifest). The host hashes it at deploy, stores it, and parses it again at every start and
 *   every execution of the workflow, on its one thread (and `listWorkflows`, `alice
 *   workflows`, read every manifest). The host must refuse the manifest or stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"suspended"}]
 * @then {"advance":"1s","expect":{"status":"completed","output":1}}
 * @maxBlockMs 1500
 * @timeout 60000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, description: 'd'.repeat(48 * 1024 * 1024) } })
 */
export default async (input, actions) => {
  await actions.sleep('1s');
  return 1;
};
