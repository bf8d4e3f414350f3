/**
 * Pure helpers that run on both sides of the bridge. The guest runtime receives their source
 * text (`fn.toString()`), so each must be self-contained: no imports, no outer variables, and
 * only intrinsics the guest captures before workflow code runs.
 */

/**
 * Canonical JSON: object keys sorted, `undefined`/functions dropped as JSON.stringify does,
 * non-finite numbers refused (JSON would silently turn them into null and change the digest's
 * meaning), cycles and BigInt refused. Throws a TypeError that names the path.
 */
export function canonicalJson(value: unknown): string {
  return strictJson(value, true);
}

/**
 * `canonicalJson` of a value `JSON.parse` made, or a plain copy of one (host side only): no
 * getters, no `toJSON`, no cycles. When every object's keys already come in sorted order and every number is finite,
 * as in most calls' arguments, that is exactly what the builtin `JSON.stringify` writes, in
 * one pass of native code; otherwise the strict walk decides (and names what it refuses).
 */
export function canonicalJsonOfParsed(value: unknown): string {
  return inCanonicalOrder(value, 0) ? JSON.stringify(value) : canonicalJson(value);
}

function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth >= 200) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inCanonicalOrder(value[i], depth + 1)) return false;
    return true;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    // Array.prototype.sort's default order is the code-unit order of `<` on strings.
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    if (!inCanonicalOrder(obj[keys[i]], depth + 1)) return false;
  }
  return true;
}

/**
 * The JSON text `JSON.stringify(value)` writes (same keys, same order, `toJSON` called with the
 * same key), but strict as `canonicalJson` is. The guest sends a call's arguments in this form;
 * a re-run can then check a call with the builtin `JSON.stringify` alone, one pass of native
 * code instead of a walk in V8's interpreter. (In the guest, boxed primitives are unwrapped as
 * `JSON.stringify` unwraps them: the guest passes `unbox`, with brand checks of its own.)
 */
export function jsonText(value: unknown): string {
  return strictJson(value, false);
}

/**
 * The walk behind both: keys in JSON.stringify's order, or sorted. Refuses non-finite numbers,
 * BigInt, cycles and nesting deeper than 200 levels with a TypeError that names the path.
 */
export function strictJson(value: unknown, sorted: boolean, sortKeys?: (keys: string[]) => unknown, unbox?: (obj: object) => unknown): string {
  // With no prototype: an index setter on Array.prototype must not see or swallow their writes.
  const seen = Object.setPrototypeOf([], null) as unknown[];
  // The keys from the root down to the value being walked, by depth. The path an error names is
  // built from them only when there is an error: building it for every value cost more than the
  // walk itself in a fresh sandbox context, where this code runs in V8's interpreter.
  const trail = Object.setPrototypeOf([], null) as Array<string | number>;
  const quote = JSON.stringify;
  const keysOf = Object.keys;
  const isArray = Array.isArray;
  function where(at: number): string {
    let path = '$';
    for (let i = 0; i < at; i++) {
      const k = trail[i];
      path += typeof k === 'number' ? '[' + k + ']' : '.' + k;
    }
    return path;
  }
  // `depth` counts nesting (toJSON results included) for the limit; `at` is the length of the path.
  // `jsonned`: v is what a toJSON returned, whose own toJSON JSON.stringify does not call.
  function walk(v: unknown, key: string, depth: number, at: number, jsonned = false): string | undefined {
    if (depth > 200) throw new TypeError(`value at ${where(at)} is nested deeper than 200 levels`);
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return quote(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (v !== v || v === Infinity || v === -Infinity) throw new TypeError(`value at ${where(at)} is ${String(v)}, which is not JSON`);
        return quote(v);
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      case 'bigint':
        throw new TypeError(`value at ${where(at)} is a BigInt, which is not JSON`);
      default:
        break;
    }
    const obj = v as Record<string, unknown>;
    if (!jsonned && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      return walk((obj as { toJSON: (k: string) => unknown }).toJSON(key), key, depth + 1, at, true);
    }
    // A boxed primitive (`new String("x")`) is written as its primitive, as JSON.stringify does.
    if (unbox !== undefined && !isArray(obj)) {
      const inner = unbox(obj);
      if (inner !== undefined) return walk(inner, key, depth + 1, at);
    }
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] === obj) throw new TypeError(`value at ${where(at)} is circular`);
    }
    seen[seen.length] = obj;
    let out: string;
    if (isArray(obj)) {
      out = '[';
      for (let i = 0; i < obj.length; i++) {
        trail[at] = i;
        const item = walk(obj[i], '' + i, depth + 1, at + 1);
        out += (i > 0 ? ',' : '') + (item === undefined ? 'null' : item);
      }
      out += ']';
    } else {
      const keys = keysOf(obj);
      if (sorted && keys.length > 1) {
        if (sortKeys !== undefined) sortKeys(keys);
        else keys.sort();
      }
      out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        trail[at] = k;
        const item = walk(obj[k], k, depth + 1, at + 1);
        if (item === undefined) continue;
        out += (first ? '' : ',') + quote(k) + ':' + item;
        first = false;
      }
      out += '}';
    }
    seen.length = seen.length - 1;
    return out;
  }
  const result = walk(value, '', 0, 0);
  return result === undefined ? 'null' : result;
}

