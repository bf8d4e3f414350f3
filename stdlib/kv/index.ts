import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import kvDelete from './delete.js';
import kvGet from './get.js';
import kvList from './list.js';
import kvSet from './set.js';
import { KvTable } from './table.js';

/** `kv.get`, `kv.set`, `kv.delete`, `kv.list`: a per-tenant key-value store in the engine's SQLite file. */
export function kvActions(env: StdlibEnv): ActionDefinition[] {
  const table = new KvTable(env.store, env.tenants);
  return [kvGet(table), kvSet(table), kvDelete(table), kvList(table)];
}
