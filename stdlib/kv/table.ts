import type Database from 'better-sqlite3';
import { ActionFailure, ErrorCodes, type RetryPolicy, type RunContext } from '../../runtime/index.js';
import { Type } from '../schema.js';
import { PreparedTable } from '../database.js';
import { anyTenant, type TenantGuard } from '../tenants.js';

/** Longest key, in characters. Keys are identifiers, not documents. */
export const maxKeyLength = 256;
/** Largest value, in bytes of its JSON text. Bigger data belongs in a blob store, not kv. */
export const maxValueBytes = 64 * 1024;
/** Most entries one `kv.list` returns. */
export const maxListLimit = 1000;

export const Key = Type.String({ minLength: 1, maxLength: maxKeyLength });

/**
 * kv calls are short local writes; a failure is a busy or locked file, which clears quickly,
 * so retry soon and a few times rather than after the default second.
 */
export const kvRetry: Partial<RetryPolicy> = { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' };

const ddl = `
CREATE TABLE IF NOT EXISTS kv (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
`;

/** One kv entry as `kv.list` returns it. */
export interface KvEntry {
  key: string;
  value: unknown;
}

/**
 * The `kv` table, in the engine's SQLite file. Every statement takes the tenant as its first
 * parameter and filters on it: the tenant comes from the run's context, which the workflow can
 * neither see nor forge, so a tenant never reads or writes another's keys.
 */
export class KvTable {
  private readonly table: PreparedTable<ReturnType<typeof prepare>>;

  constructor(path: string, readonly tenants: TenantGuard = anyTenant) {
    this.table = new PreparedTable(path, ddl, prepare);
  }

  private get s(): ReturnType<typeof prepare> {
    return this.table.get();
  }

  close(): void {
    this.table.close();
  }

  get(ctx: RunContext, key: string): unknown {
    this.tenants.require(ctx);
    const tenant = ctx.tenant;
    const row = this.s.get.get(tenant, key) as { value: string } | undefined;
    return row === undefined ? null : JSON.parse(row.value);
  }

  set(ctx: RunContext, key: string, value: unknown, now: number): void {
    this.tenants.require(ctx);
    const tenant = ctx.tenant;
    this.s.set.run(tenant, key, encodeValue(key, value), now);
  }

  /** true when the key existed. */
  delete(ctx: RunContext, key: string): boolean {
    this.tenants.require(ctx);
    const tenant = ctx.tenant;
    return this.s.delete.run(tenant, key).changes > 0;
  }

  /** Entries whose key starts with `prefix`, after the key `after`, in key order. */
  list(ctx: RunContext, prefix: string, after: string | null, limit: number): { items: KvEntry[]; next: string | null } {
    this.tenants.require(ctx);
    const tenant = ctx.tenant;
    const rows = this.s.list.all({ tenant, prefix, after, limit: limit + 1 }) as { key: string; value: string }[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown }));
    return { items, next: more ? items[items.length - 1].key : null };
  }

}

function prepare(db: Database.Database) {
  return {
    db,
    get: db.prepare('SELECT value FROM kv WHERE tenant = ? AND key = ?'),
    set: db.prepare(`INSERT INTO kv (tenant, key, value, updated_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
    delete: db.prepare('DELETE FROM kv WHERE tenant = ? AND key = ?'),
    // Keys compare as UTF-8 bytes; no key contains the byte 0xFF, so prefix || 0xFF bounds the
    // range and the primary key serves it without a scan.
    list: db.prepare(`SELECT key, value FROM kv
                      WHERE tenant = @tenant AND key >= @prefix AND key < (@prefix || CAST(X'FF' AS TEXT))
                        AND (@after IS NULL OR key > @after)
                      ORDER BY key LIMIT @limit`),
  };
}

/** The value as JSON text, refused (as a memoized validation error) past the size limit. */
function encodeValue(key: string, value: unknown): string {
  // The engine hands actions arguments it parsed from JSON, so stringify cannot meet a cycle.
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxValueBytes) {
    throw new ActionFailure(ErrorCodes.VALIDATION, `kv value of ${JSON.stringify(key.slice(0, 64))} is ${bytes} bytes of JSON, over the ${maxValueBytes}-byte limit; store large data elsewhere and keep a reference in kv`, { details: { key, bytes, limit: maxValueBytes } });
  }
  return text;
}
