/**
 * The journal as a re-run hands it to the guest (runtime/engine/replay-journal.ts). Its fast
 * path takes SQLite's lists from one unsorted pass over a run's rows; the row-by-row path sorts.
 * Both must give the guest the same journal, whichever path a run's store leads to, and a run
 * whose steps completed out of seq order must be given them in completion order.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAction, type Engine } from '../runtime/index.js';
import { replayJournal, type ReplayJournal } from '../runtime/engine/replay-journal.js';
import { Queries, type JournalScan } from '../runtime/journal/queries.js';
import { FeedKind } from '../runtime/sandbox/guest.js';
import { editJournaled, newStoreFixture, type StoreFixture } from './support/store.js';
import { warningsDuring } from './support/waiting.js';

let fx: StoreFixture;
afterEach(() => fx.cleanup());

const actions = [
  defineAction({ name: 'j.fast', inline: true, run: (a: Record<string, unknown>) => ({ echo: a }) }),
  defineAction({ name: 'j.slow', run: (a: Record<string, unknown>) => ({ got: a }) }),
  defineAction({ name: 'j.fail', retry: { maxAttempts: 1 }, run: () => { throw new Error('no "such" thing\n'); } }),
  defineAction({ name: 'j.later', run: async (a: { ms: number }) => { await new Promise((r) => setTimeout(r, a.ms)); return a.ms; } }),
];
const names = actions.map((a) => a.name);

/** Sequential steps of every kind (inline, ordinary, a memoized error, keys out of order), then a sleep. */
const sequential = `export default async (input, actions) => {
  for (let i = 0; i < 30; i++) {
    await actions.j.fast({ i, z: 'é\\u2028"' });
    await actions.j.slow({ b: i, a: [i, { y: 1, x: null }] });
    if (i % 10 === 0) { try { await actions.j.fail({}); } catch (e) {} }
  }
  await actions.sleep('1h');
  return 'done';
}`;

/** `j.fast({ n: 1 })`, then `j.<second>({ n: 2 })`, then a sleep; returns both results. */
const twoSteps = (second: 'fast' | 'slow') => `export default async (input, actions) => {
  const a = await actions.j.fast({ n: 1 });
  const b = await actions.j.${second}({ n: 2 });
  await actions.sleep('1h');
  return [a, b];
}`;

/** Steps that complete in the reverse of their seq order, then a sleep. */
const concurrent = `export default async (input, actions) => {
  await Promise.all([actions.j.later({ ms: 60 }), actions.j.later({ ms: 30 }), actions.j.later({ ms: 0 })]);
  await actions.j.fast({ then: 'in order' });
  await Promise.all([actions.j.later({ ms: 40 }), actions.j.fast({ n: 1 }), actions.j.later({ ms: 10 }), actions.j.slow({ n: 2 })]);
  await actions.sleep('1h');
  return 'done';
}`;

async function suspendedRun(engine: Engine, script: string): Promise<string> {
  const wf = engine.deploy({ script, manifest: { name: `j-${script.length}`, kind: 'user', actions: names } });
  const run = engine.start(wf.id, { permissions: ['*'] });
  await engine.runUntilIdle();
  expect(engine.getRun(run.id).status).toBe('suspended');
  return run.id;
}

/** `queries` with `journalScan` replaced: the paths a real store reaches only when huge or edited. */
function withScan(queries: Queries, scan: (runId: string) => JournalScan): Queries {
  return Object.assign(Object.create(queries) as Queries, { journalScan: scan });
}

/** A suspended run of `script` on a fresh store, and the store through a connection of the test's own. */
async function onSuspendedRun(script: string, test: (q: Queries, db: Database.Database, runId: string, engine: Engine) => void): Promise<{ engine: Engine; runId: string }> {
  fx = newStoreFixture('alice-replay-journal-');
  const engine = fx.open(actions);
  const runId = await suspendedRun(engine, script);
  const db = new Database(fx.path);
  try {
    test(new Queries(db), db, runId, engine);
  } finally {
    db.close();
  }
  return { engine, runId };
}

/**
 * A feed's units decoded as the guest reads them: `[outcome, arguments text, …]` in feed order.
 * The engine's own outcomes all go as a value or an error (never whole).
 */
