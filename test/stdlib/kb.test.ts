import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, openEngine, type Engine } from '../../runtime/index.js';
import { hitTextChars, kbActions, kbIndexName, KbTable, maxQueryTerms, maxResultBytes, maxTextBytes, wordsQuery } from '../../stdlib/kb/index.js';
import { anyTenant, TenantDirectory, type TenantGuard } from '../../stdlib/tenants.js';

// One workflow drives every test: it applies a list of kb operations and reports, for each,
// the result or the caught ActionError's code, so tests read what the workflow saw.
const script = `export default async (input, actions) => {
  const out = [];
  for (const op of input.ops) {
    try {
      out.push({ ok: await actions.kb[op.verb](op.args) });
    } catch (err) {
      out.push({ code: err.code, message: err.message, details: err.details });
    }
    if (op.pause) await actions.sleep(op.pause);
  }
  return out;
}`;
const manifest = { name: 'kb-ops', kind: 'user', actions: ['kb.add', 'kb.search', 'kb.remove'] };

type Op = { verb: 'add' | 'search' | 'remove'; args: Record<string, unknown>; pause?: string };
type Hit = { id: string; title: string | null; snippet: string; text: string; score: number; metadata: Record<string, unknown>; source: string | null };
type Seen = { ok?: unknown; code?: string; message?: string; details?: unknown };

let dir: string;
let store: string;
let clock: ManualClock;
let engine: Engine;

function open(tenants: TenantGuard = anyTenant, retention?: string | number): Engine {
  return openEngine({ store, clock, actions: kbActions({ store, tenants, now: () => clock.now() }), ...(retention === undefined ? {} : { retention }) });
}

async function apply(ops: Op[], tenant = 'acme', permissions: string[] = ['kb:*']): Promise<{ id: string; seen: Seen[] }> {
  const wf = engine.deploy({ script, manifest });
  const run = engine.start(wf.id, { input: { ops }, tenant, permissions });
  await engine.runUntilIdle();
  const info = engine.getRun(run.id);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return { id: run.id, seen: info.output as Seen[] };
}

/** The hits of one search, in order. */
async function search(args: Record<string, unknown>, tenant = 'acme'): Promise<Hit[]> {
  const { seen } = await apply([{ verb: 'search', args }], tenant);
  expect(seen[0].code).toBeUndefined();
  return (seen[0].ok as { hits: Hit[] }).hits;
}

const add = (args: Record<string, unknown>): Op => ({ verb: 'add', args });

