/**
 * @class manifest
 * @attack An input schema nested 150 levels deep (each level `{ properties: { a: … } }`, so
 *   300 levels of JSON): deeper than the engine's canonical JSON accepts. Deploy must refuse it
 *   with a typed bundle error naming the field, not throw a bare TypeError from the code-hash
 *   computation (which has no code: a caller matching on `code` cannot tell it from a crash).
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @build (b) => { let s = { type: 'string' }; for (let i = 0; i < 150; i++) s = { type: 'object', properties: { a: s } }; return { ...b, manifest: { ...b.manifest, inputSchema: s } }; }
 */
export default async (input) => input;
