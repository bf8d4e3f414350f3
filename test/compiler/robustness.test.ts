import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../compiler/check.js';
import { compileSource } from '../../compiler/compile.js';
import { readSource } from '../../compiler/sources.js';
import { defineRule } from '../../compiler/rules/rule.js';
import ts from 'typescript';
import { root } from '../support/build.js';
import { testCatalog } from './rule-cases.js';
import { seededRandom } from '../support/seeded.js';

/** The workflows mutated below: the examples and the impure fixtures. */
function seeds(): Array<{ name: string; text: string }> {
  const examples = ['order-flow', 'reminder', 'fan-out'].map((n) => ({ name: n, text: readFileSync(join(root, 'examples', n, 'workflow.ts'), 'utf8') }));
  const fixtures = readdirSync(join(root, 'test/fixtures/impure')).map((f) => ({ name: f, text: readFileSync(join(root, 'test/fixtures/impure', f), 'utf8') }));
  return [...examples, ...fixtures];
}


function tokens(text: string): Array<{ start: number; end: number }> {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, text);
  const out: Array<{ start: number; end: number }> = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.WhitespaceTrivia || k === ts.SyntaxKind.NewLineTrivia) continue;
    out.push({ start: scanner.getTokenStart(), end: scanner.getTokenEnd() });
  }
  return out;
}

/** Deletes, duplicates or swaps a few tokens. */
function mutate(text: string, random: () => number): string {
  let out = text;
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const toks = tokens(out);
    if (toks.length < 2) break;
    const a = toks[Math.floor(random() * toks.length)];
    const b = toks[Math.floor(random() * toks.length)];
    const op = Math.floor(random() * 3);
    if (op === 0) out = out.slice(0, a.start) + out.slice(a.end);
    else if (op === 1) out = out.slice(0, a.end) + ' ' + out.slice(a.start, a.end) + out.slice(a.end);
    else if (a.start !== b.start) {
      const [x, y] = a.start < b.start ? [a, b] : [b, a];
      if (x.end <= y.start) out = out.slice(0, x.start) + out.slice(y.start, y.end) + out.slice(x.end, y.start) + out.slice(x.start, x.end) + out.slice(y.end);
    }
  }
  return out;
}

