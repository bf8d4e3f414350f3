import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { root } from './build.js';

// CLI tests run the BUILT cli, as a user does. `npm test` builds first (pretest); when a file
// runs on its own (npx vitest run test/cli.test.ts) and dist is missing or older than a
// source, it builds here once.
export const cli = join(root, 'dist', 'runtime', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && entry.name !== 'workflow.ts') newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ unless it is newer than every source the CLI loads. */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    built = 0;
  }
  const newest = Math.max(...['runtime', 'compiler', 'stdlib', 'examples'].map((d) => newestSource(join(root, d))));
  if (built >= newest) return;
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (tsc.status !== 0) throw new Error(`npm run build failed:\n${tsc.stdout}${tsc.stderr}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `alice ARGS` in `cwd` (so the default ./alice.db is there). */
export function runCli(cwd: string, args: readonly string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, ['--no-node-snapshot', cli, ...args], {
    cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ALICE_DEBUG: '' }, ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A temp directory for one CLI test file, built dist/ checked once: `alice(...)` runs there
 * (so ./alice.db is its own) and `write(name, text)` puts a file in it.
 */
export function cliWorkspace(prefix: string): { readonly dir: string; alice(...args: string[]): CliResult; write(name: string, text: string | Buffer): string } {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), prefix));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    alice: (...args) => runCli(dir, args),
    write(name, text) {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
  };
}
