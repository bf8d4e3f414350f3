/**
 * The hostile corpus: every `corpus/*.js` is a hand-written workflow module that attacks the
 * engine through the bundle ABI (DESIGN §10). Its header comment names the attack class, the
 * technique and the outcome it must end in:
 *
 *   @class    one of `attackClasses` below
 *   @attack   what the bundle tries
 *   @expect   the run's state after it was worked until idle: an outcome or a list of
 *             acceptable outcomes `{ status, code?, limit?, reason?, output? }`
 *   @then     (repeatable) a later phase `{ advance?, event?, expect }`
 *   @actions  catalog actions its manifest declares (comma-separated)
 *   @limits   engine limits for this case (JSON); @input the run's input; @timeout ms
 *   @requires `stdlib` when the bundle declares stdlib actions (kv.*)
 *   @build    the source of a function `({ script, manifest, sourceMap, input }) => same, changed`:
 *             the case's own test code (run host-side), for attacks through the manifest or the
 *             source map, or inputs too big for the header
 *   @maxBlockMs  the longest the host's event loop may be blocked at once while the case runs
 *   @subscribe   subscribe the hostile workflow to its event triggers (in its own tenant)
 *   @tenants  `registered`: the standard actions serve registered tenants only, as in the CLI
 *   @permissions  more permissions for the hostile run (comma-separated)
 *   @victimListener  the victim tenant has a workflow of its own subscribed to its events
 *
 * Each case runs in a process of its own (corpus-runner.mjs, on the built engine): a bundle
 * that hangs or crashes the host must fail its case, not hang or kill this test file. There it
 * runs on its own engine and store, next to well-behaved "canary" runs sharing its isolate,
 * after a victim tenant stored a secret. Beyond the bundle's own expectation, every case checks
 * what must hold whatever a bundle does: the host neither hangs, crashes, stalls nor throws
 * unhandled errors; the canaries finish correctly; no journaled step executes twice and every
 * idempotency key is the engine's; undeclared actions never run; the victim's data and the
 * run's own context never reach the guest's output or log; host prototypes stay clean; the
 * journal and log read back; every action the run used is finalized; a refused bundle gets a
 * typed error and stores nothing; nothing stored before it is lost; the run's stored error stays
 * within the bridge limit; and every line the CLI prints of the run is safe on a terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Limits } from '../../runtime/index.js';
import { assertFreshBuild, root } from '../support/build.js';
const attackClasses = [
  'errors', 'prototypes', 'promises', 'getters', 'forge', 'undeclared', 'tenant', 'memory', 'cpu',
  'log', 'scheduler', 'suspend', 'replay', 'modules', 'output', 'bridge', 'manifest', 'schema',
  'sourcemap', 'terminal', 'codegen',
] as const;

interface Outcome {
  status: string;
  code?: string;
  limit?: string;
  reason?: string;
  output?: unknown;
}

interface Phase {
  advance?: string;
  event?: { type: string; data?: unknown };
  expect: Outcome[];
}

interface Case {
  file: string;
  name: string;
  script: string;
  klass: string;
  attack: string;
  expect: Outcome[];
  then: Phase[];
  actions: string[];
  limits: Partial<Limits>;
  input: unknown;
  timeout: number;
  requires: string[];
  build?: string;
  maxBlockMs?: number;
  subscribe: boolean;
  tenants?: string;
  permissions: string[];
  victimListener: boolean;
}

const corpusDir = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

function asList<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

/** Reads the `@tag value` lines of the leading block comment (values may wrap onto later lines). */
function parseCase(file: string): Case {
  const script = readFileSync(join(corpusDir, file), 'utf8');
  const block = /^\s*\/\*\*([\s\S]*?)\*\//.exec(script);
  if (block === null) throw new Error(`${file}: no header comment`);
  const tags: Array<[string, string]> = [];
  for (const raw of block[1].split('\n')) {
    const line = raw.replace(/^\s*\*\s?/, '');
    const tag = /^@(\w+)\s*(.*)$/.exec(line);
    if (tag !== null) tags.push([tag[1], tag[2]]);
    else if (tags.length > 0 && line.trim() !== '') tags[tags.length - 1][1] += ` ${line.trim()}`;
  }
  const one = (name: string) => tags.find(([t]) => t === name)?.[1];
  const json = <T>(name: string, text: string | undefined, fallback: T): T => {
    if (text === undefined) return fallback;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${file}: @${name} is not JSON: ${(err as Error).message}`);
    }
  };
  const expectText = one('expect');
  if (expectText === undefined) throw new Error(`${file}: no @expect`);
  return {
    file,
    name: basename(file, '.js'),
    script,
    klass: one('class') ?? '',
    attack: one('attack') ?? '',
    expect: asList(json<Outcome | Outcome[]>('expect', expectText, [])),
    then: tags.filter(([t]) => t === 'then').map(([, v]) => {
      const p = json<{ advance?: string; event?: Phase['event']; expect: Outcome | Outcome[] }>('then', v, { expect: [] });
      return { advance: p.advance, event: p.event, expect: asList(p.expect) };
    }),
    actions: (one('actions') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    limits: json('limits', one('limits'), {}),
    input: json('input', one('input'), null),
    timeout: Number(one('timeout') ?? 15_000),
    requires: (one('requires') ?? '').split(',').map((r) => r.trim()).filter((r) => r !== ''),
    build: one('build'),
    maxBlockMs: one('maxBlockMs') === undefined ? undefined : Number(one('maxBlockMs')),
    subscribe: one('subscribe') !== undefined,
    tenants: one('tenants'),
    permissions: (one('permissions') ?? '').split(',').map((r) => r.trim()).filter((r) => r !== ''),
    victimListener: one('victimListener') !== undefined,
  };
}

const cases = readdirSync(corpusDir).filter((f) => f.endsWith('.js')).sort().map(parseCase);

const runner = join(root, 'test/hostile/corpus-runner.mjs');


interface RunView {
  status: string;
  error: { code?: string; limit?: string; reason?: string; [k: string]: unknown } | null;
  output: unknown;
}

interface Report {
  phases: RunView[];
  canaries: Array<RunView & { keys: string[] }>;
  end?: RunView;
  refused?: { code: string; message: string; at: 'deploy' | 'start' };
  violations: string[];
  longestBlockMs: number;
  stalls: string[];
  unhandled: string[];
}

interface Exit {
  report: Report | null;
  code: number | null;
  signal: string | null;
  hung: boolean;
  stderr: string;
}

/** Runs one case in its own process; kills it if it outlives `deadline` (a hung host). */
function runCase(c: Case, deadline: number): Promise<Exit> {
  const dir = mkdtempSync(join(tmpdir(), `alice-corpus-${c.name}-`));
  const spec = {
    name: c.name,
    dir,
    scriptPath: join(corpusDir, c.file),
    actions: c.actions,
    limits: c.limits,
    input: c.input,
    phases: c.then.map((p) => ({ advance: p.advance, event: p.event })),
    settleMs: c.timeout > 30_000 ? c.timeout - 20_000 : 5_000,
    build: c.build,
    subscribe: c.subscribe,
    tenants: c.tenants,
    permissions: c.permissions,
    victimListener: c.victimListener,
  };
  return new Promise((done) => {
    // A zone and a locale far from UTC and en-US: what a bundle reads of them must not be the
    // host's (the sandbox pins both), and the host must work in them too.
    const env = { ...process.env, TZ: 'America/St_Johns', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
    const proc = spawn(process.execPath, ['--no-node-snapshot', runner, JSON.stringify(spec)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hung = false;
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      proc.kill('SIGKILL');
    }, deadline);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const line = stdout.split('\n').find((l) => l.startsWith('CORPUS-REPORT '));
      let report: Report | null = null;
      try {
        report = line === undefined ? null : (JSON.parse(line.slice('CORPUS-REPORT '.length)) as Report);
      } catch (err) {
        stderr += `\nthe report does not parse: ${(err as Error).message}`;
      }
      done({ report, code, signal, hung, stderr: stderr.slice(-4000) });
    });
  });
}

function matches(run: RunView, o: Outcome): boolean {
  if (run.status !== o.status) return false;
  if (o.code !== undefined && run.error?.code !== o.code) return false;
  if (o.limit !== undefined && run.error?.limit !== o.limit) return false;
  if (o.reason !== undefined && run.error?.reason !== o.reason) return false;
  if ('output' in o && !isDeepStrictEqual(run.output, o.output)) return false;
  return true;
}

function describeRun(run: RunView): string {
  return JSON.stringify({ status: run.status, error: run.error, output: run.output }).slice(0, 2000);
}

describe('the hostile corpus is well-formed', () => {
  it('gives every bundle a known attack class, a description and an expected outcome', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(attackClasses as readonly string[], `${c.file} @class`).toContain(c.klass);
      expect(c.attack.length, `${c.file} @attack`).toBeGreaterThan(10);
      expect(c.expect.length, `${c.file} @expect`).toBeGreaterThan(0);
      for (const o of [...c.expect, ...c.then.flatMap((p) => p.expect)]) {
        if ((o as { refused?: string }).refused !== undefined) continue; // refused at deploy
        expect(['completed', 'failed', 'suspended', 'cancelled'], `${c.file} status`).toContain(o.status);
      }
    }
  });

  it('covers every attack class', () => {
    const covered = new Set(cases.map((c) => c.klass));
    expect(attackClasses.filter((k) => !covered.has(k))).toEqual([]);
  });
});

/**
 * Cases run two at a time: each is a process of its own, and more at once would only make
 * them compete for the two cores (and for the CPU-time limits the cases test).
 */
let freeSlots = 2;
const waitingForSlot: Array<() => void> = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (freeSlots > 0) freeSlots--;
  else await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  try {
    return await fn();
  } finally {
    const next = waitingForSlot.shift();
    if (next !== undefined) next();
    else freeSlots++;
  }
}

describe('hostile bundles', () => {
  beforeAll(() => assertFreshBuild('the hostile corpus'));

  const table: Array<[string, Case]> = cases.map((c) => [`${c.klass}/${c.name}`, c]);
  const timeout = cases.reduce((sum, c) => sum + c.timeout, 0);
  it.concurrent.for(table)('%s: ends cleanly and harms nothing else', { timeout }, async ([, c], { expect }) => {
    if (c.requires.includes('stdlib') && !existsSync(join(root, 'dist/stdlib/index.js'))) {
      // The stdlib is written in parallel; until it exists there is nothing for this case to attack.
      expect(existsSync(join(root, 'stdlib/index.ts')), 'stdlib/ exists but is not built: run `npm run build`').toBe(false);
      return;
    }
    const exit = await withSlot(() => runCase(c, c.timeout));
    expect(exit.hung, 'the host hung: its event loop stayed blocked until the process was killed').toBe(false);
    expect(exit.report, `the host process died (exit ${exit.code}, signal ${exit.signal}): ${exit.stderr}`).not.toBeNull();
    const report = exit.report as Report;
    expect(report.unhandled, 'unhandled errors in the host').toEqual([]);
    expect(report.stalls, 'the engine stalled (kept working, never idle) in').toEqual([]);
    if (report.refused !== undefined) {
      // Refused at deploy, with a clear error, before anything ran: only where the case allows it.
      const refused = report.refused;
      expect(c.expect.some((o) => (o as { refused?: string }).refused === refused.code), `the bundle was refused at ${refused.at} (${refused.code}: ${refused.message}); expected ${JSON.stringify(c.expect)}`).toBe(true);
    } else {
      const [first, ...later] = report.phases;
      expect(first, 'the hostile run').toBeDefined();
      expect(c.expect.some((o) => matches(first, o)), `outcome ${describeRun(first)} is none of ${JSON.stringify(c.expect)}`).toBe(true);
      for (const [i, phase] of c.then.entries()) {
        const now = later[i];
        expect(phase.expect.some((o) => matches(now, o)), `phase ${i + 2}: outcome ${describeRun(now)} is none of ${JSON.stringify(phase.expect)}`).toBe(true);
      }
    }
    for (const [i, canary] of report.canaries.entries()) {
      expect(describeRun(canary), `canary ${i + 1}`).toBe(describeRun({ status: 'completed', error: null, output: { n: i + 1, sum: 3 } }));
      expect(canary.keys, `canary ${i + 1} executions`).toEqual([':1', ':3']);
    }
    expect(report.violations).toEqual([]);
    if (c.maxBlockMs !== undefined) {
      expect(report.longestBlockMs, "the longest time the host's event loop was blocked (ms)").toBeLessThanOrEqual(c.maxBlockMs);
    }
  });
});
