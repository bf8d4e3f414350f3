/**
 * @class schema
 * @attack A pattern that RE2 runs in linear time, but with a program of a thousand states
 *   (`[a-z]{1000}[0-9]`), against an input string of 200,000 letters: linear in the input
 *   times the program, 2 × 10^8 steps of re2js on the engine's one thread inside
 *   `engine.start`. (A schema of 64 KiB may hold hundreds of such patterns in an `allOf`.)
 *   The host must stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"},{"status":"completed","output":200000}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'string', pattern: '[a-z]{1000}[0-9]' } }, input: 'a'.repeat(200000) })
 */
export default async (input) => input.length;
