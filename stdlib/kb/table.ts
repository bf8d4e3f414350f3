import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { ActionFailure, ErrorCodes, type RetryPolicy } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { PreparedTable } from '../database.js';
import { ftsQueryLimits, ftsQueryProblem, wordsQuery } from './query.js';

/** Largest document text, in bytes of UTF-8. Split bigger texts into chunks, one document each. */
export const maxTextBytes = 256 * 1024;
/** Longest document id, in characters. */
export const maxIdLength = 256;
/** Longest title, in characters. */
export const maxTitleLength = 1024;
/** Longest source (a URL, a file path), in characters. */
export const maxSourceLength = 2048;
/** Most metadata fields of one document, and longest string value. */
export const maxMetadataFields = 32;
export const maxMetadataStringLength = 1024;
/** Most hits one search returns. */
export const maxSearchLimit = 50;
/** Most fields a search filter may name. */
export const maxFilterFields = 16;

/** Markers around the matched terms in a hit's snippet, and the mark of cut text. */
export const snippetOpen = '«';
export const snippetClose = '»';
export const snippetEllipsis = '…';
/** Most tokens (words) of one snippet; 64 is FTS5's own ceiling. */
export const snippetTokens = 32;
/**
 * Most characters of a document's text a hit carries (then cut, with …): a whole chunk of the
 * kb updater (1,500 characters), not a whole 256 KiB document.
 */
export const hitTextChars = 2000;
/**
 * Largest search result, in bytes of JSON: hits past it are left out, so that a result stays
 * well under the engine's 1 MiB bridge limit whatever the limit, titles and metadata.
 */
export const maxResultBytes = 512 * 1024;
/** bm25 weight of the title against the text (1): a term in the title counts this many times. */
export const titleWeight = 4;

/** Metadata field names: identifiers, so that they sit safely inside a quoted JSON path. */
export const metadataKeyPattern = '^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$';
const metadataKey = new RegExp(metadataKeyPattern);

/** kb calls are short local reads and writes; a failure is a busy file, which clears quickly. */
export const kbRetry: Partial<RetryPolicy> = { maxAttempts: 5, initialDelay: '50ms', backoff: 2, maxDelay: '2s' };

export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

/** A document as `kb.add` takes it. */
export interface KbDocumentInput {
  id: string;
  text: string;
  title?: string;
  metadata?: Metadata;
  source?: string;
}

/** A stored document. */
export interface KbDocument {
  id: string;
  title: string | null;
  text: string;
  metadata: Metadata;
  source: string | null;
  /** sha256 (hex) of the title, text, metadata and source: equal hashes, equal content. */
  hash: string;
  updatedAt: number;
}

export type AddStatus = 'added' | 'updated' | 'unchanged';

export interface KbSearchOptions {
  query: string;
  /** 1..{@link maxSearchLimit}; default 5. */
  limit?: number;
  syntax?: 'words' | 'fts';
  /** Metadata equality, every field must match (same value and JSON type). */
  filter?: Metadata;
}

export interface KbHit {
  id: string;
  title: string | null;
  /** A passage of the text around the matches, terms marked «like this», cut text marked …. */
  snippet: string;
  /** The document's text, cut after {@link hitTextChars} characters (then ending in …). */
  text: string;
  /** Higher is better: bm25's score, negated so that it grows with relevance. Comparable within one search only. */
  score: number;
  metadata: Metadata;
  source: string | null;
}

// One FTS5 index per tenant. bm25 scores a match with statistics of its whole index (the number
// of rows, the average length, how many rows hold each term); one index shared by all tenants
// would let a tenant's scores move with other tenants' documents, and so let it probe whether
// another tenant's documents hold a word. Each tenant's index holds that tenant's rows only.
//
// External content: the text lives once, in kb_documents, and each index refers to it by rowid
// through a view of the tenant's rows (`kb_text_<h>`). snippet() reads the text back through the
// view, so it works (a contentless index could not make snippets), and the tenant's index can be
// rebuilt or checked against exactly its rows ('rebuild', 'integrity-check'). KbTable writes the
// index itself, in the transaction of the kb_documents write (a trigger cannot pick the table
// by tenant). kb_indexes names each tenant's index; the index is created on the tenant's first
// write. `doc` is an INTEGER PRIMARY KEY (a rowid alias), so VACUUM keeps the rowids indexes hold.
const ddl = `
CREATE TABLE IF NOT EXISTS kb_documents (
  doc INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  title TEXT,
  text TEXT NOT NULL,
  metadata TEXT NOT NULL,
  source TEXT,
  hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant, id)
);
CREATE TABLE IF NOT EXISTS kb_indexes (
  tenant TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
`;

