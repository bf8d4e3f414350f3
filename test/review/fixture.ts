/**
 * Fixture of the core-review tests: a real SQLite file in a fresh temp dir, real isolated-vm
 * (through the engine) and a ManualClock. Each test proves one suspected bug of the core.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, openEngine, type ActionDefinition, type Engine, type EngineOptions } from '../../runtime/index.js';
export { gate, until, type Gate } from '../support/waiting.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export interface Fixture {
  readonly dir: string;
  readonly path: string;
  readonly clock: ManualClock;
  open(actions: readonly ActionDefinition[], options?: Omit<EngineOptions, 'store' | 'clock' | 'actions'>): Engine;
  sql<T>(fn: (db: Database.Database) => T): T;
  /** Closes the engines (each bounded by `closeWithinMs`, so a hung engine cannot hang the suite) and removes the dir. */
  cleanup(): Promise<void>;
}

export function newFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'alice-review-'));
  const path = join(dir, 'alice.db');
  const clock = new ManualClock(T0);
  const engines: Engine[] = [];
  return {
    dir,
    path,
    clock,
    open(actions, options = {}) {
      const engine = openEngine({ isolates: 1, ...options, store: path, clock, actions });
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
    async cleanup() {
      for (const e of engines) await Promise.race([e.close(), delay(2000)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function bundle(name: string, actions: string[], script: string) {
  return { script, manifest: { name, kind: 'user' as const, actions } };
}

export function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

