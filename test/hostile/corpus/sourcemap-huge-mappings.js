/**
 * @class sourcemap
 * @attack A bundle whose source map has 8 million lines of mappings (8 MB of `;`) for a
 *   script of a dozen: nothing bounds the map's size, and the host decodes it, all of it, on
 *   its own thread, the first time the workflow logs a line (an array per generated line:
 *   hundreds of MB and seconds of host time; 40 MB of `;` take 3 GB and 20 s). The host must
 *   refuse the map or stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"status":"completed","output":"logged"}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, sourceMap: JSON.stringify({ version: 3, sources: ['flow.ts'], names: [], mappings: 'AAAA;'.repeat(12) + ';'.repeat(8000000) }) })
 */
export default async (input, actions) => {
  actions.log('where am I?');
  return 'logged';
};
