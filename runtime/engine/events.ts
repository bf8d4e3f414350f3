import { canonicalJson } from '../sandbox/shared.js';

/**
 * Whether event data matches a wait's `match`: every field of `match` must equal (as JSON) the
 * same field of the data. `null` matches every event of the type.
 */
export function matchesEvent(data: unknown, match: Record<string, unknown> | null): boolean {
  if (match === null) return true;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return Object.keys(match).length === 0;
  const d = data as Record<string, unknown>;
  for (const key of Object.keys(match)) {
    if (!Object.hasOwn(d, key)) return false;
    if (canonicalJson(d[key]) !== canonicalJson(match[key])) return false;
  }
  return true;
}
