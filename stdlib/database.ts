import type Database from 'better-sqlite3';
import { betterSqlite3 } from '../runtime/deps.js';

/**
 * A connection of its own to the engine's SQLite file, for the tables that actions keep (kv,
 * the examples' outboxes). It opens on first use, not at construction: the catalog is built
 * before the engine opens the store, and the engine must be the first to touch the file, so
 * that a corrupt or foreign file is reported (and left unchanged) by the store's own checks.
 *
 * `:memory:` gets a private in-memory database per instance (a memory database cannot be
 * shared between connections).
 *
 * @example
 * const db = new ActionDatabase('alice.db', (d) => d.exec('CREATE TABLE IF NOT EXISTS notes (k TEXT PRIMARY KEY)'));
 * db.get().prepare('SELECT count(*) AS n FROM notes').get();
 */
export class ActionDatabase {
  private db: Database.Database | null = null;

  constructor(
    readonly path: string,
    private readonly setup: (db: Database.Database) => void,
    private readonly busyTimeoutMs = 5000,
  ) {}

  /** The open connection; opens it and creates the tables on first call. */
  get(): Database.Database {
    if (this.db !== null && this.db.open) return this.db;
    const db = new (betterSqlite3())(this.path, { timeout: this.busyTimeoutMs });
    try {
      // WAL like the engine's own connection, so readers never block the journal's writer.
      // synchronous=NORMAL suffices even in `power` mode: the step's journal commit comes
      // after this write in the same WAL file, and its fsync covers these frames too.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      this.setup(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    return db;
  }

  close(): void {
    if (this.db?.open) this.db.close();
    this.db = null;
  }
}
