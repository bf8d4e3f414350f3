/**
 * Issue 3, semantics 5: `sleep` and `waitForEvent` are journaled steps; the start of a wait is
 * journaled, so re-runs never restart its clock; timeouts fire (waitForEvent returns null); a
 * matching event is journaled as the step's result; events of another tenant or with other
 * data do not wake the run.
 *
 * Re-runs part way through a wait are forced two honest ways: a concurrent shorter sleep wakes
 * the run early (the workflow re-runs from the start and meets the long wait again), or the
 * engine is closed and the run's wake time set to "now" in the store, as a spurious wake-up
 * (an unrelated event, a lost lease) would, before a new engine opens the file.
 *
 * What we found about events that arrive before a wait begins (documented by the last tests):
 * they never satisfy it. A wait only sees events delivered after its step was issued, whether
 * the event came before the run started or while the run was busy elsewhere (an earlier sleep).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, type Engine } from '../../runtime/index.js';
import { bundle, executions, logOf, newFixture, T0, type Fixture } from './harness.js';
import { gate, until } from '../support/waiting.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const HOUR = 3_600_000;
const MIN = 60_000;

const ticks: number[] = [];
const tick = defineAction({ name: 'clock.tick', run: () => { ticks.push(fx.clock.now()); return null; } });
beforeEach(() => {
  ticks.length = 0;
});

/** Closes `engine`, makes the suspended run due now (a spurious wake-up), opens a new engine. */
async function spuriousWakeInNewEngine(engine: Engine, runId: string): Promise<Engine> {
  await engine.close();
  const changed = fx.sql((db) => db.prepare("UPDATE runs SET wake_at = ? WHERE id = ? AND status = 'suspended'").run(fx.clock.now(), runId).changes);
  expect(changed).toBe(1);
  return fx.open([tick]);
}

