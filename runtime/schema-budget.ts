import type { Ajv, Options } from 'ajv';
import type { JsonSchema } from './action.js';
import { ajvModule, re2js } from './deps.js';
import { re2Source } from './ecma-pattern.js';
import { canonicalJsonOfParsed } from './sandbox/shared.js';

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
  try {
    return budgetProblem(schema);
  } catch (err) {
    // The walks below recurse with the schema's nesting; a schema nested past what the stack
    // holds (the bridge and the manifest limit nesting, but a host caller may not) is refused.
    if (err instanceof RangeError) return 'it is nested too deeply to check';
    throw err;
  }
}

function budgetProblem(schema: JsonSchema): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > maxSchemaBytes) return `it is ${bytes} bytes of JSON, over the ${maxSchemaBytes}-byte limit; describe only the fields you need`;
  const identity = identityProblem(schema, true);
  if (identity !== null) return identity;
  const ids = new Map<string, unknown>();
  collectIds(schema, ids);
  const expansion = schemaExpansion(schema, ids);
  if (typeof expansion === 'string') return expansion;
  const structure = structureProblem(schema, ids);
  if (structure !== null) return structure;
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
function schemaExpansion(root: JsonSchema, ids: ReadonlyMap<string, unknown>): number | string {
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

/** Keywords whose subschemas apply to the value itself. */
const inPlaceLists = new Set(['allOf', 'anyOf', 'oneOf']);
const inPlaceOne = new Set(['not', 'if', 'then', 'else']);
const inPlaceMaps = new Set(['dependentSchemas', 'dependencies']);
/** Keywords whose subschemas apply to a part of the value (a property, an item). */
const descendingOne = new Set(['additionalProperties', 'propertyNames', 'unevaluatedProperties', 'additionalItems', 'contains', 'unevaluatedItems', 'items']);
const descendingLists = new Set(['prefixItems', 'items']);
const descendingMaps = new Set(['properties', 'patternProperties']);

const isSchemaObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why the schema's own structure is refused, or null, judged on schema positions only (not on
 * `definitions`, `enum`, `const` or property names, which are data): an `"$async"` schema (Ajv
 * would return a promise, which no check here awaits), or a cycle of subschemas that apply to
 * the same value (`{ "allOf": [{ "$ref": "#" }] }`), which checks any value for ever. A cycle
 * that goes down into a property or item ends with the value, as a tree's schema does.
 */
function structureProblem(root: JsonSchema, ids: ReadonlyMap<string, unknown>): string | null {
  // 1: on the current chain of in-place subschemas; 2: explored.
  const state = new Map<object, 1 | 2>();
  const roots: unknown[] = [root];
  let problem: string | null = null;
  const visit = (schema: unknown): void => {
    if (problem !== null || !isSchemaObject(schema)) return;
    const seen = state.get(schema);
    if (seen === 2) return;
    if (seen === 1) {
      problem = 'its $refs loop back to a schema of the same value without going down into a property or item, so checking any value would never end';
      return;
    }
    if (schema.$async === true) {
      problem = 'it is marked "$async", and schemas here are checked synchronously';
      return;
    }
    state.set(schema, 1);
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') visit(resolveRef(root, ids, value));
      else if (inPlaceLists.has(key) && Array.isArray(value)) value.forEach(visit);
      else if (inPlaceOne.has(key)) visit(value);
      else if (inPlaceMaps.has(key) && isSchemaObject(value)) Object.values(value).forEach(visit);
      // Explored later, each on a chain of its own: what they apply to is a part of the value.
      if (descendingOne.has(key) && isSchemaObject(value)) roots.push(value);
      else if (descendingLists.has(key) && Array.isArray(value)) roots.push(...value);
      else if (descendingMaps.has(key) && isSchemaObject(value)) roots.push(...Object.values(value));
    }
    state.set(schema, 2);
  };
  while (roots.length > 0 && problem === null) visit(roots.pop());
  return problem;
}

/**
 * What Ajv would read differently from this budget, or null: an `$id` below the root (Ajv
 * resolves `#/…` against the nearest one, this budget against the root, so a `$ref` that looks
 * like a cheap one to the budget may name another, exponential, part), an `$anchor` (a name
 * Ajv resolves and the budget does not), and `__proto__` as a property's name (Ajv drops it
 * from `properties`, `patternProperties` and `dependencies`, so a value with that key would
 * pass unchecked). Conservative: such keys in `enum` or `const` data are refused too.
 */
