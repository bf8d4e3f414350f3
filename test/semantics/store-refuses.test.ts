/**
 * A run the engine cannot execute because of the store (the disk is full, a journal row cannot
 * be read) is neither failed nor retried in a loop: the first abort is retried at once, as an
 * isolate lost with other runs in it is, and repeated ones after 1 s, 2 s, 4 s, … (up to an
 * hour), each said in the run's log. Nothing journaled is lost: once the store takes the writes
 * again, the run replays and completes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { defineAction } from '../../runtime/index.js';
import { logOf, warningsDuring } from '../support/waiting.js';
import { bundle, newFixture, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

describe('a run the store refuses to take', () => {
  it('backs off instead of looping, says so in its log, and completes once the store takes writes again', async () => {
    const calls: unknown[] = [];
    const echo = defineAction({ name: 'u.echo', inline: true, run: (args: Record<string, unknown>) => { calls.push(args); return args; } });
    const engine = fx.open([echo]);
    const wf = engine.deploy(bundle('store-full', ['u.echo'], `export default async (input, actions) => {
      const a = await actions.u.echo({ a: 1 });
      await actions.sleep('1h');
      const b = await actions.u.echo({ big: 'x'.repeat(20000) });
      return [a.a, b.big.length];
    }`));
    const run = engine.start(wf.id, { input: {}, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    // The disk is full: SQLite may not grow the file, and the 20 KB step needs new pages.
    const db = (engine as unknown as { store: { db: Database.Database } }).store.db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    fx.clock.advance('1h');
    const warnings = await warningsDuring(async () => {
      // Returns: the run is due again only later (before, this call never returned).
      await engine.runUntilIdle();
      const first = engine.getRun(run.id);
      expect(first.status).toBe('suspended');
      expect(first.wakeAt).toBe(fx.clock.now() + 1000);
      const said = logOf(engine, run.id, 'state').filter((e) => e.data.reason === 'engine-error');
      expect(said).toHaveLength(1);
      expect(said[0].data).toMatchObject({ from: 'running', to: 'suspended', retryAt: fx.clock.now() + 1000 });
      expect(String(said[0].data.message)).toMatch(/could not be executed: .*full/);

      // Each further failure waits twice as long.
      fx.clock.advance('1s');
      await engine.runUntilIdle();
      expect(engine.getRun(run.id).wakeAt).toBe(fx.clock.now() + 2000);
      fx.clock.advance('2s');
      await engine.runUntilIdle();
      expect(engine.getRun(run.id).wakeAt).toBe(fx.clock.now() + 4000);
    });
    expect(warnings.filter((w) => w.includes(run.id))).toHaveLength(3);

    // Room again: replayed from the journal (the first call is not made again), completed.
    db.pragma('max_page_count = 1073741823');
    fx.clock.advance('4s');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: [1, 20000] });
    expect(calls.filter((c) => 'a' in (c as object))).toHaveLength(1);
  });

  it('says a claim the store refused as the store\'s error, takes nothing, and runs the run once the store accepts writes', async () => {
    const engine = fx.open([]);
    const wf = engine.deploy(bundle('claim-refused', [], `export default async (input) => input.n + 1`));
    const run = engine.start(wf.id, { input: { n: 1 } });
    const db = (engine as unknown as { store: { db: Database.Database } }).store.db;
    // As a full disk or an I/O error would: every change of a run's row is refused.
    db.exec("CREATE TEMP TRIGGER refuse_claims BEFORE UPDATE ON runs BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    const err = await engine.runUntilIdle().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ALICE_STORE_UNAVAILABLE' });
    expect(String((err as Error).message)).toMatch(/could not take the runs that are due \(disk I\/O error\); nothing was changed/);
    expect(engine.getRun(run.id).status).toBe('pending');
    db.exec('DROP TRIGGER refuse_claims');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 2 });
  });
});
