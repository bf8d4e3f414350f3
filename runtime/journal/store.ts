import type Database from 'better-sqlite3';
import { betterSqlite3 } from '../deps.js';
import { existsSync, statSync } from 'node:fs';
import { ErrorCodes, StoreError, AliceError } from '../errors.js';
import { migrateFrom2, migrateFrom3, migrateFrom4, migrateFrom5, migrateFrom6, schema, schemaVersion } from './schema.js';
import { shareConnection, unshareConnection } from './shared-connection.js';

/** Stores up to this size are integrity-checked when opened. */
const quickCheckMaxBytes = 256 * 1024 * 1024;

export type RunStatus = 'pending' | 'running' | 'suspended' | 'completed' | 'failed' | 'cancelled';
export function isTerminal(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * `process`: WAL with synchronous=NORMAL, survives any crash of the process (kill -9 included).
 * `power`: synchronous=FULL, an fsync before an outcome is delivered; survives power loss.
 */
export type Durability = 'process' | 'power';

export interface WorkflowRow {
  id: string;
  name: string;
  version: number;
  kind: string;
  code_hash: string;
  script: string;
  source_map: string | null;
  manifest: string;
  created_at: number;
}

export interface RunRow {
  id: string;
  workflow_id: string;
  status: RunStatus;
  input: string;
  output: string | null;
  error: string | null;
  context: string;
  created_at: number;
  updated_at: number;
  wake_at: number | null;
  lease_owner: string | null;
  log_count: number;
  finalized_at: number | null;
  purge_at: number | null;
}

export type StepState = 'done' | 'error' | 'waiting';

export interface StepRow {
  run_id: string;
  seq: number;
  action: string;
  digest: string;
  fp: string;
  args: string;
  state: StepState;
  outcome: string | null;
  completion: number | null;
  attempts: number;
  /** Failed attempts: the retry budget counts these, not pending answers. */
  failures: number;
  started_at: number;
  finished_at: number | null;
  wake_at: number | null;
  wait: string | null;
  /** The step's log entry (position, duration, data) once it completed; see schema.ts. */
  log_seq: number | null;
  duration_ms: number | null;
  log_data: string | null;
  /** 1 when the outcome was delivered at the call (an inline action); see schema.ts. */
  inline?: number | null;
  /** The arguments in the call's own key order, when not the same text as `args`; see schema.ts. */
  call_text?: string | null;
}

export interface LogRow {
  run_id: string;
  /** Position in the run's log, from 1. */
  seq: number;
  step: number | null;
  at: number;
  kind: string;
  duration_ms: number | null;
  data: string;
}

export interface EventRow {
  /** The store's row id: every tenant's events in one sequence (host-side only). */
  id: number;
  /** The event's number in its tenant, the id runs and callers see (null only in a store edited by hand). */
  seq: number | null;
  tenant: string;
  type: string;
  data: string;
  at: number;
  key: string | null;
}

/** A workflow that events of a tenant start (see `Engine.subscribe`). */
export interface SubscriptionRow {
  workflow: string;
  /** A tenant, or '*' for every tenant. */
  tenant: string;
  user_id: string;
  /** JSON list. */
  roles: string;
  /** JSON list. */
  permissions: string;
  created_at: number;
  /** 1: events that runs emit start it too; 0: only events the host delivers. */
  from_runs: number;
  /** The version it starts (schema 6; null only in a store edited by hand: then none). */
  workflow_id: string | null;
}

function describeOpenError(path: string, err: unknown): StoreError {
  const code = (err as { code?: string }).code ?? '';
  const message = (err as Error).message;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(message)) {
    return new StoreError(path, `the file is not an Alice store or is corrupt (${message}); restore it from a backup or point --store at another file. The file was not changed.`, { cause: err });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /locked/i.test(message)) {
    return new StoreError(path, `the database is locked by another process (${message}); stop the other process or retry`, { cause: err });
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new StoreError(path, `the file cannot be opened (${message}); check that its folder exists and is writable`, { cause: err });
  }
  return new StoreError(path, message, { cause: err });
}

/**
 * The SQLite store. Synchronous (better-sqlite3): every call is a short local transaction, and
 * the engine groups the step path's writes into one transaction per tick (see GroupCommit).
 */
export class Store {
  readonly db: Database.Database;
  readonly path: string;