/** Reads the store with a connection of the test's own, as an operator would. */
function inStore<T>(read: (db: Database.Database) => T): T {
  const db = new Database(store);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Documents stored, all tenants; 0 also when no kb action ever opened the table. */
function documentCount(): number {
  return inStore((db) => {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kb_documents'").get() !== undefined;
    return exists ? (db.prepare('SELECT count(*) AS n FROM kb_documents').get() as { n: number }).n : 0;
  });
}

/** FTS5's own check that each tenant's index holds exactly its documents (throws SQLITE_CORRUPT_VTAB otherwise). */
function checkIndex(): void {
  inStore((db) => {
    for (const name of db.prepare('SELECT name FROM kb_indexes').pluck().all() as string[]) db.exec(`INSERT INTO ${name} (${name}, rank) VALUES ('integrity-check', 1)`);
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alice-kb-'));
  store = join(dir, 'alice.db');
  clock = new ManualClock();
  engine = open();
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stdlib kb: add, search, remove', () => {
  it('adds documents, finds them by their words with title, metadata and source, and removes them', async () => {
    const { seen } = await apply([
      add({ id: 'refunds', title: 'Refund policy', text: 'Customers may return a product within 30 days for a full refund.', metadata: { lang: 'en', version: 2 }, source: 'handbook.md#refunds' }),
      add({ id: 'shipping', text: 'Parcels ship from our warehouse in Lyon within two business days.' }),
    ]);
    expect(seen.map((s) => s.ok)).toEqual([{ id: 'refunds', status: 'added' }, { id: 'shipping', status: 'added' }]);

    const hits = await search({ query: 'How do I get a refund?' });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      id: 'refunds',
      title: 'Refund policy',
      text: 'Customers may return a product within 30 days for a full refund.',
      metadata: { lang: 'en', version: 2 },
      source: 'handbook.md#refunds',
    });
    expect(hits[0].score).toBeGreaterThan(0);
    expect((await search({ query: 'warehouse' }))[0]).toMatchObject({ id: 'shipping', title: null, metadata: {}, source: null });

    const removed = await apply([
      { verb: 'remove', args: { id: 'refunds' } },
      { verb: 'remove', args: { id: 'refunds' } },
      { verb: 'search', args: { query: 'refund' } },
    ]);
    expect(removed.seen.map((s) => s.ok)).toEqual([{ removed: true }, { removed: false }, { hits: [] }]);
    expect(inStore((db) => db.prepare('SELECT id FROM kb_documents').all())).toEqual([{ id: 'shipping' }]);
    checkIndex();
  });

  it('ranks a document matching more and rarer words first, and weights a match in the title above one in the text', async () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `common${i % 5}`).join(' ');
    await apply([
      // "invoice" is in every document, "overdue" and "penalty" in few.
      add({ id: 'all-three', text: `invoice overdue penalty ${filler(20)}` }),
      add({ id: 'two-rare', text: `overdue penalty ${filler(21)}` }),
      add({ id: 'common-only', text: `invoice ${filler(22)}` }),
      add({ id: 'invoice-a', text: `invoice ${filler(22)}` }),
      add({ id: 'invoice-b', text: `invoice ${filler(22)}` }),
      add({ id: 'in-title', title: 'Quarterly roadmap', text: `planning ${filler(22)}` }),
      add({ id: 'in-text', title: 'Notes', text: `roadmap ${filler(22)}` }),
    ]);
    const ranked = await search({ query: 'invoice overdue penalty', limit: 10 });
    expect(ranked.map((h) => h.id).slice(0, 2)).toEqual(['all-three', 'two-rare']);
    expect(ranked.map((h) => h.id).slice(2).sort()).toEqual(['common-only', 'invoice-a', 'invoice-b']);
    const scores = ranked.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    const roadmap = await search({ query: 'roadmap' });
    expect(roadmap.map((h) => h.id)).toEqual(['in-title', 'in-text']);
    expect(roadmap[0].score).toBeGreaterThan(roadmap[1].score);
  });

  it('returns a snippet of the text around the matches, with stemmed matches marked « » and cut text marked …', async () => {
    const before = Array.from({ length: 40 }, (_, i) => `lead${i}`).join(' ');
    const after = Array.from({ length: 40 }, (_, i) => `tail${i}`).join(' ');
    await apply([
      add({ id: 'long', text: `${before} The engineers were running the migrations at night. ${after}` }),
      add({ id: 'title-only', title: 'Running costs', text: 'Nothing about it here.' }),
    ]);
    const hits = await search({ query: 'run migration' });
    const long = hits.find((h) => h.id === 'long')!;
    // Porter stems both the query and the text: "run" finds «running», "migration" «migrations».
    expect(long.snippet).toContain('«running»');
    expect(long.snippet).toContain('«migrations»');
    expect(long.snippet.startsWith('…')).toBe(true);
    expect(long.snippet.endsWith('…')).toBe(true);
    expect(long.snippet.split(/\s+/).length).toBeLessThanOrEqual(34);
    // A title-only match still gets a snippet: the start of the text, unmarked.
    expect(hits.find((h) => h.id === 'title-only')!.snippet).toBe('Nothing about it here.');
    // The hit's text is the document's, whole up to hitTextChars characters.
    expect(long.text).toBe(`${before} The engineers were running the migrations at night. ${after}`);
  });

  it('cuts the text of a hit after hitTextChars characters, never inside a character, and marks the cut with …', async () => {
    const text = `needle ${'é😀'.repeat(hitTextChars)}`;
    await apply([add({ id: 'big', text }), add({ id: 'exact', text: `needle ${'x'.repeat(hitTextChars - 7)}` })]);
    const hits = await search({ query: 'needle' });
    const big = hits.find((h) => h.id === 'big')!;
    expect(Array.from(big.text)).toHaveLength(hitTextChars + 1);
    expect(big.text).toBe(Array.from(text).slice(0, hitTextChars).join('') + '…');
    expect(hits.find((h) => h.id === 'exact')!.text).toBe(`needle ${'x'.repeat(hitTextChars - 7)}`);
  });

  it("keeps each tenant's documents apart: search, add and remove never cross tenants", async () => {
    await apply([add({ id: 'plan', title: 'Acme pricing', text: 'Acme pricing plan: gold tier at 99 euros.' })], 'acme');
    await apply([add({ id: 'plan', title: 'Globex pricing', text: 'Globex pricing plan: silver tier at 49 euros.' })], 'globex');
    await apply([add({ id: 'acme-only', text: 'Acme secret roadmap: pricing changes.' })], 'acme');

    const globex = await search({ query: 'pricing plan secret roadmap gold', limit: 50 }, 'globex');
    expect(globex.map((h) => [h.id, h.title])).toEqual([['plan', 'Globex pricing']]);
    expect((await search({ query: 'tier', syntax: 'fts' }, 'globex')).map((h) => h.snippet)).toEqual(['Globex pricing plan: silver «tier» at 49 euros.']);
    expect(await search({ query: 'pricing' }, 'initech')).toEqual([]);

    const { seen } = await apply([{ verb: 'remove', args: { id: 'acme-only' } }, { verb: 'remove', args: { id: 'plan' } }], 'globex');
    expect(seen.map((s) => s.ok)).toEqual([{ removed: false }, { removed: true }]);
    expect((await search({ query: 'pricing roadmap' }, 'acme')).map((h) => h.id).sort()).toEqual(['acme-only', 'plan']);
    expect(await search({ query: 'pricing' }, 'globex')).toEqual([]);
  });

  it('adds the same document twice as unchanged, writing and indexing nothing twice', async () => {
    const doc = { id: 'faq', title: 'FAQ', text: 'Opening hours are nine to five.', metadata: { b: 1, a: 'x' }, source: 'faq.md' };
    const first = await apply([add(doc)]);
    expect(first.seen[0].ok).toEqual({ id: 'faq', status: 'added' });
    const stored = inStore((db) => db.prepare('SELECT doc, hash, updated_at FROM kb_documents').all());
    expect(stored).toMatchObject([{ updated_at: clock.now() }]);

    clock.advance('1h');
    // Same content, metadata keys in another order: the same document.
    const again = await apply([add({ ...doc, metadata: { a: 'x', b: 1 } }), add(doc)]);
    expect(again.seen.map((s) => s.ok)).toEqual([
      { id: 'faq', status: 'unchanged' },
      { id: 'faq', status: 'unchanged' },
    ]);
    expect(inStore((db) => db.prepare('SELECT doc, hash, updated_at FROM kb_documents').all())).toEqual(stored);
    expect((await search({ query: 'opening hours' })).map((h) => h.id)).toEqual(['faq']);
    const index = kbIndexName('acme');
    expect(inStore((db) => db.prepare(`SELECT count(*) AS n FROM ${index} WHERE ${index} MATCH 'opening'`).get())).toEqual({ n: 1 });
    checkIndex();
  });

  it('replaces a document added again with other content: the old words no longer match, the new ones do', async () => {
    await apply([add({ id: 'office', title: 'Office', text: 'Our office is in Berlin, near the river.', metadata: { floor: 3 } })]);
    const { seen } = await apply([
      add({ id: 'office', title: 'Office', text: 'Our office moved to Madrid in spring.', metadata: { floor: 3 } }),
      add({ id: 'office', title: 'Office', text: 'Our office moved to Madrid in spring.', metadata: { floor: 4 } }),
    ]);
    expect(seen.map((s) => s.ok)).toEqual([
      { id: 'office', status: 'updated' },
      { id: 'office', status: 'updated' },
    ]);
    expect(await search({ query: 'berlin river' })).toEqual([]);
    const hits = await search({ query: 'madrid' });
    expect(hits.map((h) => [h.id, h.metadata])).toEqual([['office', { floor: 4 }]]);
    expect(documentCount()).toBe(1);
    checkIndex();
  });

  it('filters hits by metadata equality, value and JSON type alike, every field at once', async () => {
    await apply([
      add({ id: 'en-2', text: 'billing guide', metadata: { lang: 'en', version: 2, public: true } }),
      add({ id: 'en-1', text: 'billing guide old', metadata: { lang: 'en', version: 1, public: false } }),
      add({ id: 'fr-2', text: 'billing guide français', metadata: { lang: 'fr', version: 2, public: true } }),
      add({ id: 'str-2', text: 'billing guide odd', metadata: { lang: 'en', version: '2' } }),
      add({ id: 'none', text: 'billing guide plain' }),
    ]);
    const ids = async (filter: Record<string, unknown>) => (await search({ query: 'billing', limit: 50, filter })).map((h) => h.id).sort();
    expect(await ids({})).toEqual(['en-1', 'en-2', 'fr-2', 'none', 'str-2']);
    expect(await ids({ lang: 'en' })).toEqual(['en-1', 'en-2', 'str-2']);
    expect(await ids({ lang: 'en', version: 2 })).toEqual(['en-2']);
    expect(await ids({ version: '2' })).toEqual(['str-2']);
    expect(await ids({ public: true })).toEqual(['en-2', 'fr-2']);
    expect(await ids({ public: false })).toEqual(['en-1']);
    expect(await ids({ missing: 'x' })).toEqual([]);
  });

  it('returns 5 hits by default and at most limit', async () => {
    await apply(Array.from({ length: 12 }, (_, i) => add({ id: `d${String(i).padStart(2, '0')}`, text: `quarterly report number ${i}` })));
    expect(await search({ query: 'quarterly report' })).toHaveLength(5);
    expect(await search({ query: 'quarterly report', limit: 2 })).toHaveLength(2);
    expect(await search({ query: 'quarterly report', limit: 50 })).toHaveLength(12);
  });
});

