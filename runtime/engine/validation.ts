import type { Ajv, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../action.js';
import { ajvModule } from '../deps.js';
import { schemaBudgetProblem, untrustedAjv, withCheckBudget } from '../schema-budget.js';

/**
 * Compiles JSON Schemas once and checks values host-side. Ajv turns a schema into a plain
 * function, which keeps validation cheap on the step path.
 */
export class Validators {
  private readonly ajv: Ajv = new (ajvModule().Ajv)({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /**
   * Compiles a schema under `key`. `untrusted`: the schema comes from a bundle (a workflow's
   * input schema), not from our catalog: it must pass the budget of schema-budget.ts, gets an
   * Ajv instance of its own (its `$id`s cannot collide with another workflow's) and runs its
   * patterns on RE2.
   */
  add(key: string, schema: JsonSchema, untrusted = false): void {
    if (untrusted) {
      const problem = schemaBudgetProblem(schema);
      if (problem !== null) throw new TypeError(`schema of ${key} is refused: ${problem}`);
    }
    try {
      this.compiled.set(key, (untrusted ? untrustedAjv({ allErrors: false }) : this.ajv).compile(schema));
    } catch (err) {
      throw new TypeError(`schema of ${key} is not a valid JSON Schema: ${(err as Error).message}`);
    }
  }

  has(key: string): boolean {
    return this.compiled.has(key);
  }

  /** null when valid, else a message naming the first bad field. */
  check(key: string, value: unknown): string | null {
    const fn = this.compiled.get(key);
    if (fn === undefined) return null;
    let valid: unknown;
    try {
      valid = withCheckBudget(() => fn(value));
    } catch (err) {
      // A schema the budget let through can still fail on a value (Ajv's own recursion limits,
      // the patterns' work budget).
      return `could not be checked against its schema: ${(err as Error)?.message ?? String(err)}`;
    }
    if (valid === true) return null;
    const e = fn.errors?.[0];
    if (!e) return 'does not match its schema';
    const where = e.instancePath === '' ? 'the arguments' : `field ${e.instancePath.slice(1).replace(/\//g, '.')}`;
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : e.keyword === 'required' ? ` (${String((e.params as { missingProperty?: string }).missingProperty)})` : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  }
}