/**
 * The name of a tenant's FTS5 index: `kb_fts_` and 16 hex digits of the sha256 of the tenant id
 * (its view of documents is `kb_text_` and the same digits). Hex only, so it sits in SQL as it is.
 *
 * @example db.exec(`INSERT INTO ${kbIndexName('acme')} (${kbIndexName('acme')}, rank) VALUES ('integrity-check', 1)`);
 */
export function kbIndexName(tenant: string): string {
  return `kb_fts_${tenantDigits(tenant)}`;
}

function tenantDigits(tenant: string): string {
  return createHash('sha256').update(tenant).digest('hex').slice(0, 16);
}

/** The statements of one tenant's index, on one connection. */
interface IndexStatements {
  insert: Database.Statement;
  delete: Database.Statement;
  search: Database.Statement;
}

/**
 * The knowledge base: documents per tenant in the engine's SQLite file, with one FTS5 index per
 * tenant over title and text (so a tenant's scores depend on its own documents only). Every statement takes the tenant and filters on it; the actions pass the run's
 * tenant (from the context, which the workflow can neither see nor forge), and host code (the
 * CLI, the benchmark) passes the tenant it serves. It does not check the tenant directory: the
 * actions call the tenant guard first.
 *
 * @example
 * const kb = new KbTable('alice.db');
 * kb.add('acme', { id: 'refunds', title: 'Refund policy', text: 'Refunds within 30 days…' });
 * kb.search('acme', { query: 'how do refunds work?' }).hits[0].id; // 'refunds'
 */
export class KbTable {
  private readonly table: PreparedTable<Statements>;

  constructor(path: string) {
    this.table = new PreparedTable(path, ddl, prepare);
  }

  private get s(): Statements {
    return this.table.get();
  }

  close(): void {
    this.table.close();
  }

  /**
   * Adds a document, or replaces the tenant's document with the same id. Same content (title,
   * text, metadata and source) as stored: nothing is written, `unchanged`.
   *
   * @throws ActionFailure `ALICE_VALIDATION` for a document over the limits
   */
  add(tenant: string, doc: KbDocumentInput, now: number): AddStatus {
    const row = encode(doc);
    const s = this.s;
    return s.db
      .transaction((): AddStatus => {
        const existing = s.stored.get(tenant, doc.id) as StoredRow | undefined;
        if (existing?.hash === row.hash) return 'unchanged';
        const index = writableIndex(s, tenant);
        if (existing === undefined) {
          const rowid = Number(s.insert.run({ tenant, id: doc.id, ...row, now }).lastInsertRowid);
          index.insert.run(rowid, row.title, row.text);
          return 'added';
        }
        index.delete.run(existing.doc, existing.title, existing.text);
        s.update.run({ doc: existing.doc, ...row, now });
        index.insert.run(existing.doc, row.title, row.text);
        return 'updated';
      })
      .immediate();
  }

  /** Adds many documents in one transaction (bulk loads): how many got each status. */
  addMany(tenant: string, docs: Iterable<KbDocumentInput>, now: number): Record<AddStatus, number> {
    const counts: Record<AddStatus, number> = { added: 0, updated: 0, unchanged: 0 };
    // One outer transaction: each add() becomes a savepoint in it, and the load commits once.
    this.s.db
      .transaction(() => {
        for (const doc of docs) counts[this.add(tenant, doc, now)]++;
      })
      .immediate();
    return counts;
  }

  /** true when the tenant had a document with this id. */
  remove(tenant: string, id: string): boolean {
    const s = this.s;
    return s.db
      .transaction((): boolean => {
        const existing = s.stored.get(tenant, id) as StoredRow | undefined;
        if (existing === undefined) return false;
        writableIndex(s, tenant).delete.run(existing.doc, existing.title, existing.text);
        s.remove.run(existing.doc);
        return true;
      })
      .immediate();
  }

  get(tenant: string, id: string): KbDocument | null {
    const r = this.s.get.get(tenant, id) as DocumentRow | undefined;
    if (r === undefined) return null;
    return { id: r.id, title: r.title, text: r.text, metadata: JSON.parse(r.metadata) as Metadata, source: r.source, hash: r.hash, updatedAt: r.updated_at };
  }

