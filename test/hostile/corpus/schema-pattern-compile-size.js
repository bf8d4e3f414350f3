/**
 * @class schema
 * @attack An input schema of 100 patterns, each `(<600 letters>){1000}`: 64 KiB of JSON, but
 *   each pattern compiles to 600,000 RE2 instructions (0.7 s of re2js), so compiling the
 *   schema at deploy holds the engine's one thread for about a minute. RE2's linear matching
 *   does not help: the cost is in the program, which the text does not show. The host must
 *   stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'object', properties: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, { type: 'string', pattern: `(${'abcdefghij'.repeat(60)}){1000}${i}` }])) } }, input: { f0: 'x' } })
 */
export default async (input) => Object.keys(input).length;
