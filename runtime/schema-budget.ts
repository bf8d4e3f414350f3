import type { Ajv, Options } from 'ajv';
import type { JsonSchema } from './action.js';
import { ajvModule, re2js } from './deps.js';

/**
 * JSON Schemas that come from workflows and their authors rather than from our code (a
 * workflow's input schema, a `human.ask` answer schema, an `llm.extract` result schema) are
 * compiled and checked on the engine's one thread, outside every sandbox limit. So they get a
 * budget before Ajv sees them, and their `pattern`s run on a linear-time engine (RE2): with
 * JavaScript's backtracking RegExp, `^(a+)+$` against 40 characters takes days.
 */

/** Largest schema that arrives as data (`human.ask`, `llm.extract`), in bytes of JSON: a schema is a shape, not data. */
export const maxSchemaBytes = 64 * 1024;

/**
 * Most subschemas one value may be checked against, counting every `$ref` as a copy of the
 * schema it names. A literal schema within {@link maxSchemaBytes} never comes near it; only
 * `$ref`s that name the same subschema again and again do (each level of `allOf: [{ $ref: L },
 * { $ref: L }]` doubles the work, so 40 levels of 100 bytes each take hours to validate).
 */
export const maxSchemaExpansion = 10_000;

/**
 * Why a schema that arrives as data is refused before Ajv sees it, or null. Ajv compiles and
 * validates on the engine's one thread: a schema that is too big or whose `$ref`s multiply the
 * work would stop every run of every tenant.
 */
export function schemaBudgetProblem(schema: JsonSchema): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > maxSchemaBytes) return `it is ${bytes} bytes of JSON, over the ${maxSchemaBytes}-byte limit; describe only the fields you need`;
  const expansion = schemaExpansion(schema);
  if (typeof expansion === 'string') return expansion;
  if (expansion > maxSchemaExpansion) {
    return `its $refs name the same subschemas so often that a value would be checked against more than ${maxSchemaExpansion} of them; write the repeated part once`;
  }
  return null;
}

/**
 * How many subschemas (objects) the schema holds when every `$ref` is replaced by what it names,
 * counted up to just past {@link maxSchemaExpansion}; a `$ref` back into a schema being expanded
 * (recursion, bounded by the value's own depth) counts once. A string: a `$ref` that names
 * nothing inside the schema.
 */
function schemaExpansion(root: JsonSchema): number | string {
  const ids = new Map<string, unknown>();
  collectIds(root, ids);
  const memo = new Map<object, number>();
  const open = new Set<object>();
  const cap = maxSchemaExpansion + 1;
  let problem: string | null = null;
  const size = (node: unknown): number => {
    if (problem !== null || typeof node !== 'object' || node === null) return 0;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) return 1;
    open.add(node);
    let n = Array.isArray(node) ? 0 : 1;
    for (const [key, value] of Object.entries(node)) {
      if (n >= cap) break;
      if (key === '$ref' && typeof value === 'string' && !Array.isArray(node)) {
        const target = resolveRef(root, ids, value);
        if (target === undefined) {
          problem = `its $ref ${JSON.stringify(value.slice(0, 200))} does not point inside the schema`;
          break;
        }
        n += size(target);
      } else {
        n += size(value);
      }
    }
    open.delete(node);
    n = Math.min(n, cap);
    memo.set(node, n);
    return n;
  };
  const n = size(root);
  return problem ?? n;
}

/** Every `$id` (and draft-04 `id` string) in the schema, as written. */
function collectIds(node: unknown, ids: Map<string, unknown>): void {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) {
    const id = (node as Record<string, unknown>).$id;
    if (typeof id === 'string') ids.set(id, node);
  }
  for (const value of Object.values(node)) collectIds(value, ids);
}

/**
 * What a `$ref` names inside the schema: `#`, `#/json/pointer`, an `$id` written in the schema
 * (optionally with a `#/pointer` or `#name`), or undefined. Conservative: a reference Ajv might
 * resolve by base-URI rules but that is not written out here is refused rather than guessed.
 */
function resolveRef(root: unknown, ids: ReadonlyMap<string, unknown>, ref: string): unknown {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  const start = base === '' ? root : ids.get(base) ?? ids.get(`${base}#`);
  if (start === undefined) return undefined;
  if (fragment === '') return start;
  if (!fragment.startsWith('/')) return ids.get(`#${fragment}`) ?? ids.get(`${base}#${fragment}`);
  let node: unknown = start;
  for (const raw of fragment.slice(1).split('/')) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * `pattern` and `patternProperties` through RE2 (re2js, linear time in the input) instead of
 * JavaScript's backtracking RegExp. RE2 has no lookaround and no backreferences: a schema that
 * uses them does not compile (a clear "not a valid JSON Schema" error), which is the point.
 */
function linearRegExp(): NonNullable<NonNullable<Options['code']>['regExp']> {
  const { RE2JS } = re2js();
  const engine = (pattern: string, flags: string) => {
    const re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (s: string) => re.matcher(s).find() };
  };
  return Object.assign(engine, { code: 're2js' }) as unknown as NonNullable<NonNullable<Options['code']>['regExp']>;
}

/**
 * An Ajv instance for one untrusted schema (its own: in a shared instance an `$id` is global,
 * so one workflow's schema would collide with another's, or be reachable from it by `$ref`).
 */
export function untrustedAjv(options: { allErrors: boolean }): Ajv {
  return new (ajvModule().Ajv)({ allErrors: options.allErrors, strict: false, coerceTypes: false, useDefaults: false, validateFormats: false, logger: false, code: { regExp: linearRegExp() } });
}
