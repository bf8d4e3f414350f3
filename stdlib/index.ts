/**
 * `alice/stdlib`: the standard actions every workflow may declare. For now: a per-tenant
 * key-value store (`kv.get`, `kv.set`, `kv.delete`, `kv.list`) kept in the engine's own
 * SQLite file.
 *
 * @example
 * import { openEngine } from 'alice/runtime';
 * import { standardActions } from 'alice/stdlib';
 * const engine = openEngine({ store: 'alice.db', actions: standardActions({ store: 'alice.db' }) });
 */
import type { ActionDefinition } from '../runtime/index.js';
import kvDelete from './kv/delete.js';
import kvGet from './kv/get.js';
import kvList from './kv/list.js';
import kvSet from './kv/set.js';
import { KvTable } from './kv/table.js';

export { ActionDatabase } from './database.js';
export { KvTable, maxKeyLength, maxListLimit, maxValueBytes } from './kv/table.js';
export type { KvEntry } from './kv/table.js';

/** Options of {@link standardActions}. */
export interface StandardActionsOptions {
  /** The engine's store: the same SQLite file path (or `:memory:`, which gets its own database). */
  store: string;
}

/**
 * The standard action catalog, bound to a store. Pass the same `store` as the engine's.
 *
 * @example
 * const engine = openEngine({ store: 'alice.db', actions: [...standardActions({ store: 'alice.db' }), ...mine] });
 */
export function standardActions(options: StandardActionsOptions): ActionDefinition[] {
  const kv = new KvTable(options.store);
  return [kvGet(kv), kvSet(kv), kvDelete(kv), kvList(kv)];
}
