/**
 * The DSL's static types: what the checker knows of a value. Types come from three places:
 * literals, the input declaration in the header, and the catalog's JSON Schemas (an action's
 * arguments and result). `any` switches checking off for a value (an action without an output
 * schema, an event's data); it is never an error to use one.
 *
 * Choices (they mirror compiler/types/schema-to-ts.ts, so both front ends agree on a catalog):
 * - `integer` is a number; enums and consts are their primitive types; formats, patterns and
 *   ranges are not types (the host validates them).
 * - An object schema that lists `properties` is a closed record: reading or passing a field it
 *   does not list is an error, unless `additionalProperties` is a schema or `true`. An object
 *   with no listed properties is an open record of `any`.
 * - `T?` is `T | null`. An optional field that is absent reads as `null`.
 */
import type { JsonSchema } from '../../runtime/action.js';
import { assertNever } from '../../runtime/errors.js';
import type { TypeNode } from './ast.js';

export interface FieldInfo {
  type: Type;
  optional: boolean;
}

export type Type =
  | { kind: 'any' }
  | { kind: 'null' }
  | { kind: 'boolean' }
  | { kind: 'number' }
  | { kind: 'string' }
  | { kind: 'list'; of: Type }
  /** `rest` is the type of fields the record does not list, or null when it has no others. */
  | { kind: 'record'; fields: ReadonlyMap<string, FieldInfo>; rest: Type | null; literal?: boolean }
  | { kind: 'union'; of: readonly Type[] };

export const anyType: Type = { kind: 'any' };
export const nullType: Type = { kind: 'null' };
export const booleanType: Type = { kind: 'boolean' };
export const numberType: Type = { kind: 'number' };
export const stringType: Type = { kind: 'string' };
/** What `sleep` and `timeout` take: milliseconds or a duration string. */
export const durationType: Type = { kind: 'union', of: [numberType, stringType] };

export function listOf(of: Type): Type {
  return { kind: 'list', of };
}

export function recordOf(fields: Record<string, Type | FieldInfo>, rest: Type | null = null): Type {
  const map = new Map<string, FieldInfo>();
  for (const [k, v] of Object.entries(fields)) map.set(k, 'kind' in v ? { type: v, optional: false } : v);
  return { kind: 'record', fields: map, rest };
}

/** An event as `wait for event` returns it (DESIGN §2): `data` is whatever was delivered. */
export const eventType: Type = recordOf({ id: stringType, type: stringType, data: anyType, at: numberType });
/** A caught action error, as `catch … as err` binds it. */
export const errorType: Type = recordOf({ code: stringType, message: stringType, action: union([stringType, nullType]), details: anyType });

/** A union with duplicates and nested unions flattened; `any` absorbs everything. */
export function union(types: readonly Type[]): Type {
  const out: Type[] = [];
  for (const t of types) {
    for (const m of t.kind === 'union' ? t.of : [t]) {
      if (m.kind === 'any') return anyType;
      if (!out.some((o) => sameType(o, m))) out.push(m);
    }
  }
  if (out.length === 0) return anyType;
  return out.length === 1 ? out[0] : { kind: 'union', of: out };
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'any':
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return true;
    case 'list':
      return sameType(a.of, (b as typeof a).of);
    case 'record': {
      const r = b as typeof a;
      if (a.fields.size !== r.fields.size || (a.rest === null) !== (r.rest === null)) return false;
      if (a.rest !== null && r.rest !== null && !sameType(a.rest, r.rest)) return false;
      for (const [k, f] of a.fields) {
        const g = r.fields.get(k);
        if (g === undefined || g.optional !== f.optional || !sameType(f.type, g.type)) return false;
      }
      return true;
    }
    case 'union': {
      const u = b as typeof a;
      return a.of.length === u.of.length && a.of.every((m) => u.of.some((n) => sameType(m, n)));
    }
    default:
      return assertNever(a);
  }
}

export function isNullable(t: Type): boolean {
  return t.kind === 'null' || (t.kind === 'union' && t.of.some((m) => m.kind === 'null'));
}

export function withoutNull(t: Type): Type {
  if (t.kind === 'union') {
    const rest = t.of.filter((m) => m.kind !== 'null');
    return rest.length === 0 ? nullType : union(rest);
  }
  return t;
}