  constructor(path: string, readonly durability: Durability = 'process', options: { busyTimeoutMs?: number } = {}) {
    this.path = path;
    const fresh = path === ':memory:' || !existsSync(path);
    try {
      this.db = new (betterSqlite3())(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw describeOpenError(path, err);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${durability === 'power' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('foreign_keys = OFF');
      this.db.pragma('temp_store = MEMORY');
      // A checkpoint copies every page changed since the last one into the main file (and, in
      // any mode, fsyncs it). The step path rewrites the same few hot pages, so checkpointing
      // rarely copies each of them once instead of many times; the WAL stays under ~32 MiB.
      this.db.pragma('wal_autocheckpoint = 8192');
      // Runs interleave in the journal's B-trees, so the working set is wider than one run's
      // pages: a larger page cache and memory-mapped reads keep the step path off read syscalls.
      this.db.pragma('cache_size = -65536');
      this.db.pragma('mmap_size = 268435456');
      const existing = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'runs')").all() as { name: string }[];
      if (!fresh && existing.length === 0) {
        const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
        if (tables.n > 0) {
          throw new StoreError(path, 'the file is an SQLite database but not an Alice store; point --store at another file. The file was not changed.');
        }
      }
      const version = this.storedVersion();
      if (version !== undefined && Number(version) > schemaVersion) {
        throw new AliceError(ErrorCodes.STORE_VERSION, `store ${path} has schema version ${version}, newer than this engine's ${schemaVersion}; upgrade Alice`);
      }
      if (version !== undefined && Number(version) >= 2 && Number(version) < schemaVersion) {
        this.db.transaction(() => {
          // Read again under the write lock: another process may have upgraded it meanwhile.
          const now = Number(this.storedVersion());
          if (now >= schemaVersion) return;
          if (now <= 2) this.db.exec(migrateFrom2);
          if (now <= 3) this.db.exec(migrateFrom3);
          if (now <= 4) this.db.exec(migrateFrom4);
          if (now <= 5) this.db.exec(migrateFrom5);
          this.db.exec(migrateFrom6);
          this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(schemaVersion));
        }).immediate();
      } else if (version !== undefined && Number(version) < schemaVersion) {
        // Schema 1 only ever existed in development builds; there is nothing to migrate.
        throw new AliceError(ErrorCodes.STORE_VERSION, `store ${path} has schema version ${version}, written by an earlier development build that this engine cannot migrate; start a new store. The file was not changed.`);
      }
      if (!fresh && path !== ':memory:') this.checkIntegrity();
      // An up-to-date store needs no write to open, so read-only commands never wait for a lock.
      if (version === undefined) {
        // One transaction, the version read again under the write lock: two processes creating
        // the file at once, or a crash half way, leave one whole schema.
        this.db.transaction(() => {
          if (this.storedVersion() !== undefined) return;
          this.db.exec(schema);
          this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(schemaVersion));
        }).immediate();
      }
      shareConnection(path, this.db);
    } catch (err) {
      try {
        this.db.close();
      } catch {
        // closing a half-open handle may fail too; the first error is the one to report
      }
      if (err instanceof AliceError) throw err;
      throw describeOpenError(path, err);
    }
  }

  /**
   * A damaged page anywhere in the file must be reported now, as a clear error, rather than as a
   * raw SQLite error in the middle of some later query. quick_check reads every page (≈4 ms per
   * MB), so files above `quickCheckMaxBytes` are only checked as they are read.
   */
  /** The schema version the file records, or undefined (no meta table or no version row yet). */
  private storedVersion(): string | undefined {
    const meta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (meta === undefined) return undefined;
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value;
  }

  private checkIntegrity(): void {
    let size = 0;
    try {
      size = statSync(this.path).size;
    } catch {
      return;
    }
    if (size > quickCheckMaxBytes) return;
    const rows = this.db.pragma('quick_check(1)') as Array<{ quick_check: string }>;
    if (rows.length !== 1 || rows[0].quick_check !== 'ok') {
      throw new StoreError(this.path, `the file is not an Alice store or is corrupt (integrity check: ${rows[0]?.quick_check ?? 'failed'}); restore it from a backup or point --store at another file. The file was not changed.`);
    }
  }

  close(): void {
    unshareConnection(this.path, this.db);
    if (this.db.open) this.db.close();
  }
}
