import type { ArgumentOrigin } from '../../runtime/bundle.js';

/** A value written in the source. */
export type Literal = string | number | boolean | null;

/**
 * Finishes an argument's origin the same way for both front ends: the host of a literal or
 * prefix that is an http(s) URL, and, unless the whole value is a literal or one of `literals`,
 * what flows into it (`collect` adds `input`, `action:<name>` or `computed`; nothing found
 * means `computed`).
 */
export function completeOrigin<T extends ArgumentOrigin>(o: T, collect: (into: Set<string>) => void): T {
  const host = typeof o.literal === 'string' ? hostOf(o.literal, true) : o.prefix !== undefined ? hostOf(o.prefix, false) : undefined;
  if (host !== undefined) o.host = host;
  if (o.literal === undefined) {
    const acc = new Set<string>();
    collect(acc);
    if (acc.size > 0) o.from = [...acc].sort();
    else if (o.literals === undefined || o.literals.length === 0) o.from = ['computed'];
  }
  return o;
}

/**
 * The host of an http(s) URL. A prefix names its host only once something ends it (`/`, `?`,
 * `#` or a port): `"https://api.partner.example" + input.path` may go on `.evil.example/…`.
 */
function hostOf(text: string, whole: boolean): string | undefined {
  const m = /^https?:\/\/([^/?#:]+)([/?#:])?/i.exec(text);
  if (m === null || (!whole && m[2] === undefined)) return undefined;
  return m[1].toLowerCase();
}
