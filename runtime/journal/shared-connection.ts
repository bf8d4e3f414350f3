import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * The engine's open connections, by store file, so that host code keeping its own tables in
 * the same file (the standard actions) can write through the engine's connection instead of a
 * second one. Why: SQLite keeps a page cache per connection, and a commit by another
 * connection to the same WAL invalidates it, so every step after an action's write would read
 * its pages again (measured: ≈ +120 µs per kv step with two connections). better-sqlite3 is
 * synchronous and the engine's transactions never span an await, so an action's statement can
 * never land inside one of the engine's transactions.
 */
const connections = new Map<string, Database.Database>();

/** Resolved keys by path as given: the lookup runs on every action's statement, realpath once. */
const keys = new Map<string, string>();

function keyOf(path: string): string | null {
  if (path === ':memory:' || path === '') return null;
  const known = keys.get(path);
  if (known !== undefined) return known;
  try {
    const key = realpathSync(path);
    keys.set(path, key);
    return key;
  } catch {
    // Not created yet: not cached, so the real path is taken once the file exists.
    return resolve(path);
  }
}

/** Registers the engine's connection to `path` (not for `:memory:`: nothing can share it). */
export function shareConnection(path: string, db: Database.Database): void {
  const key = keyOf(path);
  if (key !== null) connections.set(key, db);
}

/** Forgets it, if it is the registered one. */
export function unshareConnection(path: string, db: Database.Database): void {
  const key = keyOf(path);
  if (key !== null && connections.get(key) === db) connections.delete(key);
}

/** The open engine connection to `path`, or null. */
export function sharedConnection(path: string): Database.Database | null {
  if (connections.size === 0) return null;
  const key = keyOf(path);
  const db = key === null ? undefined : connections.get(key);
  return db !== undefined && db.open ? db : null;
}
