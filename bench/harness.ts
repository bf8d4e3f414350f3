/**
 * Shared pieces of the benchmark: a real SQLite file in a fresh temp dir, an engine over it with
 * an instant host action, medians and percentiles, and the figure records each group returns.
 * Everything goes through the public API of `runtime/index.ts`, as an embedder would use it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAction, openEngine, type Durability, type Engine, type EngineOptions, type WorkflowVersion } from '../runtime/index.js';

/** One measured figure. `name` and `unit` are stable across versions; `value` is a median. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Target as written in issue 3, if any. */
  target?: { op: '<=' | '>='; value: number };
  /** How it was measured, for the table (stderr only). */
  how: string;
  /** Every repetition, so the table can show the spread. */
  samples: number[];
}

/** An extra number for the table only (never on stdout). */
export interface Note {
  label: string;
  text: string;
}

export interface GroupResult {
  figures: Figure[];
  notes: Note[];
}

/** Returns at once: the bench measures the engine, not the action. */
export const noop = defineAction({
  name: 'bench.noop',
  input: { type: 'object' },
  retry: { maxAttempts: 1 },
  // It answers at once, as a local read or write of Alice's store would: the engine may deliver
  // its outcome at the call (see ActionDefinition.inline).
  inline: true,
  run: (args: Record<string, unknown>) => args,
});

/** `input.n` sequential steps, then an optional sleep, then done. */
export const sequentialScript = `export default async (input, actions) => {
  let sum = 0;
  for (let i = 0; i < input.n; i++) sum += (await actions.bench.noop({ i })).i;
  if (input.sleep) await actions.sleep(input.sleep);
  return sum;
}`;

export const sequentialManifest = { name: 'bench-seq', kind: 'user' as const, actions: ['bench.noop'] };

/** A temp dir holding one store file; `dispose` removes it. */
export interface Scratch {
  dir: string;
  dbPath: string;
  dispose(): void;
}

export function scratch(label: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `alice-bench-${label}-`));
  return { dir, dbPath: join(dir, 'alice.db'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An engine on a fresh store file with the bench action catalog and the sequential workflow. */
export function benchEngine(s: Scratch, durability: Durability, extra: Partial<EngineOptions> = {}): { engine: Engine; wf: WorkflowVersion } {
  const engine = openEngine({ store: s.dbPath, actions: [noop], durability, retention: '30d', ...extra });
  const wf = engine.deploy({ script: sequentialScript, manifest: sequentialManifest });
  return { engine, wf };
}

/** CPU time of the whole process (main thread, isolate threads, SQLite), in ms. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export function nowMs(): number {
  return performance.now();
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, `p` in (0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Runs a full GC when node was started with --expose-gc; the RSS figure depends on it. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}

/** Rounds to a few significant digits, so the JSON lines stay readable. */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
