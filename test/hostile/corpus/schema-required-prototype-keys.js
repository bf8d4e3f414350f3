/**
 * @class schema
 * @attack An input schema that requires fields named like Object.prototype's members
 *   (`constructor`, `hasOwnProperty`, `__proto__`). Ajv checks `required` with
 *   `data[name] !== undefined`, which the inherited members satisfy: an input without any of
 *   them passes the schema the reviewer approved. The start must refuse the input (or deploy
 *   the schema).
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"}]
 * @input {"name":"x"}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { type: 'object', required: ['constructor', 'hasOwnProperty', '__proto__'] } } })
 */
export default async (input) => ({ keys: Object.keys(input) });
