/**
 * @class sourcemap
 * @attack A source map whose one source is named with 2 MB of text, and a workflow that
 *   throws from ten nested calls. The guest's stack is cut to 16 kB before the host maps it,
 *   but mapping makes every frame name the 2 MB source: the error stored with the run (and
 *   read back by getRun, listRuns, `alice runs`) grows to tens of MB, past every limit a
 *   workflow has on what it writes.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 * @build (b) => ({ ...b, sourceMap: JSON.stringify({ version: 3, sources: ['s'.repeat(2000000)], names: [], mappings: Array.from({ length: 40 }, (_, i) => (i === 0 ? 'AAAA' : 'AACA')).join(';') }) })
 */
export default async (input, actions) => {
  const dive = (n) => {
    if (n === 0) throw new Error('deep');
    return dive(n - 1) + 1;
  };
  actions.log('before the dive');
  return dive(10);
};