function identityProblem(node: unknown, atRoot: boolean): string | null {
  if (typeof node !== 'object' || node === null) return null;
  if (!Array.isArray(node)) {
    const o = node as Record<string, unknown>;
    if (!atRoot && Object.hasOwn(o, '$id')) return 'it has an $id below its root; give the whole schema one $id, at the top, and refer to its parts by #/json/pointer';
    for (const key of ['$anchor', '$dynamicAnchor', '$recursiveAnchor']) {
      if (Object.hasOwn(o, key)) return `it uses ${key}; refer to its parts by #/json/pointer`;
    }
    for (const key of ['properties', 'patternProperties', 'dependencies', 'dependentRequired', 'dependentSchemas']) {
      const map = o[key];
      if (typeof map === 'object' && map !== null && Object.hasOwn(map, '__proto__')) return `its ${key} name "__proto__", which the validator ignores; that key cannot be checked`;
    }
  }
  for (const value of Object.values(node)) {
    const problem = identityProblem(value, false);
    if (problem !== null) return problem;
  }
  return null;
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
  // Only through schema positions: a pointer into data (`#/enum/0`) or an unknown keyword
  // (`#/x-defs/h`) names an object Ajv compiles as a schema but that carries no evaluation
  // count (see withEvaluationCharge), so the per-check budget would not see it.
  let node: unknown = start;
  let at: 'schema' | 'list' | 'map' = 'schema';
  for (const raw of fragment.slice(1).split('/')) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    if (at === 'schema') {
      if (Array.isArray(node)) return undefined;
      if (inPlaceLists.has(part) || descendingLists.has(part) || inPlaceOne.has(part) || descendingOne.has(part)) at = Array.isArray((node as Record<string, unknown>)[part]) ? 'list' : 'schema';
      else if (inPlaceMaps.has(part) || descendingMaps.has(part) || part === 'definitions' || part === '$defs') at = 'map';
      else return undefined;
    } else {
      if ((at === 'list') !== Array.isArray(node)) return undefined;
      at = 'schema';
    }
    node = (node as Record<string, unknown>)[part];
  }
  return at === 'schema' ? node : undefined;
}

/**
 * Work the patterns of untrusted schemas may do in one check of a value, in instructions of
 * their RE2 programs times characters matched. RE2 is linear in the input, but times the
 * program: `[a-z]{1000}[0-9]` against 200,000 characters is 2 × 10^8 units, 4–7 s on the
 * engine's thread (re2js's NFA, ≈ 20–35 ns a unit measured), and a 64 KiB schema can hold
 * hundreds of such patterns. This budget is ≈ 0.4–0.7 s at worst, and far past what a sensible
 * pattern on a sensible string needs (a 12-instruction e-mail pattern on 1 MB: 1.2 × 10^7).
 */
export const maxPatternWork = 20_000_000;

/**
 * Subschema evaluations one check of a value may make. The schema's size is bounded and so is
 * the value's, but not their product: every keyword under `items` runs for every item, and
 * recursion that branches (two `$ref`s to the same schema per level) doubles per level of the
 * value. A 48 KB schema of 3,000 subschemas under `items` against 250,000 strings took 28 s,
 * and a 146-byte one against a value 24 levels deep 1.1 s, doubling per level. Each
 * evaluation costs 0.1–0.5 µs, so this is ≈ 0.5–2 s at worst, and above what a 1 MiB value
 * needs against a sensible schema (one evaluation or a few per item).
 */
export const maxEvaluations = 4_000_000;

/** The keyword `untrustedAjv` adds to every subschema, to count its evaluations: `[weight, length keywords]`. */
const chargeKeyword = 'x-alice-evaluation';

/** The budgets left in the check under way (`withCheckBudget`), or null outside one. */
let checkBudget: { patternWork: number; evaluations: number } | null = null;

/**
 * Runs one check of a value against an untrusted schema (a compiled Ajv function) with the
 * patterns' work bounded by {@link maxPatternWork} and the subschema evaluations by
 * {@link maxEvaluations}, for the whole check: past either it throws, and the check fails with
 * that message instead of holding the engine's thread. (Outside it, evaluations are not counted.)
 */
