import { Ajv } from 'ajv';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../runtime/action.js';
import { Validators } from '../../runtime/engine/validation.js';
import { typeToSchema } from '../../compiler/types/type-to-schema.js';
import { inMemoryProgram } from '../support/ts-program.js';

/**
 * Each case is a TypeScript module declaring `Input`. Its type, read from a real type checker,
 * is converted; the schema must compile under Ajv's strict mode and under the engine's own
 * validator, accept every valid sample and reject every invalid one, in both.
 */
interface Case {
  name: string;
  source: string;
  valid: unknown[];
  invalid: unknown[];
  /** When given, the schema must equal it exactly. */
  schema?: JsonSchema;
}

const cases: Case[] = [
  {
    name: 'primitives',
    source: 'export type Input = { s: string; n: number; b: boolean; z: null };',
    valid: [{ s: 'a', n: 1.5, b: true, z: null }],
    invalid: [{ s: 1, n: 1, b: true, z: null }, { s: 'a', n: 1, b: 'yes', z: null }, { s: 'a', n: 1, b: true }, null, 'x'],
    schema: {
      type: 'object',
      properties: { s: { type: 'string' }, n: { type: 'number' }, b: { type: 'boolean' }, z: { type: 'null' } },
      required: ['s', 'n', 'b', 'z'],
    },
  },
  {
    name: 'literal unions become enum, single literals const',
    source: "export type Input = { kind: 'a' | 'b'; n: 1 | 2; t: true; one: 'only' };",
    valid: [{ kind: 'b', n: 2, t: true, one: 'only' }],
    invalid: [{ kind: 'c', n: 1, t: true, one: 'only' }, { kind: 'a', n: 3, t: true, one: 'only' }, { kind: 'a', n: 1, t: false, one: 'only' }],
    schema: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['a', 'b'] },
        n: { type: 'number', enum: [1, 2] },
        t: { type: 'boolean', const: true },
        one: { type: 'string', const: 'only' },
      },
      required: ['kind', 'n', 't', 'one'],
    },
  },
  { name: 'mixed literal union with null', source: "export type Input = 'a' | 1 | null;", valid: ['a', 1, null], invalid: ['b', 2, true], schema: { enum: ['a', 1, null] } },
  { name: 'string literals or null', source: "export type Input = 'a' | 'b' | null;", valid: ['a', null], invalid: ['c', 0], schema: { enum: ['a', 'b', null] } },
  {
    name: 'boolean or null',
    source: 'export type Input = boolean | null;',
    valid: [true, null],
    invalid: [0, 'true'],
    schema: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
  },
  { name: 'union of primitives is anyOf', source: 'export type Input = string | number;', valid: ['a', 1], invalid: [true, null, {}] },
  { name: 'boolean or string', source: 'export type Input = boolean | string;', valid: [true, false, 'x'], invalid: [1, null] },
  { name: 'nullable property', source: 'export type Input = { note: string | null };', valid: [{ note: null }, { note: 'x' }], invalid: [{ note: 1 }, {}] },
  {
    name: 'optional and | undefined properties are not required',
    source: 'export type Input = { a?: string; b: number | undefined; c: string };',
    valid: [{ c: 'x' }, { a: 'y', b: 2, c: 'x' }],
    invalid: [{}, { c: 'x', a: 1 }, { c: 'x', b: 'two' }],
    schema: {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'string' } },
      required: ['c'],
    },
  },
  {
    name: 'arrays and readonly arrays',
    source: 'export type Input = { tags: string[]; ro: readonly number[]; objs: Array<{ id: string }>; ra: ReadonlyArray<boolean> };',
    valid: [{ tags: [], ro: [1], objs: [{ id: 'a' }], ra: [true] }],
    invalid: [{ tags: [1], ro: [], objs: [], ra: [] }, { tags: [], ro: ['x'], objs: [], ra: [] }, { tags: [], ro: [], objs: [{}], ra: [] }, { tags: 'a', ro: [], objs: [], ra: [] }],
  },
  {
    name: 'tuples are closed',
    source: 'export type Input = { pair: [string, number]; point: readonly [x: number, y: number]; none: [] };',
    valid: [{ pair: ['a', 1], point: [0, 1], none: [] }],
    invalid: [{ pair: ['a'], point: [0, 1], none: [] }, { pair: ['a', 1, 2], point: [0, 1], none: [] }, { pair: [1, 'a'], point: [0, 1], none: [] }, { pair: ['a', 1], point: [0, 1], none: [1] }],
    schema: {
      type: 'object',
      properties: {
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], minItems: 2, additionalItems: false },
        point: { type: 'array', items: [{ type: 'number' }, { type: 'number' }], minItems: 2, additionalItems: false },
        none: { type: 'array', maxItems: 0 },
      },
      required: ['pair', 'point', 'none'],
    },
  },
  { name: 'tuples with optional elements', source: 'export type Input = [string, number?, boolean?];', valid: [['a'], ['a', 1], ['a', 1, true]], invalid: [[], ['a', 'b'], ['a', 1, true, 4], [1]] },
  {
    name: 'interfaces with extends',
    source: 'interface Base { id: string }\nexport interface Input extends Base { qty: number }',
    valid: [{ id: 'x', qty: 1 }],
    invalid: [{ qty: 1 }, { id: 'x' }],
  },
  {
    name: 'intersections of object types merge',
    source: 'export type Input = { a: string } & { b: number };',
    valid: [{ a: 'x', b: 1 }],
    invalid: [{ a: 'x' }, { b: 1 }],
    schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'b'] },
  },
  { name: 'branded primitives are the primitive', source: "type Id = string & { readonly __brand: 'Id' };\nexport type Input = { id: Id };", valid: [{ id: 'x' }], invalid: [{ id: 1 }] },
  {
    name: 'enums',
    source: "enum Color { Red = 'red', Green = 'green' }\nenum Level { Low, High }\nexport type Input = { color: Color; level: Level; only: Color.Red };",
    valid: [{ color: 'green', level: 1, only: 'red' }],
    invalid: [{ color: 'blue', level: 1, only: 'red' }, { color: 'red', level: 2, only: 'red' }, { color: 'red', level: 0, only: 'green' }],
  },
  { name: 'unknown and any are anything', source: 'export type Input = { data: unknown; raw: any };', valid: [{ data: 1, raw: 'x' }, { data: null, raw: { a: [] } }], invalid: [{ data: 1 }] },
  {
    name: 'Record<string, T>',
    source: 'export type Input = Record<string, number>;',
    valid: [{}, { a: 1 }],
    invalid: [{ a: 'x' }, []],
    schema: { type: 'object', additionalProperties: { type: 'number' } },
  },
  { name: 'index signature with properties', source: 'export type Input = { name: string; [key: string]: string };', valid: [{ name: 'n', x: 'y' }], invalid: [{ name: 'n', x: 1 }, { x: 'y' }] },
  { name: 'Record over literal keys', source: "export type Input = Record<'a' | 'b', number>;", valid: [{ a: 1, b: 2 }], invalid: [{ a: 1 }] },
  { name: 'mapped types (Partial, Pick)', source: 'type Full = { a: string; b: number; c: boolean };\nexport type Input = Partial<Pick<Full, "a" | "b">>;', valid: [{}, { a: 'x' }], invalid: [{ a: 1 }, { b: 'x' }] },
  {
    name: 'nested objects',
    source: 'export type Input = { order: { id: string; items: { sku: string; qty: number }[] } };',
    valid: [{ order: { id: 'o', items: [{ sku: 's', qty: 1 }] } }],
    invalid: [{ order: { id: 'o', items: [{ sku: 's' }] } }, { order: { items: [] } }],
  },
  { name: 'template literal types are strings', source: 'export type Input = { id: `ord-${string}` };', valid: [{ id: 'ord-1' }], invalid: [{ id: 1 }] },
  { name: 'generic instantiations', source: 'type Box<T> = { value: T };\nexport type Input = Box<number>;', valid: [{ value: 1 }], invalid: [{ value: 'x' }] },
  {
    name: 'discriminated unions',
    source: "export type Input = { kind: 'a'; x: number } | { kind: 'b'; y: string };",
    valid: [{ kind: 'a', x: 1 }, { kind: 'b', y: 's' }],
    invalid: [{ kind: 'a', y: 's' }, { kind: 'c' }],
  },
  { name: 'object keyword', source: 'export type Input = { meta: object };', valid: [{ meta: {} }], invalid: [{ meta: 1 }] },
  { name: 'a class with fields only is data', source: 'class Point { x = 0; y = 0 }\nexport type Input = { at: Point };', valid: [{ at: { x: 1, y: 2 } }], invalid: [{ at: { x: 1 } }] },
  { name: 'objects are open', source: 'export type Input = { a: string };', valid: [{ a: 'x', extra: 1 }], invalid: [] },
];