function decode(units: readonly string[]): unknown[] {
  return units.flatMap((unit) => {
    const cut = unit.indexOf('\x1d');
    expect(cut).toBeGreaterThan(0);
    const kinds = JSON.parse(unit.slice(0, cut)) as unknown[];
    const texts = unit.slice(cut + 1).split('\x1e');
    expect(kinds).toHaveLength(2 * texts.length);
    return texts.flatMap((text, i) => {
      const [kind, value] = [kinds[2 * i], kinds[2 * i + 1]];
      expect([FeedKind.value, FeedKind.error]).toContain(kind);
      return [kind === FeedKind.value ? { ok: true, value } : { ok: false, error: value }, text];
    });
  });
}

/** The journal's seqs in completion order, also when it sends seqs 1..n as n. */
function seqsOf(json: string): number[] {
  const seq = (JSON.parse(json) as { seq: number[] | number }).seq;
  return typeof seq === 'number' ? Array.from({ length: seq }, (_, i) => i + 1) : seq;
}

function same(a: ReplayJournal, b: ReplayJournal): void {
  expect(a.json).toBe(b.json);
  expect(a.feed.join(',')).toBe(b.feed.join(','));
  expect(a.inlineFeed.join(',')).toBe(b.inlineFeed.join(','));
  expect(a.bounds).toMatchObject({ completions: b.bounds.completions, logSeq: b.bounds.logSeq, lastDone: b.bounds.lastDone, done: b.bounds.done, sliced: b.bounds.sliced, waiting: b.bounds.waiting });
}

