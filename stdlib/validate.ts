import type { ErrorObject, ValidateFunction } from 'ajv';
import { maxSchemaBytes, maxSchemaExpansion, schemaBudgetProblem, untrustedAjv, withCheckBudget } from '../runtime/schema-budget.js';
import type { JsonSchema } from '../runtime/index.js';

export { maxSchemaBytes, maxSchemaExpansion, schemaBudgetProblem };

/** How many of a value's problems are described. */
const maxReported = 10;

/** Compiled schemas kept (by schema text). */
const cacheSize = 64;
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates values against JSON Schemas that arrive as data (an answer's schema in
 * `human.ask`). Each schema is compiled by an Ajv instance of its own: in a shared instance an
 * `$id` is global, so one workflow's schema would block another's with the same `$id` (of
 * another tenant too) or be reachable from it by `$ref`, and the instance would keep every
 * schema it ever compiled. Compiled functions are kept by schema text in a small LRU.
 *
 * @returns a function giving null when the value is valid, or its first problem (a list, one per line).
 * @throws TypeError when the schema is not a valid JSON Schema, or is over the budget of
 *   {@link schemaBudgetProblem}
 */
export function jsonValidator(schema: JsonSchema): (value: unknown) => string[] | null {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (fn !== undefined) {
    // Refresh its place in the LRU order.
    compiled.delete(key);
  } else {
    const problem = schemaBudgetProblem(schema);
    if (problem !== null) throw new TypeError(`the schema is refused: ${problem}`);
    try {
      // The first problem only: with allErrors, Ajv builds an error object for every failing
      // keyword at every position, and a 1 KB schema against a 600 KB value made 30 million
      // of them (4 GB) on the engine's thread.
      const ajv = untrustedAjv({ allErrors: false });
      fn = ajv.compile(schema);
    } catch (err) {
      throw new TypeError(`not a valid JSON Schema: ${(err as Error).message}`);
    }
    // An $async schema validates to a promise, which is truthy: every value would pass.
    if ((fn as { $async?: unknown }).$async === true) throw new TypeError('the schema is refused: it must not be an $async schema');
    if (compiled.size >= cacheSize) compiled.delete(compiled.keys().next().value as string);
  }
  compiled.set(key, fn);
  const validate = fn;
  return (value) => {
    try {
      if (withCheckBudget(() => validate(value))) return null;
      // The first failing keyword's errors (an anyOf's: one per branch), at most 10 of them.
      const errors = validate.errors ?? [];
      validate.errors = null;
      const lines = errors.slice(0, maxReported).map(describeError);
      if (errors.length > maxReported) lines.push(`… and ${errors.length - maxReported} more`);
      return lines;
    } catch (err) {
      // A value past the engine's nesting limits, or too long for the schema's patterns: an
      // answer that cannot be checked is refused.
      return [`the value could not be checked against the schema: ${(err as Error)?.message ?? String(err)}`];
    }
  };
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the value' : e.instancePath.slice(1).replace(/\//g, '.');
  const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  const extra = params.additionalProperty !== undefined ? ` (${params.additionalProperty})` : params.missingProperty !== undefined ? ` (${params.missingProperty})` : params.allowedValues !== undefined ? ` (${(JSON.stringify(params.allowedValues) ?? '').slice(0, 200)})` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}
