/**
 * The budget and the Ajv instance for schemas that come from bundles and their authors
 * (runtime/schema-budget.ts): what is refused before Ajv sees a schema, and the keywords that
 * replace Ajv's quadratic ones, with Ajv's own error shape (callers read it).
 */
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { maxEvaluations, maxPatternProgram, maxPatternWork, patternSizeBound, schemaBudgetProblem, untrustedAjv, withCheckBudget } from '../runtime/schema-budget.js';
import { Validators } from '../runtime/engine/validation.js';

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

describe('schemaBudgetProblem: what Ajv would read otherwise', () => {
  it('refuses an $id below the root, an $anchor, and __proto__ as a property name', () => {
    // Each level has an $id of its own: Ajv resolves "#/definitions/a" in it (the next level, two $refs: doubling per level), the budget from the root (where it is {}).
    let level: Record<string, unknown> = { type: 'string' };
    for (let i = 27; i >= 0; i--) level = { $id: `http://x/l${i}`, definitions: { a: level }, allOf: [{ $ref: '#/definitions/a' }, { $ref: '#/definitions/a' }] };
    expect(schemaBudgetProblem({ definitions: { a: {} }, properties: { p: level } })).toMatch(/an \$id below its root/);
    expect(schemaBudgetProblem({ $id: 'http://x/root', type: 'object' })).toBeNull();
    expect(schemaBudgetProblem({ definitions: { a: { $anchor: 'a', type: 'string' } }, $ref: '#a' })).toMatch(/\$anchor/);
    for (const key of ['properties', 'patternProperties', 'dependencies']) {
      expect(schemaBudgetProblem({ type: 'object', [key]: JSON.parse('{"__proto__": {"type": "string"}}') })).toMatch(/__proto__/);
    }
    // As a value the validator compares, it is data, and fine.
    expect(schemaBudgetProblem({ type: 'object', required: ['__proto__'] })).toBeNull();
  });

  it('refuses a $ref into anything but a schema position (data, unknown keywords), where no evaluation is counted', () => {
    const h = { anyOf: [{ type: 'number' }, { type: 'string' }] };
    expect(schemaBudgetProblem({ 'x-defs': { h }, type: 'array', items: { $ref: '#/x-defs/h' } })).toMatch(/does not point inside the schema/);
    expect(schemaBudgetProblem({ not: { const: h }, type: 'array', items: { $ref: '#/not/const' } })).toMatch(/does not point inside the schema/);
    expect(schemaBudgetProblem({ enum: [h], items: { $ref: '#/enum/0' } })).toMatch(/does not point inside the schema/);
    for (const [schema, ref] of [[{ definitions: { h } }, '#/definitions/h'], [{ $defs: { h } }, '#/$defs/h'], [{ properties: { a: h } }, '#/properties/a'], [{ allOf: [h] }, '#/allOf/0'], [{ items: [h] }, '#/items/0'], [{ not: h }, '#/not/anyOf/1']] as const) {
      expect(schemaBudgetProblem({ ...schema, additionalProperties: { $ref: ref } }), ref).toBeNull();
    }
  });

  it('refuses a schema nested past what its walks can follow, instead of throwing', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 6_000; i++) deep = { not: deep };
    expect(schemaBudgetProblem(deep)).toBe('it is nested too deeply to check');
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

  it('bounds the work of a check\'s patterns (RE2 instructions × characters), for the whole check, not per pattern', () => {
    // 1,003 instructions × 200,001 characters: 2 × 10^8, seconds of re2js; refused before it runs.
    const big = compile({ type: 'string', pattern: '[a-z]{1000}[0-9]' });
    expect(() => withCheckBudget(() => big('a'.repeat(200_000)))).toThrow(/200000 characters is too long to check against the pattern "\[a-z\]\{1000\}\[0-9\]" \(1003 RE2 instructions\)/);
    expect(withCheckBudget(() => big(`${'a'.repeat(1000)}7`))).toBe(true);
    // A sensible pattern on a long string is well within it.
    const email = compile({ type: 'string', pattern: '^[a-z0-9._-]+@[a-z]+\\.[a-z]+$' });
    expect(withCheckBudget(() => email(`${'a'.repeat(1_000_000)}@example.com`))).toBe(true);
    // Thirty patterns of ≈ 100 instructions, each alone well within the budget on 10,000
    // characters, are over it together: the budget is the check's.
    const many = compile({ type: 'string', allOf: Array.from({ length: 30 }, (_, i) => ({ pattern: `[a-z]{100}(?:${i})?` })) });
    const text = 'a'.repeat(10_000);
    expect(103 * 10_001).toBeLessThan(maxPatternWork / 10);
    expect(() => withCheckBudget(() => many(text))).toThrow(/too long to check/);
    // Each check starts with the whole budget again.
    expect(withCheckBudget(() => big(`${'a'.repeat(1000)}7`))).toBe(true);
  });

  it('checks each pattern of a schema as itself (Ajv keeps compiled patterns by their text)', () => {
    const validate = compile({ type: 'object', properties: { a: { type: 'string', pattern: '^x$' }, b: { type: 'string', pattern: '^[0-9]+$' } }, patternProperties: { '^n_': { type: 'string', pattern: '^[A-Z]+$' } } });
    expect([validate({ a: 'x' }), validate({ b: '42' }), validate({ n_1: 'AB' })]).toEqual([true, true, true]);
    expect([validate({ a: '42' }), validate({ b: 'x' }), validate({ n_1: 'x' })]).toEqual([false, false, false]);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'pattern', params: { pattern: '^[A-Z]+$' } });
    const v = new Validators();
    v.add('wf', { type: 'object', properties: { p: { type: 'string', pattern: '^a+$' }, q: { type: 'string', pattern: '^b+$' } } }, true);
    expect([v.check('wf', { p: 'aa', q: 'bb' }), v.check('wf', { q: 'aa' })]).toEqual([null, expect.stringMatching(/must match pattern "\^b\+\$"/)]);
  });

  it('bounds what a schema\'s patterns compile to, before RE2 expands their repetitions', () => {
    // Each of these compiles to 600,000 RE2 instructions (0.7 s of re2js); a 64 KiB schema holds a hundred.
    const huge = `(${'abcdefghij'.repeat(60)}){1000}`;
    const schema = { type: 'object', properties: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, { type: 'string', pattern: `${huge}${i}` }])) };
    expect(schemaBudgetProblem(schema)).toBeNull();
    expect(() => compile(schema)).toThrow(/its patterns are too big to compile: .* past 200000 RE2 instructions/);
    const v = new Validators();
    expect(() => v.add('wf', schema, true)).toThrow(/schema of wf is not a valid JSON Schema: its patterns are too big to compile/);
    // For the whole schema: sixty patterns of ≈ 4,000 each are over it together, also under patternProperties.
    const sixty = Array.from({ length: 60 }, (_, i) => `[a-z]{1000}[0-9]{1000}${i}`);
    expect(() => compile({ allOf: sixty.map((pattern) => ({ pattern })) })).toThrow(/too big to compile/);
    expect(() => compile({ patternProperties: Object.fromEntries(sixty.map((p) => [p, { type: 'number' }])) })).toThrow(/too big to compile/);
    // Sensible patterns are far within it, and a new schema gets the whole budget again.
    const ten = compile({ type: 'object', properties: Object.fromEntries(sixty.slice(0, 10).map((pattern, i) => [`f${i}`, { type: 'string', pattern }])) });
    expect(ten({ f3: `${'a'.repeat(1000)}${'1'.repeat(1000)}3` })).toBe(true);
    expect(ten({ f3: `${'a'.repeat(1000)}${'1'.repeat(1000)}4` })).toBe(false);
    expect(compile({ type: 'string', pattern: '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$' })('ann@example.com')).toBe(true);
  });

  it('takes only ECMA-262 patterns: RE2\'s own syntax would mean something else, and hid big programs from the estimate', () => {
    // \\Q[\\E made the estimate skip to the next ], over a 600,000-instruction group (0.65 s each).
    const hidden = `\\Q[\\E(${'x'.repeat(600)}){1000}\\Q]\\E`;
    for (const pattern of [hidden, '(?i)abc', '\\x{41}', '\\pL', '[[:alpha:]]+', '(?P<n>a)']) {
      expect(() => compile({ type: 'string', pattern }), pattern).toThrow(/is not a JavaScript \(ECMA-262\) regular expression/);
    }
    const v = new Validators();
    expect(() => v.add('wf', { type: 'object', properties: { p: { type: 'string', pattern: hidden } } }, true)).toThrow(/not a valid JSON Schema: the pattern .* is not a JavaScript/);
    // What both read alike is taken, \\p{…} classes too.
    expect(compile({ type: 'string', pattern: '^\\p{L}+ [0-9]{2,4}$' })('Ærø 2024')).toBe(true);
  });

  it('gives patterns JavaScript\'s meaning where RE2\'s differs: \\s, \\S, ., \\uXXXX, \\u{…}, \\cX, [^]', () => {
    const test = (pattern: string, value: string) => compile({ type: 'string', pattern })(value);
    // No-break space, line and paragraph separators, BOM and \\v are JavaScript whitespace; RE2's \\s is [\\t\\n\\f\\r ].
    for (const ws of ['\u00a0', '\u2028', '\ufeff', '\v', '\u3000']) {
      expect({ ws, noSpace: test('^\\S+$', `a${ws}b`), space: test('^a\\sb$', `a${ws}b`), inClass: test('^a[\\s,]b$', `a${ws}b`) }).toEqual({ ws, noSpace: false, space: true, inClass: true });
    }
    // . stops at every line terminator, not only \\n.
    expect([test('^.$', '\r'), test('^.$', '\u2029'), test('^.$', 'é'), test('^[^]$', '\n')]).toEqual([false, false, true, true]);
    expect([test('^\\u00e9$', 'é'), test('^\\u{1F600}$', '\u{1F600}'), test('^\\cJ$', '\n'), test('^[\\u0041-\\u005A]+$', 'ABC')]).toEqual([true, true, true, true]);
    // What both read alike is unchanged.
    expect([test('^\\d{3}-\\w+\\.[^.]*$', '123-ab_c.x'), test('^a.c$', 'abc'), test('[.]', 'x')]).toEqual([true, true, false]);
    // \\S in a class, a surrogate pair, [\\b], [ in a class, counts with leading zeros.
    expect([test('^[\\S]+$', 'a\u00a0b'), test('^[^\\S]$', '\u00a0'), test('^[\\S,]+$', 'a,b')]).toEqual([false, true, true]);
    expect([test('^\\uD83D\\uDE00$', '\u{1F600}'), test('^[\\uD83D\\uDE00-\\uD83D\\uDE4F]$', '\u{1F610}'), test('^[\\b]$', '\b')]).toEqual([true, true, true]);
    expect([test('^[[:alpha:][x]$', '[x'), test('^[[:alpha:][x]$', 'a'), test('^a{02}$', 'aa'), test('^a{02}$', 'a{02}')]).toEqual([true, false, true, false]);
    // A backreference is refused (RE2 has none), not read as octal.
    expect(() => compile({ type: 'string', pattern: '^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)\\12$' })).toThrow(/backreferences/);
  });

  it('estimates a pattern\'s program at least as big as RE2 makes it', () => {
    const patterns = ['[a-z]{1000}[0-9]', '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', `(${'abcdefghij'.repeat(20)}){300}`, 'a{2,1000}', '(a|b){500,1000}', '(?i)hello{5,}', '((ab){10}c){10}', '[[:alpha:]]{300}', '\\pL{1000}', 'x{1000,}', '(?:(?:a{30}){30})', '[\\]a-z]{999}', 'a|b|c|d', '(a*)*', '(?P<n>a{1000})', '\\x{10FFFF}{1000}', 'a{1000}?', '(a+|b?)*c{0,3}'];
    for (const p of patterns) {
      const size = (RE2JS.compile(p) as unknown as { re2Input: { prog: { numInst(): number } } }).re2Input.prog.numInst();
      expect({ p, bound: patternSizeBound(p) >= size }).toEqual({ p, bound: true });
    }
    expect(patternSizeBound('[a-z]{1000}')).toBeLessThan(maxPatternProgram / 50);
    // \\x{3000} is one character, not a repetition of a thousand.
    expect(patternSizeBound('\\x{3000}\\x{3000}')).toBeLessThan(10);
  });

  it('bounds the subschema evaluations of one check: the schema\'s size times the value\'s, and recursion that branches', () => {
    // Two ways down to the same schema per level: 2^24 evaluations for a value 24 levels deep (146 bytes of schema).
    const branching = compile({ allOf: [{ properties: { a: { $ref: '#' } } }, { properties: { a: { $ref: '#' } } }] });
    let deep: unknown = 'x';
    for (let i = 0; i < 24; i++) deep = { a: deep };
    expect(() => withCheckBudget(() => branching(deep))).toThrow(/needs more than 4000000 subschema evaluations/);
    expect(withCheckBudget(() => branching({ a: { a: 1 } }))).toBe(true);
    // 300 subschemas for each of 20,000 items: 6 million.
    const wide = compile({ type: 'array', items: { allOf: Array.from({ length: 300 }, () => ({ minLength: 1 })) } });
    expect(300 * 20_000).toBeGreaterThan(maxEvaluations);
    expect(() => withCheckBudget(() => wide(Array(20_000).fill('a')))).toThrow(/subschema evaluations/);
    // The engine's check says it, and a big value against a sensible schema is far within it.
    const v = new Validators();
    v.add('wf', { type: 'object', properties: { rows: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } } } } }, true);
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, tags: ['a', 'b'] }));
    expect(v.check('wf', { rows })).toBeNull();
    v.add('wide', { type: 'array', items: { allOf: Array.from({ length: 300 }, () => ({ minLength: 1 })) } }, true);
    expect(v.check('wide', Array(20_000).fill('a'))).toMatch(/could not be checked against its schema: the value needs more than/);
    // Outside a check's budget nothing is counted (the budget is the check's).
    expect(wide(Array(20_000).fill('a'))).toBe(true);
    // An evaluation that looks up 1,000 property names costs as much as 1,000: 5,000 empty objects are 5 million.
    const names = compile({ type: 'array', items: { type: 'object', properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, { type: 'string' }])) } });
    expect(() => withCheckBudget(() => names(Array.from({ length: 5000 }, () => ({}))))).toThrow(/subschema evaluations/);
    expect(withCheckBudget(() => names(Array.from({ length: 500 }, () => ({ p1: 'x' }))))).toBe(true);
  });

  it('counts the characters that minLength and maxLength read: 1,000 of them against a 1 MB string are refused, not 2 s of work', () => {
    const many = compile({ allOf: Array.from({ length: 1000 }, (_, i) => ({ minLength: i % 7, maxLength: 2_000_000 })) });
    const long = 'x'.repeat(1_000_000);
    // 1,000 × 2 × 3,907 evaluations' worth: refused on the way, after about as much work as the budget allows.
    expect(() => withCheckBudget(() => many(long))).toThrow(/subschema evaluations/);
    expect(withCheckBudget(() => many('x'.repeat(1000)))).toBe(true);
    const one = compile({ type: 'object', properties: { text: { type: 'string', minLength: 1, maxLength: 2_000_000 } } });
    expect(withCheckBudget(() => one({ text: long }))).toBe(true);
  });

  it('refuses an input too long for its schema\'s patterns with a clear error, as the engine checks it', () => {
    const v = new Validators();
    v.add('wf', { type: 'object', properties: { code: { type: 'string', pattern: '[a-z]{1000}[0-9]' } } }, true);
    expect(v.check('wf', { code: 'a'.repeat(200_000) })).toMatch(/could not be checked against its schema: a string of 200000 characters is too long/);
    expect(v.check('wf', { code: 'abc' })).toMatch(/must match pattern/);
  });
});
