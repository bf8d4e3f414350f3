import { describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { catalogText } from '../../compiler/catalog-text.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleCatalog } from '../../runtime/cli/example-catalog.js';
import { buildStandardCatalog } from '../../stdlib/catalog.js';
import { standardActions } from '../../stdlib/index.js';
import { ensureBuilt } from '../support/cli.js';

describe('catalogText', () => {
  const catalog = catalogOf(standardActions({ store: ':memory:' }));
  const text = catalogText(catalog);

  it('describes every action once, under its namespace, with its permission and types', () => {
    for (const a of catalog) {
      expect(text.split('\n').filter((l) => l === `### ${a.name}`)).toHaveLength(1);
      const section = text.slice(text.indexOf(`### ${a.name}\n`)).split('\n### ')[0];
      expect(section).toContain(`- permission: ${a.permission ?? 'none'}`);
      expect(section).toMatch(/- arguments: \{/);
    }
    expect(text).toContain('## kb\n');
    expect(text.indexOf('### kb.add')).toBeLessThan(text.indexOf('### kb.search'));
  });

  it('writes argument types the way a workflow passes them, from the same schemas the host validates', () => {
    const section = text.slice(text.indexOf('### http.request\n')).split('\n### ')[0];
    expect(section).toMatch(/url: string;/);
    expect(section).toMatch(/method\?: "GET" \| "HEAD" \| "POST"/);
  });
});

describe('the prebuilt catalogs', () => {
  const dist = join(import.meta.dirname, '..', '..', 'dist');
  it('that `alice check` reads are the catalogs of the standard and example actions themselves', async () => {
    ensureBuilt();
    expect(JSON.parse(readFileSync(join(dist, 'stdlib', 'catalog.json'), 'utf8'))).toEqual(await buildStandardCatalog());
    expect(JSON.parse(readFileSync(join(dist, 'runtime', 'cli', 'example-catalog.json'), 'utf8'))).toEqual(await buildExampleCatalog());
  });
});
