/**
 * The DSL's standard library: small pure functions on strings, lists, records and numbers, plus
 * the engine's `now()` and `random()` (the only clock and randomness a workflow has; both are
 * replayed identically on re-run). Each entry has its checker signature and its implementation
 * as JavaScript text, which the lowering copies into a script only when the script uses it.
 *
 * Implementations are written for values that passed the checker but may still surprise at run
 * time (an `any` from an action): they throw a TypeError that names the function, and the
 * error's position is mapped back to the call in the .alice file.
 */
import { anyType, booleanType, listOf, nullType, numberType, recordOf, stringType, union, withoutNull, type Type } from './types.js';

export interface StdFunction {
  /** One line for docs and hovers. */
  doc: string;
  /** Parameter names and types; `optional` ones may be left out at the end. */
  params: Array<{ name: string; type: Type; optional?: boolean }>;
  /** The result type, from the argument types (for `first([T]) → T?`, `reverse([T]) → [T]`). */
  result: (args: Type[]) => Type;
  /** JavaScript: an expression for the function value, or null for the engine built-ins. */
  js: string | null;
}

const listAny = listOf(anyType);
const elementOf = (t: Type | undefined): Type => (t !== undefined && t.kind === 'list' ? t.of : anyType);
const same = (t: Type | undefined): Type => t ?? anyType;
const stringOrList = union([stringType, listAny]);

const check = (fn: string, cond: string, what: string) => `if (!(${cond})) throw new TypeError(${JSON.stringify(`${fn}(): ${what}`)});`;

