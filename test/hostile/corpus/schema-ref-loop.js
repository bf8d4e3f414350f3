/**
 * @class schema
 * @attack An input schema that is its own reference (`{ "$ref": "#" }`): it passes the schema
 *   budget (a `$ref` back into the schema being expanded counts once, for recursion bounded by
 *   the value's depth) and Ajv compiles it, but checking any value recurses without descending
 *   into it, until the host's stack overflows. The start must be refused with a typed error
 *   (or the bundle at deploy), never a bare RangeError out of `engine.start`.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"}]
 * @input {"any":"value"}
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { $ref: '#' } } })
 */
export default async (input) => input;
