/**
 * The budget and the Ajv instance for schemas that come from bundles and their authors
 * (runtime/schema-budget.ts): what is refused before Ajv sees a schema, and the keywords that
 * replace Ajv's quadratic ones, with Ajv's own error shape (callers read it).
 */
import { describe, expect, it } from 'vitest';
import { schemaBudgetProblem, untrustedAjv } from '../runtime/schema-budget.js';

const compile = (schema: Record<string, unknown>) => untrustedAjv({ allErrors: false }).compile(schema);

describe('schemaBudgetProblem', () => {
  it('accepts recursion through a property, whichever key comes first', () => {
    const defs = { nullableRoot: { anyOf: [{ type: 'null' }, { $ref: '#' }] } };
    const props = { parent: { $ref: '#/definitions/nullableRoot' } };
    expect(schemaBudgetProblem({ definitions: defs, type: 'object', properties: props })).toBeNull();
    expect(schemaBudgetProblem({ type: 'object', properties: props, definitions: defs })).toBeNull();
    expect(schemaBudgetProblem({ type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } })).toBeNull();
  });

  it('refuses a $ref cycle that stays on the same value, also through a subschema shared with a descending keyword', () => {
    expect(schemaBudgetProblem({ allOf: [{ $ref: '#' }] })).toMatch(/loop back/);
    expect(schemaBudgetProblem({ items: { $ref: '#/$defs/X' }, allOf: [{ $ref: '#/$defs/X' }], $defs: { X: { allOf: [{ $ref: '#' }] } } })).toMatch(/loop back/);
    expect(schemaBudgetProblem({ anyOf: [{ not: { $ref: '#/$defs/A' } }], $defs: { A: { oneOf: [{ $ref: '#' }] } } })).toMatch(/loop back/);
  });

  it('refuses an $async schema, but not a property or a constant named $async', () => {
    expect(schemaBudgetProblem({ $async: true, type: 'object' })).toMatch(/\$async/);
    expect(schemaBudgetProblem({ type: 'object', properties: { x: { $async: true } } })).toMatch(/\$async/);
    expect(schemaBudgetProblem({ type: 'object', properties: { $async: { type: 'boolean' } } })).toBeNull();
    expect(schemaBudgetProblem({ const: { $async: true } })).toBeNull();
    expect(schemaBudgetProblem({ enum: [{ $ref: '#' }] })).toBeNull();
  });
});

describe('untrustedAjv', () => {
  it('checks enum as JSON equality, and reports the allowed values as Ajv does', () => {
    const validate = compile({ enum: ['a', 1, null, { k: [1, 2] }] });
    expect([validate('a'), validate(1.0), validate(null), validate({ k: [1, 2] })]).toEqual([true, true, true, true]);
    expect([validate('1'), validate('null'), validate({ k: [2, 1] }), validate([])]).toEqual([false, false, false, false]);
    expect(validate('b')).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'enum', message: 'must be equal to one of the allowed values', params: { allowedValues: ['a', 1, null, { k: [1, 2] }] } });
    expect(compile({ enum: [{ a: 1, b: 2 }] })({ b: 2, a: 1 })).toBe(true);
  });

  it('checks uniqueItems in one pass with JSON equality', () => {
    const validate = compile({ type: 'array', uniqueItems: true });
    expect(validate([1, '1', { a: 1, b: 2 }, { b: 3, a: 1 }])).toBe(true);
    expect(validate([{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'uniqueItems', message: 'must NOT have duplicate items' });
    expect(validate([0, -0])).toBe(false);
  });

  it('does not throw on a value nested past the canonical form\'s limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = { d: deep };
    expect(compile({ enum: ['a', { d: 1 }] })(deep)).toBe(false);
    expect(compile({ uniqueItems: true })([deep, 1])).toBe(false);
  });

  it('meets required only with own properties', () => {
    expect(compile({ type: 'object', required: ['constructor'] })({})).toBe(false);
  });
});