interface Problem {
  name: string;
  source: string;
  /** Expected messages, in order; `@` marks the line where each is reported (`// @0`, `// @1`). */
  messages: string[];
}

const problems: Problem[] = [
  { name: 'Date', source: 'export type Input = {\n  when: Date; // @0\n};', messages: ['input.when: Date is not JSON; pass an ISO string'] },
  { name: 'bigint', source: 'export type Input = {\n  n: bigint; // @0\n};', messages: ['input.n: bigint is not JSON; pass a string (or a number if it fits in 2^53)'] },
  { name: 'function property', source: 'export type Input = {\n  cb: () => void; // @0\n};', messages: ['input.cb: a function is not JSON; pass data and call actions in the workflow'] },
  { name: 'method signature', source: 'export interface Input {\n  run(): void; // @0\n}', messages: ['input.run: a function is not JSON; pass data and call actions in the workflow'] },
  { name: 'Map', source: 'export type Input = {\n  m: Map<string, number>; // @0\n};', messages: ['input.m: Map is not JSON; use an object (Record<string, T>) or an array of [key, value] pairs'] },
  { name: 'Set', source: 'export type Input = {\n  s: Set<string>; // @0\n};', messages: ['input.s: Set is not JSON; use an array'] },
  { name: 'symbol', source: 'export type Input = {\n  sym: symbol; // @0\n};', messages: ['input.sym: symbol is not JSON'] },
  { name: 'undefined alone', source: 'export type Input = {\n  u: undefined; // @0\n};', messages: ['input.u: undefined is not JSON; make the property optional or use null'] },
  {
    name: 'class instance with methods',
    source: 'class Money { constructor(public amount: number) {} add(o: Money): Money { return o; } }\nexport type Input = {\n  price: Money; // @0\n};',
    messages: ['input.price: an instance of class Money is not JSON (its methods and prototype are lost); declare the input as a plain object type'],
  },
  {
    name: 'recursive type',
    source: 'type Tree = {\n  value: number;\n  children: Tree[]; // @0\n};\nexport type Input = Tree;',
    messages: ['input.children[]: recursive input types are not supported; give the input a fixed depth'],
  },
  {
    name: 'mutually recursive interfaces',
    source: 'interface A {\n  b?: B;\n}\ninterface B {\n  a: A; // @0\n}\nexport type Input = A;',
    messages: ['input.b.a: recursive input types are not supported; give the input a fixed depth'],
  },
  { name: 'tuple with a rest element', source: 'export type Input = {\n  t: [string, ...number[]]; // @0\n};', messages: ['input.t: a tuple with a rest element ([A, ...B[]]) is not supported; use an array or an object'] },
  { name: 'nested path', source: 'export type Input = {\n  items: {\n    at: Date; // @0\n  }[];\n};', messages: ['input.items[].at: Date is not JSON; pass an ISO string'] },
  { name: 'quoted key path', source: "export type Input = {\n  'due-date': Date; // @0\n};", messages: ['input["due-date"]: Date is not JSON; pass an ISO string'] },
  { name: 'the input itself', source: 'export type Input = Date; // @0', messages: ['input: Date is not JSON; pass an ISO string'] },
  {
    name: 'every problem in one pass',
    source: 'export type Input = {\n  a: Date; // @0\n  ok: string;\n  b: bigint; // @1\n};',
    messages: ['input.a: Date is not JSON; pass an ISO string', 'input.b: bigint is not JSON; pass a string (or a number if it fits in 2^53)'],
  },
];