describe('stdlib kb: queries', () => {
  it('accepts any text in words mode: quotes, operators, punctuation, unicode and very long texts never fail', async () => {
    await apply([
      add({ id: 'near', title: 'NEAR field', text: 'The AND gate and the OR gate; near-field communication (NFC) costs 5€.' }),
      add({ id: 'cafe', text: 'Le café de la gare ouvre à 7h. 東京 station. Ünïcödé text.' }),
    ]);
    const hostile = [
      '"',
      '""',
      '"unterminated gate',
      '*',
      'gate*',
      'NEAR(',
      'NEAR(gate, 2)',
      '-gate',
      'title:gate',
      'text : gate',
      'AND',
      'gate AND',
      'OR OR NOT',
      '^gate',
      '{title text}: gate',
      '(gate',
      'gate)',
      "what's the 'AND' gate?",
      '😀 emoji 🎉',
      'cafe',
      '东京 東京',
      '\u0301\u0301 combining marks only',
      '\u0000nul\u0000',
      'x'.repeat(20_000),
      Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ') + ' gate',
    ];
    const { seen } = await apply(hostile.map((query) => ({ verb: 'search' as const, args: { query, limit: 50 } })));
    expect(seen.filter((s) => s.code !== undefined)).toEqual([]);
    const found = (i: number) => (seen[i].ok as { hits: Hit[] }).hits.map((h) => h.id);
    expect(found(hostile.indexOf('NEAR('))).toEqual(['near']);
    expect(found(hostile.indexOf('-gate'))).toEqual(['near']);
    expect(found(hostile.indexOf('title:gate'))).toEqual(['near']);
    // Diacritics are folded both ways: "cafe" finds café.
    expect(found(hostile.indexOf('cafe'))).toEqual(['cafe']);
    expect(found(hostile.indexOf('东京 東京'))).toEqual(['cafe']);
    // More than maxQueryTerms words: the first ones are kept, so a word at the very end is not.
    expect(found(hostile.length - 1)).toEqual([]);
  });

  it('finds nothing, without an error, for a words query with no words in it', async () => {
    await apply([add({ id: 'doc', text: 'anything at all' })]);
    const { seen } = await apply(['', '   ', '?!', '"*"', '— … «»', '-:()'].map((query) => ({ verb: 'search' as const, args: { query } })));
    expect(seen.map((s) => s.ok)).toEqual(Array(6).fill({ hits: [] }));
  });

  it('builds words queries from distinct quoted words, joined with OR, without stopwords unless there is nothing else', () => {
    expect(wordsQuery('What is the "refund" policy?')).toBe('"refund" OR "policy"');
    expect(wordsQuery('NEAR(x, 2) AND -y:z*')).toBe('"near" OR "x" OR "2" OR "y" OR "z"');
    expect(wordsQuery('Refund refund REFUND')).toBe('"refund"');
    expect(wordsQuery('what is it')).toBe('"what" OR "is" OR "it"');
    expect(wordsQuery('Ünïcödé 東京')).toBe('"ünïcödé" OR "東京"');
    expect(wordsQuery('?!')).toBeNull();
    expect(wordsQuery(Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '))?.split(' OR ')).toHaveLength(maxQueryTerms);
  });

  it('passes FTS5 syntax through in fts mode: phrases, prefixes, NOT, NEAR and column filters', async () => {
    await apply([
      add({ id: 'a', title: 'Release notes', text: 'The release of version two fixes the login bug.' }),
      add({ id: 'b', title: 'Login', text: 'How to release a lock on your account.' }),
    ]);
    const ids = async (query: string) => (await search({ query, syntax: 'fts', limit: 50 })).map((h) => h.id).sort();
    expect(await ids('"login bug"')).toEqual(['a']);
    expect(await ids('rel*')).toEqual(['a', 'b']);
    expect(await ids('release NOT lock')).toEqual(['a']);
    expect(await ids('NEAR(release lock, 3)')).toEqual(['b']);
    expect(await ids('title:login')).toEqual(['b']);
    expect(await ids('release AND login')).toEqual(['a', 'b']);
  });

  it('fails an fts query that does not parse with a memoized ALICE_KB_QUERY naming the place, and replays it', async () => {
    await apply([add({ id: 'doc', text: 'some text' })]);
    const bad = ['NEAR(', 'text AND', '"unterminated', 'nosuchcolumn: x', '*'];
    const ops: Op[] = bad.map((query, i) => ({ verb: 'search', args: { query, syntax: 'fts' }, ...(i === bad.length - 1 ? { pause: '1h' } : {}) }));
    const wf = engine.deploy({ script, manifest });
    const run = engine.start(wf.id, { input: { ops }, tenant: 'acme', permissions: ['kb:*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    const before = engine.getJournal(run.id).slice(0, 5);
    expect(before.map((s) => [s.action, s.state, s.error?.code, s.attempts])).toEqual(Array(5).fill(['kb.search', 'error', 'ALICE_KB_QUERY', 1]));
    expect(before[0].error?.message).toMatch(/does not parse at character 5 \(fts5: syntax error near ""\)/);
    expect(before[2].error?.message).toMatch(/at character 0 \(unterminated string\)/);
    expect(before[3].error?.message).toMatch(/no such column: nosuchcolumn/);
    expect(before[0].error?.message).toMatch(/syntax: "words"/);

    clock.advance('1h');
    await engine.runUntilIdle();
    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    const seen = info.output as Seen[];
    expect(seen.map((s) => s.code)).toEqual(Array(5).fill('ALICE_KB_QUERY'));
    expect(seen[1].details).toMatchObject({ query: 'text AND', reason: 'fts5: syntax error near ""', position: 8 });
    expect(engine.getJournal(run.id).slice(0, 5)).toEqual(before);
    expect(engine.getLog(run.id).filter((e) => e.kind === 'step' && e.step !== null && e.step <= 5).map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('stdlib kb: faults and rules', () => {
  it('memoizes invalid arguments as ALICE_VALIDATION errors, and stores nothing', async () => {
    const ops: Op[] = [
      add({ text: 'no id' }),
      add({ id: 'x', text: '' }),
      add({ id: 'x', text: 't', extra: 1 }),
      add({ id: 'x', text: 't', metadata: { nested: { a: 1 } } }),
      add({ id: 'x', text: 't', metadata: { 'bad key': 1 } }),
      add({ id: 'x', text: 't', metadata: { list: [1] } }),
      // Under the bridge limit but over the kb limit (3 bytes per character): refused by the action.
      add({ id: 'big', text: '€'.repeat(Math.floor(maxTextBytes / 3) + 1) }),
      { verb: 'search', args: { query: 'x', limit: 0 } },
      { verb: 'search', args: { query: 'x', limit: 51 } },
      { verb: 'search', args: { query: 'x', syntax: 'regex' } },
      { verb: 'search', args: { query: 'x', filter: { a: null } } },
      { verb: 'search', args: { query: 'x', filter: { 'a"b': 'x' } } },
      { verb: 'search', args: { limit: 1 } },
      { verb: 'remove', args: { id: '' } },
    ];
    const { id, seen } = await apply(ops);
    expect(seen.map((s) => s.code)).toEqual(Array(ops.length).fill('ALICE_VALIDATION'));
    expect(engine.getJournal(id).map((s) => [s.state, s.attempts])).toEqual(Array(ops.length).fill(['error', 1]));
    expect(seen[2].message).toMatch(/extra/);
    expect(seen[6].message).toMatch(/bytes of UTF-8, over the 262144-byte limit; split it into chunks/);
    expect(documentCount()).toBe(0);
  });

  it('refuses kb.add and kb.remove to a run that holds only kb:read, with a memoized ALICE_UNAUTHORIZED', async () => {
    await apply([add({ id: 'doc', text: 'kept safe' })]);
    const { id, seen } = await apply(
      [add({ id: 'doc', text: 'overwritten' }), { verb: 'remove', args: { id: 'doc' } }, { verb: 'search', args: { query: 'kept' } }],
      'acme',
      ['kb:read'],
    );
    expect(seen.map((s) => s.code)).toEqual(['ALICE_UNAUTHORIZED', 'ALICE_UNAUTHORIZED', undefined]);
    expect(seen[0].message).toContain('kb:write');
    expect((seen[2].ok as { hits: Hit[] }).hits.map((h) => h.id)).toEqual(['doc']);
    expect(engine.getLog(id).filter((e) => e.kind === 'refusal')).toHaveLength(2);
  });

  it('refuses a tenant that is not registered, with a memoized ALICE_UNKNOWN_TENANT, and writes nothing', async () => {
    await engine.close();
    const tenants = new TenantDirectory(store);
    engine = open(tenants);
    try {
      const wf = engine.deploy({ script, manifest });
      const run = engine.start(wf.id, { input: { ops: [add({ id: 'x', text: 'hello' }), { verb: 'search', args: { query: 'hello' } }] }, tenant: 'initech', permissions: ['kb:*'] });
      await engine.runUntilIdle();
      const seen = engine.getRun(run.id).output as Seen[];
      expect(seen.map((s) => s.code)).toEqual(['ALICE_UNKNOWN_TENANT', 'ALICE_UNKNOWN_TENANT']);
      expect(seen[0].message).not.toContain('initech');
      expect(documentCount()).toBe(0);
    } finally {
      tenants.close();
    }
  });

  it('keeps documents after the run that added them is finalized and its journal purged: kb has no finalize', async () => {
    await engine.close();
    engine = open(anyTenant, 0);
    expect(kbActions({ store, tenants: anyTenant }).map((a) => [a.name, a.finalize])).toEqual([
      ['kb.add', undefined],
      ['kb.search', undefined],
      ['kb.remove', undefined],
    ]);
    const { id } = await apply([add({ id: 'durable', text: 'outlives its run' })]);
    await engine.runUntilIdle();
    expect(engine.getRun(id).finalizedAt).not.toBeNull();
    expect(engine.getJournal(id)).toEqual([]);
    expect((await search({ query: 'outlives' })).map((h) => h.id)).toEqual(['durable']);
  });
});

describe('KbTable on the host', () => {
  it('bulk-loads documents in one transaction and reports each status', () => {
    const table = new KbTable(store);
    try {
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: `bulk document ${i} about topic${i % 7}` }));
      expect(table.addMany('acme', docs, 1)).toEqual({ added: 50, updated: 0, unchanged: 0 });
      expect(table.addMany('acme', [...docs.slice(0, 10), { id: 'd10', text: 'changed' }], 2)).toEqual({ added: 0, updated: 1, unchanged: 10 });
      expect(table.count('acme')).toBe(50);
      expect(table.get('acme', 'd10')).toMatchObject({ text: 'changed', updatedAt: 2 });
      // d3, d10, d17, … were about topic3; d10 no longer is.
      expect(table.search('acme', { query: 'topic3', limit: 50 }).hits.map((h) => h.id).sort()).toEqual(['d17', 'd24', 'd3', 'd31', 'd38', 'd45']);
      expect(() => table.add('acme', { id: 'big', text: 'x'.repeat(maxTextBytes + 1) }, 3)).toThrow(expect.objectContaining({ code: 'ALICE_VALIDATION' }));
      expect(() => table.search('acme', { query: 'x', filter: { 'a"b': 1 } })).toThrow(expect.objectContaining({ code: 'ALICE_VALIDATION' }));
      expect(() => table.search('acme', { query: 'x', limit: 51 })).toThrow(expect.objectContaining({ code: 'ALICE_VALIDATION' }));
    } finally {
      table.close();
    }
    checkIndex();
  });

  it('leaves out the hits past maxResultBytes of JSON, so a search result always crosses the bridge', () => {
    const table = new KbTable(store);
    try {
      // About 40 KB of JSON per hit: the longest title and source, 32 long metadata strings.
      const metadata = Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`field${k}`, 'm'.repeat(1024)]));
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, title: 't'.repeat(1024), source: 's'.repeat(2048), metadata, text: `heavy ${'w '.repeat(1500)}` }));
      table.addMany('acme', docs, 1);
      const { hits } = table.search('acme', { query: 'heavy', limit: 50 });
      expect(hits.length).toBeGreaterThan(5);
      expect(hits.length).toBeLessThan(50);
      expect(Buffer.byteLength(JSON.stringify({ hits }))).toBeLessThanOrEqual(maxResultBytes + 64);
    } finally {
      table.close();
    }
  });

  it("moves a store with the earlier shared index to one index per tenant, once, keeping every tenant's documents searchable", async () => {
    await engine.close();
    // The schema of the earlier version: one FTS5 index of all tenants, kept by triggers.
    inStore((db) => {
      db.exec(`CREATE TABLE kb_documents (doc INTEGER PRIMARY KEY, tenant TEXT NOT NULL, id TEXT NOT NULL, title TEXT, text TEXT NOT NULL,
                 metadata TEXT NOT NULL, source TEXT, hash TEXT NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (tenant, id));
               CREATE VIRTUAL TABLE kb_fts USING fts5(title, text, content = 'kb_documents', content_rowid = 'doc', tokenize = 'porter unicode61 remove_diacritics 2');
               CREATE TRIGGER kb_documents_ai AFTER INSERT ON kb_documents BEGIN INSERT INTO kb_fts (rowid, title, text) VALUES (new.doc, new.title, new.text); END;`);
      const insert = db.prepare("INSERT INTO kb_documents (tenant, id, title, text, metadata, source, hash, updated_at) VALUES (?, ?, ?, ?, '{}', NULL, 'h', 0)");
      insert.run('acme', 'refunds', 'Refund policy', 'Refunds within 30 days.');
      insert.run('globex', 'refunds', null, 'Globex refunds never.');
      insert.run('globex', 'office', null, 'Our office is in Springfield.');
    });
    const table = new KbTable(store);
    try {
      expect(table.search('acme', { query: 'refund' }).hits.map((h) => [h.id, h.snippet])).toEqual([['refunds', '«Refunds» within 30 days.']]);
      expect(table.search('globex', { query: 'refunds office' }).hits.map((h) => h.id).sort()).toEqual(['office', 'refunds']);
      expect(table.remove('globex', 'office')).toBe(true);
      expect(table.add('acme', { id: 'office', text: 'Acme office in Lyon.' }, 1)).toBe('added');
    } finally {
      table.close();
    }
    const schema = inStore((db) => db.prepare("SELECT name FROM sqlite_master WHERE name = 'kb_fts' OR (type = 'trigger' AND tbl_name = 'kb_documents')").all());
    expect(schema).toEqual([]);
    expect(inStore((db) => db.prepare('SELECT tenant, name FROM kb_indexes ORDER BY tenant').all())).toEqual([
      { tenant: 'acme', name: kbIndexName('acme') },
      { tenant: 'globex', name: kbIndexName('globex') },
    ]);
    checkIndex();
    engine = open();
    expect((await search({ query: 'office' })).map((h) => h.id)).toEqual(['office']);
    expect(await search({ query: 'office' }, 'globex')).toEqual([]);
  });
});
