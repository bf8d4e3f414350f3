/**
 * Issue 3, semantics 4: a pending answer ("not ready, call me later") is not memoized; the run
 * suspends holding no isolate and no memory, only rows; it resumes at `retryAt` (ManualClock)
 * or when the awaited event arrives for the run's tenant with matching data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, pending } from '../../runtime/index.js';
import { activeExecutions, bundle, executions, logOf, newFixture, T0, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

interface Call {
  attempt: number;
  key: string;
  at: number;
}

/**
 * `pay.status({ order })` answers pending until the test sets `paid`; then { paid: true }.
 * `how` says what the pending answer waits for.
 */
function payments(how: (now: number, order: string) => Parameters<typeof pending>[0]) {
  const state = { paid: false, calls: [] as Call[] };
  const action = defineAction({
    name: 'pay.status',
    run: (args: { order: string }, _ctx, step) => {
      state.calls.push({ attempt: step.attempt, key: step.idempotencyKey, at: fx.clock.now() });
      return state.paid ? { paid: true, order: args.order } : step.pending(how(fx.clock.now(), args.order));
    },
  });
  return { state, action };
}

const script = `export default async (input, actions) => {
  const status = await actions.pay.status({ order: input.order });
  return { status, at: actions.now() };
}`;

describe('pending and suspend', () => {
  it('does not memoize a pending answer: the step stays waiting and the action is called again at retryAt', async () => {
    const pay = payments((now) => ({ retryAt: now + 60_000 }));
    const engine = fx.open([pay.action]);
    const wf = engine.deploy(bundle('pending-time', ['pay.status'], script));
    const run = engine.start(wf.id, { input: { order: 'A' }, permissions: ['*'] });
    await engine.runUntilIdle();

    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + 60_000, output: null });
    const [step] = engine.getJournal(run.id);
    expect(step).toMatchObject({ seq: 1, action: 'pay.status', state: 'waiting', attempts: 1, wakeAt: T0 + 60_000, completion: null });
    expect(step).not.toHaveProperty('result');
    expect(step).not.toHaveProperty('error');
    expect(logOf(engine, run.id, 'pending')).toHaveLength(1);
    expect(logOf(engine, run.id, 'step')).toEqual([]);

    // Not a millisecond early.
    fx.clock.advance(59_999);
    await engine.runUntilIdle();
    expect(pay.state.calls).toHaveLength(1);
    expect(engine.getRun(run.id).status).toBe('suspended');

    pay.state.paid = true;
    fx.clock.advance(1);
    await engine.runUntilIdle();
    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    expect(info.output).toEqual({ status: { paid: true, order: 'A' }, at: T0 + 60_000 });
    // Called again (not replayed), with the next attempt number and the same idempotency key.
    expect(pay.state.calls).toEqual([
      { attempt: 1, key: `${run.id}:1`, at: T0 },
      { attempt: 2, key: `${run.id}:1`, at: T0 + 60_000 },
    ]);
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'done', attempts: 2, result: { paid: true, order: 'A' } });
  });

  it('keeps answering pending as often as the action says so, re-running the workflow each time', async () => {
    const pay = payments((now) => ({ retryAt: now + 1000 }));
    const engine = fx.open([pay.action]);
    const wf = engine.deploy(bundle('pending-repeat', ['pay.status'], script));
    const run = engine.start(wf.id, { input: { order: 'A' }, permissions: ['*'] });
    await engine.runUntilIdle();
    for (let i = 1; i <= 3; i++) {
      fx.clock.advance(1000);
      await engine.runUntilIdle();
      expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: T0 + (i + 1) * 1000 });
    }
    pay.state.paid = true;
    fx.clock.advance(1000);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(pay.state.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(executions(engine, run.id)).toBe(5);
    expect(engine.getJournal(run.id)).toHaveLength(1);
  });

  it('holds no execution while suspended, and a new engine on the same file resumes the run at retryAt', async () => {
    const pay = payments((now) => ({ retryAt: now + 60_000 }));
    const first = fx.open([pay.action]);
    const wf = first.deploy(bundle('pending-rows', ['pay.status'], script));
    const run = first.start(wf.id, { input: { order: 'A' }, permissions: ['*'] });
    await first.runUntilIdle();
    expect(first.getRun(run.id).status).toBe('suspended');
    expect(activeExecutions(first)).toBe(0);
    const row = fx.sql((db) => db.prepare('SELECT status, lease_owner, wake_at FROM runs WHERE id = ?').get(run.id));
    expect(row).toEqual({ status: 'suspended', lease_owner: null, wake_at: T0 + 60_000 });

    // Everything the run needs is in the file: the first engine and its isolates go away.
    await first.close();
    pay.state.paid = true;
    const second = fx.open([pay.action]);
    await second.runUntilIdle();
    expect(pay.state.calls).toHaveLength(1);
    fx.clock.advance('1m');
    await second.runUntilIdle();
    expect(second.getRun(run.id)).toMatchObject({ status: 'completed', output: { status: { paid: true, order: 'A' } } });
    expect(pay.state.calls.map((c) => c.attempt)).toEqual([1, 2]);
  });

  it('suspends many runs at once without holding an execution for any of them', async () => {
    const pay = payments((now) => ({ retryAt: now + 60_000 }));
    const engine = fx.open([pay.action], { isolates: 1 });
    const wf = engine.deploy(bundle('pending-many', ['pay.status'], script));
    const runs = Array.from({ length: 20 }, (_, i) => engine.start(wf.id, { input: { order: `o${i}` }, permissions: ['*'] }));
    await engine.runUntilIdle();
    expect(engine.listRuns({ status: 'suspended' })).toHaveLength(20);
    expect(activeExecutions(engine)).toBe(0);
    pay.state.paid = true;
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    for (const r of runs) expect(engine.getRun(r.id).status).toBe('completed');
  });

  it('resumes on the awaited event only for the run tenant, the right type and matching data', async () => {
    const pay = payments((_now, order) => ({ event: { type: 'payment.settled', match: { order } } }));
    const engine = fx.open([pay.action]);
    const wf = engine.deploy(bundle('pending-event', ['pay.status'], script));
    const run = engine.start(wf.id, { input: { order: 'A' }, tenant: 'acme', permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: null });
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'waiting', wakeAt: null });

    const ignored: Array<[string, unknown, string]> = [
      ['payment.settled', { order: 'B' }, 'acme'], // other data
      ['payment.settled', { order: 'A' }, 'globex'], // other tenant
      ['payment.failed', { order: 'A' }, 'acme'], // other type
      ['payment.settled', { amount: 5 }, 'acme'], // the matched field is absent
    ];
    for (const [type, data, tenant] of ignored) {
      expect(engine.deliverEvent(type, data, { tenant }).woken).toBe(0);
      await engine.runUntilIdle();
    }
    fx.clock.advance('30d');
    await engine.runUntilIdle();
    expect(pay.state.calls).toHaveLength(1);
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(executions(engine, run.id)).toBe(1);

    pay.state.paid = true;
    expect(engine.deliverEvent('payment.settled', { order: 'A', amount: 5 }, { tenant: 'acme' }).woken).toBe(1);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { status: { paid: true, order: 'A' } } });
    expect(pay.state.calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(logOf(engine, run.id, 'event')).toHaveLength(1);
  });

  it('calls the action again at whichever comes first, retryAt or the event', async () => {
    const pay = payments((now) => ({ retryAt: now + 3_600_000, event: { type: 'payment.settled' } }));
    const engine = fx.open([pay.action]);
    const wf = engine.deploy(bundle('pending-either', ['pay.status'], script));
    const early = engine.start(wf.id, { input: { order: 'A' }, tenant: 't1', permissions: ['*'] });
    const late = engine.start(wf.id, { input: { order: 'B' }, tenant: 't2', permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(early.id).wakeAt).toBe(T0 + 3_600_000);

    pay.state.paid = true;
    fx.clock.advance('10m');
    engine.deliverEvent('payment.settled', null, { tenant: 't1' });
    await engine.runUntilIdle();
    expect(engine.getRun(early.id)).toMatchObject({ status: 'completed', output: { at: T0 + 600_000 } });
    expect(engine.getRun(late.id).status).toBe('suspended');

    fx.clock.advance('50m');
    await engine.runUntilIdle();
    expect(engine.getRun(late.id)).toMatchObject({ status: 'completed', output: { at: T0 + 3_600_000 } });
  });

  it('replays earlier steps and calls only the pending action again on resume', async () => {
    const pay = payments((now) => ({ retryAt: now + 1000 }));
    const before: string[] = [];
    const prep = defineAction({ name: 'order.prepare', run: (args: { order: string }) => { before.push(args.order); return { prepared: before.length }; } });
    const engine = fx.open([pay.action, prep]);
    const wf = engine.deploy(bundle('pending-replay', ['pay.status', 'order.prepare'], `export default async (input, actions) => {
      const p = await actions.order.prepare({ order: input.order });
      const status = await actions.pay.status({ order: input.order });
      return { p, status };
    }`));
    const run = engine.start(wf.id, { input: { order: 'A' }, permissions: ['*'] });
    await engine.runUntilIdle();
    pay.state.paid = true;
    fx.clock.advance(1000);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { p: { prepared: 1 }, status: { paid: true } } });
    expect(before).toEqual(['A']);
    expect(pay.state.calls).toHaveLength(2);
  });
  it('issues every call of a slice even when the first answers pending at once, so a later one can make it ready', async () => {
    let seen = false;
    const ran: string[] = [];
    const waitGo = defineAction({ name: 'demo.waitGo', run: () => { ran.push('waitGo'); return seen ? { went: true } : pending({ event: { type: 'go' } }); } });
    const go = defineAction({ name: 'demo.go', run: async (_args, _ctx, step) => { ran.push('go'); seen = true; await step.emit('go', {}); return { ok: true }; } });
    const engine = fx.open([waitGo, go]);
    const wf = engine.deploy(bundle('pending-pair', ['demo.waitGo', 'demo.go'], `export default async (input, actions) => {
      const [a, b] = await Promise.all([actions.demo.waitGo({}), actions.demo.go({})]);
      return { a, b };
    }`));
    const run = engine.start(wf.id, { input: null, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { a: { went: true }, b: { ok: true } } });
    expect(ran).toEqual(['waitGo', 'go', 'waitGo']);
  });
});
