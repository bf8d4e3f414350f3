/**
 * JSON Schema → TypeScript type expression, for the declarations of `"alice"` (`alice.d.ts`):
 * an action's argument and result schemas become the parameter and return types a workflow is
 * type-checked against, so an editor completes `kv.get({ key })` and rejects `kv.get({ kye })`.
 *
 * Where the type cannot say what a schema means it says `unknown` (never `any`, which would switch
 * checking off), so a call the engine accepts is not refused for a construct we cannot read. It
 * is stricter than the schema in one deliberate place (below): keys an object does not list.
 * Choices:
 * - `type: "integer"` is `number` (TypeScript has no integer type); formats, patterns, lengths and
 *   ranges are not types and are dropped.
 * - An object with `properties` lists them; those missing from `required` get `?`, and a required
 *   key that is not listed is `key: unknown`. Keys that are not identifiers are quoted with
 *   `JSON.stringify`.
 * - `additionalProperties` (and `patternProperties`) that are a schema or `true` add an index
 *   signature `[key: string]: T`, where T also admits the listed properties' types (TypeScript
 *   demands that). `false`, or absence on an object that lists properties, adds none: the listed
 *   properties are the documented interface, and an object literal with a misspelt key is then a
 *   type error instead of a silently ignored argument. An object with no properties and no
 *   `additionalProperties` is `Record<string, unknown>`; one with `additionalProperties: false`
 *   and no properties is `Record<string, never>`.
 * - `items` gives `T[]`; `prefixItems` (2020-12) or an `items` array (draft-07) gives a tuple whose
 *   elements past `minItems` are optional and whose rest is `items` / `additionalItems`
 *   (`...unknown[]` when absent, none when `false`).
 * - `enum` and `const` win over `type` (they are stricter) and become literal unions; strings are
 *   written with `JSON.stringify`. `anyOf`/`oneOf` are unions, `allOf` is an intersection with the
 *   rest of the schema, `nullable: true` (OpenAPI) adds `| null`.
 * - `description` on a property becomes its `/** … *\/` comment, with `*\/` defused.
 * - `$ref`, `not`, `if`/`then`/`else` and unknown `type` names are `unknown`: a schema we cannot
 *   read must not make a valid call fail to compile.
 * Output is a pure function of the schema: members follow the schema's key order.
 */
import type { JsonSchema } from '../../runtime/action.js';

/** How tightly a rendered type binds, so `A | B` gets parentheses in `(A | B)[]`. */
type Precedence = 'union' | 'intersection' | 'primary';

interface Rendered {
  text: string;
  prec: Precedence;
}

const UNKNOWN: Rendered = { text: 'unknown', prec: 'primary' };
const NEVER: Rendered = { text: 'never', prec: 'primary' };
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The TypeScript type of values a JSON Schema accepts.
 *
 * @param indent the indentation of the line the type starts on; nested object members are
 *   indented two spaces further and the closing brace lines up with `indent`.
 * @example
 * schemaToTs({ type: 'object', properties: { key: { type: 'string' } }, required: ['key'] })
 * // '{\n  key: string;\n}'
 */
export function schemaToTs(schema: JsonSchema | null | undefined, indent = ''): string {
  return render(schema, indent).text;
}

function render(schema: unknown, indent: string): Rendered {
  if (schema === true || schema === null || schema === undefined) return UNKNOWN;
  if (schema === false) return NEVER;
  if (!isRecord(schema)) return UNKNOWN;

  const parts: Rendered[] = [base(schema, indent)];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) parts.push(union(list.map((s) => render(s, indent))));
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) parts.push(render(s, indent));
  const result = intersection(parts);
  return schema.nullable === true ? union([result, { text: 'null', prec: 'primary' }]) : result;
}

/** The schema without its combinators: const, enum, or what `type` (stated or implied) says. */
function base(schema: Record<string, unknown>, indent: string): Rendered {
  if ('const' in schema) return { text: literal(schema.const), prec: 'primary' };
  if (Array.isArray(schema.enum)) return union(schema.enum.map((v) => ({ text: literal(v), prec: 'primary' as const })));
  const type = schema.type;
  if (typeof type === 'string') return ofType(type, schema, indent);
  if (Array.isArray(type)) return union(type.map((t) => (typeof t === 'string' ? ofType(t, schema, indent) : UNKNOWN)));
  // No `type`: the structural keywords still say what the value must be when it is that kind.
  if (isRecord(schema.properties) || 'additionalProperties' in schema || 'required' in schema) {
    return ofType('object', schema, indent);
  }
  if ('items' in schema || 'prefixItems' in schema) return ofType('array', schema, indent);
  return UNKNOWN;
}

function ofType(type: string, schema: Record<string, unknown>, indent: string): Rendered {
  switch (type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return { text: type, prec: 'primary' };
    case 'integer':
      return { text: 'number', prec: 'primary' };
    case 'array':
      return array(schema, indent);
    case 'object':
      return object(schema, indent);
    default:
      return UNKNOWN;
  }
}