describe('the journal a re-run hands to the guest', () => {
  it('is the same from the one-pass lists as from the rows, and matches the journal row for row', async () => {
    const { engine, runId } = await onSuspendedRun(sequential, (q, db, runId) => {
      const fast = replayJournal(q, runId, 1 << 30);
      const tooBig = replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 1 << 30);
      const unsorted = replayJournal(withScan(q, (id) => ({ ...q.journalScan(id), order: '2,1' })), runId, 1 << 30);
      same(tooBig, fast);
      same(unsorted, fast);

      const steps = db.prepare("SELECT seq, action, fp, finished_at, inline, outcome, coalesce(call_text, args) AS text FROM steps WHERE run_id = ? AND state <> 'waiting' ORDER BY completion").all(runId) as Array<{ seq: number; action: string; fp: string; finished_at: number; inline: number | null; outcome: string; text: string }>;
      expect(steps.length).toBe(30 * 2 + 3);
      const journal = JSON.parse(fast.json) as { seq: number[] | number; name: number[]; names: string[]; fp: string; time: number[]; inline: number[] };
      expect(journal.seq).toBe(steps.length);
      expect(seqsOf(fast.json)).toEqual(steps.map((s) => s.seq));
      expect(journal.name.map((i) => journal.names[i])).toEqual(steps.map((s) => s.action));
      expect(journal.names).toEqual(['j.fast', 'j.slow', 'j.fail']);
      expect(journal.fp).toBe(steps.map((s) => s.fp).join(''));
      expect(journal.time).toEqual(steps.map((s) => s.finished_at));
      expect(journal.inline).toEqual(steps.map((s) => (s.inline === 1 ? 1 : 0)));
      const pairs = (list: typeof steps) => list.flatMap((s) => [JSON.parse(s.outcome), s.text]);
      expect(decode(fast.feed)).toEqual(pairs(steps));
      expect(fast.inlineFeed).toEqual([]);
      expect(journal).toMatchObject({ split: 0 });
      // More than a batch with steps of both kinds: two streams, each in completion order,
      // ordinary steps and inline ones (settled at their calls), and every path agrees.
      const split = replayJournal(q, runId, 300);
      expect(JSON.parse(split.json)).toMatchObject({ split: 1 });
      expect(decode(split.feed)).toEqual(pairs(steps.filter((s) => s.inline !== 1)));
      expect(decode(split.inlineFeed)).toEqual(pairs(steps.filter((s) => s.inline === 1)));
      same(replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 300), split);
      same(replayJournal(withScan(q, (id) => ({ ...q.journalScan(id), order: '2,1' })), runId, 300), split);
      // A batch exactly as long as all the outcomes: one stream, on every path.
      const exact = fast.feed[0].length;
      same(replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, exact), replayJournal(q, runId, exact));
      expect(JSON.parse(replayJournal(q, runId, exact).json)).toMatchObject({ split: 0 });
      expect(JSON.parse(replayJournal(q, runId, exact - 1).json)).toMatchObject({ split: 1 });
      expect(fast.bounds).toMatchObject({ done: steps.length, sliced: steps.filter((s) => s.inline !== 1).length, waiting: String(steps.length + 1) });
    });
    // And the run replays all of it.
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: 'done' });
  });

  it('feeds a journal larger than a batch in units of whole steps, each within the bound past its first step', async () => {
    await onSuspendedRun(sequential, (q, _db, runId) => {
      const whole = replayJournal(q, runId, 1 << 30);
      const batched = replayJournal(q, runId, 300);
      expect(whole.feed).toHaveLength(1);
      expect(batched.feed.length).toBeGreaterThan(10);
      // Both streams together hold every pair of the whole feed, each stream in its order.
      const all = decode(whole.feed);
      const streams = [...decode(batched.feed), ...decode(batched.inlineFeed)];
      expect(streams.length).toBe(all.length);
      for (const unit of [...batched.feed, ...batched.inlineFeed]) {
        const pairs = decode([unit]);
        expect(pairs.length % 2).toBe(0);
        expect(unit.length <= 300 || pairs.length === 2).toBe(true);
      }
    });
  });

  it('gives the steps of a run that completed them out of seq order in completion order', async () => {
    await onSuspendedRun(concurrent, (q, db, runId) => {
      const order = (db.prepare("SELECT seq FROM steps WHERE run_id = ? AND state <> 'waiting' ORDER BY completion").all(runId) as Array<{ seq: number }>).map((r) => r.seq);
      expect(order.slice(0, 4)).toEqual([3, 2, 1, 4]);
      expect(order).not.toEqual([...order].sort((x, y) => x - y));
      const journal = replayJournal(q, runId, 1 << 30);
      expect((JSON.parse(journal.json) as { seq: number[] }).seq).toEqual(order);
      expect(seqsOf(journal.json)).toEqual(order);
      // The scan's lists put in order here, and the rows read sorted, give the same journal.
      same(journal, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 1 << 30));
      same(replayJournal(q, runId, 120), replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 120));
    });
  });

  it('keeps one stream for a run whose steps are all inline or all ordinary, however many batches', async () => {
    const only = (action: string) => `export default async (input, actions) => {
  for (let i = 0; i < 5; i++) await actions.j.${action}({ i });
  await actions.sleep('1h');
  return 'done';
}`;
    await onSuspendedRun(only('fast'), (q, _db, runId) => {
      const j = replayJournal(q, runId, 50);
      expect(j.inlineFeed).toEqual([]);
      expect(j.feed.length).toBeGreaterThan(1);
      expect(decode(j.feed)).toHaveLength(10);
      same(j, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 50));
    });
    fx.cleanup();
    await onSuspendedRun(only('slow'), (q, _db, runId) => {
      const j = replayJournal(q, runId, 50);
      expect(j.inlineFeed).toEqual([]);
      expect(decode(j.feed)).toHaveLength(10);
      same(j, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 50));
    });
  });

  it('gives a store whose fingerprints were edited by hand the journal the rows give, each bad one matching nothing', async () => {
    // The one-pass read checks the fingerprints in JavaScript: any list that is not 14 hex
    // digits per step, even one whose lengths add up (13 + 15), goes row by row.
    const edits: Array<[string, string[]]> = [
      ['upper case', ['ABCDEF01234567']],
      ['too short and too long, same total', ['0123456789abc', '0123456789abcde']],
      ['not hex', ['0123456789abcg']],
      ['a comma inside', ['0123456,789abc']],
    ];
    for (const [k, [label, fps]] of edits.entries()) {
      if (k > 0) fx.cleanup();
      await onSuspendedRun(sequential, (q, db, runId) => {
        fps.forEach((fp, i) => editJournaled(db, 'UPDATE steps SET fp = ? WHERE run_id = ? AND seq = ?', fp, runId, i + 1));
        const fast = replayJournal(q, runId, 1 << 30);
        same(fast, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 1 << 30));
        const journal = JSON.parse(fast.json) as { fp: string };
        expect(journal.fp.length, label).toBe(14 * seqsOf(fast.json).length);
        for (let i = 0; i < fps.length; i++) expect(journal.fp.slice(14 * i, 14 * i + 14), label).toBe('--------------');
      });
    }
  });

  it('sends a journaled text holding the feed separator (edited by hand) as "", and the run still replays by fingerprint', async () => {
    const { engine, runId } = await onSuspendedRun(sequential, (q, db, runId) => {
      expect(editJournaled(db, "UPDATE steps SET call_text = '{\"i\":0,' || char(30) || '}' WHERE run_id = ? AND seq = 1", runId)).toBe(1);
      const fast = replayJournal(q, runId, 1 << 30);
      same(fast, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 1 << 30));
      const fed = decode(fast.feed);
      const seqs = seqsOf(fast.json);
      expect(fed[2 * seqs.indexOf(1) + 1]).toBe('');
      expect(fed.filter((x) => x === '')).toHaveLength(1);
    });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: 'done' });
  });

  it('sends an outcome not in the engine\'s two forms (edited by hand) whole, and the re-run reads it as any outcome', async () => {
    const { engine, runId } = await onSuspendedRun(twoSteps('slow'), (q, db, runId) => {
      // Same meaning, another key order: not the engine's form, so it goes whole (kind 2).
      expect(editJournaled(db, `UPDATE steps SET outcome = '{"value":{"edited":true},"ok":true}' WHERE run_id = ? AND seq = 1`, runId)).toBe(1);
      const fast = replayJournal(q, runId, 1 << 30);
      same(fast, replayJournal(withScan(q, () => { throw new Error('string or blob too big'); }), runId, 1 << 30));
      expect(fast.feed[0].startsWith(`[${FeedKind.outcome},{"value":{"edited":true},"ok":true},${FeedKind.value},{"got":{"n":2}}]`)).toBe(true);
    });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: [{ edited: true }, { got: { n: 2 } }] });
  });

  it('aborts the execution, without failing the run, when the fed outcomes do not line up with the steps', async () => {
    let original = '';
    const { engine, runId } = await onSuspendedRun(twoSteps('fast'), (_q, db, runId) => {
      original = (db.prepare('SELECT outcome FROM steps WHERE run_id = ? AND seq = 1').get(runId) as { outcome: string }).outcome;
      // Not JSON: its value would read as two values, and the outcomes would not line up.
      expect(editJournaled(db, `UPDATE steps SET outcome = '{"ok":true,"value":1,2}' WHERE run_id = ? AND seq = 1`, runId)).toBe(1);
    });
    fx.clock.advance('1h');
    const warned = await warningsDuring(() => engine.runUntilIdle());
    expect(warned.some((w) => w.includes(runId) && w.includes('journal could not be read'))).toBe(true);
    const info = engine.getRun(runId);
    expect(info.status).toBe('suspended');
    expect(info.wakeAt).toBeGreaterThan(fx.clock.now());
    const said = engine.getLog(runId).filter((e) => e.kind === 'state' && e.data.reason === 'engine-error');
    expect(String(said[0]?.data.message)).toMatch(/journal could not be read/);
    // Repaired: the run replays and completes; nothing journaled was lost.
    fx.sql((db) => editJournaled(db, 'UPDATE steps SET outcome = ? WHERE run_id = ? AND seq = 1', original, runId));
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(runId)).toMatchObject({ status: 'completed', output: [{ echo: { n: 1 } }, { echo: { n: 2 } }] });
  });

  it('lets any other failure of the scan through', async () => {
    await onSuspendedRun(concurrent, (q, _db, runId) => {
      expect(() => replayJournal(withScan(q, () => { throw new Error('database disk image is malformed'); }), runId, 1 << 30)).toThrow(/malformed/);
    });
  });
});
