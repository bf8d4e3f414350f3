import type Database from 'better-sqlite3';

type Op = { write: () => void; resolve: () => void; reject: (err: unknown) => void };

/**
 * Group commit: writes enqueued during one turn of the event loop share one transaction (and,
 * in `power` durability, one fsync). Each write runs in its own savepoint, so one refused write
 * (a run that became terminal) does not undo the others. A caller's promise resolves only after
 * the transaction committed: an outcome is durable before the workflow sees it (DESIGN §11).
 */
export class GroupCommit {
  private ops: Op[] = [];
  private scheduled = false;
  private readonly tx: Database.Transaction<(ops: Op[]) => Array<unknown>>;
  private readonly savepoint: (op: Op) => void;
  private readonly single: Database.Transaction<(write: () => void) => void>;

  constructor(db: Database.Database) {
    this.savepoint = db.transaction((op: Op) => op.write());
    this.single = db.transaction((write: () => void) => write());
    this.tx = db.transaction((ops: Op[]) => {
      const failures: unknown[] = new Array(ops.length);
      if (ops.length === 1) {
        // Alone in the transaction, a write needs no savepoint: a failure rolls back only itself.
        ops[0].write();
        return failures;
      }
      for (let i = 0; i < ops.length; i++) {
        try {
          this.savepoint(ops[i]);
        } catch (err) {
          failures[i] = err ?? new Error('write failed');
        }
      }
      return failures;
    });
  }

  /** Queues a write for the next group transaction. */
  enqueue(write: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.ops.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Changes with every group transaction: a check made inside one holds for all its writes. */
  generation = 0;

  /**
   * Commits one write now, in a transaction of its own, ahead of the writes queued for the next
   * group (for an outcome the workflow must see before this turn of the event loop ends). Throws
   * what the write or the commit threw; nothing of it is then written.
   */
  writeNow(write: () => void): void {
    this.generation++;
    this.single.immediate(write);
  }

  /** Commits everything queued now (also called by `close`). */
  flush(): void {
    this.scheduled = false;
    const ops = this.ops;
    if (ops.length === 0) return;
    this.ops = [];
    this.generation++;
    let failures: unknown[];
    try {
      // IMMEDIATE: take the write lock before the ownership reads, so another process's commit
      // between our read and our write cannot fail the whole group with SQLITE_BUSY_SNAPSHOT.
      failures = this.tx.immediate(ops);
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    for (let i = 0; i < ops.length; i++) {
      if (failures[i] !== undefined) ops[i].reject(failures[i]);
      else ops[i].resolve();
    }
  }
}