describe('the checker on broken and mutated workflows', () => {
  it('never throws on 600 token-level mutants of the examples and fixtures: only diagnostics, all well placed', () => {
    const random = seededRandom(20261127);
    const mutants = seeds().flatMap((seed) => Array.from({ length: 40 }, (_, i) => ({ path: `/mutants/${seed.name}-${i}.ts`, text: mutate(seed.text, random) })));
    expect(mutants.length).toBeGreaterThanOrEqual(600);
    const { diagnostics } = checkSources(mutants.map((m) => ({ ok: true as const, ...m })), { catalog: testCatalog });
    expect(diagnostics.filter((d) => d.rule === 'alice/internal-error').map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
    const lines = new Map(mutants.map((m) => [m.path, m.text.split('\n').length]));
    for (const d of diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
      expect(d.line).toBeLessThanOrEqual(lines.get(d.file)! + 1);
      expect(d.endLine * 1e6 + d.endColumn).toBeGreaterThanOrEqual(d.line * 1e6 + d.column);
    }
  });

  it('compiles the mutants that pass the checker, and refuses the rest without throwing', () => {
    const random = seededRandom(7);
    for (const seed of seeds().slice(0, 3)) {
      for (let i = 0; i < 8; i++) {
        const result = compileSource({ ok: true, path: `/mutants/${seed.name}-c${i}.ts`, text: mutate(seed.text, random) }, { catalog: testCatalog });
        // A bundle only ever comes with no error; a refusal always says why.
        if (result.bundle !== null) expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        else expect(result.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
      }
    }
  });

  it('turns a rule that throws into an internal-error diagnostic at the node, and still runs the others', () => {
    const broken = defineRule({
      id: 'always-throws',
      description: 'A rule with a bug, to show that a failing rule does not take the checker down.',
      create: () => ({ CallExpression: () => { throw new Error('boom'); } }),
    });
    const quiet = defineRule({ id: 'counts-calls', description: 'Reports every call, to show the other rules still run after one fails.', create: (ctx) => ({ CallExpression: (n) => ctx.report(n, 'a call') }) });
    const text = 'import { log } from "alice";\nexport default async function () {\n  log("a");\n  log("b");\n}\n';
    const { diagnostics } = checkSources([{ ok: true, path: '/x/w.ts', text }], { catalog: testCatalog, rules: [broken, quiet] });
    const internal = diagnostics.filter((d) => d.rule === 'alice/internal-error');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({ line: 3, severity: 'error' });
    expect(internal[0].message).toMatch(/rule alice\/always-throws failed on this code \(boom\)/);
    expect(diagnostics.filter((d) => d.rule === 'alice/counts-calls')).toHaveLength(2);
  });
});

describe('what check and compile agree on (review round 4)', () => {
  const check = (files: Record<string, string>) => checkSources(Object.entries(files).map(([path, text]) => ({ ok: true as const, path, text })), { catalog: testCatalog }).diagnostics;

  it('refuses a file nested too deep for the stack with alice/too-deep, and still checks the others', () => {
    const ok = 'export default async function main(input: { n: number }) { return input.n; }\n';
    const deep = `export default async function main(input: { n: number }) {\n  return ${'('.repeat(5000)}input.n${')'.repeat(5000)};\n}\n`;
    const long = `export default async function main(input: { n: number }) {\n  return ${Array(10000).fill('"a"').join(' + ')};\n}\n`;
    const bad = 'export default async function main(input: { n: number }) { return input.m; }\n';
    const diagnostics = check({ 'ok.ts': ok, 'deep.ts': deep, 'long.ts': long, 'bad.ts': bad });
    expect(diagnostics.filter((d) => d.file === 'ok.ts')).toEqual([]);
    expect(diagnostics.filter((d) => d.file === 'bad.ts').map((d) => d.rule)).toEqual(['ts2339']);
    for (const file of ['deep.ts', 'long.ts']) {
      const mine = diagnostics.filter((d) => d.file === file);
      expect(mine.map((d) => [d.rule, d.line, d.severity])).toEqual([['alice/too-deep', 1, 'error']]);
      expect(mine[0].message).toMatch(/nested too deeply/);
    }
    expect(compileSource({ ok: true, path: 'deep.ts', text: deep }, { catalog: testCatalog }).diagnostics.map((d) => d.rule)).toEqual(['alice/too-deep']);
  });

  it('reports an input type that is not JSON in check, as compile does', () => {
    const text = 'export default async function main(input: { when: Date; tags: Map<string, string> }) { return 1; }\n';
    const checked = check({ 'input.ts': text });
    const compiled = compileSource({ ok: true, path: 'input.ts', text }, { catalog: testCatalog }).diagnostics;
    expect(checked.map((d) => [d.rule, d.line, d.column])).toEqual([['alice/workflow-input', 1, 45], ['alice/workflow-input', 1, 57]]);
    expect(compiled).toEqual(checked);
  });

  it.skipIf(process.platform === 'win32')('reads no named pipe (it would block): a diagnostic instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alice-fifo-'));
    try {
      const fifo = join(dir, 'flow.ts');
      execFileSync('mkfifo', [fifo]);
      const r = readSource(fifo);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.diagnostic).toMatchObject({ rule: 'alice/unreadable-file', message: expect.stringMatching(/not a regular file/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a type-only namespace import of "alice" and a this: void annotation, and places a reference directive', () => {
    expect(check({ 'types.ts': 'import type * as A from "alice";\nexport default async function main(this: void, input: { n: number }): Promise<A.Json> { return input.n; }\n' })).toEqual([]);
    const ref = check({ 'ref.ts': '/// <reference lib="dom" />\n\n\nexport default async function main(input: { n: number }) { return input.n; }\n' });
    expect(ref.filter((d) => d.rule === 'alice/no-foreign-imports').map((d) => [d.line, d.column])).toEqual([[1, 21]]);
  });
});
