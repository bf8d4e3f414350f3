import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../runtime/action.js';
import { schemaToTs } from '../../compiler/types/schema-to-ts.js';
import { inMemoryProgram } from '../support/ts-program.js';

/**
 * Each case's type is written into a real TypeScript file, followed by one `const v: T = value`
 * per sample value; the TypeScript compiler then decides. A valid value must type-check, an
 * invalid one must not, and the declaration itself must compile.
 */
interface Case {
  name: string;
  schema: JsonSchema | boolean | null;
  valid: unknown[];
  invalid: unknown[];
}

const cases: Case[] = [
  { name: 'string', schema: { type: 'string' }, valid: ['a', ''], invalid: [1, null] },
  { name: 'integer is number', schema: { type: 'integer' }, valid: [3, -1], invalid: ['3'] },
  { name: 'boolean', schema: { type: 'boolean' }, valid: [true, false], invalid: [0] },
  { name: 'null', schema: { type: 'null' }, valid: [null], invalid: [0, 'null'] },
  { name: 'type array', schema: { type: ['string', 'null'] }, valid: ['x', null], invalid: [1] },
  { name: 'enum of mixed literals', schema: { enum: ['a', 'b"c', 1, null] }, valid: ['a', 'b"c', 1, null], invalid: ['c', 2, true] },
  { name: 'enum wins over type', schema: { type: 'string', enum: ['x', 'y'] }, valid: ['x'], invalid: ['z'] },
  { name: 'const string with quotes', schema: { const: "it's \"here\"" }, valid: ["it's \"here\""], invalid: ['it'] },
  { name: 'const object', schema: { const: { a: 1, 'b-c': [true] } }, valid: [{ a: 1, 'b-c': [true] }], invalid: [{ a: 2, 'b-c': [true] }] },
  {
    name: 'object with required, optional and quoted keys',
    schema: {
      type: 'object',
      properties: { key: { type: 'string' }, 'content-type': { enum: ['json', 'text'] }, '0n': { type: 'number' } },
      required: ['key'],
    },
    valid: [{ key: 'k' }, { key: 'k', 'content-type': 'json', '0n': 1 }],
    // A key the schema does not list is an excess property: a misspelt argument fails to compile.
    invalid: [{}, { key: 1 }, { key: 'k', 'content-type': 'xml' }, { key: 'k', kye: 'typo' }],
  },
  { name: 'required keys that are not listed are unknown', schema: { type: 'object', required: ['a', 'b-c'] }, valid: [{ a: 1, 'b-c': null }], invalid: [{ a: 1 }, {}] },
  { name: 'properties without type are an object', schema: { properties: { a: { type: 'number' } }, required: ['a'] }, valid: [{ a: 1 }], invalid: [{ a: '1' }, 1] },
  { name: 'additionalProperties schema is an index signature', schema: { type: 'object', additionalProperties: { type: 'number' } }, valid: [{}, { a: 1, b: 2 }], invalid: [{ a: 'x' }, []] },
  {
    name: 'listed properties and additionalProperties together',
    schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'], additionalProperties: { type: 'boolean' } },
    valid: [{ name: 'n' }, { name: 'n', age: 3, extra: true }],
    invalid: [{ age: 3 }, { name: 'n', extra: [] }],
  },
  { name: 'additionalProperties true', schema: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true }, valid: [{ a: 'x', b: [1] }], invalid: [{ a: 1 }] },
  { name: 'patternProperties', schema: { type: 'object', patternProperties: { '^x-': { type: 'string' } } }, valid: [{ 'x-a': 's' }], invalid: [{ 'x-a': 1 }] },
  { name: 'closed object without properties', schema: { type: 'object', additionalProperties: false }, valid: [{}], invalid: [{ a: 1 }] },
  { name: 'open object without properties', schema: { type: 'object' }, valid: [{}, { a: 1 }], invalid: ['s', null, 1] },
  { name: 'array of items', schema: { type: 'array', items: { type: 'string' } }, valid: [[], ['a', 'b']], invalid: [[1], 'a'] },
  { name: 'array of a union', schema: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } }, valid: [['a', 1]], invalid: [[true]] },
  { name: 'array without items', schema: { type: 'array' }, valid: [[], [1, 'a', null]], invalid: [{}] },
  {
    name: 'prefixItems tuple (2020-12)',
    schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 1, items: false },
    valid: [['a'], ['a', 1]],
    invalid: [[], ['a', 1, 2], [1]],
  },
  {
    name: 'prefixItems tuple with a rest',
    schema: { type: 'array', prefixItems: [{ type: 'string' }], minItems: 1, items: { type: 'number' } },
    valid: [['a'], ['a', 1, 2]],
    invalid: [['a', 'b'], []],
  },
  {
    name: 'items array tuple (draft-07) with additionalItems',
    schema: { type: 'array', items: [{ type: 'string' }], additionalItems: { type: 'number' } },
    valid: [[], ['a'], ['a', 1, 2]],
    invalid: [['a', 'b'], [1]],
  },
  { name: 'items array tuple without additionalItems admits more', schema: { type: 'array', items: [{ type: 'boolean' }], minItems: 1 }, valid: [[true], [true, 'x']], invalid: [[]] },
  { name: 'items false', schema: { type: 'array', items: false }, valid: [[]], invalid: [[1]] },
  {
    name: 'anyOf is a union',
    schema: { anyOf: [{ type: 'string' }, { type: 'object', properties: { id: { type: 'number' } }, required: ['id'] }] },
    valid: ['s', { id: 1 }],
    invalid: [1, { id: 'x' }],
  },
  { name: 'oneOf is a union', schema: { oneOf: [{ const: 'a' }, { const: 2 }] }, valid: ['a', 2], invalid: ['b'] },
  {
    name: 'allOf is an intersection',
    schema: {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { b: { type: 'number' } }, required: ['b'] },
      ],
    },
    valid: [{ a: 'x', b: 1 }],
    invalid: [{ a: 'x' }, { b: 1 }, { a: 1, b: 1 }],
  },
  { name: 'type with anyOf of required sets', schema: { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }] }, valid: [{ a: 'x' }], invalid: [{ a: 1 }] },
  { name: 'nullable (OpenAPI)', schema: { type: 'string', nullable: true }, valid: ['x', null], invalid: [1] },
  {
    name: 'nested objects and arrays',
    schema: {
      type: 'object',
      properties: {
        to: { type: 'array', items: { type: 'object', properties: { email: { type: 'string', description: 'Address */ closed?' } }, required: ['email'] } },
        meta: { type: 'object', properties: { retries: { type: 'integer' } } },
      },
      required: ['to'],
    },
    valid: [{ to: [{ email: 'a@b' }] }, { to: [], meta: { retries: 2 } }],
    invalid: [{ to: [{}] }, { to: [{ email: 1 }] }, { to: [], meta: { retries: '2' } }],
  },
  { name: 'true schema is unknown', schema: true, valid: [1, 'x', null, { a: [1] }], invalid: [] },
  { name: 'missing schema is unknown', schema: null, valid: [1, { a: 1 }], invalid: [] },
  { name: '$ref is unknown', schema: { $ref: '#/$defs/x' }, valid: [1, 'x'], invalid: [] },
  { name: 'not is unknown', schema: { not: { type: 'string' } }, valid: [1, 'x'], invalid: [] },
  { name: 'unknown type name is unknown', schema: { type: 'date' }, valid: [1, 'x'], invalid: [] },
  { name: 'false schema is never', schema: false, valid: [], invalid: [1, null] },
  { name: 'empty enum is never', schema: { enum: [] }, valid: [], invalid: [1] },
];