/** Whether every member of `t` is of one of `kinds` (`any` fits everything). */
export function isKind(t: Type, ...kinds: Array<Type['kind']>): boolean {
  if (t.kind === 'any') return true;
  if (t.kind === 'union') return t.of.every((m) => isKind(m, ...kinds));
  return kinds.includes(t.kind);
}

/** How a type is written in the DSL, for messages. */
export function showType(t: Type, depth = 0): string {
  switch (t.kind) {
    case 'any':
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return t.kind;
    case 'list':
      return `[${showType(t.of, depth + 1)}]`;
    case 'record': {
      if (depth > 1) return '{ … }';
      const parts = [...t.fields].slice(0, 6).map(([k, f]) => `${k}${f.optional ? '?' : ''}: ${showType(f.type, depth + 1)}`);
      if (t.fields.size > 6) parts.push('…');
      if (t.rest !== null) parts.push('…');
      return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
    }
    case 'union': {
      const nonNull = t.of.filter((m) => m.kind !== 'null');
      if (nonNull.length === 1 && t.of.length === 2) return `${showType(nonNull[0], depth)}?`;
      return t.of.map((m) => showType(m, depth)).join(' | ');
    }
    default:
      return assertNever(t);
  }
}

/**
 * Why a value of type `from` cannot go where `to` is expected, or null when it can.
 * Extra fields are refused only for record literals written in place (`literal`), as
 * TypeScript does: a record read from elsewhere may carry more than the target lists.
 */
export function notAssignable(from: Type, to: Type, path = ''): string | null {
  if (from.kind === 'any' || to.kind === 'any') return null;
  const at = path === '' ? '' : `${path}: `;
  if (from.kind === 'union') {
    for (const m of from.of) {
      const why = notAssignable(m, to, path);
      if (why !== null) return m.kind === 'null' ? `${at}the value may be null, but ${showType(to)} is expected` : why;
    }
    return null;
  }
  if (to.kind === 'union') {
    const reasons = to.of.map((m) => notAssignable(from, m, path));
    if (reasons.some((r) => r === null)) return null;
    // A record against a union of one record (and null) explains the record's problem.
    const records = to.of.filter((m) => m.kind === from.kind);
    if (records.length === 1) return reasons[to.of.indexOf(records[0])];
    return `${at}expected ${showType(to)}, got ${showType(from)}`;
  }
  if (from.kind !== to.kind) return `${at}expected ${showType(to)}, got ${showType(from)}`;
  if (from.kind === 'list' && to.kind === 'list') return notAssignable(from.of, to.of, path === '' ? 'an element' : `${path}[…]`);
  if (from.kind === 'record' && to.kind === 'record') {
    for (const [name, f] of to.fields) {
      const g = from.fields.get(name);
      const fieldPath = path === '' ? name : `${path}.${name}`;
      if (g === undefined) {
        if (!f.optional && (from.rest === null || from.literal === true)) return `missing field ${fieldPath} (${showType(f.type)})`;
        continue;
      }
      if (g.optional && !f.optional) return `field ${fieldPath} may be absent, but it is required`;
      const why = notAssignable(g.type, f.type, fieldPath);
      if (why !== null) return why;
    }
    for (const [name, g] of from.fields) {
      if (to.fields.has(name)) continue;
      const fieldPath = path === '' ? name : `${path}.${name}`;
      if (to.rest === null) {
        if (from.literal === true) return `unknown field ${fieldPath}; expected only ${[...to.fields.keys()].join(', ') || 'no fields'}`;
        continue;
      }
      const why = notAssignable(g.type, to.rest, fieldPath);
      if (why !== null) return why;
    }
  }
  return null;
}

/** The type a type annotation names; unknown names are reported by the caller (null). */
export function typeOfNode(node: TypeNode, unknown: (name: string, node: TypeNode) => void): Type {
  switch (node.kind) {
    case 'named': {
      const named = node.name === 'any' ? anyType : node.name === 'duration' ? durationType : primitiveType(node.name);
      if (named !== undefined) return named;
      unknown(node.name, node);
      return anyType;
    }
    case 'list':
      return listOf(typeOfNode(node.of, unknown));
    case 'record': {
      const fields = new Map<string, FieldInfo>();
      for (const f of node.fields) fields.set(f.name, { type: typeOfNode(f.type, unknown), optional: f.optional });
      return { kind: 'record', fields, rest: null };
    }
    case 'nullable':
      return union([typeOfNode(node.of, unknown), nullType]);
    default:
      return assertNever(node);
  }
}