  count(tenant: string): number {
    return (this.s.count.get(tenant) as { n: number }).n;
  }

  /**
   * The tenant's best documents for `query`, best first (bm25, title weighted {@link titleWeight}
   * times the text). In `words` mode no text fails; a text without words finds nothing.
   *
   * @throws ActionFailure `ALICE_KB_QUERY` (not retryable) for an `fts` query SQLite cannot parse
   */
  search(tenant: string, options: KbSearchOptions): { hits: KbHit[] } {
    const limit = options.limit ?? 5;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxSearchLimit) {
      throw new ActionFailure(ErrorCodes.VALIDATION, `kb.search: limit must be an integer from 1 to ${maxSearchLimit}, got ${String(limit)}`, { details: { limit } });
    }
    const filter = options.filter ?? {};
    for (const key of Object.keys(filter)) {
      // Also in the action's schema; checked here because the key goes into a JSON path.
      if (!metadataKey.test(key)) throw new ActionFailure(ErrorCodes.VALIDATION, `kb.search: filter field ${JSON.stringify(clip(key, 64))} must match ${metadataKeyPattern}`, { details: { key } });
    }
    const syntax = options.syntax ?? 'words';
    const match = syntax === 'words' ? wordsQuery(options.query) : options.query;
    if (match === null) return { hits: [] };
    const tooBig = syntax === 'fts' ? ftsQueryLimits(options.query) : null;
    if (tooBig !== null) {
      throw new ActionFailure(StdCodes.KB_QUERY, `kb.search: the FTS5 query ${JSON.stringify(clip(options.query))} has ${tooBig.reason}`, { details: { query: clip(options.query, 1000), ...tooBig } });
    }
    const index = existingIndex(this.s, tenant);
    // No index yet: the tenant never added a document, so nothing matches.
    if (index === null) return { hits: [] };
    let rows: HitRow[];
    try {
      rows = index.search.all({ tenant, match, limit, filter: JSON.stringify(filter) }) as HitRow[];
    } catch (err) {
      const problem = syntax === 'fts' ? ftsQueryProblem(options.query, err) : null;
      if (problem === null) throw err;
      const where = problem.position === null ? '' : ` at character ${problem.position}`;
      throw new ActionFailure(StdCodes.KB_QUERY, `kb.search: the FTS5 query ${JSON.stringify(clip(options.query))} does not parse${where} (${problem.reason}); fix the query, or pass syntax: "words" to search for plain words`, { details: { query: clip(options.query, 1000), ...problem } });
    }
    const hits: KbHit[] = [];
    let bytes = 0;
    for (const r of rows) {
      const hit: KbHit = { id: r.id, title: r.title, snippet: r.snippet, text: r.cut === 1 ? `${r.text}${snippetEllipsis}` : r.text, score: -r.rank, metadata: JSON.parse(r.metadata) as Metadata, source: r.source };
      bytes += Buffer.byteLength(JSON.stringify(hit));
      if (bytes > maxResultBytes && hits.length > 0) break;
      hits.push(hit);
    }
    return { hits };
  }

}

interface DocumentRow {
  id: string;
  title: string | null;
  text: string;
  metadata: string;
  source: string | null;
  hash: string;
  updated_at: number;
}

interface HitRow {
  id: string;
  title: string | null;
  snippet: string;
  text: string;
  /** 1 when `text` was cut. */
  cut: number;
  rank: number;
  metadata: string;
  source: string | null;
}

interface StoredRow {
  doc: number;
  hash: string;
  title: string | null;
  text: string;
}

/** Statements of one tenant's index cached per connection; past this many tenants the cache starts over. */
const maxCachedIndexes = 512;

const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function prepare(db: Database.Database) {
  upgradeSharedIndex(db);
  return {
    db,
    /** Statements of each tenant's index known on this connection (an index, once made, stays). */
    indexes: new Map<string, IndexStatements>(),
    indexOf: db.prepare('SELECT name FROM kb_indexes WHERE tenant = ?'),
    stored: db.prepare('SELECT doc, hash, title, text FROM kb_documents WHERE tenant = ? AND id = ?'),
    insert: db.prepare(`INSERT INTO kb_documents (tenant, id, title, text, metadata, source, hash, updated_at)
                        VALUES (@tenant, @id, @title, @text, @metadata, @source, @hash, @now)`),
    update: db.prepare(`UPDATE kb_documents SET title = @title, text = @text, metadata = @metadata, source = @source,
                        hash = @hash, updated_at = @now WHERE doc = @doc`),
    remove: db.prepare('DELETE FROM kb_documents WHERE doc = ?'),
    get: db.prepare('SELECT id, title, text, metadata, source, hash, updated_at FROM kb_documents WHERE tenant = ? AND id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM kb_documents WHERE tenant = ?'),
  };
}

