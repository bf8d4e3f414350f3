import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../runtime/cli/commands/index.js';
import { cli, ensureBuilt } from './support/cli.js';

// The launcher (package.json's bin) starts check, compile and types with Node's startup
// snapshot and everything else with --no-node-snapshot, which isolated-vm needs.
const root = join(import.meta.dirname, '..');
const launcher = join(root, 'runtime', 'cli', 'alice');
const example = join(root, 'examples', 'order-flow', 'workflow.ts');
const dslExample = join(root, 'examples', 'order-flow', 'workflow.alice');

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'alice-launcher-'));
  // Reports every native addon the process loads, and whether Node runs with its snapshot.
  writeFileSync(join(dir, 'probe.cjs'), [
    'const dlopen = process.dlopen;',
    "process.dlopen = function (m, file, ...rest) { process.stderr.write('PROBE addon ' + file + '\\n'); return dlopen.call(this, m, file, ...rest); };",
    "process.stderr.write('PROBE no-node-snapshot ' + process.execArgv.includes('--no-node-snapshot') + '\\n');",
  ].join('\n'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(file, args, { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ALICE_DEBUG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The commands the launcher starts without --no-node-snapshot, read from its `case $1 in`. */
function launcherSnapshotCommands(): string[] {
  const match = /case \$1 in\n\s*([a-z| ]+)\)/.exec(readFileSync(launcher, 'utf8'));
  if (match === null) throw new Error('runtime/cli/alice has no `case $1 in` line naming the snapshot commands');
  return match[1].split('|').map((s) => s.trim()).sort();
}

describe('the alice launcher', () => {
  it('names exactly the commands that declare nodeSnapshot', () => {
    expect(launcherSnapshotCommands()).toEqual(commands.filter((c) => c.nodeSnapshot === true).map((c) => c.name).sort());
    expect(launcherSnapshotCommands()).toEqual(['check', 'compile', 'types']);
  });

  // NODE_OPTIONS=--require: the probe runs in the process the launcher execs.
  const probe = () => ({ NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}` });

  it('starts check, compile and types with the snapshot, and they load no native addon', () => {
    const cases: Array<[string, string[]]> = [
      ['check', [example, dslExample]],
      ['compile', [example, '-o', join(dir, 'bundle')]],
      ['types', ['-o', join(dir, 'alice.d.ts')]],
    ];
    for (const [name, args] of cases) {
      const r = run(launcher, [name, ...args], probe());
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, name).toContain('PROBE no-node-snapshot false');
      expect(r.stderr, name).not.toContain('PROBE addon');
    }
  });

  it('starts every other command with --no-node-snapshot, and a snapshot command too when --actions loads user code', () => {
    const runs = run(launcher, ['runs', '--store', join(dir, 'a.db')], probe());
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stderr).toContain('PROBE no-node-snapshot true');
    const actions = join(dir, 'actions.mjs');
    writeFileSync(actions, 'export const actions = [];\n');
    const checked = run(launcher, ['check', example, '--actions', actions], probe());
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stderr).toContain('PROBE no-node-snapshot true');
  });

  it('runs a workflow end to end (isolated-vm loaded) and passes on its exit code', () => {
    const ok = run(launcher, ['run', example, '--store', join(dir, 'b.db'), '--input', JSON.stringify({ orderId: 'L-1', email: 'ann@example.com', items: [{ sku: 'book', qty: 1 }] })], probe());
    expect(ok.code, ok.stderr).toBe(0);
    // The probe sees the addons a command loads: this one loads isolated-vm.
    expect(ok.stderr).toMatch(/PROBE addon .*isolated_vm\.node/);
    expect(JSON.parse(ok.stdout)).toMatchObject({ orderId: 'L-1', status: 'confirmed' });
    const usage = run(launcher, ['check']);
    expect(usage.code).toBe(2);
  });

  it('finds main.js through a chain of symlinks, as npm links node_modules/.bin/alice', () => {
    const bin = join(dir, 'bin');
    symlinkSync(launcher, join(dir, 'alice-real'));
    symlinkSync('alice-real', bin); // relative, like npm's ../alice/runtime/cli/alice
    const r = run(bin, ['check', example]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 file checked, no problems/);
  });

  it('refuses a command that loads isolated-vm when Node runs with its snapshot', () => {
    const r = run(process.execPath, [cli, 'runs', '--store', join(dir, 'c.db')], { NODE_OPTIONS: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^alice: alice runs loads the engine and its isolated-vm sandbox, which need Node started with --no-node-snapshot/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const viaOptions = run(process.execPath, [cli, 'runs', '--store', join(dir, 'c.db')], { NODE_OPTIONS: '--no-node-snapshot' });
    expect(viaOptions.code, viaOptions.stderr).toBe(0);
  });
});