const documented = `export interface Input {
  /** The order to ship. */
  orderId: string;
  /**
   * How many.
   * At least one.
   */
  qty?: number;
  zeta: boolean;
  alpha: boolean;
}`;

let program: ts.Program;

beforeAll(() => {
  const files: Record<string, string> = { '/cases/documented.ts': documented, '/cases/deep.ts': 'type Deep<T> = { next: Deep<T[]> };\nexport type Input = Deep<string>;' };
  cases.forEach((c, i) => (files[`/cases/valid${i}.ts`] = c.source));
  problems.forEach((p, i) => (files[`/cases/problem${i}.ts`] = p.source));
  program = inMemoryProgram(files);
  // The cases are meant to be well-typed TypeScript; a typo in one would test nothing.
  for (const name of Object.keys(files)) expect(diagnosticsOf(program, name), name).toEqual([]);
});

/** `Input` of one case file, converted. */
function convert(fileName: string): ReturnType<typeof typeToSchema> & { file: ts.SourceFile } {
  const file = program.getSourceFile(fileName);
  if (file === undefined) throw new Error(`${fileName} is not in the program`);
  const decl = file.statements.find(
    (s): s is ts.TypeAliasDeclaration | ts.InterfaceDeclaration => (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name.text === 'Input',
  );
  if (decl === undefined) throw new Error(`${fileName} declares no Input`);
  const checker = program.getTypeChecker();
  return { ...typeToSchema(checker.getTypeAtLocation(decl.name), checker, decl), file };
}

describe('typeToSchema accepts exactly the JSON values of the input type', () => {
  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i];
    const { schema, problems: found } = convert(`/cases/valid${i}.ts`);
    expect(found.map((p) => p.message)).toEqual([]);
    if (c.schema !== undefined) expect(schema).toEqual(c.schema);

    const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
    const engine = new Validators();
    engine.add('input', schema);
    for (const value of c.valid) {
      expect(validate(value), `${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(engine.check('input', value)).toBeNull();
    }
    for (const value of c.invalid) {
      expect(validate(value), `${JSON.stringify(value)} should be rejected by ${JSON.stringify(schema)}`).toBe(false);
      expect(engine.check('input', value)).not.toBeNull();
    }
  });
});

describe('typeToSchema problems', () => {
  it.each(problems.map((p, i) => [p.name, i] as const))('%s', (_name, i) => {
    const p = problems[i];
    const { schema, problems: found, file } = convert(`/cases/problem${i}.ts`);
    expect(found.map((f) => f.message)).toEqual(p.messages);
    const lines = p.source.split('\n');
    found.forEach((f, k) => {
      const expectedLine = lines.findIndex((l) => l.includes(`// @${k}`)) + 1;
      const line = file.getLineAndCharacterOfPosition(f.node.getStart()).line + 1;
      expect(line, f.message).toBe(expectedLine);
    });
    // The rest of the schema still comes back, and is still a schema.
    expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
  });

  it('stops on a type that grows at every level instead of looping', () => {
    const { schema, problems: found } = convert('/cases/deep.ts');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^input(\.next)+: recursive input types are not supported/);
    expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
  });
});

describe('typeToSchema details', () => {
  it('turns JSDoc into descriptions and keeps declaration order', () => {
    const { schema, problems: found } = convert('/cases/documented.ts');
    expect(found).toEqual([]);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        orderId: { description: 'The order to ship.', type: 'string' },
        qty: { description: 'How many.\nAt least one.', type: 'number' },
        zeta: { type: 'boolean' },
        alpha: { type: 'boolean' },
      },
      required: ['orderId', 'zeta', 'alpha'],
    });
    expect(Object.keys(schema.properties as object)).toEqual(['orderId', 'qty', 'zeta', 'alpha']);
  });

  it('gives the same schema for the same type every time', () => {
    for (let i = 0; i < cases.length; i++) {
      expect(JSON.stringify(convert(`/cases/valid${i}.ts`).schema)).toBe(JSON.stringify(convert(`/cases/valid${i}.ts`).schema));
    }
  });
});


function diagnosticsOf(p: ts.Program, fileName: string): string[] {
  const file = p.getSourceFile(fileName);
  return [...p.getSyntacticDiagnostics(file), ...p.getSemanticDiagnostics(file)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
