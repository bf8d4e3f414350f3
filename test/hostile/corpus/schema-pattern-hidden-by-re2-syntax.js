/**
 * @class schema
 * @attack An input schema of 10 patterns `\Q[\E(<600 letters>){1000}\Q]\E`: RE2's literal
 *   quotes make a text estimate of the program read `[` as the start of a character class and
 *   skip to the next `]`, over a group that compiles to 600,000 RE2 instructions. Compiling the
 *   schema at deploy took 6.4 s and 737 MB; a hundred such patterns fit in 64 KiB and ran the
 *   engine out of memory. The host must stay responsive.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"}]
 * @maxBlockMs 1500
 * @timeout 40000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'object', properties: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, { type: 'string', pattern: `\\Q[\\E(${'x'.repeat(600)}){1000}\\Q]\\E${i}` }])) } }, input: { f0: 'x' } })
 */
export default async (input) => Object.keys(input).length;
