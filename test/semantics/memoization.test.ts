/**
 * Issue 3, semantics 1: re-running a run never executes a journaled step again; the workflow
 * sees the journaled outcome, results and errors alike.
 *
 * Every action here answers differently on each call (a call counter is part of its answer),
 * so a step that was executed again instead of replayed would change the workflow's output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionFailure, defineAction } from '../../runtime/index.js';
import { bundle, executions, gate, logOf, newFixture, until, type Fixture, type Gate } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** `count.next` answers { n } with n = how many times it has been called in this test. */
function counter() {
  const labels: string[] = [];
  const action = defineAction({
    name: 'count.next',
    run: (args: { label: string }) => {
      labels.push(args.label);
      return { n: labels.length };
    },
  });
  return { labels, action };
}

describe('memoized steps', () => {
  it('replays completed steps from the journal without calling their actions again', async () => {
    const count = counter();
    const engine = fx.open([count.action]);
    const wf = engine.deploy(bundle('memo-results', ['count.next'], `export default async (input, actions) => {
      const a = await actions.count.next({ label: 'a' });
      const b = await actions.count.next({ label: 'b' });
      await actions.sleep('1h'); // the run suspends; resuming re-runs the workflow from the start
      const c = await actions.count.next({ label: 'c' });
      return { a, b, c };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(count.labels).toEqual(['a', 'b']);

    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    expect(executions(engine, run.id)).toBe(2);
    // Steps a and b were replayed: called once each, and the re-run saw their first answers.
    expect(count.labels).toEqual(['a', 'b', 'c']);
    expect(info.output).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
    const journal = engine.getJournal(run.id);
    expect(journal.map((s) => [s.seq, s.action, s.attempts])).toEqual([[1, 'count.next', 1], [2, 'count.next', 1], [3, 'sleep', 1], [4, 'count.next', 1]]);
    // A replayed step is not logged a second time.
    expect(logOf(engine, run.id, 'step').map((e) => e.step)).toEqual([1, 2, 3, 4]);
  });

  it('re-throws a memoized ActionError with the same code and message on replay without calling the action', async () => {
    const reserveCalls: number[] = [];
    const reserve = defineAction({
      name: 'stock.reserve',
      retry: { maxAttempts: 3 },
      run: () => {
        reserveCalls.push(reserveCalls.length + 1);
        // Non-retryable: memoized at once. The message names the call, so a re-execution would show.
        throw new ActionFailure('OUT_OF_STOCK', `no stock left (call ${reserveCalls.length})`);
      },
    });
    const noted: unknown[] = [];
    const note = defineAction({ name: 'probe.note', run: (args: { seen: unknown }) => { noted.push(args.seen); return null; } });
    const engine = fx.open([reserve, note]);
    const wf = engine.deploy(bundle('memo-errors', ['stock.reserve', 'probe.note'], `export default async (input, actions) => {
      let seen;
      try {
        await actions.stock.reserve({ sku: 'book' });
        seen = { ok: true };
      } catch (e) {
        seen = { name: e.name, code: e.code, message: e.message, action: e.action, isActionError: e instanceof ActionError };
      }
      // What the first execution saw goes into a step's arguments; the re-run must issue the same.
      await actions.probe.note({ seen });
      await actions.sleep('1h');
      return seen;
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');

    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.status).toBe('completed');
    const firstView = { name: 'ActionError', code: 'OUT_OF_STOCK', message: 'no stock left (call 1)', action: 'stock.reserve', isActionError: true };
    expect(noted).toEqual([firstView]);
    // The output is what the re-run saw: the same error, from the journal.
    expect(info.output).toEqual(firstView);
    expect(reserveCalls).toEqual([1]);
    const step = engine.getJournal(run.id)[0];
    expect(step).toMatchObject({ seq: 1, action: 'stock.reserve', state: 'error', attempts: 1, error: { code: 'OUT_OF_STOCK', message: 'no stock left (call 1)' } });
  });

  it('replays a memoized validation error without calling the action', async () => {
    const calls: unknown[] = [];
    const strict = defineAction({
      name: 'kv.put',
      input: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false },
      run: (args) => {
        calls.push(args);
        return null;
      },
    });
    const engine = fx.open([strict]);
    const wf = engine.deploy(bundle('memo-validation', ['kv.put'], `export default async (input, actions) => {
      let code = null;
      try { await actions.kv.put({ key: 7 }); } catch (e) { code = e.code; }
      await actions.sleep('1m');
      return code;
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'ALICE_VALIDATION' });
    expect(calls).toEqual([]);
    expect(executions(engine, run.id)).toBe(2);
    expect(engine.getJournal(run.id)[0]).toMatchObject({ seq: 1, state: 'error', error: { code: 'ALICE_VALIDATION' } });
  });

  it('replays in a new engine on the same file the steps journaled before the old engine closed', async () => {
    const count = counter();
    const g = gate();
    fx.onCleanup(() => g.open());
    const gateCalls: string[] = [];
    const wait = defineAction({
      name: 'gate.wait',
      run: async (args: { id: string }, _ctx, step) => {
        gateCalls.push(step.idempotencyKey);
        await g.promise;
        return { id: args.id, call: gateCalls.length };
      },
    });
    const first = fx.open([count.action, wait]);
    const wf = first.deploy(bundle('memo-restart', ['count.next', 'gate.wait'], `export default async (input, actions) => {
      const a = await actions.count.next({ label: 'a' });
      const g = await actions.gate.wait({ id: 'x' });
      const c = await actions.count.next({ label: 'c' });
      return { a, g, c };
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    // A worker (not runUntilIdle, see the next test) drives the run; the engine is closed while
    // step 2 is in flight: its outcome is journaled and the run released for another engine.
    first.startWorker({ pollMs: 5 });
    await until(() => gateCalls.length === 1, 'the gate action to be called');
    const closing = first.close();
    g.open();
    await closing;

    const second = fx.open([count.action, wait]);
    expect(second.getRun(run.id).status).toBe('suspended');
    expect(second.getJournal(run.id).map((s) => [s.seq, s.state])).toEqual([[1, 'done'], [2, 'done']]);
    await second.runUntilIdle();

    const info = second.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.status).toBe('completed');
    expect(count.labels).toEqual(['a', 'c']);
    expect(gateCalls).toEqual([`${run.id}:2`]);
    expect(info.output).toEqual({ a: { n: 1 }, g: { id: 'x', call: 1 }, c: { n: 2 } });
  });
});

describe('closing an engine while runUntilIdle works', () => {
  // Found while writing the restart test above. close() aborts the executions, but the pending
  // runUntilIdle() loop wakes when they settle and, the engine not yet marked closed, claims
  // the released run again and launches a fresh execution while close() is shutting the store.
  it('leaves the run released (suspended, no lease) for the next engine, and runUntilIdle settles without error', async () => {
    const g = gate();
    fx.onCleanup(() => g.open());
    let calls = 0;
    const wait = defineAction({ name: 'gate.wait', run: async () => { calls++; await g.promise; return null; } });
    const count = counter();
    const engine = fx.open([wait, count.action]);
    const wf = engine.deploy(bundle('close-while-working', ['gate.wait', 'count.next'], `export default async (input, actions) => {
      await actions.gate.wait({});
      return actions.count.next({ label: 'after' });
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const working = engine.runUntilIdle().then(() => null, (err: unknown) => err);
    await until(() => calls === 1, 'the action to be called');
    const closing = engine.close();
    g.open();
    await closing;
    expect(await working).toBeNull();
    // Nothing may execute after close(): the step after the gate belongs to the next engine.
    expect(count.labels).toEqual([]);
    const row = fx.sql((db) => db.prepare('SELECT status, lease_owner FROM runs WHERE id = ?').get(run.id));
    expect(row).toEqual({ status: 'suspended', lease_owner: null });
  });
});