describe('sleep', () => {
  it('journals a sleep as a step with its start and wake time, and completes it when the time comes', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('sleep-journal', ['clock.tick'], `export default async (input, actions) => {
      await actions.clock.tick({});
      const slept = await actions.sleep('1h');
      return { slept, now: actions.now(), date: Date.now() };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + HOUR });
    expect(engine.getJournal(run.id)[1]).toMatchObject({
      seq: 2, action: 'sleep', args: { ms: HOUR }, state: 'waiting', startedAt: T0, wakeAt: T0 + HOUR, idempotencyKey: `${run.id}:2`,
    });
    expect(logOf(engine, run.id, 'wait')).toMatchObject([{ step: 2, data: { action: 'sleep', until: T0 + HOUR } }]);

    fx.clock.advance(HOUR - 1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    fx.clock.advance(1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { slept: null, now: T0 + HOUR, date: T0 + HOUR } });
    expect(engine.getJournal(run.id)[1]).toMatchObject({ seq: 2, action: 'sleep', state: 'done', result: null, finishedAt: T0 + HOUR });
  });

  it('does not restart the clock when a concurrent step re-runs the workflow part way through the sleep', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('sleep-rerun', ['clock.tick'], `export default async (input, actions) => {
      await Promise.all([actions.sleep('1h'), actions.sleep('40m').then(() => actions.clock.tick({}))]);
      return actions.now();
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance(40 * MIN);
    await engine.runUntilIdle();
    // The run woke at 40m, re-ran from the start, met sleep('1h') again and kept its first start.
    expect(ticks).toEqual([T0 + 40 * MIN]);
    expect(executions(engine, run.id)).toBe(2);
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + HOUR });

    fx.clock.advance(20 * MIN);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: T0 + HOUR });
  });

  it('does not restart the clock when a new engine re-runs the workflow part way through the sleep', async () => {
    const first = fx.open([tick]);
    const wf = first.deploy(bundle('sleep-restart', ['clock.tick'], `export default async (input, actions) => {
      await actions.sleep('1h');
      await actions.clock.tick({});
      return actions.now();
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    await first.runUntilIdle();
    fx.clock.advance(40 * MIN);
    const engine = await spuriousWakeInNewEngine(first, run.id);
    await engine.runUntilIdle();
    expect(executions(engine, run.id)).toBe(2);
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + HOUR });
    expect(ticks).toEqual([]);

    fx.clock.advance(20 * MIN);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: T0 + HOUR });
    expect(ticks).toEqual([T0 + HOUR]);
  });

  it('completes at once a sleep whose time passed while no engine was running', async () => {
    const first = fx.open([tick]);
    const wf = first.deploy(bundle('sleep-offline', ['clock.tick'], `export default async (input, actions) => {
      await actions.sleep('1h');
      return actions.now();
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    await first.runUntilIdle();
    await first.close();
    fx.clock.advance(3 * HOUR);
    const second = fx.open([tick]);
    await second.runUntilIdle();
    // The step finished when the engine saw it due; the logical clock never runs backwards.
    expect(second.getRun(run.id)).toMatchObject({ status: 'completed', output: T0 + 3 * HOUR });
  });
});

describe('waitForEvent', () => {
  const waitScript = `export default async (input, actions) => {
    const event = await actions.waitForEvent('approval', { match: { order: input.order }, timeout: input.timeout });
    await actions.clock.tick({});
    return { event };
  }`;

  it('returns null when the timeout fires, not a millisecond before', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-timeout', ['clock.tick'], waitScript));
    const run = engine.start(wf.id, { input: { order: 'A', timeout: '2h' }, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getJournal(run.id)[0]).toMatchObject({
      seq: 1, action: 'waitForEvent', args: { type: 'approval', match: { order: 'A' }, timeoutMs: 2 * HOUR }, state: 'waiting', startedAt: T0, wakeAt: T0 + 2 * HOUR,
    });
    fx.clock.advance(2 * HOUR - 1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    fx.clock.advance(1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: null } });
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'done', result: null });
  });

  it('does not restart the timeout when the run is re-run part way through the wait', async () => {
    const first = fx.open([tick]);
    const wf = first.deploy(bundle('wait-timeout-rerun', ['clock.tick'], waitScript));
    const run = first.start(wf.id, { input: { order: 'A', timeout: '1h' }, permissions: ['*'] });
    await first.runUntilIdle();
    fx.clock.advance(40 * MIN);
    const engine = await spuriousWakeInNewEngine(first, run.id);
    await engine.runUntilIdle();
    expect(executions(engine, run.id)).toBe(2);
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + HOUR });
    fx.clock.advance(20 * MIN);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: null } });
    expect(ticks).toEqual([T0 + HOUR]);
  });

  it('journals the matching event as the step result, and replays that event on later re-runs', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-match', ['clock.tick'], `export default async (input, actions) => {
      const event = await actions.waitForEvent('approval', { match: { order: 'A' } });
      await actions.sleep('1m');
      return { event, now: actions.now() };
    }`));
    const run = engine.start(wf.id, { tenant: 'acme', permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: null });

    fx.clock.advance('5m');
    const delivered = engine.deliverEvent('approval', { order: 'A', by: 'ann' }, { tenant: 'acme' });
    expect(delivered.woken).toBe(1);
    await engine.runUntilIdle();
    const expected = { id: delivered.id, type: 'approval', data: { order: 'A', by: 'ann' }, at: T0 + 5 * MIN };
    expect(engine.getJournal(run.id)[0]).toMatchObject({ seq: 1, action: 'waitForEvent', state: 'done', result: expected, finishedAt: T0 + 5 * MIN });

    // Another matching event before the re-run: the journaled one is what the re-run sees.
    engine.deliverEvent('approval', { order: 'A', by: 'bob' }, { tenant: 'acme' });
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: expected, now: T0 + 6 * MIN } });
    expect(executions(engine, run.id)).toBe(3);
  });

  it('is not woken by an event of another tenant, another type or with non-matching data', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-filter', ['clock.tick'], waitScript));
    const run = engine.start(wf.id, { input: { order: 'A', timeout: '1d' }, tenant: 'acme', permissions: ['*'] });
    await engine.runUntilIdle();
    const ignored: Array<[string, unknown, string]> = [
      ['approval', { order: 'A' }, 'globex'],
      ['approval', { order: 'B' }, 'acme'],
      ['approval', { order: ['A'] }, 'acme'],
      ['approval', 'A', 'acme'],
      ['rejection', { order: 'A' }, 'acme'],
    ];
    for (const [type, data, tenant] of ignored) {
      expect(engine.deliverEvent(type, data, { tenant }).woken).toBe(0);
      await engine.runUntilIdle();
    }
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(executions(engine, run.id)).toBe(1);
    expect(logOf(engine, run.id, 'event')).toEqual([]);

    const ok = engine.deliverEvent('approval', { order: 'A', extra: true }, { tenant: 'acme' });
    expect(ok.woken).toBe(1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: { id: ok.id, data: { order: 'A', extra: true } } } });
  });

  it('keeps each wait\'s place in the tenant\'s events: a resume reads only what arrived since, and each wait still gets its own first match', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-cursor', ['clock.tick'], `export default async (input, actions) => {
      const a = actions.waitForEvent('approval', { match: { order: 'A' }, timeout: '1d' });
      const b = actions.waitForEvent('approval', { match: { order: 'B' }, timeout: '1d' });
      await actions.sleep('1m');
      return { a: await a, b: await b };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    const cursors = () => fx.sql((db) => db.prepare("SELECT seq, json_extract(wait, '$.after') AS after FROM steps WHERE run_id = ? AND action = 'waitForEvent' ORDER BY seq").all(run.id) as Array<{ seq: number; after: number }>);
    const before = cursors();
    let last = 0;
    for (let i = 0; i < 20; i++) last = engine.deliverEvent('approval', { order: 'C', i }).id;
    expect(engine.getRun(run.id).status).toBe('suspended');

    // The sleep ends: the re-run looks at both waits, which match none of the 20 events, and the
    // suspend stores how far they were read.
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(cursors()).toEqual(before.map((c) => ({ seq: c.seq, after: last })));

    const b = engine.deliverEvent('approval', { order: 'B' });
    const a = engine.deliverEvent('approval', { order: 'A' });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { a: { id: a.id, data: { order: 'A' } }, b: { id: b.id, data: { order: 'B' } } } });
  });

  it('takes an event that matches one of two waits of its type while the run is executing, and the other wait its own', async () => {
    const g = gate();
    let called = 0;
    const hold = defineAction({ name: 'gate.wait', run: async () => { called++; await g.promise; return 1; } });
    const engine = fx.open([tick, hold]);
    const wf = engine.deploy(bundle('two-waits-live', ['gate.wait'], `export default async (input, actions) => {
      const held = actions.gate.wait({});
      const a = actions.waitForEvent('go', { match: { k: 1 } });
      const b = actions.waitForEvent('go', { match: { k: 2 } });
      await held;
      return { a: await a, b: await b };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => called === 1, 'the held action to be called');
    await until(() => fx.sql((db) => (db.prepare('SELECT count(*) AS n FROM waits WHERE run_id = ?').get(run.id) as { n: number }).n) === 2, 'both waits to be stored');
    // The execution is live with both waits blocked: each event is looked at by both.
    const e1 = engine.deliverEvent('go', { k: 1 });
    expect(e1.woken).toBe(1);
    const e2 = engine.deliverEvent('go', { k: 2 });
    g.open();
    await idle;
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { a: { id: e1.id, data: { k: 1 } }, b: { id: e2.id, data: { k: 2 } } } });
  });

  it('numbers events per tenant: the ids a run and a caller see count only that tenant\'s events', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-numbered', ['clock.tick'], waitScript));
    const ids = (tenant: string, n: number) => Array.from({ length: n }, () => engine.deliverEvent('noise', {}, { tenant }).id);
    expect(ids('acme', 2)).toEqual([1, 2]);
    expect(ids('globex', 3)).toEqual([1, 2, 3]);
    const run = engine.start(wf.id, { input: { order: 'A', timeout: '1d' }, tenant: 'acme', permissions: ['*'] });
    await engine.runUntilIdle();
    ids('globex', 5);
    const ok = engine.deliverEvent('approval', { order: 'A' }, { tenant: 'acme' });
    expect(ok.id).toBe(3);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: { id: 3, data: { order: 'A' } } } });
    expect(logOf(engine, run.id, 'event')).toMatchObject([{ data: { eventId: 3, type: 'approval' } }]);
    // The wait's cursor is a row id over every tenant's events: the log does not show it.
    const waitEntry = logOf(engine, run.id, 'wait').find((e) => (e.data as { event?: unknown }).event != null)!;
    expect((waitEntry.data as { event: unknown }).event).toEqual({ type: 'approval', match: { order: 'A' } });
    // Keys do not give numbers out twice: a duplicate answers with the first one's.
    expect(engine.deliverEvent('keyed', {}, { tenant: 'acme', key: 'k1' }).id).toBe(4);
    expect(engine.deliverEvent('keyed', {}, { tenant: 'acme', key: 'k1' })).toMatchObject({ id: 4, duplicate: true });
    expect(engine.deliverEvent('noise', {}, { tenant: 'acme' }).id).toBe(5);
  });

  it('times out (null) when the only matching event was delivered before the run started', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-early-event', ['clock.tick'], waitScript));
    engine.deliverEvent('approval', { order: 'A' });
    const run = engine.start(wf.id, { input: { order: 'A', timeout: '1h' }, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: null } });
  });

  it('times out (null) when the matching event arrived while the run was still in an earlier sleep', async () => {
    const engine = fx.open([tick]);
    const wf = engine.deploy(bundle('wait-event-during-sleep', ['clock.tick'], `export default async (input, actions) => {
      await actions.sleep('10m');
      const event = await actions.waitForEvent('approval', { timeout: '1h' });
      return { event };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance('5m');
    expect(engine.deliverEvent('approval', { order: 'A' }).woken).toBe(0);
    fx.clock.advance('5m');
    await engine.runUntilIdle();
    expect(engine.getJournal(run.id)[1]).toMatchObject({ action: 'waitForEvent', state: 'waiting', startedAt: T0 + 10 * MIN });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { event: null } });
  });
});
