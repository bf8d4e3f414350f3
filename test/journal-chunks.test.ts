/**
 * Journal chunks (schema 7, runtime/journal/schema.ts): a suspending run keeps its journaled
 * steps as a few chunk rows, and its next resume reads those instead of a row per step. They
 * must only ever repeat the steps: a resume reads exactly the journal a pass over every step row
 * gives, a change to a chunked step row drops the run's chunks, and the run's log positions
 * stay distinct.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAction, type Engine, type ManualClock } from '../runtime/index.js';
import { replayJournal } from '../runtime/engine/replay-journal.js';
import { maxChunkBytes, Queries, type JournalScan } from '../runtime/journal/queries.js';
import { newStoreFixture, type StoreFixture } from './support/store.js';

let fx: StoreFixture;
afterEach(() => fx.cleanup());

const actions = [
  defineAction({ name: 'c.fast', inline: true, run: (a: { i: number }) => ({ i: a.i }) }),
  // Completes in the reverse of the order it was called in, within a Promise.all.
  defineAction({ name: 'c.later', run: async (a: { ms: number }) => { await new Promise((r) => setTimeout(r, a.ms)); return a.ms; } }),
  defineAction({ name: 'c.fail', retry: { maxAttempts: 1 }, run: () => { throw new Error('no'); } }),
  defineAction({ name: 'c.big', inline: true, run: (a: { i: number }) => ({ i: a.i, pad: 'x'.repeat(130_000) }) }),
];

/**
 * Every kind of step across three suspensions: inline steps, memoized errors, steps that
 * completed out of seq order, and a wait for an event issued early and still waiting while
 * later steps are journaled (a chunk must stop before it).
 */
const script = `export default async (input, actions) => {
  let sum = 0;
  for (let i = 0; i < 100; i++) {
    sum += (await actions.c.fast({ i })).i;
    if (i % 25 === 0) { try { await actions.c.fail({ i }); } catch (e) { sum += 1; } }
  }
  await actions.sleep('1h');
  for (let i = 0; i < 70; i++) sum += (await actions.c.fast({ i: 2000 + i })).i;
  sum += (await Promise.all([40, 30, 20, 10, 0].map((ms) => actions.c.later({ ms })))).reduce((a, b) => a + b, 0);
  const go = actions.waitForEvent('go', { timeout: '30d' });
  for (let i = 0; i < 90; i++) sum += (await actions.c.fast({ i: 1000 + i })).i;
  await actions.sleep('1h');
  for (let i = 0; i < 70; i++) sum += (await actions.c.fast({ i })).i;
  const event = await go;
  return { sum, data: event.data };
}`;

/** What the script returns, worked out by hand. */
const expected = { sum: 4950 + 4 + (2000 * 70 + 2415) + 100 + (1000 * 90 + 4005) + 2415, data: { n: 7 } };

interface Chunk { from_seq: number; to_seq: number; done: number }

function chunksOf(db: Database.Database, runId: string): Chunk[] {
  return db.prepare('SELECT from_seq, to_seq, done FROM journal_chunks WHERE run_id = ? ORDER BY to_seq').all(runId) as Chunk[];
}

/** The scan as a pass over every step row gives it: the chunks set aside for the read, then put back. */
function scanWithoutChunks(db: Database.Database, q: Queries, runId: string): JournalScan {
  db.exec('SAVEPOINT without_chunks');
  try {
    db.prepare('DELETE FROM journal_chunks WHERE run_id = ?').run(runId);
    return q.journalScan(runId);
  } finally {
    db.exec('ROLLBACK TO without_chunks; RELEASE without_chunks');
  }
}

/** The run's stored log positions (its log rows' and those kept in its journal rows) are 1, 2, … n, each once. */
function expectDistinctPositions(db: Database.Database, runId: string): void {
  const positions = (db.prepare('SELECT seq FROM log WHERE run_id = @run UNION ALL SELECT log_seq FROM steps WHERE run_id = @run AND log_seq IS NOT NULL').all({ run: runId }) as { seq: number }[]).map((r) => r.seq);
  expect(new Set(positions).size).toBe(positions.length);
  expect(Math.max(...positions)).toBe(positions.length);
}

