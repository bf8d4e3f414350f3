/**
 * @class sourcemap
 * @attack A source map whose source paths (and source root) are terminal escapes, a carriage
 *   return and a forged log line: every `log()` line's `source` and the error's `source` and
 *   stack frames name them, and `alice log`, `alice show`, `alice run` print them.
 * @expect {"status":"failed","code":"ALICE_WORKFLOW_ERROR"}
 * @build (b) => ({ ...b, sourceMap: JSON.stringify({ version: 3, sourceRoot: '\u001b]0;root\u0007', sources: ['\u001b[2J\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\rrun 1: running \u2192 completed\n\u009b31mflow.ts'], names: [], mappings: 'AAAA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA;AACA' }) })
 */
export default async (input, actions) => {
  actions.log('a line whose source is an escape');
  throw new Error('thrown where the map says');
};
