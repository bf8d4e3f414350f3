import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import kbAdd from './add.js';
import kbRemove from './remove.js';
import kbSearch from './search.js';
import { KbTable } from './table.js';

export { hitTextChars, KbTable, kbIndexName, maxResultBytes, maxSearchLimit, maxTextBytes, snippetClose, snippetEllipsis, snippetOpen } from './table.js';
export type { AddStatus, KbDocument, KbDocumentInput, KbHit, KbSearchOptions, Metadata, MetadataValue } from './table.js';
export { maxPrefixTerms, maxQueryTerms, wordsQuery } from './query.js';

/**
 * `kb.add`, `kb.search`, `kb.remove`: a per-tenant knowledge base in the engine's SQLite file,
 * with SQLite FTS5 full-text search (bm25 ranking, snippets).
 *
 * No action of the family has a finalize: documents are the tenant's durable data, not memos
 * of a run, so nothing is dropped when a run is over.
 *
 * @example
 * const engine = openEngine({ store: 'alice.db', actions: kbActions({ store: 'alice.db', tenants: anyTenant }) });
 */
export function kbActions(env: StdlibEnv): ActionDefinition[] {
  const table = new KbTable(env.store);
  // updated_at follows the engine's clock when the lead passes it (a ManualClock in tests).
  const now = (): number => (env.now ? env.now() : Date.now());
  return [kbAdd(table, env.tenants, now), kbSearch(table, env.tenants), kbRemove(table, env.tenants)];
}
