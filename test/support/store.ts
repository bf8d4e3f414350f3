/**
 * The fixture every engine test starts from: a real SQLite file in a fresh temp dir, a
 * ManualClock, engines opened on that file (closed, each within a bound, at cleanup) and a
 * separate connection for looking at, or tampering with, the store as another process would.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, openEngine, type ActionDefinition, type Engine, type EngineOptions } from '../../runtime/index.js';

/** 2026-01-01T00:00:00Z: far from the real date, so a leak of the wall clock is visible. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

export interface StoreFixture {
  readonly dir: string;
  /** The SQLite file every engine of this fixture opens. */
  readonly path: string;
  readonly clock: ManualClock;
  /** Opens an engine on the fixture's file (same clock). Closed by `cleanup`. */
  open(actions: readonly ActionDefinition[], options?: Omit<EngineOptions, 'store' | 'clock' | 'actions'>): Engine;
  /** Runs `fn` on a separate SQLite connection to the store file. */
  sql<T>(fn: (db: Database.Database) => T): T;
  /** Every byte of the store: the database file, its WAL and its shared-memory index. */
  bytes(): Buffer;
  /** Runs `fn` before the engines are closed (e.g. to open gates a failed test left shut). */
  onCleanup(fn: () => void): void;
  /** Closes the engines (each within 3 s, so a hung engine cannot hang the suite) and removes the dir. */
  cleanup(): Promise<void>;
}

let allInline = false;

/**
 * Makes every action given to `open` an inline action (ActionDefinition.inline) from now on in
 * this test file: the suites that import the semantics tests again this way check that steps
 * delivered at the call keep every guarantee the ordinary path keeps.
 */
export function useInlineActions(on: boolean): void {
  allInline = on;
}

export function newStoreFixture(prefix: string, defaults: Partial<EngineOptions> = {}): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'alice.db');
  const clock = new ManualClock(T0);
  const engines: Engine[] = [];
  const hooks: Array<() => void> = [];
  return {
    dir,
    path,
    clock,
    open(actions, options = {}) {
      const engine = openEngine({ ...defaults, ...options, store: path, clock, actions: allInline ? actions.map((a) => ({ ...a, inline: true })) : actions });
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
    bytes() {
      return Buffer.concat([path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
    },
    onCleanup(fn) {
      hooks.push(fn);
    },
    async cleanup() {
      for (const fn of hooks) fn();
      for (const e of engines) {
        await Promise.race([e.close(), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]).catch(() => undefined);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs an UPDATE on memoized journal rows as someone editing the store by hand would: past the
 * trigger that keeps them as they are (dropped for the edit, put back as it was). Returns how
 * many rows changed.
 */
export function editJournaled(db: Database.Database, sql: string, ...params: unknown[]): number {
  const trigger = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'steps_done_is_final'").get() as { sql: string }).sql;
  db.exec('DROP TRIGGER steps_done_is_final');
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.exec(trigger);
  }
}