interface Compiled {
  file: string;
  /** 1-based line of each valid / invalid sample. */
  validLines: number[];
  invalidLines: number[];
  declarationLines: number[];
}

function caseSource(c: Case, index: number): { path: string; text: string; compiled: Compiled } {
  const lines = [`export type T = ${schemaToTs(c.schema as JsonSchema | null)};`];
  const declarationLines = lines[0].split('\n').map((_, i) => i + 1);
  const body = lines[0].split('\n');
  const validLines: number[] = [];
  const invalidLines: number[] = [];
  c.valid.forEach((v, i) => {
    body.push(`export const valid${i}: T = ${JSON.stringify(v)};`);
    validLines.push(body.length);
  });
  c.invalid.forEach((v, i) => {
    body.push(`export const invalid${i}: T = ${JSON.stringify(v)};`);
    invalidLines.push(body.length);
  });
  const path = `/cases/case${index}.ts`;
  return { path, text: `${body.join('\n')}\n`, compiled: { file: path, validLines, invalidLines, declarationLines } };
}

let program: ts.Program;
const compiled: Compiled[] = [];

beforeAll(() => {
  const files: Record<string, string> = {};
  cases.forEach((c, i) => {
    const { path, text, compiled: info } = caseSource(c, i);
    files[path] = text;
    compiled.push(info);
  });
  files['/cases/doc.ts'] = `export type Doc = ${schemaToTs(docSchema)};\n`;
  program = inMemoryProgram(files);
});

