/**
 * @class schema
 * @attack An input schema with two patterns, one per field (`name`: letters, `amount`: digits),
 *   and an input whose `amount` is letters. A wrapper that names every compiled pattern alike
 *   makes Ajv keep one of them for both, so `amount` is checked against the letters pattern
 *   and the input the schema refuses starts a run.
 * @expect [{"refused":"ALICE_VALIDATION"}]
 * @timeout 20000
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' }, amount: { type: 'string', pattern: '^[0-9]+$' } } } }, input: { name: 'ann', amount: 'lots' } })
 */
export default async (input) => input.amount;
