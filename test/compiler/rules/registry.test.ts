import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rules } from '../../../compiler/rules/index.js';
import { ruleName } from '../../../compiler/rules/rule.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rulesDir = join(root, 'compiler', 'rules');
const docsDir = join(root, 'docs', 'rules');
const testsDir = join(root, 'test', 'compiler', 'rules');

/** Every rule file: the folder minus the API (rule.ts) and the list (index.ts). */
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.ts') && f !== 'rule.ts' && f !== 'index.ts')
  .map((f) => basename(f, '.ts'))
  .sort();

/**
 * The text of one list (`valid: [ … ]` or `invalid: [ … ]`) of a ruleCases table, found by
 * bracket matching from its key, so that a table with an empty list is caught.
 */
function listOf(source: string, key: 'valid' | 'invalid'): string | null {
  const start = new RegExp(`\\b${key}:\\s*\\[`).exec(source);
  if (start === null) return null;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < source.length; i++) {
    if (source[i] === '[') depth++;
    else if (source[i] === ']' && --depth === 0) return source.slice(start.index + start[0].length, i);
  }
  return null;
}

describe('the rule registry', () => {
  it('lists every rule file of compiler/rules in index.ts', () => {
    expect(rules.map((r) => r.id).sort()).toEqual(ruleFiles);
  });

  it('gives every rule a unique id', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the rules in id order', () => {
    const ids = rules.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('has an index of all rules in docs/rules/README.md', () => {
    const index = readFileSync(join(docsDir, 'README.md'), 'utf8');
    for (const rule of rules) expect(index, rule.id).toContain(`[${ruleName(rule)}](${rule.id}.md)`);
  });

  for (const rule of rules) {
    describe(ruleName(rule), () => {
      it('is defined in the file named by its id', () => {
        expect(ruleFiles).toContain(rule.id);
        const source = readFileSync(join(rulesDir, `${rule.id}.ts`), 'utf8');
        expect(source).toContain(`id: '${rule.id}'`);
      });

      it('has a description that says why', () => {
        expect(rule.description.length).toBeGreaterThan(40);
      });

      it(`has a doc page docs/rules/${rule.id}.md titled ${ruleName(rule)}`, () => {
        const page = join(docsDir, `${rule.id}.md`);
        expect(existsSync(page), page).toBe(true);
        const text = readFileSync(page, 'utf8');
        expect(text.split('\n')[0]).toBe(`# ${ruleName(rule)}`);
        for (const section of ['## Why', '## What it reports', '## Incorrect', '## Correct', '## How to fix', '## Limits']) {
          expect(text, `${rule.id}.md needs a "${section}" section`).toContain(section);
        }
      });

      it(`has a case table with valid and invalid cases in test/compiler/rules/${rule.id}.test.ts`, () => {
        const file = join(testsDir, `${rule.id}.test.ts`);
        expect(existsSync(file), file).toBe(true);
        const source = readFileSync(file, 'utf8');
        expect(source).toContain('ruleCases(');
        expect(source).toContain(`compiler/rules/${rule.id}.js'`);
        const valid = listOf(source, 'valid');
        const invalid = listOf(source, 'invalid');
        expect(valid, 'a valid: [ … ] list').not.toBeNull();
        expect(invalid, 'an invalid: [ … ] list').not.toBeNull();
        expect(valid!.trim().length, 'at least one valid case').toBeGreaterThan(0);
        // Every invalid case pins where the diagnostic is.
        expect(invalid!, 'at least one invalid case with line and column').toMatch(/line:\s*\d+,\s*column:\s*\d+/);
      });
    });
  }
});
