/**
 * A workflow's input type → the manifest's `inputSchema`, read from the type checker (so aliases,
 * interfaces, generics, `Record`, `Pick` and enums all arrive resolved).
 *
 * The schema is what the engine validates a start's input with: Ajv 8 in its default (draft-07)
 * mode, see runtime/engine/validation.ts. So it keeps to the keywords that draft-07 and 2020-12
 * share, plus one draft-07 form: a tuple is `items: [...]` with `additionalItems`, because
 * 2020-12's `prefixItems` is an unknown keyword to the engine's Ajv, which would then accept any
 * array. Every schema compiles under `new Ajv({ strict: true })`: objects and arrays carry their
 * `type`, unions are `anyOf` (never `type: [..]`), tuples state `minItems` and `additionalItems`.
 *
 * Choices:
 * - Objects are open (no `additionalProperties: false`), as TypeScript's structural types are: a
 *   value with extra fields is assignable to the input type, and a trigger's event payload may
 *   carry more than the workflow reads. An index signature (`Record<string, T>`,
 *   `{ [k: string]: T }`) becomes `additionalProperties: T`.
 * - A property is required unless it is optional (`?`) or its type admits `undefined`, which JSON
 *   cannot carry (`JSON.stringify` drops the key).
 * - Literal unions and enums are `enum` (`const` for one value), with `type` when all values share
 *   one; a `null` beside literals joins the enum (`'a' | null` → `enum: ["a", null]`); `boolean`
 *   is `type: "boolean"`. Other unions are `anyOf`.
 * - `unknown` and `any` are `{}`; `never` is `{ not: {} }`; template literal types are strings.
 * - Intersections of object types are one object with the merged properties; an intersection
 *   with a primitive (a branded `string & { __brand }`) is that primitive.
 * - A property's JSDoc becomes its `description`. Properties keep declaration order.
 * - A tuple is closed (`additionalItems: false`); optional elements give one closed tuple per
 *   length under `anyOf`, since Ajv's strict mode refuses a tuple whose `minItems` is not its length.
 * - Values JSON cannot carry (functions, `bigint`, `symbol`, `undefined` alone, `Date`, `Map`,
 *   `Set`, instances of classes with methods, …), tuples with a rest element, and recursive
 *   types are problems naming the path (`input.when: Date is not JSON; pass an ISO string`),
 *   reported at the property when the type has one. The schema still comes back (`{}` in the problem's place) so one pass reports all.
 */
import ts from '../ts/typescript.cjs';
import type { JsonSchema } from '../../runtime/action.js';
import { declarationsFileName } from '../ts/declarations.js';

export interface SchemaProblem {
  node: ts.Node;
  message: string;
}

/** Deeper than this is a recursive type that TypeScript instantiates afresh at every level. */
const MAX_DEPTH = 32;

/** Library types that are not plain data, with what to pass instead. */
const NOT_JSON: Readonly<Record<string, string>> = {
  Date: 'pass an ISO string',
  Map: 'use an object (Record<string, T>) or an array of [key, value] pairs',
  WeakMap: 'use an object (Record<string, T>)',
  ReadonlyMap: 'use an object (Record<string, T>) or an array of [key, value] pairs',
  Set: 'use an array',
  WeakSet: 'use an array',
  ReadonlySet: 'use an array',
  RegExp: 'pass the pattern as a string',
  Promise: 'pass the resolved value',
  Error: 'pass the message as a string',
  ArrayBuffer: 'pass base64 text',
  SharedArrayBuffer: 'pass base64 text',
  DataView: 'pass base64 text',
  Uint8Array: 'pass base64 text or an array of numbers',
  Int8Array: 'pass an array of numbers',
  Uint8ClampedArray: 'pass an array of numbers',
  Int16Array: 'pass an array of numbers',
  Uint16Array: 'pass an array of numbers',
  Int32Array: 'pass an array of numbers',
  Uint32Array: 'pass an array of numbers',
  Float32Array: 'pass an array of numbers',
  Float64Array: 'pass an array of numbers',
  BigInt64Array: 'pass an array of strings',
  BigUint64Array: 'pass an array of strings',
  URL: 'pass the URL as a string',
};

/**
 * The JSON Schema of a workflow's input type, and what in the type JSON cannot carry.
 *
 * @param at where the type is used (the input parameter); problems without a property of their
 *   own are reported here.
 * @example
 * const { schema, problems } = typeToSchema(checker.getTypeAtLocation(param), checker, param);
 * // type Input = { orderId: string; qty?: number }
 * // schema: { type: 'object', properties: { orderId: { type: 'string' }, qty: { type: 'number' } }, required: ['orderId'] }
 */
export function typeToSchema(
  type: ts.Type,
  checker: ts.TypeChecker,
  at: ts.Node,
): { schema: JsonSchema; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const converter = new Converter(checker, problems);
  const schema = converter.convert(type, { path: 'input', node: at, depth: 0 });
  return { schema, problems };
}

