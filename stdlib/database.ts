import type Database from 'better-sqlite3';
import { betterSqlite3 } from '../runtime/deps.js';
import { sharedConnection } from '../runtime/journal/shared-connection.js';

/**
 * The connection to the engine's SQLite file for the tables that actions keep (kv, the
 * examples' outboxes): the engine's own when an engine of this process has the file open (see
 * runtime/journal/shared-connection.ts for why), else one of its own. That one opens on first
 * use, not at construction: the catalog is built
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

  /** Connections whose tables this instance has created already. */
  private readonly prepared = new WeakSet<Database.Database>();

  /**
   * The connection to use: the engine's own when an engine has the file open in this process
   * (see runtime/journal/shared-connection.ts), else one of its own, opened on first call.
   * Tables are created on each connection's first use.
   */
  get(): Database.Database {
    const shared = sharedConnection(this.path);
    if (shared !== null) {
      if (!this.prepared.has(shared)) {
        this.setup(shared);
        this.prepared.add(shared);
      }
      return shared;
    }
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

/**
 * The statements of a table (or a few) that host code keeps in the store file: its DDL runs on
 * each connection's first use, and its statements are prepared once per connection (again when
 * the connection changes: the engine opened the file, or closed it).
 *
 * @example
 * const notes = new PreparedTable('alice.db', 'CREATE TABLE IF NOT EXISTS notes (k TEXT PRIMARY KEY)', (db) => ({ db, count: db.prepare('SELECT count(*) AS n FROM notes') }));
 * notes.get().count.get();
 */
export class PreparedTable<S extends { db: Database.Database }> {
  private readonly database: ActionDatabase;
  private statements: S | null = null;

  constructor(path: string, ddl: string, private readonly prepare: (db: Database.Database) => S) {
    this.database = new ActionDatabase(path, (db) => db.exec(ddl));
  }

  /** The prepared statements, on the connection to use now. */
  get(): S {
    const db = this.database.get();
    if (this.statements === null || this.statements.db !== db) this.statements = this.prepare(db);
    return this.statements;
  }

  close(): void {
    this.database.close();
    this.statements = null;
  }
}
