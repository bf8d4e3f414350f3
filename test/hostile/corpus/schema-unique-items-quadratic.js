/**
 * @class schema
 * @attack A 40-byte input schema, `{ type: "array", uniqueItems: true }`, and an input of
 *   16,000 distinct objects (200 kB, well within the bridge limit). Ajv checks uniqueness of
 *   objects pair by pair, with a deep comparison: 1.3 × 10^8 comparisons on the engine's one
 *   thread, inside `engine.start`, outside every sandbox limit. The schema budget bounds the
 *   schema, not the work per byte of input. The host must stay responsive (refuse the schema,
 *   or check it in linear time).
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"},{"status":"completed","output":16000}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'array', uniqueItems: true } }, input: Array.from({ length: 16000 }, (_, i) => ({ n: i })) })
 */
export default async (input) => input.length;
