import type { ErrorObject, ValidateFunction } from 'ajv';
import { ActionFailure, ErrorCodes } from '../../runtime/index.js';
import { untrustedAjv, withCheckBudget } from '../../runtime/schema-budget.js';
import { maxSchemaBytes, schemaBudgetProblem } from '../validate.js';

/** Largest schema `llm.extract` accepts, in bytes of JSON: a schema is a shape, not data. */
export { maxSchemaBytes };
/** Validation errors kept per answer (in the repair prompt and in the failure's details). */
export const maxReportedErrors = 10;

/** The model's answer checked against the schema. */
export type CheckedAnswer = { ok: true; data: unknown } | { ok: false; errors: string[] };

/**
 * Compiles the JSON Schemas that workflows pass to `llm.extract` and checks answers against
 * them. Each schema gets an Ajv instance of its own (two workflows' schemas with the same `$id`
 * must not collide), compiled once and kept in a small LRU, since a workflow usually extracts
 * the same shape again and again. Schemas are read as draft-07 (the engine's dialect); a
 * top-level `$schema` is ignored; `format` is not checked.
 */
export class SchemaChecker {
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly capacity = 64) {}

  /** The validator of `schema`; an unusable schema is a memoized `ALICE_VALIDATION` failure. */
  validator(schema: Record<string, unknown>): ValidateFunction {
    const text = JSON.stringify(schema);
    const found = this.compiled.get(text);
    if (found !== undefined) {
      // Refresh its place in the LRU order.
      this.compiled.delete(text);
      this.compiled.set(text, found);
      return found;
    }
    // Before Ajv sees it: Ajv compiles and validates on the engine's one thread (see schemaBudgetProblem).
    const problem = schemaBudgetProblem(schema);
    if (problem !== null) {
      throw new ActionFailure(ErrorCodes.VALIDATION, `llm.extract: field schema is refused: ${problem}`, { details: { field: 'schema', limit: maxSchemaBytes } });
    }
    const { $schema: _dialect, ...rest } = schema;
    let fn: ValidateFunction;
    try {
      // The first problem only: with allErrors, Ajv builds an error object for every failing
      // keyword at every position, and a 1 KB schema against a 600 KB value made 30 million
      // of them (4 GB) on the engine's thread.
      const ajv = untrustedAjv({ allErrors: false });
      fn = ajv.compile(rest);
    } catch (err) {
      throw new ActionFailure(ErrorCodes.VALIDATION, `llm.extract: field schema is not a valid JSON Schema (draft-07): ${(err as Error).message}; fix the schema in the workflow`, { details: { field: 'schema' } });
    }
    if ((fn as { $async?: unknown }).$async === true) {
      throw new ActionFailure(ErrorCodes.VALIDATION, 'llm.extract: field schema must not be an $async schema', { details: { field: 'schema' } });
    }
    this.compiled.set(text, fn);
    if (this.compiled.size > this.capacity) this.compiled.delete(this.compiled.keys().next().value as string);
    return fn;
  }
}

/** Parses the model's text as JSON (tolerating a Markdown code fence) and validates it. */
export function checkAnswer(content: string, validate: ValidateFunction, finishReason: string): CheckedAnswer {
  const cut = finishReason === 'length' ? ' (the answer was cut off at the token limit: raise maxTokens or ask for less)' : '';
  const text = unfence(content);
  if (text === '') return { ok: false, errors: [`the answer was empty, not JSON${cut}`] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`the answer is not valid JSON: ${(err as Error).message}${cut}`] };
  }
  try {
    if (withCheckBudget(() => validate(data))) return { ok: true, data };
  } catch (err) {
    return { ok: false, errors: [`the answer could not be checked against the schema: ${(err as Error)?.message ?? String(err)}`] };
  }
  return { ok: false, errors: describeErrors(validate.errors ?? []) };
}

/** Ajv errors as short lines naming the JSON Pointer of the bad value: `/age: must be integer`. */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  if (errors.length === 0) return ['(root): does not match the schema'];
  const lines = errors.slice(0, maxReportedErrors).map((e) => {
    const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
    const extra =
      e.keyword === 'additionalProperties' ? ` (${String(params.additionalProperty)})`
      : e.keyword === 'required' ? ` (${String(params.missingProperty)})`
      : e.keyword === 'enum' ? `: ${(JSON.stringify(params.allowedValues) ?? '').slice(0, 200)}`
      : '';
    return `${e.instancePath === '' ? '(root)' : e.instancePath}: ${e.message ?? 'is invalid'}${extra}`.slice(0, 300);
  });
  if (errors.length > maxReportedErrors) lines.push(`… and ${errors.length - maxReportedErrors} more`);
  return lines;
}

function unfence(content: string): string {
  const t = content.trim();
  const m = /^```[A-Za-z0-9_-]*\s*\n([\s\S]*?)\n?```$/.exec(t);
  return (m === null ? t : m[1]).trim();
}