type Statements = ReturnType<typeof prepare>;

/** The statements of the tenant's index, or null when the tenant has none yet (it never added a document). */
function existingIndex(s: Statements, tenant: string): IndexStatements | null {
  const cached = s.indexes.get(tenant);
  if (cached !== undefined) return cached;
  const row = s.indexOf.get(tenant) as { name: string } | undefined;
  if (row === undefined) return null;
  return remember(s, tenant, prepareIndex(s.db, row.name));
}

/** The statements of the tenant's index, made now if it has none. Call inside the write's transaction. */
function writableIndex(s: Statements, tenant: string): IndexStatements {
  const found = existingIndex(s, tenant);
  if (found !== null) return found;
  return remember(s, tenant, prepareIndex(s.db, createIndex(s.db, tenant)));
}

function remember(s: Statements, tenant: string, statements: IndexStatements): IndexStatements {
  if (s.indexes.size >= maxCachedIndexes) s.indexes.clear();
  s.indexes.set(tenant, statements);
  return statements;
}

/**
 * Makes the tenant's (empty) index and its view of the tenant's documents, and registers it.
 * The view finds the tenant through kb_indexes, so no tenant text is ever spliced into SQL.
 */
function createIndex(db: Database.Database, tenant: string): string {
  const name = kbIndexName(tenant);
  const owner = db.prepare('SELECT tenant FROM kb_indexes WHERE name = ?').get(name) as { tenant: string } | undefined;
  if (owner !== undefined && owner.tenant !== tenant) {
    // 64 bits of sha256: never expected; refuse rather than mix two tenants in one index.
    throw new Error(`kb: tenants ${JSON.stringify(owner.tenant)} and ${JSON.stringify(tenant)} hash to the same index name ${name}`);
  }
  const view = `kb_text_${tenantDigits(tenant)}`;
  db.prepare('INSERT OR IGNORE INTO kb_indexes (tenant, name) VALUES (?, ?)').run(tenant, name);
  db.exec(`CREATE VIEW IF NOT EXISTS ${view} AS
             SELECT doc, title, text FROM kb_documents WHERE tenant = (SELECT tenant FROM kb_indexes WHERE name = ${sqlText(name)});
           CREATE VIRTUAL TABLE IF NOT EXISTS ${name} USING fts5(
             title, text,
             content = ${sqlText(view)}, content_rowid = 'doc',
             tokenize = 'porter unicode61 remove_diacritics 2'
           );`);
  return name;
}

function prepareIndex(db: Database.Database, name: string): IndexStatements {
  return {
    insert: db.prepare(`INSERT INTO ${name} (rowid, title, text) VALUES (?, ?, ?)`),
    // External content: FTS5 must be given the values it indexed to remove them.
    delete: db.prepare(`INSERT INTO ${name} (${name}, rowid, title, text) VALUES ('delete', ?, ?, ?)`),
    // ORDER BY the FTS5 `rank` column lets FTS5 sort the matches by bm25 itself, and the join
    // then stops after LIMIT rows, so snippet() runs for the returned hits only (ordering by a
    // computed bm25() would build every match's snippet before sorting). The index holds the
    // tenant's rows only; d.tenant is checked again all the same.
    // The filter is a JSON object; a document passes when, for every field, its metadata holds
    // the same JSON type and value (field names match metadataKeyPattern, so no `"` breaks the path).
    // substr() and length() count characters, so the cut never splits one.
    search: db.prepare(`SELECT d.id, d.title, d.metadata, d.source, ${name}.rank AS rank,
                          substr(d.text, 1, ${hitTextChars}) AS text, length(d.text) > ${hitTextChars} AS cut,
                          snippet(${name}, 1, ${sqlText(snippetOpen)}, ${sqlText(snippetClose)}, ${sqlText(snippetEllipsis)}, ${snippetTokens}) AS snippet
                        FROM ${name} JOIN kb_documents d ON d.doc = ${name}.rowid
                        WHERE ${name} MATCH @match AND ${name}.rank MATCH 'bm25(${titleWeight}.0, 1.0)'
                          AND d.tenant = @tenant
                          AND NOT EXISTS (SELECT 1 FROM json_each(@filter) f
                                          WHERE json_type(d.metadata, '$."' || f.key || '"') IS NOT f.type
                                             OR json_extract(d.metadata, '$."' || f.key || '"') IS NOT f.value)
                        ORDER BY ${name}.rank LIMIT @limit`),
  };
}

