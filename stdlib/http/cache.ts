import type Database from 'better-sqlite3';
import { PreparedTable } from '../database.js';
import type { HttpResult } from './client.js';

// A rowid table: responses can be large, and WITHOUT ROWID tables suit small rows only.
const ddl = `
CREATE TABLE IF NOT EXISTS http_cache (
  idempotency_key TEXT NOT NULL UNIQUE,
  run_id TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS http_cache_run ON http_cache (run_id);
`;

/**
 * Responses of `http.request` by idempotency key, in the engine's SQLite file. The engine
 * journals a step's outcome after the action returns; a crash in between makes it execute the
 * step again (DESIGN §1). The server may not honour `Idempotency-Key`, so the action keeps the
 * response itself, written before it returns, and a re-executed step answers from here without
 * a second request. The rows of a run are deleted when the run is finalized (DESIGN §3).
 *
 * @example
 * const cache = new HttpCache('alice.db');
 * cache.get('run-1:3') ?? cache.put('run-1:3', 'run-1', result, Date.now());
 */
export class HttpCache {
  private readonly table: PreparedTable<ReturnType<typeof prepare>>;

  constructor(path: string) {
    this.table = new PreparedTable(path, ddl, prepare);
  }

  private get s(): ReturnType<typeof prepare> {
    return this.table.get();
  }

  close(): void {
    this.table.close();
  }

  get(idempotencyKey: string): HttpResult | null {
    const row = this.s.get.get(idempotencyKey) as { response: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.response) as HttpResult);
  }

  put(idempotencyKey: string, runId: string, result: HttpResult, now: number): void {
    this.s.put.run(idempotencyKey, runId, JSON.stringify(result), now);
  }

  /** Drops what a run kept; deleting twice is harmless, as finalize requires. */
  deleteRun(runId: string): number {
    return this.s.deleteRun.run(runId).changes;
  }

}

function prepare(db: Database.Database) {
  return {
    db,
    get: db.prepare('SELECT response FROM http_cache WHERE idempotency_key = ?'),
    // A second put for the same key (two executions racing after a lost lease) keeps the first:
    // the step's outcome is whichever the journal takes, and both are real answers.
    put: db.prepare('INSERT INTO http_cache (idempotency_key, run_id, response, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING'),
    deleteRun: db.prepare('DELETE FROM http_cache WHERE run_id = ?'),
  };
}