/**
 * A 53-bit fingerprint (cyrb53) of a string, as a number. The guest computes it to check
 * replayed calls without a host round trip, and compares numbers: formatting it as hex cost
 * the replay of each step more than hashing the call did.
 */
export function fingerprint53(text: string, codeAt?: (text: string, i: number) => number): number {
  // Read once per call: a global lookup per character made this the costliest part of replaying
  // a step in a fresh context (interpreted code).
  const imul = Math.imul;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = codeAt !== undefined ? codeAt(text, i) : text.charCodeAt(i);
    h1 = imul(h1 ^ ch, 2654435761);
    h2 = imul(h2 ^ ch, 1597334677);
  }
  h1 = imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** `fingerprint53` as the 14 hex digits the journal stores (host side only). */
export function fingerprint(text: string): string {
  // Digit by digit from the two 32-bit halves: V8 formats a double that is not a small integer
  // in another radix on a slow path, which cost a step more than hashing its arguments.
  const n = fingerprint53(text);
  const high = Math.floor(n / 4294967296);
  const low = n >>> 0;
  let out = '';
  for (let shift = 20; shift >= 0; shift -= 4) out += hexDigits[(high >>> shift) & 15];
  for (let shift = 28; shift >= 0; shift -= 4) out += hexDigits[(low >>> shift) & 15];
  return out;
}

const hexDigits = '0123456789abcdef';

/**
 * Milliseconds of a duration: a non-negative number of ms, or a string of one or more
 * `<number><unit>` parts with units ms, s, m, h, d, w (`"30s"`, `"1h30m"`, `"7d"`).
 * Throws a RangeError that quotes the bad input.
 */
export function durationMs(value: unknown): number {
  if (typeof value === 'number') {
    if (value >= 0 && value <= 8.64e15) return Math.ceil(value);
    throw new RangeError(`duration ${String(value)} must be a number of milliseconds between 0 and 8.64e15`);
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    throw new RangeError(`duration ${JSON.stringify(value) ?? String(value)} must be milliseconds or a string such as "30s", "5m", "2h", "7d"`);
  }
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000 };
  const part = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/y;
  let pos = 0;
  let total = 0;
  const text = value.trim();
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (m === null) {
      throw new RangeError(`duration ${JSON.stringify(value)} must be milliseconds or a string such as "30s", "5m", "2h", "7d"`);
    }
    total += Number(m[1]) * units[m[2]];
    pos = part.lastIndex;
    while (text[pos] === ' ') pos++;
  }
  if (!(total <= 8.64e15)) throw new RangeError(`duration ${JSON.stringify(value)} is too long`);
  return Math.ceil(total);
}