export function withCheckBudget<T>(check: () => T): T {
  const outer = checkBudget;
  checkBudget = { patternWork: maxPatternWork, evaluations: maxEvaluations };
  try {
    return check();
  } finally {
    checkBudget = outer;
  }
}

/**
 * Most RE2 instructions, estimated from the patterns' text by {@link patternSizeBound}, that one
 * untrusted schema's patterns may compile to. Compiling is linear in the program but the
 * program is not in the text: `(x…600 chars){1000}` compiles to 600,000 instructions, 0.7 s
 * of re2js on the engine's thread, and a 64 KiB schema holds a hundred of them. This bound is
 * ≈ 0.1–0.2 s of compiling at worst; `[a-z]{1000}` is estimated at 2,000, an e-mail pattern at
 * a few dozen.
 */
export const maxPatternProgram = 200_000;

/**
 * An upper bound of the RE2 program a pattern compiles to, from its text alone, before RE2
 * expands any repetition: each literal, escape or class counts 1, a group its contents plus 2,
 * `|` 1, `*`, `+` and `?` 2, and `{n,m}` repeats what it follows max(n, m) times, twice over (RE2 writes the
 * optional copies of `{n,m}` as nested alternatives). Flag groups and `\Q…\E` are read as
 * plain text, which can only count more.
 */
export function patternSizeBound(pattern: string): number {
  const unicodeClassSize = 100;
  type Level = { seq: number; alts: number };
  const stack: Level[] = [];
  let cur: Level = { seq: 0, alts: 0 };
  let last = 0; // the size of what a quantifier here repeats
  const repeat = /^\{(\d{1,9})(?:(,)(\d{0,9}))?\}/;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      // \p{L}: a class of hundreds of ranges, which every copy of it holds; \x{3000}: one
      // character (its braces are not a repetition).
      let size = 1;
      if ((n === 'p' || n === 'P' || n === 'x') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        i = close < 0 ? pattern.length : close;
        if (n !== 'x') size = unicodeClassSize;
      } else i++;
      last = size;
      cur.seq += size;
    } else if (c === '[') {
      // To the class's closing bracket: a leading ] or ^], escapes and [:alpha:] are inside it.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const close = pattern.indexOf(':]', j + 2);
          if (close > 0) j = close + 1;
        }
        j++;
      }
      // A class holds its ranges (and \p{…} classes) in every copy: charged by its text.
      const text = pattern.slice(i + 1, j);
      const size = Math.max(1, Math.ceil(text.length / 3)) + (text.includes('\\p{') || text.includes('\\P{') ? unicodeClassSize : 0);
      i = j;
      last = size;
      cur.seq += size;
    } else if (c === '(') {
      stack.push(cur);
      cur = { seq: 0, alts: 0 };
      last = 0;
    } else if (c === ')') {
      const group = cur.seq + cur.alts + 2;
      cur = stack.pop() ?? { seq: 0, alts: 0 };
      cur.seq += group;
      last = group;
    } else if (c === '|') {
      cur.alts += cur.seq + 1;
      cur.seq = 0;
      last = 0;
    } else if (c === '{' && repeat.test(pattern.slice(i, i + 24))) {
      const m = repeat.exec(pattern.slice(i, i + 24))!;
      const min = Number(m[1]);
      const times = m[2] === undefined ? min : m[3] === '' ? min + 1 : Math.max(min, Number(m[3]));
      const added = last * Math.max(times - 1, 0) * 2 + 1;
      cur.seq += added;
      last += added;
      i += m[0].length - 1;
    } else if (c === '*' || c === '+' || c === '?') {
      cur.seq += 2;
      last += 2;
    } else {
      last = 1;
      cur.seq += 1;
    }
  }
  let size = cur.seq + cur.alts;
  while (stack.length > 0) {
    const outer = stack.pop()!;
    size = outer.seq + outer.alts + size + 2;
  }
  return size + 2;
}

/**
 * `pattern` and `patternProperties` through RE2 (re2js, linear time in the input) instead of
 * JavaScript's backtracking RegExp. RE2 has no lookaround and no backreferences: a schema that
 * uses them does not compile (a clear "not a valid JSON Schema" error), which is the point.
 * Each test is charged to the check's pattern budget (a test outside `withCheckBudget` gets
 * a budget of its own).
 */
