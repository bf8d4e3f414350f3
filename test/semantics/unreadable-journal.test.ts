/**
 * A run the engine cannot execute because of the store (a journal row it cannot read: edited by
 * hand, or damaged) is neither failed nor retried in a loop: the first abort is retried at once,
 * as an isolate lost with other runs in it is, and repeated ones after 1 s, 2 s, 4 s, … (up to an
 * hour), each said in the run's log. Nothing journaled is lost: once the row is readable again,
 * the run replays and completes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { logOf } from '../support/waiting.js';
import { bundle, newFixture, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** Rewrites a journaled row's column, past the trigger that keeps memoized rows as they are. */
function editStep(runId: string, seq: number, set: string): void {
  fx.sql((db) => {
    const trigger = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'steps_done_is_final'").get() as { sql: string }).sql;
    db.exec('DROP TRIGGER steps_done_is_final');
    expect(db.prepare(`UPDATE steps SET ${set} WHERE run_id = ? AND seq = ?`).run(runId, seq).changes).toBe(1);
    db.exec(trigger);
  });
}

describe('a run whose journal the store cannot read', () => {
  it('backs off instead of looping, says so in its log, and completes once the row is readable', async () => {
    const calls: unknown[] = [];
    const echo = defineAction({ name: 'u.echo', inline: true, run: (args: Record<string, unknown>) => { calls.push(args); return args; } });
    const engine = fx.open([echo]);
    const wf = engine.deploy(bundle('unreadable', ['u.echo'], `export default async (input, actions) => {
      const a = await actions.u.echo({ a: 1 });
      await actions.sleep('1h');
      return a;
    }`));
    const run = engine.start(wf.id, { input: {}, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    // JSON cannot hold a BLOB: the journal's one-pass read throws for this run.
    editStep(run.id, 1, "args = x'7b7d'");
    fx.clock.advance('1h');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      // Returns: the run is due again only later (before, this call never returned).
      await engine.runUntilIdle();
      const first = engine.getRun(run.id);
      expect(first.status).toBe('suspended');
      expect(first.wakeAt).toBe(fx.clock.now() + 1000);
      const said = logOf(engine, run.id, 'state').filter((e) => e.data.reason === 'engine-error');
      expect(said).toHaveLength(1);
      expect(said[0].data).toMatchObject({ from: 'running', to: 'suspended', retryAt: fx.clock.now() + 1000 });
      expect(String(said[0].data.message)).toMatch(/could not be executed: internal error: .*BLOB/);

      // Each further failure waits twice as long.
      fx.clock.advance('1s');
      await engine.runUntilIdle();
      expect(engine.getRun(run.id).wakeAt).toBe(fx.clock.now() + 2000);
      fx.clock.advance('2s');
      await engine.runUntilIdle();
      expect(engine.getRun(run.id).wakeAt).toBe(fx.clock.now() + 4000);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes(run.id))).toHaveLength(3);
    } finally {
      process.off('warning', onWarning);
    }

    // Readable again: replayed from the journal (the action is not called again), completed.
    editStep(run.id, 1, `args = '{"a":1}'`);
    fx.clock.advance('4s');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { a: 1 } });
    expect(calls).toEqual([{ a: 1 }]);
  });
});