const docSchema: JsonSchema = {
  type: 'object',
  properties: {
    key: { type: 'string', description: 'The key to read. A comment ending */ inside must not end the comment.' },
    other: { type: 'number', description: 'First line.\n\nThird line.' },
  },
  required: ['key'],
};

describe('schemaToTs type-checks exactly the values the schema describes', () => {
  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const info = compiled[i];
    const byLine = diagnosticsByLine(program, info.file);
    const source = program.getSourceFile(info.file)?.text ?? '';
    for (const line of info.declarationLines) expect(byLine.get(line), `declaration line ${line} of\n${source}`).toBeUndefined();
    for (const line of info.validLines) expect(byLine.get(line), `valid sample on line ${line} of\n${source}`).toBeUndefined();
    for (const line of info.invalidLines) expect(byLine.get(line), `invalid sample on line ${line} of\n${source}`).toBeDefined();
  });
});

describe('schemaToTs output', () => {
  it('writes multi-line object literals indented from the given indent, with JSDoc from descriptions', () => {
    expect(schemaToTs(docSchema, '  ')).toBe(
      [
        '{',
        '    /** The key to read. A comment ending *\\/ inside must not end the comment. */',
        '    key: string;',
        '    /**',
        '     * First line.',
        '     *',
        '     * Third line.',
        '     */',
        '    other?: number;',
        '  }',
      ].join('\n'),
    );
  });

  it('keeps descriptions as documentation TypeScript reads back', () => {
    const checker = program.getTypeChecker();
    const file = program.getSourceFile('/cases/doc.ts');
    const alias = file?.statements.find(ts.isTypeAliasDeclaration);
    expect(alias).toBeDefined();
    if (alias === undefined) return;
    const type = checker.getTypeAtLocation(alias.name);
    const key = type.getProperty('key');
    expect(key && ts.displayPartsToString(key.getDocumentationComment(checker))).toBe(
      'The key to read. A comment ending *\\/ inside must not end the comment.',
    );
    expect(diagnosticsByLine(program, '/cases/doc.ts').size).toBe(0);
  });

  it('parenthesizes unions inside arrays and intersections', () => {
    expect(schemaToTs({ type: 'array', items: { type: ['string', 'number'] } })).toBe('(string | number)[]');
    expect(schemaToTs({ type: 'string', anyOf: [{ const: 'a' }, { const: 'b' }] })).toBe('string & ("a" | "b")');
  });

  it('never writes any, and the same schema always gives the same text', () => {
    for (const c of cases) {
      const text = schemaToTs(c.schema as JsonSchema | null);
      expect(text).not.toMatch(/\bany\b/);
      expect(schemaToTs(c.schema as JsonSchema | null)).toBe(text);
    }
  });

  it('follows the schema key order for members', () => {
    const text = schemaToTs({ type: 'object', properties: { b: { type: 'string' }, a: { type: 'string' } } });
    expect(text.indexOf('b?')).toBeLessThan(text.indexOf('a?'));
  });
});


/** Diagnostics of one file by 1-based line. */
function diagnosticsByLine(p: ts.Program, fileName: string): Map<number, string[]> {
  const file = p.getSourceFile(fileName);
  if (file === undefined) throw new Error(`${fileName} is not in the program`);
  const out = new Map<number, string[]>();
  for (const d of [...p.getSyntacticDiagnostics(file), ...p.getSemanticDiagnostics(file)]) {
    const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line + 1;
    out.set(line, [...(out.get(line) ?? []), ts.flattenDiagnosticMessageText(d.messageText, '\n')]);
  }
  return out;
}
