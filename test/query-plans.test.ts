import type { Statement } from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Queries } from '../runtime/journal/queries.js';
import { Store } from '../runtime/journal/store.js';

/**
 * Statements that may read a table without a constraint on a key, and why. Everything else the
 * engine runs must find its rows through a key or an index: the journal, the log and the events
 * grow with every step, and a statement that walks them gets slower with the store's age.
 */
const mayScan: Record<string, { tables: string[]; why: string }> = {
  listWorkflows: { tables: ['workflows'], why: 'alice workflows: every workflow, by design' },
  listRuns: { tables: ['runs'], why: 'alice runs: a listing, newest first, with optional filters' },
  runsOfWorkflow: { tables: ['runs'], why: 'only when an agent workflow starts (once per approved agent task)' },
  logAll: { tables: ['log', 'steps'], why: 'alice log --all: every entry, by design' },
  subscriptionsFor: { tables: ['subscriptions'], why: 'one row per workflow and tenant' },
  listSubscriptions: { tables: ['subscriptions'], why: 'one row per workflow and tenant' },
  maxEventId: { tables: ['sqlite_sequence'], why: 'one row per table' },
  insertFinalizeTask: { tables: ['json_each'], why: 'the seqs the statement is given' },
  insertFinalizeTasks: { tables: ['json_each'], why: 'the actions the statement is given' },
  nextFinalize: { tables: ['finalize_tasks'], why: 'min() over a partial index: its first entry' },
  purgeChains: { tables: ['events'], why: 'min(id) of the events: their first row' },
  oldestWaitCursor: { tables: ['w'], why: 'the waits table: one row per step waiting for an event, each joined to its journal row by key' },
};

/**
 * A plan step that reads a table or index from end to end: no `(column=?)` constraint, a
 * virtual table walked whole, or an automatic index (SQLite builds it by reading the table).
 */
function unconstrained(detail: string): boolean {
  if (/^(?:SCAN|SEARCH) (?:\(subquery|CONSTANT ROW)/.test(detail)) return false;
  return /AUTOMATIC/.test(detail) || /^SCAN \S+ VIRTUAL TABLE/.test(detail) ||
    /^(?:SCAN|SEARCH) \S+(?: USING (?:COVERING )?(?:INDEX \w+|PRIMARY KEY|INTEGER PRIMARY KEY))?$/.test(detail);
}

describe('query plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alice-plans-'));
  const store = new Store(join(dir, 'alice.db'));
  afterAll(() => {
    store.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('find the rows of every statement the engine runs through a key, except the listings named here', () => {
    const statements = (new Queries(store.db) as unknown as { s: Record<string, Statement> }).s;
    const scanning: Record<string, string[]> = {};
    for (const [name, stmt] of Object.entries(statements)) {
      const explain = store.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`);
      const named = [...stmt.source.matchAll(/@(\w+)/g)].map((m) => m[1]!);
      const rows = (named.length > 0 ? explain.all(Object.fromEntries(named.map((n) => [n, null]))) : explain.all(...new Array<null>((stmt.source.match(/\?/g) ?? []).length).fill(null))) as Array<{ detail: string }>;
      const allowed = mayScan[name]?.tables ?? [];
      const scans = rows.map((r) => r.detail).filter((d) => unconstrained(d) && !allowed.includes(d.split(' ')[1]!));
      if (scans.length > 0) scanning[name] = scans;
    }
    expect(Object.keys(statements).length).toBeGreaterThan(40);
    expect(scanning).toEqual({});
  });
});
