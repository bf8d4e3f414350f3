import type { ArgumentOrigin } from '../../runtime/bundle.js';

/**
 * Finishes an argument's origin the same way for both front ends: the host of a literal or
 * prefix that is an http(s) URL, and, unless the whole value is a literal, what flows into it
 * (`collect` adds `input`, `action:<name>` or `computed`; nothing found means `computed`).
 */
export function completeOrigin(o: ArgumentOrigin, collect: (into: Set<string>) => void): ArgumentOrigin {
  const text = typeof o.literal === 'string' ? o.literal : o.prefix;
  const host = text !== undefined ? hostOf(text) : undefined;
  if (host !== undefined) o.host = host;
  if (o.literal === undefined) {
    const acc = new Set<string>();
    collect(acc);
    o.from = acc.size > 0 ? [...acc].sort() : ['computed'];
  }
  return o;
}

function hostOf(text: string): string | undefined {
  const m = /^https?:\/\/([^/?#:]+)/i.exec(text);
  return m === null ? undefined : m[1].toLowerCase();
}