/** Past the script's second sleep, with the event it waits for: the run completes with the output worked out by hand. */
async function finish(engine: Engine, clock: ManualClock, runId: string): Promise<void> {
  clock.advance('1h');
  engine.deliverEvent('go', { n: 7 });
  await engine.runUntilIdle();
  expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: expected });
}

/** The script's run on a fresh store, suspended at its first sleep; `prepare` first changes the new store. */
async function started(prepare?: (db: Database.Database) => void): Promise<{ engine: Engine; clock: ManualClock; runId: string; db: Database.Database; q: Queries }> {
  fx = newStoreFixture('alice-chunks-');
  if (prepare !== undefined) {
    fx.open([]).close();
    fx.sql(prepare);
  }
  const clock = fx.clock;
  const engine = fx.open(actions);
  const wf = engine.deploy({ script, manifest: { name: 'chunky', kind: 'user', actions: actions.map((a) => a.name) } });
  const run = engine.start(wf.id, { permissions: ['*'] });
  await engine.runUntilIdle();
  expect(engine.getRun(run.id).status).toBe('suspended');
  const db = new Database(fx.path);
  return { engine, clock, runId: run.id, db, q: new Queries(db) };
}

/** Every way of reading the journal agrees with and without the chunks. */
function expectSameJournal(db: Database.Database, q: Queries, runId: string): void {
  const full = scanWithoutChunks(db, q, runId);
  const { lined, ordered, ...chunked } = q.journalScan(runId);
  expect(chunked).toEqual(full);
  if (chunksOf(db, runId).length > 0) {
    // What the reader would otherwise check itself.
    expect(lined).toBe(true);
    const order = full.order.split(',').map(Number);
    expect(ordered).toBe(order.every((c, i) => i === 0 || c > order[i - 1]!));
  }
  const without = (id: string) => scanWithoutChunks(db, q, id);
  for (const batch of [200, 4096, 1 << 30]) {
    const { bounds, ...fromChunks } = replayJournal(q, runId, batch);
    const { bounds: rowBounds, ...fromRows } = replayJournal(Object.assign(Object.create(q) as Queries, { journalScan: without }), runId, batch);
    expect(fromChunks).toEqual(fromRows);
    const { lined, ordered, ...counts } = bounds as JournalScan;
    expect(counts).toEqual(rowBounds);
  }
}

/** 70 steps of 130 KB each (9.1 MB, over `maxChunkBytes`), a sleep, then done. */
const bigScript = `export default async (input, actions) => {
  let sum = 0;
  for (let i = 0; i < 70; i++) sum += (await actions.c.big({ i })).i;
  await actions.sleep('1h');
  return sum;
}`;

async function suspendedBig(): Promise<{ engine: Engine; runId: string }> {
  fx = newStoreFixture('alice-chunks-');
  const engine = fx.open(actions);
  const wf = engine.deploy({ script: bigScript, manifest: { name: 'big', kind: 'user', actions: ['c.big'] } });
  const run = engine.start(wf.id, { permissions: ['*'] });
  await engine.runUntilIdle();
  return { engine, runId: run.id };
}

