/**
 * DESIGN §11: two durability modes. `process` (default): WAL with synchronous=NORMAL. `power`:
 * synchronous=FULL (an fsync per commit), and concurrent runs share commits (group commit).
 *
 * Commits are counted at the SQLite level, from the write-ahead log itself: every write
 * transaction ends with exactly one commit frame, whatever code issued it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Durability, Engine } from '../../runtime/index.js';
import { deploy, echoAction, newEnv, Recorder, settle, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-durability-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

/** Commit frames in the WAL file since it was last reset (frame header word 1 ≠ 0 marks a commit). */
function walCommits(path: string): number {
  const wal = `${path}-wal`;
  if (!existsSync(wal)) return 0;
  const buf = readFileSync(wal);
  if (buf.length < 32) return 0;
  const pageSize = buf.readUInt32BE(8);
  const salt1 = buf.readUInt32BE(16);
  const salt2 = buf.readUInt32BE(20);
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    if (buf.readUInt32BE(off + 8) !== salt1 || buf.readUInt32BE(off + 12) !== salt2) break;
    if (buf.readUInt32BE(off + 4) !== 0) commits++;
  }
  return commits;
}

const stepsScript = `export default async (input, actions) => {
  let sum = 0;
  for (let k = 0; k < 10; k++) sum += (await actions.demo.echo({ run: input.n, k })).k;
  return { n: input.n, sum };
}`;

async function runBatch(engine: Engine, count: number): Promise<string[]> {
  const wf = deploy(engine, 'steps', stepsScript, ['demo.echo']);
  const ids = Array.from({ length: count }, (_, n) => engine.start(wf.id, { input: { n }, permissions: ['*'] }).id);
  expect(await settle(engine, 20_000)).toBe('idle');
  for (const [n, id] of ids.entries()) expect(engine.getRun(id)).toMatchObject({ status: 'completed', output: { n, sum: 45 } });
  return ids;
}

describe.each<[Durability | undefined, number, string]>([
  [undefined, 1, 'NORMAL'],
  ['process', 1, 'NORMAL'],
  ['power', 2, 'FULL'],
])('durability %s', (durability, synchronous, name) => {
  it(`opens the store in WAL mode with synchronous=${name} and completes runs that a new engine reads back`, async () => {
    const engine = env.open([echoAction(rec)], durability === undefined ? {} : { durability });
    expect(engine.store.db.pragma('synchronous', { simple: true })).toBe(synchronous);
    expect(engine.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const ids = await runBatch(engine, 4);
    await engine.close();
    const reopened = env.open([echoAction(rec)], durability === undefined ? {} : { durability });
    for (const [n, id] of ids.entries()) {
      expect(reopened.getRun(id)).toMatchObject({ status: 'completed', output: { n, sum: 45 } });
      expect(reopened.getJournal(id)).toHaveLength(10);
    }
    expect(rec.executions).toHaveLength(40);
  });
});

describe('group commit', () => {
  it('in power mode, commits the steps of concurrent runs in shared transactions', async () => {
    const engine = env.open([echoAction(rec)], { durability: 'power' });
    // Count only this batch's commits: no automatic checkpoint resets the WAL while we measure.
    engine.store.db.pragma('wal_autocheckpoint = 0');
    engine.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = walCommits(env.path);
    const ids = await runBatch(engine, 8);
    const commits = walCommits(env.path) - before;
    const steps = ids.reduce((n, id) => n + engine.getJournal(id).length, 0);
    expect(steps).toBe(80);
    // Every step's outcome is committed before the workflow sees it; one commit per step (plus
    // the runs' own state changes) would be at least 80 commits.
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(steps);
  });

  it('counts one commit per write transaction (the measuring stick itself)', async () => {
    const engine = env.open([echoAction(rec)], { durability: 'power' });
    engine.store.db.pragma('wal_autocheckpoint = 0');
    engine.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = walCommits(env.path);
    const db = engine.store.db;
    db.exec('CREATE TABLE IF NOT EXISTS probe (n INTEGER)');
    for (let i = 0; i < 5; i++) db.prepare('INSERT INTO probe (n) VALUES (?)').run(i);
    db.transaction(() => {
      for (let i = 0; i < 5; i++) db.prepare('INSERT INTO probe (n) VALUES (?)').run(i);
    })();
    expect(walCommits(env.path) - before).toBe(1 + 5 + 1);
  });
});
