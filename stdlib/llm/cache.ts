import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ActionFailure } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { PreparedTable } from '../database.js';

const ddl = `
CREATE TABLE IF NOT EXISTS llm_cache (
  step_key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  action TEXT NOT NULL,
  args_digest TEXT NOT NULL,
  outcome TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS llm_cache_run ON llm_cache (run_id, action);
`;

/** A cached answer: the result, or a terminal failure (never a retryable one). */
export type CachedOutcome = { ok: true; value: unknown } | { ok: false; code: string; message: string; details?: unknown };

/**
 * The answers of LLM steps, by the step's idempotency key, in the engine's SQLite file. A model
 * call costs money and is not deterministic, and the engine re-executes a step whose outcome it
 * had not journaled when the process died: the step then finds its answer here instead of asking
 * the model again. Rows live until the run is finalized (`finalize` deletes them); the journal
 * keeps the outcome for history after that. Only answers are stored: never the key or headers.
 */
export class LlmCache {
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

  /** The outcome cached for the step, if it was made for the same arguments. */
  get(stepKey: string, argsDigest: string): CachedOutcome | null {
    const row = this.s.get.get(stepKey) as { args_digest: string; outcome: string } | undefined;
    if (row === undefined || row.args_digest !== argsDigest) return null;
    return JSON.parse(row.outcome) as CachedOutcome;
  }

  /**
   * Remembers the step's outcome. A failed write is only reported: the answer is still good,
   * and losing the cache costs at most a repeated call after a crash.
   */
  put(stepKey: string, runId: string, action: string, argsDigest: string, outcome: CachedOutcome, now: number): void {
    try {
      this.s.put.run(stepKey, runId, action, argsDigest, JSON.stringify(outcome), now);
    } catch (err) {
      process.emitWarning(`alice: could not cache the answer of ${action} step ${stepKey}: ${(err as Error).message}`);
    }
  }

  /** Deletes the run's rows of one action; the number deleted. Idempotent. */
  deleteRun(runId: string, action: string): number {
    return this.s.deleteRun.run(runId, action).changes;
  }

  /** Rows cached for a run (all actions): for tests and `alice` diagnostics. */
  countRun(runId: string): number {
    return (this.s.countRun.get(runId) as { n: number }).n;
  }

}

function prepare(db: Database.Database) {
  return {
    db,
    get: db.prepare('SELECT args_digest, outcome FROM llm_cache WHERE step_key = ?'),
    put: db.prepare(`INSERT INTO llm_cache (step_key, run_id, action, args_digest, outcome, created_at) VALUES (?, ?, ?, ?, ?, ?)
                     ON CONFLICT (step_key) DO UPDATE SET args_digest = excluded.args_digest, outcome = excluded.outcome, created_at = excluded.created_at`),
    deleteRun: db.prepare('DELETE FROM llm_cache WHERE run_id = ? AND action = ?'),
    countRun: db.prepare('SELECT count(*) AS n FROM llm_cache WHERE run_id = ?'),
  };
}

/** sha256 of the arguments as JSON with sorted keys: the same call digests the same way however it was built. */
export function argsDigest(action: string, args: unknown): string {
  return createHash('sha256').update(action).update('\0').update(sortedJson(args)).digest('hex');
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs a step through the cache: a cached outcome is returned (or its failure rethrown) without
 * calling `compute`; otherwise `compute`'s result, or its terminal `ActionFailure`, is cached.
 * Retryable failures are not cached: the next attempt must really try again.
 */
export async function throughCache<T>(cache: LlmCache, step: { idempotencyKey: string; runId: string }, action: string, args: unknown, now: () => number, compute: () => Promise<T>): Promise<T> {
  const digest = argsDigest(action, args);
  const hit = cache.get(step.idempotencyKey, digest);
  if (hit !== null) {
    if (hit.ok) return hit.value as T;
    throw new ActionFailure(hit.code, hit.message, hit.details === undefined ? undefined : { details: hit.details });
  }
  try {
    const value = await compute();
    cache.put(step.idempotencyKey, step.runId, action, digest, { ok: true, value }, now());
    return value;
  } catch (err) {
    // A terminal failure of the call itself is an outcome like an answer (a re-executed step
    // must not pay for a second bad answer); a configuration error is not: it may be fixed.
    if (err instanceof ActionFailure && !err.retryable && err.code !== StdCodes.LLM_CONFIG) {
      cache.put(step.idempotencyKey, step.runId, action, digest, { ok: false, code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }, now());
    }
    throw err;
  }
}
