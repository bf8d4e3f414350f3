import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonOfParsed, fingerprint, fingerprint53 } from '../runtime/sandbox/shared.js';
import { seededRandom } from './support/seeded.js';

/** A random JSON text: keys in any order, integer-like and non-ASCII keys, nesting, big and small numbers. */
function randomJson(random: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (depth > 3 || r < 0.3) {
    return pick(['null', 'true', 'false', '0', '-0', '1.5', '1e21', '-12', '"x"', '"é\\u00e9"', '"\\ud800"', String(Math.floor(random() * 1e6))]);
  }
  if (r < 0.5) return `[${Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1)).join(',')}]`;
  const keys = new Set<string>();
  const n = Math.floor(random() * 5);
  while (keys.size < n) keys.add(pick(['a', 'b', 'B', 'z', '10', '9', '0', 'é', 'aa', '__proto__', 'toJSON', '']));
  return `{${[...keys].map((k) => `${JSON.stringify(k)}:${randomJson(random, depth + 1)}`).join(',')}}`;
}

describe('canonical JSON of parsed arguments', () => {
  it('is the strict walk\'s text for any JSON, sorted keys or not', () => {
    const random = seededRandom(20261127);
    for (let i = 0; i < 5000; i++) {
      const text = randomJson(random);
      expect(canonicalJsonOfParsed(JSON.parse(text)), text).toBe(canonicalJson(JSON.parse(text)));
    }
  });

  it('still refuses a number JSON.parse made infinite', () => {
    expect(() => canonicalJsonOfParsed(JSON.parse('{"a":1e400}'))).toThrow(/Infinity/);
    expect(() => canonicalJsonOfParsed(JSON.parse('{"a":[1,-1e400]}'))).toThrow(/Infinity/);
  });

  it('sorts integer-like keys as strings, which JSON.stringify alone does not', () => {
    const parsed = JSON.parse('{"9":1,"10":2}') as unknown;
    expect(JSON.stringify(parsed)).toBe('{"9":1,"10":2}');
    expect(canonicalJsonOfParsed(parsed)).toBe('{"10":2,"9":1}');
  });
});

describe('fingerprint', () => {
  it('is fingerprint53 as 14 hex digits', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const text = randomJson(random);
      expect(fingerprint(text)).toBe(fingerprint53(text).toString(16).padStart(14, '0'));
    }
  });
});