interface Where {
  /** `input.items[].when`: how the author finds the place. */
  path: string;
  node: ts.Node;
  depth: number;
}

class Converter {
  /** Object types being converted on the current path: meeting one again is recursion. */
  private readonly open = new Set<ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly problems: SchemaProblem[],
  ) {}

  convert(type: ts.Type, where: Where): JsonSchema {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    // "alice"'s own Json is recursive, and means any JSON value: which every input is.
    if (type.aliasSymbol?.name === 'Json' && type.aliasSymbol.declarations?.some((d) => d.getSourceFile().fileName === declarationsFileName)) return {};
    if (f & ts.TypeFlags.Never) return { not: {} };
    if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (f & ts.TypeFlags.EnumLiteral && !(f & ts.TypeFlags.Union)) return this.literals([type]);
    if (f & ts.TypeFlags.Union) return this.union(type as ts.UnionType, where);
    if (f & ts.TypeFlags.Intersection) return this.intersection(type as ts.IntersectionType, where);
    if (f & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral)) return this.literals([type]);
    if (f & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return { type: 'string' };
    if (f & (ts.TypeFlags.Number | ts.TypeFlags.Enum)) return { type: 'number' };
    if (f & ts.TypeFlags.Null) return { type: 'null' };
    if (f & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral)) {
      return this.problem(where, 'bigint is not JSON; pass a string (or a number if it fits in 2^53)');
    }
    if (f & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) return this.problem(where, 'symbol is not JSON');
    if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) {
      return this.problem(where, `${this.checker.typeToString(type)} is not JSON; make the property optional or use null`);
    }
    if (f & ts.TypeFlags.TypeParameter) {
      return this.problem(where, `type parameter ${this.checker.typeToString(type)} has no JSON Schema; use a concrete type`);
    }
    if (f & ts.TypeFlags.NonPrimitive) return { type: 'object' };
    if (f & ts.TypeFlags.Object) return this.object(type as ts.ObjectType, where);
    return this.problem(where, `${this.checker.typeToString(type)} has no JSON Schema`);
  }

  /** `T | undefined` is T (its absence is handled by `required`); literals collapse to one `enum`. */
  private union(type: ts.UnionType, where: Where): JsonSchema {
    // TypeScript orders a union by internal type id; null goes last, as authors write `T | null`.
    const isNull = (t: ts.Type): boolean => (t.flags & ts.TypeFlags.Null) !== 0;
    const defined = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    if (defined.length === 0) return this.convert(type.types[0], where);
    const members = [...defined.filter((t) => !isNull(t)), ...defined.filter(isNull)];
    let literalFlags = ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral;
    // `'a' | 'b' | null` reads best as one enum `['a', 'b', null]`.
    if (members.some((t) => t.flags & literalFlags)) literalFlags |= ts.TypeFlags.Null;
    const literals = members.filter((t) => t.flags & literalFlags);
    const others = members.filter((t) => !(t.flags & literalFlags));
    const schemas: JsonSchema[] = [];
    if (literals.length > 0) {
      // `boolean` is the union `true | false`; say `type: "boolean"`, not `enum: [true, false]`.
      const bools = literals.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
      const rest = bools.length === 2 ? literals.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral)) : literals;
      if (bools.length === 2) schemas.push({ type: 'boolean' });
      if (rest.length > 0) schemas.push(this.literals(rest));
    }
    for (const t of others) schemas.push(this.convert(t, where));
    return schemas.length === 1 ? schemas[0] : { anyOf: schemas };
  }

  private literals(types: ts.Type[]): JsonSchema {
    const values = types.map((t) => this.literalValue(t));
    const kinds = new Set(values.map((v) => (v === null ? 'null' : typeof v)));
    if (values.length === 1 && values[0] === null) return { type: 'null' };
    const typed: JsonSchema = kinds.size === 1 ? { type: [...kinds][0] } : {};
    return values.length === 1 ? { ...typed, const: values[0] } : { ...typed, enum: values };
  }

  private literalValue(type: ts.Type): string | number | boolean | null {
    if (type.isStringLiteral() || type.isNumberLiteral()) return type.value;
    if (type.flags & ts.TypeFlags.Null) return null;
    return this.checker.typeToString(type) === 'true';
  }

  private intersection(type: ts.IntersectionType, where: Where): JsonSchema {
    // `string & { __brand: 'Id' }` travels as a string; the brand exists only for the checker.
    const primitive = type.types.find((t) => !(t.flags & (ts.TypeFlags.Object | ts.TypeFlags.NonPrimitive)));
    if (primitive !== undefined) return this.convert(primitive, where);
    return this.object(type, where);
  }

  /** Arrays, tuples, library classes, functions and plain object types (also intersections). */
  private object(type: ts.Type, where: Where): JsonSchema {
    if (where.depth >= MAX_DEPTH || this.open.has(type)) {
      return this.problem(where, 'recursive input types are not supported; give the input a fixed depth');
    }
    this.open.add(type);
    try {
      return this.objectBody(type, { ...where, depth: where.depth + 1 });
    } finally {
      this.open.delete(type);
    }
  }

  private objectBody(type: ts.Type, where: Where): JsonSchema {
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: this.convert(element, { ...where, path: `${where.path}[]` }) };
    }
    if (this.checker.isTupleType(type)) return this.tuple(type as ts.TypeReference, where);

    const library = this.libraryName(type);
    if (library !== null) {
      const fix = NOT_JSON[library];
      return this.problem(where, `${library} is not JSON${fix === undefined ? '' : `; ${fix}`}`);
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      return this.problem(where, 'a function is not JSON; pass data and call actions in the workflow');
    }
    if (type.symbol !== undefined && type.symbol.flags & ts.SymbolFlags.Class && this.hasMethods(type)) {
      const name = type.symbol.name;
      return this.problem(where, `an instance of class ${name} is not JSON (its methods and prototype are lost); declare the input as a plain object type`);
    }

    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of this.checker.getPropertiesOfType(type)) {
      const name = prop.getName();
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      const node = decl ?? where.node;
      const path = `${where.path}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
      if (name.startsWith('__@')) {
        this.problem({ ...where, path, node }, 'a symbol-keyed property is not JSON');
        continue;
      }
      const propType = this.checker.getTypeOfSymbol(prop);
      const schema = this.convert(propType, { path, node, depth: where.depth });
      const description = ts.displayPartsToString(prop.getDocumentationComment(this.checker)).trim();
      properties[name] = description === '' ? schema : { description, ...schema };
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0 || admitsUndefined(propType);
      if (!optional) required.push(name);
    }

    const result: JsonSchema = { type: 'object' };
    if (Object.keys(properties).length > 0) result.properties = properties;
    if (required.length > 0) result.required = required;
    const index = this.checker.getIndexInfosOfType(type);
    if (index.length > 0) {
      // JSON keys are strings whatever the signature's key type says, so all signatures together
      // describe the extra keys.
      const values = index.map((info) => this.convert(info.type, { ...where, path: `${where.path}[string]` }));
      result.additionalProperties = values.length === 1 ? values[0] : { anyOf: values };
    }
    return result;
  }

  /**
   * A fixed tuple is `items: [...]` closed by `additionalItems: false`. Ajv's strict mode accepts
   * a tuple only when `minItems` equals its length, so optional elements become one closed tuple
   * per length (`anyOf`), and a rest element, which no strict tuple can state, is a problem.
   */
  private tuple(type: ts.TypeReference, where: Where): JsonSchema {
    const target = type.target as ts.TupleType;
    const elements = this.checker.getTypeArguments(type);
    if (target.elementFlags.some((f) => f & ts.ElementFlags.Variable)) {
      return this.problem(where, 'a tuple with a rest element ([A, ...B[]]) is not supported; use an array or an object');
    }
    const items = elements.map((element, i) => this.convert(element, { ...where, path: `${where.path}[${i}]` }));
    const closed = (n: number): JsonSchema =>
      n === 0 ? { type: 'array', maxItems: 0 } : { type: 'array', items: items.slice(0, n), minItems: n, additionalItems: false };
    if (target.minLength === items.length) return closed(items.length);
    const lengths: JsonSchema[] = [];
    for (let n = target.minLength; n <= items.length; n++) lengths.push(closed(n));
    return { anyOf: lengths };
  }

  /** A class whose instances carry behaviour, not only fields. */
  private hasMethods(type: ts.Type): boolean {
    return this.checker
      .getPropertiesOfType(type)
      .some((p) => p.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.GetAccessor | ts.SymbolFlags.SetAccessor));
  }

  /** The name of a built-in library type (Date, Map, …): declared in a default library file. */
  private libraryName(type: ts.Type): string | null {
    const symbol = type.getSymbol();
    const decl = symbol?.declarations?.[0];
    if (symbol === undefined || decl === undefined) return null;
    if (!decl.getSourceFile().hasNoDefaultLib) return null;
    // Plain data shapes from the library (Array is handled before, ReadonlyArray too).
    if (symbol.flags & ts.SymbolFlags.TypeLiteral) return null;
    return symbol.name in NOT_JSON || symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface) ? symbol.name : null;
  }

  private problem(where: Where, message: string): JsonSchema {
    this.problems.push({ node: where.node, message: `${where.path}: ${message}` });
    return {};
  }
}

function admitsUndefined(type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return true;
  return type.isUnion() && type.types.some((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0);
}