export const stdlib: Readonly<Record<string, StdFunction>> = {
  len: {
    doc: 'The number of characters of a string, elements of a list or fields of a record.',
    params: [{ name: 'value', type: union([stringType, listAny, recordOf({}, anyType)]) }],
    result: () => numberType,
    js: `(x) => { if (typeof x === "string" || Array.isArray(x)) return x.length; ${check('len', 'x !== null && typeof x === "object"', 'expects a string, a list or a record')} return Object.keys(x).length; }`,
  },
  upper: { doc: 'The string in upper case (locale-independent).', params: [{ name: 'text', type: stringType }], result: () => stringType, js: `(s) => { ${check('upper', 'typeof s === "string"', 'expects a string')} return s.toUpperCase(); }` },
  lower: { doc: 'The string in lower case (locale-independent).', params: [{ name: 'text', type: stringType }], result: () => stringType, js: `(s) => { ${check('lower', 'typeof s === "string"', 'expects a string')} return s.toLowerCase(); }` },
  trim: { doc: 'The string without leading and trailing white space.', params: [{ name: 'text', type: stringType }], result: () => stringType, js: `(s) => { ${check('trim', 'typeof s === "string"', 'expects a string')} return s.trim(); }` },
  split: {
    doc: 'The parts of a string between separators.',
    params: [{ name: 'text', type: stringType }, { name: 'separator', type: stringType }],
    result: () => listOf(stringType),
    js: `(s, sep) => { ${check('split', 'typeof s === "string" && typeof sep === "string"', 'expects two strings')} return s.split(sep); }`,
  },
  join: {
    doc: 'The elements of a list as one string, with a separator between them.',
    params: [{ name: 'list', type: listAny }, { name: 'separator', type: stringType, optional: true }],
    result: () => stringType,
    js: `(xs, sep) => { ${check('join', 'Array.isArray(xs)', 'expects a list')} return xs.map($str).join(sep ?? ""); }`,
  },
  contains: {
    doc: 'Whether a string contains a piece of text, or a list an element (compared by value).',
    params: [{ name: 'haystack', type: stringOrList }, { name: 'needle', type: anyType }],
    result: () => booleanType,
    js: `(h, n) => { if (typeof h === "string") return typeof n === "string" && h.includes(n); ${check('contains', 'Array.isArray(h)', 'expects a string or a list')} return h.some((x) => $eq(x, n)); }`,
  },
  startsWith: { doc: 'Whether a string starts with a prefix.', params: [{ name: 'text', type: stringType }, { name: 'prefix', type: stringType }], result: () => booleanType, js: `(s, p) => { ${check('startsWith', 'typeof s === "string" && typeof p === "string"', 'expects two strings')} return s.startsWith(p); }` },
  endsWith: { doc: 'Whether a string ends with a suffix.', params: [{ name: 'text', type: stringType }, { name: 'suffix', type: stringType }], result: () => booleanType, js: `(s, p) => { ${check('endsWith', 'typeof s === "string" && typeof p === "string"', 'expects two strings')} return s.endsWith(p); }` },
  replace: {
    doc: 'The string with every occurrence of a text replaced (plain text, no patterns).',
    params: [{ name: 'text', type: stringType }, { name: 'find', type: stringType }, { name: 'with', type: stringType }],
    result: () => stringType,
    js: `(s, a, b) => { ${check('replace', 'typeof s === "string" && typeof a === "string" && typeof b === "string"', 'expects three strings')} return a === "" ? s : s.split(a).join(b); }`,
  },
  slice: {
    doc: 'Part of a string or list, from start (inclusive) to end (exclusive); negative counts from the end.',
    params: [{ name: 'value', type: stringOrList }, { name: 'start', type: numberType }, { name: 'end', type: numberType, optional: true }],
    result: (a) => same(a[0]),
    js: `(x, a, b) => { ${check('slice', '(typeof x === "string" || Array.isArray(x)) && typeof a === "number"', 'expects a string or a list and a start')} return b === undefined || b === null ? x.slice(a) : x.slice(a, b); }`,
  },
  str: { doc: 'A value as text: strings as they are, anything else as JSON.', params: [{ name: 'value', type: anyType }], result: () => stringType, js: null },
  number: {
    doc: 'The number a string spells (or the number itself), or null when it is not one.',
    params: [{ name: 'value', type: anyType }],
    result: () => union([numberType, nullType]),
    js: `(x) => { if (typeof x === "number") return x; if (typeof x !== "string" || x.trim() === "") return null; const n = Number(x); return Number.isFinite(n) ? n : null; }`,
  },
  fixed: {
    doc: 'A number as text with a fixed number of decimals: fixed(12.5, 2) is "12.50".',
    params: [{ name: 'value', type: numberType }, { name: 'digits', type: numberType }],
    result: () => stringType,
    js: `(x, d) => { ${check('fixed', 'typeof x === "number" && typeof d === "number" && d >= 0 && d <= 20', 'expects a number and 0 to 20 digits')} return x.toFixed(d); }`,
  },
  round: {
    doc: 'A number rounded to the nearest integer, or to a number of decimals.',
    params: [{ name: 'value', type: numberType }, { name: 'digits', type: numberType, optional: true }],
    result: () => numberType,
    js: `(x, d) => { ${check('round', 'typeof x === "number"', 'expects a number')} const f = 10 ** (d ?? 0); return Math.round(x * f) / f; }`,
  },
  floor: { doc: 'The largest integer not above a number.', params: [{ name: 'value', type: numberType }], result: () => numberType, js: `(x) => { ${check('floor', 'typeof x === "number"', 'expects a number')} return Math.floor(x); }` },
  ceil: { doc: 'The smallest integer not below a number.', params: [{ name: 'value', type: numberType }], result: () => numberType, js: `(x) => { ${check('ceil', 'typeof x === "number"', 'expects a number')} return Math.ceil(x); }` },
  abs: { doc: 'The absolute value of a number.', params: [{ name: 'value', type: numberType }], result: () => numberType, js: `(x) => { ${check('abs', 'typeof x === "number"', 'expects a number')} return Math.abs(x); }` },
  sum: {
    doc: 'The sum of a list of numbers (0 for an empty list).',
    params: [{ name: 'numbers', type: listOf(numberType) }],
    result: () => numberType,
    js: `(xs) => { ${check('sum', 'Array.isArray(xs)', 'expects a list of numbers')} let t = 0; for (const x of xs) { ${check('sum', 'typeof x === "number"', 'expects a list of numbers')} t += x; } return t; }`,
  },
  min: {
    doc: 'The smallest of a list of numbers, or null for an empty list.',
    params: [{ name: 'numbers', type: listOf(numberType) }],
    result: () => union([numberType, nullType]),
    js: `(xs) => { ${check('min', 'Array.isArray(xs) && xs.every((x) => typeof x === "number")', 'expects a list of numbers')} return xs.length === 0 ? null : Math.min(...xs); }`,
  },
  max: {
    doc: 'The largest of a list of numbers, or null for an empty list.',
    params: [{ name: 'numbers', type: listOf(numberType) }],
    result: () => union([numberType, nullType]),
    js: `(xs) => { ${check('max', 'Array.isArray(xs) && xs.every((x) => typeof x === "number")', 'expects a list of numbers')} return xs.length === 0 ? null : Math.max(...xs); }`,
  },
  first: { doc: 'The first element of a list, or null when it is empty.', params: [{ name: 'list', type: listAny }], result: (a) => union([elementOf(a[0]), nullType]), js: `(xs) => { ${check('first', 'Array.isArray(xs)', 'expects a list')} return xs.length === 0 ? null : xs[0]; }` },
  last: { doc: 'The last element of a list, or null when it is empty.', params: [{ name: 'list', type: listAny }], result: (a) => union([elementOf(a[0]), nullType]), js: `(xs) => { ${check('last', 'Array.isArray(xs)', 'expects a list')} return xs.length === 0 ? null : xs[xs.length - 1]; }` },
  reverse: { doc: 'A list in reverse order.', params: [{ name: 'list', type: listAny }], result: (a) => same(a[0]), js: `(xs) => { ${check('reverse', 'Array.isArray(xs)', 'expects a list')} return [...xs].reverse(); }` },
  sort: {
    doc: 'A list of numbers or of strings in ascending order (strings by code unit, the same everywhere).',
    params: [{ name: 'list', type: union([listOf(numberType), listOf(stringType)]) }],
    result: (a) => same(a[0]),
    js: `(xs) => { ${check('sort', 'Array.isArray(xs) && (xs.every((x) => typeof x === "number") || xs.every((x) => typeof x === "string"))', 'expects a list of numbers or a list of strings')} return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); }`,
  },
  unique: { doc: 'A list without repeated elements (compared by value), first occurrences kept.', params: [{ name: 'list', type: listAny }], result: (a) => same(a[0]), js: `(xs) => { ${check('unique', 'Array.isArray(xs)', 'expects a list')} const out = []; for (const x of xs) if (!out.some((y) => $eq(x, y))) out.push(x); return out; }` },
  append: {
    doc: 'A new list: the list with one more element at the end (the list itself does not change).',
    params: [{ name: 'list', type: listAny }, { name: 'element', type: anyType }],
    result: (a) => listOf(union([elementOf(a[0]), same(a[1])])),
    js: `(xs, x) => { ${check('append', 'Array.isArray(xs)', 'expects a list')} return [...xs, x]; }`,
  },
  concat: {
    doc: 'A new list: the elements of the first list, then those of the second.',
    params: [{ name: 'first', type: listAny }, { name: 'second', type: listAny }],
    result: (a) => listOf(union([elementOf(a[0]), elementOf(a[1])])),
    js: `(a, b) => { ${check('concat', 'Array.isArray(a) && Array.isArray(b)', 'expects two lists')} return [...a, ...b]; }`,
  },
  range: {
    doc: 'The integers from 0 (or from start) up to, not including, end: range(3) is [0, 1, 2].',
    params: [{ name: 'end', type: numberType }, { name: 'stop', type: numberType, optional: true }],
    result: () => listOf(numberType),
    js: `(a, b) => { const [s, e] = b === undefined || b === null ? [0, a] : [a, b]; ${check('range', 'Number.isFinite(s) && Number.isFinite(e) && e - s <= 1e6', 'expects finite numbers at most 1,000,000 apart')} const out = []; for (let i = Math.ceil(s); i < e; i++) out.push(i); return out; }`,
  },
  keys: { doc: 'The field names of a record, in order.', params: [{ name: 'record', type: recordOf({}, anyType) }], result: () => listOf(stringType), js: `(r) => { ${check('keys', 'r !== null && typeof r === "object" && !Array.isArray(r)', 'expects a record')} return Object.keys(r); }` },
  values: { doc: 'The field values of a record, in order.', params: [{ name: 'record', type: recordOf({}, anyType) }], result: () => listAny, js: `(r) => { ${check('values', 'r !== null && typeof r === "object" && !Array.isArray(r)', 'expects a record')} return Object.values(r); }` },
  has: {
    doc: 'Whether a record has a field (with a value that is not null).',
    params: [{ name: 'record', type: recordOf({}, anyType) }, { name: 'field', type: stringType }],
    result: () => booleanType,
    js: `(r, k) => { ${check('has', 'r !== null && typeof r === "object" && !Array.isArray(r) && typeof k === "string"', 'expects a record and a field name')} return Object.prototype.hasOwnProperty.call(r, k) && r[k] !== null && r[k] !== undefined; }`,
  },
  merge: {
    doc: 'A new record with the fields of both; the second wins where both have a field.',
    params: [{ name: 'first', type: recordOf({}, anyType) }, { name: 'second', type: recordOf({}, anyType) }],
    result: (a) => mergeTypes(a[0], a[1]),
    js: `(a, b) => { ${check('merge', 'a !== null && typeof a === "object" && !Array.isArray(a) && b !== null && typeof b === "object" && !Array.isArray(b)', 'expects two records')} return { ...a, ...b }; }`,
  },
  json: { doc: 'A value as JSON text.', params: [{ name: 'value', type: anyType }], result: () => stringType, js: `(x) => JSON.stringify(x ?? null)` },
  now: { doc: "The run's logical time in milliseconds since 1970 (replayed identically on re-run).", params: [], result: () => numberType, js: null },
  random: { doc: "A number in [0, 1) from the run's seeded generator (replayed identically on re-run).", params: [], result: () => numberType, js: null },
};

