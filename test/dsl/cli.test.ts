import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/build.js';
import { cliWorkspace } from '../support/cli.js';

const ws = cliWorkspace('alice-dsl-cli-');
const { alice, write } = ws;






describe('alice check on .alice files', () => {
  it('checks a directory of .alice files with the same formats as TypeScript, at exact positions', () => {
    write('flows/good.alice', 'input { to: string }\nreturn email.send(to: input.to, subject: "hi", text: "b")\n');
    const bad = write('flows/bad.alice', 'let a = 1\nlet a = kv.gett(key: "x")\nreturn a\nlog "never"\n');
    const r = alice('check', join(ws.dir, 'flows'), '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { files: number; diagnostics: Array<{ file: string; line: number; column: number; rule: string }> };
    expect(report.files).toBe(2);
    expect(report.diagnostics.map((d) => [d.file, d.line, d.column, d.rule])).toEqual([
      [bad, 2, 5, 'dsl/duplicate'],
      [bad, 2, 9, 'dsl/unknown-action'],
      [bad, 4, 1, 'dsl/unreachable'],
    ]);
    const text = alice('check', bad);
    expect(text.stdout).toContain(`${bad}:2:9  dsl/unknown-action  no action kv.gett in the catalog`);
    expect(text.stdout).toContain('hint: did you mean kv.get?');
  });

  it('reports syntax errors of a .alice file in SARIF with the DSL rule described', () => {
    const file = write('syntax.alice', 'let = 1\nreturn (\n');
    const r = alice('check', file, '--format', 'sarif');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string }>; tool: { driver: { rules: Array<{ id: string }> } } }> };
    expect(sarif.runs[0].results.map((x) => x.ruleId)).toEqual(['dsl/syntax', 'dsl/syntax']);
    expect(sarif.runs[0].tool.driver.rules.map((x) => x.id)).toContain('dsl/syntax');
  });
});

describe('alice compile and alice run on .alice files', () => {
  it('compiles a .alice file to a bundle whose map names the .alice source', () => {
    const out = join(ws.dir, 'build');
    const r = alice('compile', join(root, 'examples', 'order-flow', 'workflow.alice'), '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { name: string; language: string; actions: string[]; compilerVersion: string };
    expect(manifest).toMatchObject({ name: 'order-flow', language: 'dsl', actions: ['email.send', 'inventory.release', 'inventory.reserve', 'payments.charge'] });
    expect(manifest.compilerVersion).toMatch(/^alice-dsl\//);
    expect(JSON.parse(readFileSync(join(out, 'workflow.js.map'), 'utf8'))).toMatchObject({ version: 3, sources: ['workflow.alice'] });
    expect(r.stderr).toMatch(/compiled .*workflow\.alice → /);
  });

  it('refuses to compile a .alice file with errors and writes nothing', () => {
    const file = write('broken.alice', 'return nope\n');
    const out = join(ws.dir, 'not-written');
    const r = alice('compile', file, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:1:8  dsl/unknown-name  nope is not declared`);
    expect(existsSync(out)).toBe(false);
  });

  it('runs a .alice file and points a runtime error at the .alice line', () => {
    const file = write('boom.alice', 'input { items: [any] }\nlog "start"\nfor item in input.items {\n  log "item", item.name\n}\nreturn "done"\n');
    const ok = alice('run', file, '--input', '{"items":[{"name":"a"}]}');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toBe('done');
    const failed = alice('run', file, '--input', '{"items":[null]}');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/cannot read field name of null at boom\.alice:4:20/);
  });

  it('runs a directory holding only workflow.alice, and still prefers workflow.ts when both are there', () => {
    write('dsl-only/workflow.alice', 'workflow "dsl-only"\nreturn "from the DSL"\n');
    const r = alice('run', join(ws.dir, 'dsl-only'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('from the DSL');
    const both = alice('run', join(root, 'examples', 'order-flow'), '--input', '{"orderId":"A-1","items":[{"sku":"book","qty":1}]}', '--json');
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout)).toMatchObject({ status: 'completed', output: { status: 'confirmed' } });
    const runs = alice('runs', '--json');
    expect(runs.stdout).toContain('order-flow');
  });
});