/**
 * The JSON Schema of a declared type, for the manifest's `inputSchema`. Records are open (no
 * `additionalProperties: false`), like the TypeScript front end's: a trigger's payload may carry
 * more than the workflow reads. Unions are `anyOf`, so the schema compiles under strict Ajv.
 */
export function schemaOfNode(node: TypeNode): JsonSchema {
  switch (node.kind) {
    case 'named':
      switch (node.name) {
        case 'string':
        case 'number':
        case 'integer':
        case 'boolean':
        case 'null':
          return { type: node.name };
        case 'duration':
          return { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*)+$' }] };
        default:
          return {};
      }
    case 'list':
      return { type: 'array', items: schemaOfNode(node.of) };
    case 'record': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const f of node.fields) {
        properties[f.name] = schemaOfNode(f.type);
        if (!f.optional) required.push(f.name);
      }
      return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
    }
    case 'nullable':
      return { anyOf: [schemaOfNode(node.of), { type: 'null' }] };
    default:
      return assertNever(node);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function ofValue(v: unknown): Type {
  if (v === null) return nullType;
  switch (typeof v) {
    case 'string':
      return stringType;
    case 'number':
      return numberType;
    case 'boolean':
      return booleanType;
    default:
      return anyType;
  }
}

/** The type of values a catalog JSON Schema accepts (see the file comment for the choices). */
export function typeOfSchema(schema: unknown, depth = 0): Type {
  if (depth > 16 || !isRecord(schema)) return anyType;
  let t = baseOfSchema(schema, depth);
  const alternatives = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (alternatives !== undefined && t.kind === 'any') t = union(alternatives.map((s) => typeOfSchema(s, depth + 1)));
  return schema.nullable === true ? union([t, nullType]) : t;
}

function baseOfSchema(schema: Record<string, unknown>, depth: number): Type {
  if ('const' in schema) return ofValue(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(ofValue));
  const type = schema.type;
  if (typeof type === 'string') return ofSchemaType(type, schema, depth);
  if (Array.isArray(type)) return union(type.map((x) => (typeof x === 'string' ? ofSchemaType(x, schema, depth) : anyType)));
  if (isRecord(schema.properties)) return ofSchemaType('object', schema, depth);
  if ('items' in schema) return ofSchemaType('array', schema, depth);
  return anyType;
}

/** The DSL type of a primitive name, the same in annotations and in JSON Schema `type`. */
function primitiveType(name: string): Type | undefined {
  switch (name) {
    case 'string':
      return stringType;
    case 'number':
    case 'integer':
      return numberType;
    case 'boolean':
      return booleanType;
    case 'null':
      return nullType;
    default:
      return undefined;
  }
}

function ofSchemaType(type: string, schema: Record<string, unknown>, depth: number): Type {
  const primitive = primitiveType(type);
  if (primitive !== undefined) return primitive;
  switch (type) {
    case 'array':
      return listOf(isRecord(schema.items) ? typeOfSchema(schema.items, depth + 1) : anyType);
    case 'object': {
      const props = isRecord(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? schema.required.filter((x): x is string => typeof x === 'string') : []);
      const fields = new Map<string, FieldInfo>();
      for (const [k, s] of Object.entries(props)) fields.set(k, { type: typeOfSchema(s, depth + 1), optional: !required.has(k) });
      const extra = schema.additionalProperties;
      // Fields named by patternProperties may appear too; their names are the host's to check.
      const patterned = isRecord(schema.patternProperties) ? Object.values(schema.patternProperties).map((s) => typeOfSchema(s, depth + 1)) : [];
      let rest: Type | null;
      if (extra === false) rest = null;
      else if (isRecord(extra)) rest = typeOfSchema(extra, depth + 1);
      else if (extra === true || (fields.size === 0 && patterned.length === 0)) rest = anyType;
      else rest = null;
      if (patterned.length > 0) rest = union(rest === null ? patterned : [...patterned, rest]);
      return { kind: 'record', fields, rest };
    }
    default:
      return anyType;
  }
}
