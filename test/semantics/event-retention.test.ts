/**
 * Events are kept only while they can matter: once older than the journal retention, an event
 * is deleted unless a step still waiting could match it (a wait only matches events after its
 * cursor). Without this the events table would grow for ever.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, pending } from '../../runtime/index.js';
import { bundle, gate, newFixture, until, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const eventIds = () => fx.sql((db) => (db.prepare('SELECT id FROM events ORDER BY id').all() as { id: number }[]).map((r) => r.id));

describe('event retention', () => {
  it('deletes events older than the retention that no waiting step can match, and keeps the rest', async () => {
    const engine = fx.open([], { retention: '1d' });
    const wf = engine.deploy(bundle('waits-long', [], `export default async (input, actions) => actions.waitForEvent('go', { match: { n: 2 }, timeout: '30d' })`));
    const old = engine.deliverEvent('noise', { n: 0 }).id;
    const run = engine.start(wf.id);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    // After the wait's cursor: a non-matching event the wait has seen, and must not lose yet.
    const after = engine.deliverEvent('go', { n: 1 }).id;
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(eventIds()).toEqual([after]);
    expect(old).toBeLessThan(after);
    // The run still completes on its event; once nothing waits, old events go too.
    const go = engine.deliverEvent('go', { n: 2 }).id;
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { type: 'go', data: { n: 2 } } });
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(eventIds()).toEqual([]);
    expect(go).toBeGreaterThan(after);
  });

  it('lets old events go once the run that waited for them is cancelled', async () => {
    const engine = fx.open([], { retention: '1d' });
    const wf = engine.deploy(bundle('waits-then-cancelled', [], `export default async (input, actions) => actions.waitForEvent('go', { match: { n: 2 }, timeout: '30d' })`));
    const run = engine.start(wf.id);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    const seen = engine.deliverEvent('go', { n: 1 }).id;
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(eventIds()).toEqual([seen]);
    engine.cancel(run.id);
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(eventIds()).toEqual([]);
  });

  it('lets old events go when the run ends while one of its waits never completed (a race)', async () => {
    const engine = fx.open([], { retention: '1d' });
    const wf = engine.deploy(bundle('race-wait-sleep', [], `export default async (input, actions) => Promise.race([actions.waitForEvent('go', { match: { n: 2 } }), actions.sleep('1h')])`));
    const run = engine.start(wf.id);
    await engine.runUntilIdle();
    const seen = engine.deliverEvent('go', { n: 1 }).id;
    fx.clock.advance('2h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(eventIds()).toEqual([seen]);
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(eventIds()).toEqual([]);
  });

  it('keeps an event that arrived while an action was running, before its pending answer (and its wait) was stored', async () => {
    const g = gate();
    let calls = 0;
    const poll = defineAction({
      name: 'order.poll',
      run: async () => {
        calls++;
        if (calls > 1) return 'paid';
        await g.promise;
        // The event it waits for arrived while it ran: it counts (docs/runtime.md).
        return pending({ event: { type: 'paid' } });
      },
    });
    const engine = fx.open([poll], { retention: '1d' });
    const wf = engine.deploy(bundle('polls', ['order.poll'], `export default async (input, actions) => actions.order.poll({})`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const worker = engine.startWorker({ pollMs: 2 });
    try {
      await until(() => calls === 1, 'the action to be called');
      const paid = engine.deliverEvent('paid', {}).id;
      // Old enough to purge, and no stored wait protects it yet: only the live execution can.
      fx.clock.advance('2d');
      await new Promise((r) => setTimeout(r, 30));
      expect(eventIds()).toHaveLength(1);
      g.open();
      await until(() => engine.getRun(run.id).status === 'completed', 'the run to complete');
      expect(engine.getRun(run.id).output).toBe('paid');
      expect(calls).toBe(2);
      expect(paid).toBeGreaterThan(0);
    } finally {
      g.open();
      await worker.stop();
    }
  });
});