function linearRegExp(): NonNullable<NonNullable<Options['code']>['regExp']> {
  const { RE2JS } = re2js();
  // One instance per schema (untrustedAjv): the programs its patterns may compile to, in all.
  let programLeft = maxPatternProgram;
  const engine = (pattern: string, flags: string) => {
    // JSON Schema's patterns are ECMA-262 regular expressions. A text JavaScript cannot read
    // (RE2's own \Q…\E, (?i), \x{…}, \pL, [[:alpha:]]) is refused: RE2 would give it another
    // meaning, and the size estimate reads only the syntax both share. Constructing the
    // RegExp parses it in linear time and never runs it.
    try {
      new RegExp(pattern, 'u');
    } catch (err) {
      throw new SyntaxError(`the pattern ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} is not a JavaScript (ECMA-262) regular expression: ${(err as Error).message}`);
    }
    // Written in RE2's syntax with JavaScript's meaning (`\s`, `.`, `\uXXXX`; ecma-pattern.ts).
    const source = re2Source(pattern);
    const bound = patternSizeBound(source);
    if (bound > programLeft) {
      throw new RangeError(`its patterns are too big to compile: ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} would take the schema's patterns past ${maxPatternProgram} RE2 instructions (estimated ${bound} for this one); repeat less ({n,m} copies what it follows)`);
    }
    programLeft -= bound;
    const re = RE2JS.compile(source, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    // The program's size is re2js's own (not in its types); if a version hides it, charge as
    // for a program as long as the pattern's text, which is never much shorter.
    const size = (re as unknown as { re2Input?: { prog?: { numInst?: () => number } } }).re2Input?.prog?.numInst?.() ?? pattern.length;
    return {
      // Ajv keeps one compiled pattern per `toString()` of what this returns (a RegExp's is
      // `/source/flags`): without it every pattern of a schema read "[object Object]", and all
      // of them were checked as the first one compiled.
      toString: () => `/${pattern}/${flags}`,
      test: (s: string) => {
        const budget = checkBudget ?? { patternWork: maxPatternWork, evaluations: maxEvaluations };
        // Each test also costs about a microsecond whatever its length: charged as 64 units.
        const cost = size * (s.length + 1) + 64;
        if (cost > budget.patternWork) {
          throw new RangeError(`a string of ${s.length} characters is too long to check against the pattern ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} (${size} RE2 instructions): the patterns of one check may do ${maxPatternWork} instruction-characters of work`);
        }
        budget.patternWork -= cost;
        return re.matcher(s).find();
      },
    };
  };
  return Object.assign(engine, { code: 're2js' }) as unknown as NonNullable<NonNullable<Options['code']>['regExp']>;
}

/** Counts evaluations against the check's budget (see {@link maxEvaluations}); always true. */
function chargeEvaluations(n: number): true {
  const budget = checkBudget;
  if (budget === null) return true;
  budget.evaluations -= n;
  if (budget.evaluations < 0) {
    throw new RangeError(`the value needs more than ${maxEvaluations} subschema evaluations to check against this schema; check less per item, or send less`);
  }
  return true;
}

/**
 * A copy of a schema with {@link chargeKeyword} in every subschema (the schema positions of
 * `structureProblem`, and `definitions`/`$defs`); data (`enum`, `const`, `default`, `examples`,
 * property names) is copied as it is. `$ref` pointers still name the same places.
 */
function withEvaluationCharge(node: unknown): unknown {
  if (!isSchemaObject(node)) return node;
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  const each = (map: unknown) => (isSchemaObject(map) ? Object.fromEntries(Object.entries(map).map(([k, v]) => [k, withEvaluationCharge(v)])) : map);
  for (const [key, value] of Object.entries(node)) {
    if (inPlaceLists.has(key) || descendingLists.has(key) || inPlaceOne.has(key) || descendingOne.has(key)) {
      put(key, Array.isArray(value) ? value.map(withEvaluationCharge) : withEvaluationCharge(value));
    } else if (inPlaceMaps.has(key) || descendingMaps.has(key) || key === 'definitions' || key === '$defs') {
      put(key, each(value));
    } else put(key, value);
  }
  // An evaluation costs about as much as the names it looks up: `properties` and
  // `dependencies` visit each of theirs on every object, present in the value or not.
  let weight = 1;
  for (const key of ['properties', 'patternProperties', 'dependencies', 'dependentRequired', 'dependentSchemas']) {
    if (isSchemaObject(node[key])) weight += Object.keys(node[key]).length;
  }
  if (Array.isArray(node.required)) weight += node.required.length;
  // `minLength` and `maxLength` count a string's characters (code points) every time they
  // check it: charged by its length (`stringChargeChars`), when the value is a string.
  const lengths = ['minLength', 'maxLength'].filter((k) => k in node).length;
  put(chargeKeyword, [weight, lengths]);
  return out;
}

/**
 * The characters of a string that a keyword reading all of it costs one evaluation for (about
 * what the code point count of `minLength` takes per evaluation's time). Uncounted, 1,000
 * `minLength` keywords against a 1 MB string took 1.9 s.
 */
const stringChargeChars = 256;

/**
 * An Ajv instance for one untrusted schema (its own: in a shared instance an `$id` is global,
 * so one workflow's schema would collide with another's, or be reachable from it by `$ref`).
 */
export function untrustedAjv(options: { allErrors: boolean }): Ajv {
  // ownProperties: `required: ["constructor"]` is not met by what every object inherits.
  // optimize: false: Ajv's optimizer is quadratic in the schema (a oneOf of 3,000 subschemas
  // took 15 s to compile, then overflowed the stack; 0.7 s without it).
  const ajv = new (ajvModule().Ajv)({ allErrors: options.allErrors, strict: false, coerceTypes: false, useDefaults: false, validateFormats: false, logger: false, ownProperties: true, code: { regExp: linearRegExp(), optimize: false } });
  // Every subschema counts its evaluations (see maxEvaluations): `compile` adds the keyword to
  // each one of a copy of the schema, in schema positions only (never in enum or const data).
  ajv.addKeyword({
    keyword: chargeKeyword,
    schemaType: 'array',
    errors: false,
    validate: ([weight, lengths]: [number, number], data: unknown) =>
      chargeEvaluations(lengths > 0 && typeof data === 'string' ? weight + lengths * Math.ceil(data.length / stringChargeChars) : weight),
  });
  const compile = ajv.compile.bind(ajv);
  ajv.compile = ((schema: JsonSchema) => compile(withEvaluationCharge(schema) as JsonSchema)) as typeof ajv.compile;
  // Ajv compares every pair of items for uniqueItems (16,000 objects took 4 s on the engine's
  // thread); the canonical text of each item in a set does it in one pass.
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    errors: true,
    validate: function unique(this: unknown, on: boolean, data: unknown[]): boolean {
      if (on) chargeEvaluations(data.length);
      const ok = !on || uniqueItems(data);
      (unique as { errors?: unknown }).errors = ok ? null : [{ keyword: 'uniqueItems', message: 'must NOT have duplicate items', params: {} }];
      return ok;
    },
  });
  // Likewise `enum` of objects: Ajv compares the value with each member in turn, for each
  // value checked (2,000 members against 60,000 items took 4 s).
  ajv.removeKeyword('enum');
  ajv.addKeyword({
    keyword: 'enum',
    schemaType: 'array',
    errors: true,
    compile: (members: unknown[]) => {
      const allowed = new Set<string | undefined>(members.map(jsonKey).filter((k) => k !== undefined));
      // A value that is an object is written out only when some member is one.
      const objects = members.some((m) => typeof m === 'object' && m !== null);
      const check = (data: unknown): boolean => {
        // Writing an object value out costs about its size; counted as evaluations of its parts.
        if (typeof data === 'object' && data !== null && objects) chargeEvaluations(Array.isArray(data) ? data.length + 1 : Object.keys(data).length + 1);
        const ok = typeof data === 'object' && data !== null ? objects && allowed.has(jsonKey(data)) : allowed.has(jsonKey(data));
        // Ajv's own error, which callers read (`allowedValues` lists the choices).
        (check as { errors?: unknown }).errors = ok ? null : [{ keyword: 'enum', message: 'must be equal to one of the allowed values', params: { allowedValues: members } }];
        return ok;
      };
      return check;
    },
  });
  return ajv;
}

/**
 * One text per JSON value, equal for values JSON Schema calls equal; undefined for a value too
 * deep to write (it equals no member, and its items are not known to be unique).
 */
function jsonKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `${typeof value}:${String(value)}`;
  try {
    return canonicalJsonOfParsed(value);
  } catch {
    return undefined;
  }
}

function uniqueItems(items: unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const key = jsonKey(item);
    if (key === undefined || seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}
