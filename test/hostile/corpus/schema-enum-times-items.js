/**
 * @class schema
 * @attack An enum of 2,000 objects (40 kB, within the schema budget) as the schema of every
 *   item of an array input of 60,000 items (540 kB): every item is deep-compared with the enum
 *   until it matches the last entry, 1.2 × 10^8 comparisons on the engine's thread inside
 *   `engine.start`. The work is the schema's size times the input's, and the budget bounds only
 *   the first. The host must stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"},{"status":"completed","output":60000}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'array', items: { enum: Array.from({ length: 2000 }, (_, i) => ({ k: i })) } } }, input: Array.from({ length: 60000 }, () => ({ k: 1999 })) })
 */
export default async (input) => input.length;
