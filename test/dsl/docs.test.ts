import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dslDiagramsHtml } from '../../compiler/dsl/diagrams.js';
import { dslRules } from '../../compiler/dsl/index.js';
import { stdlib } from '../../compiler/dsl/stdlib.js';

const docs = join(import.meta.dirname, '..', '..', 'docs');

describe('the DSL documentation', () => {
  it('keeps the checked-in railroad diagram page equal to what the parser generates (npm run docs:dsl)', () => {
    expect(readFileSync(join(docs, 'dsl-diagrams.html'), 'utf8')).toBe(dslDiagramsHtml());
  });

  it('documents every diagnostic rule and every standard function in docs/dsl.md', () => {
    const text = readFileSync(join(docs, 'dsl.md'), 'utf8');
    for (const rule of Object.keys(dslRules)) expect(text, rule).toContain(`\`${rule}\``);
    for (const name of Object.keys(stdlib)) expect(text, name).toContain(`\`${name}(`);
  });
});
