/**
 * Shared fixture of the semantics tests: a real SQLite file in a fresh temp dir, real
 * isolated-vm (through the engine), a ManualClock, and small tools for forcing re-runs.
 *
 * Re-runs are forced only by honest means: a run that suspends (sleep, pending, retry) is re-run
 * from the start when it resumes; an engine can be closed and a new one opened on the same file;
 * and, where a test needs a workflow that behaves differently on a re-run, it edits the store
 * between executions with its own SQLite connection (the sandbox itself is deterministic, so
 * the only way to make a re-run differ is to change what the engine reads back from disk).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, openEngine, type ActionDefinition, type Engine, type EngineOptions, type LogEntry } from '../../runtime/index.js';
export { gate, until, logOf, type Gate } from '../support/waiting.js';
import { logOf } from '../support/waiting.js';

/** 2026-01-01T00:00:00Z: a round start time makes expected wake times easy to read. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

export interface Fixture {
  readonly dir: string;
  /** The SQLite file every engine of this test opens. */
  readonly path: string;
  readonly clock: ManualClock;
  /** Opens an engine on the fixture's file (same clock). Closed by `cleanup`. */
  open(actions: readonly ActionDefinition[], options?: Omit<EngineOptions, 'store' | 'clock' | 'actions'>): Engine;
  /** Opens a separate SQLite connection on the store file, runs `fn`, closes it. */
  sql<T>(fn: (db: Database.Database) => T): T;
  /** Runs `fn` before the engines are closed (e.g. to open gates a failed test left shut). */
  onCleanup(fn: () => void): void;
  cleanup(): Promise<void>;
}

export function newFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'alice-semantics-'));
  const path = join(dir, 'alice.db');
  const clock = new ManualClock(T0);
  const engines: Engine[] = [];
  const hooks: Array<() => void> = [];
  return {
    dir,
    path,
    clock,
    open(actions, options = {}) {
      const engine = openEngine({ ...options, store: path, clock, actions });
      engines.push(engine);
      return engine;
    },
    sql(fn) {
      const db = new Database(path);
      try {
        return fn(db);
      } finally {
        db.close();
      }
    },
    onCleanup(fn) {
      hooks.push(fn);
    },
    async cleanup() {
      for (const fn of hooks) fn();
      for (const e of engines) await e.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A hand-written user bundle as a script author ships it (DESIGN §10): the engine adds the code hash. */
export interface RawBundle {
  script: string;
  manifest: { name: string; kind: 'user'; actions: string[]; codeHash?: string };
}

export function bundle(name: string, actions: string[], script: string): RawBundle {
  return { script, manifest: { name, kind: 'user', actions } };
}


/** How many times the run was claimed for an execution (each one re-runs the workflow from the start). */
export function executions(engine: Engine, runId: string): number {
  return logOf(engine, runId, 'state').filter((e) => e.data.to === 'running').length;
}

/**
 * Executions the engine holds in memory. The engine keeps them private; a suspended run must
 * leave none behind, and this narrow view is the only way to see the in-memory side.
 */
export function activeExecutions(engine: Engine): number {
  return (engine as unknown as { active: Map<string, unknown> }).active.size;
}
