/**
 * @class schema
 * @attack An input schema marked `"$async": true`. Ajv compiles it to a validator that returns
 *   a promise: the engine reads the promise as "valid" (any input passes the schema the
 *   reviewer approved), and when the input is invalid the promise rejects with nobody
 *   listening: an unhandled rejection, which ends a Node host that keeps the default. Deploy
 *   must refuse an `$async` schema, or the start must refuse the input with a typed error.
 * @expect [{"refused":"ALICE_BUNDLE_INVALID"},{"refused":"ALICE_VALIDATION"}]
 * @input 42
 * @build (b) => ({ ...b, manifest: { ...b.manifest, inputSchema: { $async: true, type: 'string' } } })
 */
export default async (input) => ({ accepted: input });
