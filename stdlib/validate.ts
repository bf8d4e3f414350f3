import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvModule } from '../runtime/deps.js';
import type { JsonSchema } from '../runtime/index.js';

/** Largest schema that arrives as data (`human.ask`, `llm.extract`), in bytes of JSON: a schema is a shape, not data. */
export const maxSchemaBytes = 64 * 1024;

/**
 * Most subschemas one value may be checked against, counting every `$ref` as a copy of the
 * schema it names. A literal schema within {@link maxSchemaBytes} never comes near it; only
 * `$ref`s that name the same subschema again and again do (each level of `allOf: [{ $ref: L },
 * { $ref: L }]` doubles the work, so 40 levels of 100 bytes each take hours to validate).
 */
export const maxSchemaExpansion = 10_000;

/** Compiled schemas kept (by schema text). */
const cacheSize = 64;
const compiled = new Map<string, ValidateFunction>();

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
 * Validates values against JSON Schemas that arrive as data (an answer's schema in
 * `human.ask`). Each schema is compiled by an Ajv instance of its own: in a shared instance an
 * `$id` is global, so one workflow's schema would block another's with the same `$id` (of
 * another tenant too) or be reachable from it by `$ref`, and the instance would keep every
 * schema it ever compiled. Compiled functions are kept by schema text in a small LRU.
 *
 * @returns a function giving null when the value is valid, or every problem, one per line.
 * @throws TypeError when the schema is not a valid JSON Schema, or is over the budget of
 *   {@link schemaBudgetProblem}
 */
export function jsonValidator(schema: JsonSchema): (value: unknown) => string[] | null {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (fn !== undefined) {
    // Refresh its place in the LRU order.
    compiled.delete(key);
  } else {
    const problem = schemaBudgetProblem(schema);
    if (problem !== null) throw new TypeError(`the schema is refused: ${problem}`);
    try {
      const ajv = new (ajvModule().Ajv)({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, validateFormats: false, logger: false });
      fn = ajv.compile(schema);
    } catch (err) {
      throw new TypeError(`not a valid JSON Schema: ${(err as Error).message}`);
    }
    // An $async schema validates to a promise, which is truthy: every value would pass.
    if ((fn as { $async?: unknown }).$async === true) throw new TypeError('the schema is refused: it must not be an $async schema');
    if (compiled.size >= cacheSize) compiled.delete(compiled.keys().next().value as string);
  }
  compiled.set(key, fn);
  const validate = fn;
  return (value) => (validate(value) ? null : (validate.errors ?? []).map(describeError));
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the value' : e.instancePath.slice(1).replace(/\//g, '.');
  const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  const extra = params.additionalProperty !== undefined ? ` (${params.additionalProperty})` : params.missingProperty !== undefined ? ` (${params.missingProperty})` : params.allowedValues !== undefined ? ` (${JSON.stringify(params.allowedValues)})` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}
