import { ActionFailure, type RunContext } from '../runtime/index.js';
import { StdCodes } from './codes.js';
import { ActionDatabase } from './database.js';

const ddl = `
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** The tenant every store knows: single-tenant use and the CLI's default. */
export const defaultTenant = 'default';

/** One registered tenant. */
export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

const tenantId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The tenants the standard actions serve, kept in the engine's SQLite file. A run's tenant
 * comes from its context; an action that keeps data per tenant refuses a tenant that is not
 * registered (a typo in a trigger, a deleted customer), with `ALICE_UNKNOWN_TENANT`, rather
 * than silently creating data under a name nobody owns. `default` is always registered.
 *
 * @example
 * const tenants = new TenantDirectory('alice.db');
 * tenants.add('acme', 'Acme Corp');
 */
export class TenantDirectory {
  private readonly database: ActionDatabase;
  /** Known tenants; a registered tenant is never forgotten by this process except by remove(). */
  private readonly known = new Set<string>([defaultTenant]);

  constructor(path: string) {
    this.database = new ActionDatabase(path, (db) => db.exec(ddl));
  }

  /** Registers a tenant (again: renames it). */
  add(id: string, name: string = id, now: number = Date.now()): Tenant {
    if (typeof id !== 'string' || !tenantId.test(id)) {
      throw new TypeError(`tenant id must be 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${JSON.stringify(id)}`);
    }
    this.database
      .get()
      .prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name')
      .run(id, name, now);
    this.known.add(id);
    return this.list().find((t) => t.id === id) as Tenant;
  }

  /** Unregisters a tenant; its data stays (remove it with the families' own tools). */
  remove(id: string): boolean {
    this.known.delete(id);
    return this.database.get().prepare('DELETE FROM tenants WHERE id = ?').run(id).changes > 0;
  }

  has(id: string): boolean {
    if (this.known.has(id)) return true;
    const found = this.database.get().prepare('SELECT 1 FROM tenants WHERE id = ?').get(id) !== undefined;
    if (found) this.known.add(id);
    return found;
  }

  list(): Tenant[] {
    const rows = this.database.get().prepare('SELECT id, name, created_at FROM tenants ORDER BY id').all() as { id: string; name: string; created_at: number }[];
    const out = rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
    if (!out.some((t) => t.id === defaultTenant)) out.unshift({ id: defaultTenant, name: defaultTenant, createdAt: 0 });
    return out;
  }

  /**
   * Throws the memoized `ALICE_UNKNOWN_TENANT` failure when the run's tenant is not
   * registered. Every action that keeps data per tenant calls it first.
   */
  require(ctx: RunContext): void {
    if (this.has(ctx.tenant)) return;
    // The outcome reaches the workflow, which must not learn its tenant (DESIGN §4): the
    // operator finds it in the run's context (`alice show RUN`).
    throw new ActionFailure(StdCodes.UNKNOWN_TENANT, "the run's tenant is not registered; register it first (alice tenants add TENANT; `alice show RUN` names the run's tenant) — nothing was read or written");
  }

  close(): void {
    this.database.close();
  }
}

/** A guard that lets every tenant through: for `standardActions({ tenants: 'any' })`. */
export const anyTenant = { require(_ctx: RunContext): void {} } as const;

/** What the families call before touching a tenant's data. */
export type TenantGuard = Pick<TenantDirectory, 'require'>;
