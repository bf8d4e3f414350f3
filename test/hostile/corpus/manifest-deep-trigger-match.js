/**
 * @class manifest
 * @attack An event trigger whose `match` is nested 300 levels deep: nothing checks the shape
 *   of a trigger's match, and the code hash's canonical JSON refuses the nesting with a bare
 *   TypeError. Deploy must answer with a typed bundle error.
 * @expect {"refused":"ALICE_BUNDLE_INVALID"}
 * @build (b) => { let m = 1; for (let i = 0; i < 300; i++) m = { m }; return { ...b, manifest: { ...b.manifest, triggers: [{ type: 'event', event: 'deep', match: m }] } }; }
 */
export default async (input) => input;
