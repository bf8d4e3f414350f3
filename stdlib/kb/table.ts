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

// External content: the text lives once, in kb_documents, and the FTS5 index refers to it by
// rowid. snippet() reads the text back from kb_documents, so it works (a contentless index could
// not make snippets), and the index can be rebuilt from the table ('rebuild'). Triggers keep the
// index in step with every insert, update and delete, inside the writer's transaction.
// `doc` is an INTEGER PRIMARY KEY (a rowid alias), so VACUUM keeps the rowids the index holds.
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
CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(
  title, text,
  content = 'kb_documents', content_rowid = 'doc',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS kb_documents_ai AFTER INSERT ON kb_documents BEGIN
  INSERT INTO kb_fts (rowid, title, text) VALUES (new.doc, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS kb_documents_ad AFTER DELETE ON kb_documents BEGIN
  INSERT INTO kb_fts (kb_fts, rowid, title, text) VALUES ('delete', old.doc, old.title, old.text);
END;
CREATE TRIGGER IF NOT EXISTS kb_documents_au AFTER UPDATE OF title, text ON kb_documents BEGIN
  INSERT INTO kb_fts (kb_fts, rowid, title, text) VALUES ('delete', old.doc, old.title, old.text);
  INSERT INTO kb_fts (rowid, title, text) VALUES (new.doc, new.title, new.text);
END;
`;

/**
 * The knowledge base: documents per tenant in the engine's SQLite file, with an FTS5 index over
 * title and text. Every statement takes the tenant and filters on it; the actions pass the run's
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
  private readonly table: PreparedTable<ReturnType<typeof prepare>>;

  constructor(path: string) {
    this.table = new PreparedTable(path, ddl, prepare);
  }

  private get s(): ReturnType<typeof prepare> {
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
        const existing = s.hashOf.get(tenant, doc.id) as { doc: number; hash: string } | undefined;
        if (existing?.hash === row.hash) return 'unchanged';
        if (existing === undefined) {
          s.insert.run({ tenant, id: doc.id, ...row, now });
          return 'added';
        }
        s.update.run({ doc: existing.doc, ...row, now });
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
    return this.s.remove.run(tenant, id).changes > 0;
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
    let rows: HitRow[];
    try {
      rows = this.s.search.all({ tenant, match, limit, filter: JSON.stringify(filter) }) as HitRow[];
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

function prepare(db: Database.Database) {
  const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return {
    db,
    hashOf: db.prepare('SELECT doc, hash FROM kb_documents WHERE tenant = ? AND id = ?'),
    insert: db.prepare(`INSERT INTO kb_documents (tenant, id, title, text, metadata, source, hash, updated_at)
                        VALUES (@tenant, @id, @title, @text, @metadata, @source, @hash, @now)`),
    update: db.prepare(`UPDATE kb_documents SET title = @title, text = @text, metadata = @metadata, source = @source,
                        hash = @hash, updated_at = @now WHERE doc = @doc`),
    remove: db.prepare('DELETE FROM kb_documents WHERE tenant = ? AND id = ?'),
    get: db.prepare('SELECT id, title, text, metadata, source, hash, updated_at FROM kb_documents WHERE tenant = ? AND id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM kb_documents WHERE tenant = ?'),
    // ORDER BY the FTS5 `rank` column lets FTS5 sort the matches by bm25 itself, and the join
    // then stops after LIMIT rows of the tenant, so snippet() runs for the returned hits only
    // (ordering by a computed bm25() would build every match's snippet before sorting).
    // The filter is a JSON object; a document passes when, for every field, its metadata holds
    // the same JSON type and value (field names match metadataKeyPattern, so no `"` breaks the path).
    // substr() and length() count characters, so the cut never splits one.
    search: db.prepare(`SELECT d.id, d.title, d.metadata, d.source, kb_fts.rank AS rank,
                          substr(d.text, 1, ${hitTextChars}) AS text, length(d.text) > ${hitTextChars} AS cut,
                          snippet(kb_fts, 1, ${sqlText(snippetOpen)}, ${sqlText(snippetClose)}, ${sqlText(snippetEllipsis)}, ${snippetTokens}) AS snippet
                        FROM kb_fts JOIN kb_documents d ON d.doc = kb_fts.rowid
                        WHERE kb_fts MATCH @match AND kb_fts.rank MATCH 'bm25(${titleWeight}.0, 1.0)'
                          AND d.tenant = @tenant
                          AND NOT EXISTS (SELECT 1 FROM json_each(@filter) f
                                          WHERE json_type(d.metadata, '$."' || f.key || '"') IS NOT f.type
                                             OR json_extract(d.metadata, '$."' || f.key || '"') IS NOT f.value)
                        ORDER BY kb_fts.rank LIMIT @limit`),
  };
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
