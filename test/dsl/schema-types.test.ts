import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../compiler/catalog.js';
import { compileDslSource } from '../../compiler/dsl/index.js';

// An action whose argument is a map keyed by pattern, as kb.add's metadata could be declared.
const catalog: CatalogEntry[] = [
  {
    name: 'tags.set',
    description: 'Sets tags.',
    permission: null,
    output: null,
    input: {
      type: 'object',
      properties: { tags: { type: 'object', patternProperties: { '^[a-z]+$': { type: ['string', 'number'] } }, additionalProperties: false } },
      required: ['tags'],
      additionalProperties: false,
    },
  },
];

const compile = (text: string) => compileDslSource({ ok: true, path: 'w.alice', text }, { catalog });

describe('DSL types from JSON Schemas', () => {
  it('accepts fields that an object schema names by patternProperties, with their value types', () => {
    expect(compile('tags.set(tags: { color: "red", size: 3 })\n').diagnostics).toEqual([]);
    const bad = compile('tags.set(tags: { color: true })\n').diagnostics;
    expect(bad).toHaveLength(1);
    expect(bad[0].rule).toBe('dsl/type');
  });
});