function array(schema: Record<string, unknown>, indent: string): Rendered {
  // 2020-12 spells a tuple `prefixItems` (+ `items` for the rest); draft-07 an `items` array
  // (+ `additionalItems`). Both are read, since catalogs are written against either.
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : null;
  if (prefix === null) {
    if (schema.items === false) return { text: '[]', prec: 'primary' };
    return arrayOf(render(schema.items, indent));
  }
  const rest = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems;
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const elements = prefix.map((s, i) => {
    const t = render(s, indent);
    // An optional element's type is written before `?`, so a union needs no parentheses.
    return i < min ? t.text : `${t.prec === 'primary' ? t.text : `(${t.text})`}?`;
  });
  if (rest !== false) elements.push(`...${arrayOf(render(rest, indent)).text}`);
  return { text: `[${elements.join(', ')}]`, prec: 'primary' };
}

function arrayOf(element: Rendered): Rendered {
  return { text: element.prec === 'primary' ? `${element.text}[]` : `(${element.text})[]`, prec: 'primary' };
}

function object(schema: Record<string, unknown>, indent: string): Rendered {
  const inner = `${indent}  `;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set<string>(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const lines: string[] = [];
  const memberTypes: Rendered[] = [];
  for (const [key, propSchema] of Object.entries(properties)) {
    const t = render(propSchema, inner);
    memberTypes.push(t);
    if (isRecord(propSchema) && typeof propSchema.description === 'string' && propSchema.description.trim() !== '') {
      lines.push(...jsdoc(propSchema.description, inner));
    }
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    lines.push(`${inner}${name}${required.has(key) ? '' : '?'}: ${t.text};`);
  }
  for (const key of required) {
    if (Object.hasOwn(properties, key)) continue;
    memberTypes.push(UNKNOWN);
    lines.push(`${inner}${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: unknown;`);
  }

  const extra: Rendered[] = [];
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    extra.push(render(schema.additionalProperties, inner));
  }
  if (isRecord(schema.patternProperties)) {
    for (const s of Object.values(schema.patternProperties)) extra.push(render(s, inner));
  }
  const open = extra.length > 0 || (schema.additionalProperties === undefined && lines.length === 0);

  if (lines.length === 0) {
    if (!open) return { text: 'Record<string, never>', prec: 'primary' };
    return { text: `Record<string, ${extra.length > 0 ? union(extra).text : 'unknown'}>`, prec: 'primary' };
  }
  if (extra.length > 0) {
    // TypeScript requires every listed property to fit the index signature; optional ones may
    // also be undefined.
    const optional = Object.keys(properties).some((k) => !required.has(k));
    const all = [...extra, ...memberTypes, ...(optional ? [{ text: 'undefined', prec: 'primary' as const }] : [])];
    lines.push(`${inner}[key: string]: ${union(all).text};`);
  }
  return { text: `{\n${lines.join('\n')}\n${indent}}`, prec: 'primary' };
}

/** A doc comment that cannot end early: a `*\/` inside the description would close it. */
function jsdoc(description: string, indent: string): string[] {
  const text = description.replace(/\*\//g, '*\\/').replace(/\r\n?/g, '\n').trim().split('\n');
  if (text.length === 1) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((l) => (l.trim() === '' ? `${indent} *` : `${indent} * ${l.trimEnd()}`)), `${indent} */`];
}

/** A JSON value as a literal type; arrays and objects become tuple and object literal types. */
function literal(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'number';
  if (typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (isRecord(value)) {
    const members = Object.entries(value).map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`);
    return members.length === 0 ? 'Record<string, never>' : `{ ${members.join('; ')} }`;
  }
  return 'unknown';
}

/** `A | B`, dropping duplicates and `never`; any `unknown` member makes the whole `unknown`. */
function union(members: Rendered[]): Rendered {
  const texts: string[] = [];
  for (const m of members) {
    if (m.text === 'unknown') return UNKNOWN;
    if (m.text !== 'never' && !texts.includes(m.text)) texts.push(m.text);
  }
  const only = texts.length === 1 ? members.find((m) => m.text === texts[0]) : undefined;
  if (texts.length === 0) return NEVER;
  if (only !== undefined) return only;
  return {
    text: texts.join(' | '),
    // Members are already primary or intersections, both of which bind tighter than `|`.
    prec: 'union',
  };
}

/** `A & B`, dropping `unknown` (it adds nothing); any `never` makes the whole `never`. */
function intersection(members: Rendered[]): Rendered {
  const kept: Rendered[] = [];
  for (const m of members) {
    if (m.text === 'never') return NEVER;
    if (m.text !== 'unknown' && !kept.some((k) => k.text === m.text)) kept.push(m);
  }
  if (kept.length === 0) return UNKNOWN;
  if (kept.length === 1) return kept[0];
  return { text: kept.map((m) => (m.prec === 'union' ? `(${m.text})` : m.text)).join(' & '), prec: 'intersection' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
