import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { ajvModule } from '../runtime/deps.js';
import type { JsonSchema } from '../runtime/index.js';

let shared: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates values against JSON Schemas that arrive as data (an answer's schema in
 * `human.ask`, a result schema in `llm.extract`). Compiled functions are kept by schema text,
 * so a schema a workflow repeats is compiled once.
 *
 * @returns a function giving null when the value is valid, or every problem, one per line.
 * @throws TypeError when the schema itself is not a valid JSON Schema
 */
export function jsonValidator(schema: JsonSchema): (value: unknown) => string[] | null {
  shared ??= new (ajvModule().Ajv)({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, validateFormats: false });
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (fn === undefined) {
    try {
      fn = shared.compile(schema);
    } catch (err) {
      throw new TypeError(`not a valid JSON Schema: ${(err as Error).message}`);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, fn);
  }
  const validate = fn;
  return (value) => (validate(value) ? null : (validate.errors ?? []).map(describeError));
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the value' : e.instancePath.slice(1).replace(/\//g, '.');
  const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  const extra = params.additionalProperty !== undefined ? ` (${params.additionalProperty})` : params.missingProperty !== undefined ? ` (${params.missingProperty})` : params.allowedValues !== undefined ? ` (${JSON.stringify(params.allowedValues)})` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}