/** The record `{ ...a, ...b }` has: b's fields over a's. */
export function mergeTypes(a: Type | undefined, b: Type | undefined): Type {
  const ra = a !== undefined ? withoutNull(a) : anyType;
  const rb = b !== undefined ? withoutNull(b) : anyType;
  if (ra.kind !== 'record' || rb.kind !== 'record') return recordOf({}, anyType);
  const fields = new Map(ra.fields);
  for (const [k, f] of rb.fields) {
    const prev = fields.get(k);
    fields.set(k, f.optional && prev !== undefined ? { type: union([prev.type, f.type]), optional: prev.optional } : f);
  }
  const rest = ra.rest === null && rb.rest === null ? null : union([ra.rest ?? anyType, rb.rest ?? anyType]);
  return { kind: 'record', fields, rest, literal: true };
}

/**
 * The runtime helpers every lowering may use, by name. `$get` and `$at` make an absent field
 * or index read as null, as the language says; `$eq` is equality by value; `$str` is how a
 * value appears in string interpolation and `log`.
 */
export const runtimeHelpers: Readonly<Record<string, string>> = {
  $get: `(o, k) => { if (o === null || typeof o !== "object") throw new TypeError("cannot read field " + k + " of " + (o === null ? "null" : typeof o)); const v = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined; return v === undefined ? null : v; }`,
  $at: `(o, i) => { if (typeof o === "string" || Array.isArray(o)) { if (typeof i !== "number") throw new TypeError("a list or string index must be a number"); const v = o[i < 0 ? o.length + i : i]; return v === undefined ? null : v; } if (o !== null && typeof o === "object") { if (typeof i !== "string") throw new TypeError("a record index must be a string"); const v = Object.prototype.hasOwnProperty.call(o, i) ? o[i] : undefined; return v === undefined ? null : v; } throw new TypeError("cannot index " + (o === null ? "null" : typeof o)); }`,
  $eq: `(a, b) => { if (a === b) return true; if (a === undefined || b === undefined) return (a ?? null) === (b ?? null); if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false; if (Array.isArray(a) !== Array.isArray(b)) return false; if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => $eq(x, b[i])); const ka = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null), kb = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null); return ka.length === kb.length && ka.every((k) => $eq(a[k], b[k])); }`,
  $str: `(x) => (typeof x === "string" ? x : x === undefined ? "null" : JSON.stringify(x))`,
  $list: `(x) => { if (!Array.isArray(x)) throw new TypeError("for … in needs a list, got " + (x === null ? "null" : typeof x)); return x; }`,
  $count: `(n) => { if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new TypeError("repeat needs a finite number of times, at least 0, got " + String(n)); return Math.floor(n); }`,
  $bool: `(b) => { if (typeof b !== "boolean") throw new TypeError("a condition must be true or false, got " + (b === null ? "null" : typeof b)); return b; }`,
  $err: `(e) => ({ code: String(e.code), message: String(e.message), action: e.action ?? null, details: e.details ?? null })`,
  $fail: `(code, message) => { if (typeof code !== "string" || code === "") throw new TypeError("fail needs an error code string"); return new ActionError(code, message === undefined || message === null ? code : String(message)); }`,
  $race: `(xs) => (xs.length === 0 ? Promise.reject(new TypeError("race for over an empty list has no first value")) : Promise.race(xs))`,
  $isActionError: `(e) => e !== null && typeof e === "object" && e instanceof ActionError`,
};

/** Helpers a helper uses, so the lowering emits them too. */
export const helperDependencies: Readonly<Record<string, readonly string[]>> = {
  join: ['$str'],
  contains: ['$eq'],
  unique: ['$eq'],
  $eq: [],
};