describe('journal chunks', () => {
  it('hold a suspended run\'s steps up to the first one waiting, and a resume reads the same journal as from the rows', async () => {
    const { engine, clock, runId, db, q } = await started();
    try {
      // 100 inline steps and 4 errors, then the sleep, which is waiting: one chunk of all 104.
      expect(chunksOf(db, runId)).toEqual([{ from_seq: 0, to_seq: 105, done: 104 }]);
      expectSameJournal(db, q, runId);

      clock.advance('1h');
      await engine.runUntilIdle();
      expect(engine.getRun(runId).status).toBe('suspended');
      // The sleep (105), 70 inline steps, five steps that completed in reverse (176-180), the
      // wait for "go" (181, still waiting), 90 inline steps, the second sleep (272): the new
      // chunk stops at the wait.
      expect(chunksOf(db, runId)).toEqual([{ from_seq: 0, to_seq: 105, done: 104 }, { from_seq: 105, to_seq: 181, done: 76 }]);
      const scan = q.journalScan(runId);
      expect(scan.waiting).toBe('181,272');
      expect(scan.done).toBe(104 + 76 + 90);
      expect(scan.order.split(',').map(Number)).not.toEqual([...scan.order.split(',').map(Number)].sort((a, b) => a - b));
      expectSameJournal(db, q, runId);

      await finish(engine, clock, runId);
      // A terminal run keeps none.
      expect(chunksOf(db, runId)).toEqual([]);
      expectDistinctPositions(db, runId);
    } finally {
      db.close();
    }
  });

  it('are dropped when a step row in their range changes, and the rows are read instead', async () => {
    const { engine, clock, runId, db, q } = await started();
    try {
      expect(chunksOf(db, runId)).toHaveLength(1);
      // A store edited by hand: a journaled step row deleted and written back as it was.
      const row = db.prepare('SELECT * FROM steps WHERE run_id = ? AND seq = 50').get(runId) as Record<string, unknown>;
      db.prepare('DELETE FROM steps WHERE run_id = ? AND seq = 50').run(runId);
      expect(chunksOf(db, runId)).toEqual([]);
      db.prepare(`INSERT INTO steps (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`).run(...Object.values(row));
      expectSameJournal(db, q, runId);
      clock.advance('1h');
      await engine.runUntilIdle();
      // The resume chunks every step again, the first range too.
      expect(chunksOf(db, runId).map((c) => c.from_seq)).toEqual([0]);
      expectSameJournal(db, q, runId);
      await finish(engine, clock, runId);
    } finally {
      db.close();
    }
  });

  it('are set aside when their ranges do not follow each other (a chunk table edited by hand)', async () => {
    const { engine, clock, runId, db, q } = await started();
    try {
      db.prepare('UPDATE journal_chunks SET from_seq = 1 WHERE run_id = ?').run(runId);
      const scan = q.journalScan(runId);
      expect(scan.lined).toBeUndefined();
      db.prepare('UPDATE journal_chunks SET from_seq = 0 WHERE run_id = ?').run(runId);
      expect(scan).toEqual(scanWithoutChunks(db, q, runId));
      clock.advance('1h');
      await engine.runUntilIdle();
      expectSameJournal(db, q, runId);
    } finally {
      db.close();
    }
  });

  it('give the log positions after those of the chunked steps to entries the store numbers', async () => {
    const { engine, runId, db } = await started();
    try {
      // A cancel's state entry is numbered by the store (it does not own the run's log).
      engine.cancel(runId);
      await engine.runUntilIdle();
      expectDistinctPositions(db, runId);
    } finally {
      db.close();
    }
  });

  it('are not written for steps whose outcomes are big (the copy would only double the store)', async () => {
    expect(70 * 130_000).toBeGreaterThan(maxChunkBytes);
    const { engine, runId } = await suspendedBig();
    expect(engine.getRun(runId).status).toBe('suspended');
    expect(fx.sql((db) => chunksOf(db, runId))).toEqual([]);
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: 2415 });
  });

  it('never fail the suspension they ride on: a chunk that cannot be written is left out', async () => {
    const { engine, clock, runId, db } = await started((store) => store.exec("CREATE TRIGGER refuse_chunks BEFORE INSERT ON journal_chunks BEGIN SELECT RAISE(ABORT, 'string or blob too big'); END;"));
    try {
      expect(chunksOf(db, runId)).toEqual([]);
      clock.advance('1h');
      await engine.runUntilIdle();
      await finish(engine, clock, runId);
    } finally {
      db.close();
    }
    // No suspension was an engine error.
    expect(engine.getLog(runId).filter((e) => JSON.stringify(e.data).includes('engine-error'))).toEqual([]);
  });
});
