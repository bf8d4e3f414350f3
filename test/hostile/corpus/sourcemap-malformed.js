/**
 * @class sourcemap
 * @attack A source map that is valid JSON but nonsense: segments that point to source -5 and
 *   line -1000, a VLQ with a 40-bit continuation, sources that are objects and numbers, a
 *   `names` that is a string, lines past the script's end. Positions must degrade to the
 *   script's own (or be left out), never throw in the host or cut the log.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 * @build (b) => ({ ...b, sourceMap: JSON.stringify({ version: 3, sources: [{ toString: 1 }, 7, null], names: 'x', mappings: 'AKAA,CAAA;gBAAA;AAAA;+/+/+/+/A;' + 'AAAAA,'.repeat(50) + ';' + 'BBBB;'.repeat(100) }) })
 */
export default async (input, actions) => {
  actions.log('line one');
  actions.log('line two', { at: 2 });
  throw new Error('mapped nowhere');
};