/**
 * Stores of an earlier version have one index of all tenants, `kb_fts`, kept by triggers. Once,
 * in one transaction: drop the triggers, give each tenant with documents its own index, rebuilt
 * from its rows, and drop `kb_fts`. A connection that finds `kb_fts` gone inside its
 * transaction (another process upgraded first) does nothing.
 */
function upgradeSharedIndex(db: Database.Database): void {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kb_fts'");
  if (legacy.get() === undefined) return;
  db.transaction(() => {
    if (legacy.get() === undefined) return;
    db.exec('DROP TRIGGER IF EXISTS kb_documents_ai; DROP TRIGGER IF EXISTS kb_documents_ad; DROP TRIGGER IF EXISTS kb_documents_au;');
    const tenants = db.prepare('SELECT DISTINCT tenant FROM kb_documents').pluck().all() as string[];
    for (const tenant of tenants) {
      const name = createIndex(db, tenant);
      db.exec(`INSERT INTO ${name} (${name}) VALUES ('rebuild')`);
    }
    db.exec('DROP TABLE kb_fts');
  }).immediate();
}

/** The stored form of a document, checked against the limits the schema cannot express. */
function encode(doc: KbDocumentInput): { title: string | null; text: string; metadata: string; source: string | null; hash: string } {
  // The action's schema already enforces the shapes; host callers (the CLI, bulk loads) get the same rules.
  if (typeof doc.id !== 'string' || doc.id.length === 0 || doc.id.length > maxIdLength) invalid(doc.id, `id must be 1-${maxIdLength} characters`);
  if (typeof doc.text !== 'string') invalid(doc.id, 'text must be a string');
  if (doc.title !== undefined && (typeof doc.title !== 'string' || doc.title.length > maxTitleLength)) invalid(doc.id, `title must be at most ${maxTitleLength} characters`);
  if (doc.source !== undefined && (typeof doc.source !== 'string' || doc.source.length > maxSourceLength)) invalid(doc.id, `source must be at most ${maxSourceLength} characters`);
  const bytes = Buffer.byteLength(doc.text);
  if (bytes > maxTextBytes) {
    throw new ActionFailure(ErrorCodes.VALIDATION, `kb.add: the text of document ${JSON.stringify(clip(doc.id, 64))} is ${bytes} bytes of UTF-8, over the ${maxTextBytes}-byte limit; split it into chunks and add each as its own document`, { details: { id: doc.id, bytes, limit: maxTextBytes } });
  }
  const metadata = canonicalMetadata(doc.id, doc.metadata ?? {});
  const title = doc.title ?? null;
  const source = doc.source ?? null;
  const hash = createHash('sha256').update(JSON.stringify([title, doc.text, metadata, source])).digest('hex');
  return { title, text: doc.text, metadata, source, hash };
}

/** Metadata as JSON with sorted keys, so that equal metadata hashes equal whatever the key order. */
function canonicalMetadata(id: string, metadata: Metadata): string {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) invalid(id, 'metadata must be an object');
  const keys = Object.keys(metadata).sort();
  if (keys.length > maxMetadataFields) invalid(id, `metadata has ${keys.length} fields, over the limit of ${maxMetadataFields}`);
  const sorted: Metadata = {};
  for (const k of keys) {
    const v = metadata[k];
    if (!metadataKey.test(k)) invalid(id, `metadata field ${JSON.stringify(clip(k, 64))} must match ${metadataKeyPattern}`);
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= maxMetadataStringLength);
    if (!ok) invalid(id, `metadata field ${k} must be a string (at most ${maxMetadataStringLength} characters), a finite number or a boolean`);
    sorted[k] = v;
  }
  return JSON.stringify(sorted);
}

function invalid(id: unknown, what: string): never {
  throw new ActionFailure(ErrorCodes.VALIDATION, `kb.add: document ${JSON.stringify(typeof id === 'string' ? clip(id, 64) : id)}: ${what}`, { details: { id } });
}

function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
