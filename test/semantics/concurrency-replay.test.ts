/**
 * Issue 3, semantics 3: Promise.all / Promise.race / Promise.allSettled over steps replay
 * identically: memoized outcomes are delivered in the recorded completion order.
 *
 * Each test issues steps in one order and lets them finish in another: the actions wait on
 * gates the test opens one at a time (no timing, so nothing is flaky). The workflow records the
 * order it observed and passes it to a later step's arguments, so a re-run that observed a
 * different order would issue a different call (a non-determinism failure). Then the run sleeps,
 * the engine is closed, and a new engine on the same file re-runs it from the journal; the
 * output of that re-run must show the same order, and no action may be called again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionFailure, defineAction, type Engine } from '../../runtime/index.js';
import { bundle, executions, gate, newFixture, until, type Fixture, type Gate } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** `gate.wait({ id, fail? })` waits for the test to open gate `id`; `rec.note` records its arguments. */
function world(ids: string[]) {
  const gates = new Map<string, Gate>(ids.map((id) => [id, gate()]));
  // A failing test must not leave actions hanging: closing the engine waits for them.
  fx.onCleanup(() => gates.forEach((g) => g.open()));
  const waited: string[] = [];
  const notes: unknown[] = [];
  const actions = [
    defineAction({
      name: 'gate.wait',
      run: async (args: { id: string; fail?: boolean }) => {
        waited.push(args.id);
        await gates.get(args.id)!.promise;
        if (args.fail) throw new ActionFailure('GATE_FAILED', `gate ${args.id} failed`);
        return { id: args.id };
      },
    }),
    defineAction({ name: 'rec.note', run: (args: unknown) => { notes.push(args); return null; } }),
  ];
  return { gates, waited, notes, actions };
}

type World = ReturnType<typeof world>;

/**
 * Opens gate `id` and waits until its step's outcome is journaled (and so delivered to the
 * workflow). A running action has no journal row yet: the row is written with its outcome.
 */
async function release(engine: Engine, w: World, runId: string, id: string): Promise<void> {
  w.gates.get(id)!.open();
  await until(
    () => engine.getJournal(runId).some((s) => s.action === 'gate.wait' && (s.args as { id: string }).id === id && s.state !== 'waiting'),
    `the step of gate ${id} to be journaled`,
  );
}

/** Closes the engine of the first execution and lets a new engine on the same file re-run the run. */
async function rerunInNewEngine(old: Engine, w: World, runId: string): Promise<Engine> {
  expect(old.getRun(runId).status).toBe('suspended');
  await old.close();
  const engine = fx.open(w.actions);
  fx.clock.advance('1m');
  await engine.runUntilIdle();
  expect(executions(engine, runId)).toBe(2);
  return engine;
}

function completionOrder(engine: Engine, runId: string): string[] {
  return engine.getJournal(runId)
    .filter((s) => s.completion !== null)
    .sort((a, b) => a.completion! - b.completion!)
    .map((s) => (s.action === 'gate.wait' ? `gate:${(s.args as { id: string }).id}` : `${s.action}#${s.seq}`));
}

describe('concurrency replays identically', () => {
  it('Promise.all: the re-run observes the recorded completion order, not the issue order', async () => {
    const w = world(['a', 'b', 'c']);
    const first = fx.open(w.actions);
    const wf = first.deploy(bundle('cc-all', ['gate.wait', 'rec.note'], `export default async (input, actions) => {
      const order = [];
      const track = (id) => actions.gate.wait({ id }).then((r) => { order.push(r.id); return r.id; });
      const results = await Promise.all([track('a'), track('b'), track('c')]);
      await actions.rec.note({ order });
      await actions.sleep('1m');
      return { order, results };
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const working = first.runUntilIdle();
    await until(() => w.waited.length === 3, 'three gate calls');
    for (const id of ['c', 'a', 'b']) await release(first, w, run.id, id);
    await working;
    expect(w.notes).toEqual([{ order: ['c', 'a', 'b'] }]);
    expect(completionOrder(first, run.id).slice(0, 3)).toEqual(['gate:c', 'gate:a', 'gate:b']);

    const engine = await rerunInNewEngine(first, w, run.id);
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.status).toBe('completed');
    expect(info.output).toEqual({ order: ['c', 'a', 'b'], results: ['a', 'b', 'c'] });
    expect(w.waited).toEqual(['a', 'b', 'c']);
    expect(w.notes).toHaveLength(1);
  });

  it('Promise.all: calls issued as each step completes get the same sequence numbers on the re-run', async () => {
    // The follow-up calls are numbered in completion order; replayed in any other order, step 4
    // would be issued with other arguments than the journal holds.
    const w = world(['a', 'b', 'c']);
    const first = fx.open(w.actions);
    const wf = first.deploy(bundle('cc-follow', ['gate.wait', 'rec.note'], `export default async (input, actions) => {
      const follow = (id) => actions.gate.wait({ id }).then((r) => actions.rec.note({ after: r.id }));
      await Promise.all([follow('a'), follow('b'), follow('c')]);
      await actions.sleep('1m');
      return 'done';
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const working = first.runUntilIdle();
    await until(() => w.waited.length === 3, 'three gate calls');
    for (const id of ['b', 'c', 'a']) await release(first, w, run.id, id);
    await working;
    const notes = first.getJournal(run.id).filter((s) => s.action === 'rec.note').map((s) => [s.seq, s.args]);
    expect(notes).toEqual([[4, { after: 'b' }], [5, { after: 'c' }], [6, { after: 'a' }]]);

    const engine = await rerunInNewEngine(first, w, run.id);
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done', error: null });
    expect(w.notes).toEqual([{ after: 'b' }, { after: 'c' }, { after: 'a' }]);
    expect(w.waited).toEqual(['a', 'b', 'c']);
  });

  it('Promise.race: the re-run sees the same winner, though it was issued last but one', async () => {
    const w = world(['a', 'b', 'c']);
    const first = fx.open(w.actions);
    const wf = first.deploy(bundle('cc-race', ['gate.wait', 'rec.note'], `export default async (input, actions) => {
      const calls = [actions.gate.wait({ id: 'a' }), actions.gate.wait({ id: 'b' }), actions.gate.wait({ id: 'c' })];
      const winner = await Promise.race(calls);
      await actions.rec.note({ winner: winner.id });
      const all = await Promise.all(calls);
      await actions.sleep('1m');
      return { winner: winner.id, all: all.map((r) => r.id) };
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const working = first.runUntilIdle();
    await until(() => w.waited.length === 3, 'three gate calls');
    await release(first, w, run.id, 'b');
    await until(() => w.notes.length === 1, 'the winner to be noted');
    for (const id of ['c', 'a']) await release(first, w, run.id, id);
    await working;
    expect(w.notes).toEqual([{ winner: 'b' }]);

    const engine = await rerunInNewEngine(first, w, run.id);
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.output).toEqual({ winner: 'b', all: ['a', 'b', 'c'] });
    expect(w.notes).toHaveLength(1);
    expect(w.waited).toEqual(['a', 'b', 'c']);
  });

  it('Promise.race between an action and a sleep: the sleep that won still wins on the re-run', async () => {
    const w = world(['slow']);
    const first = fx.open(w.actions);
    const wf = first.deploy(bundle('cc-race-timeout', ['gate.wait', 'rec.note'], `export default async (input, actions) => {
      const call = actions.gate.wait({ id: 'slow' });
      const winner = await Promise.race([call.then(() => 'action'), actions.sleep('10m').then(() => 'timeout')]);
      await actions.rec.note({ winner });
      const late = await call;
      await actions.sleep('1m');
      return { winner, late: late.id };
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const working = first.runUntilIdle();
    await until(() => w.waited.length === 1, 'the slow call');
    // The action is still running when the sleep's time comes.
    fx.clock.advance('10m');
    await until(() => w.notes.length === 1, 'the winner to be noted');
    await release(first, w, run.id, 'slow');
    await working;
    expect(w.notes).toEqual([{ winner: 'timeout' }]);

    const engine = await rerunInNewEngine(first, w, run.id);
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.output).toEqual({ winner: 'timeout', late: 'slow' });
    expect(w.waited).toEqual(['slow']);
  });

  it('Promise.allSettled: successes and memoized errors settle in the recorded order on the re-run', async () => {
    const w = world(['a', 'b', 'c']);
    const first = fx.open(w.actions);
    const wf = first.deploy(bundle('cc-settled', ['gate.wait', 'rec.note'], `export default async (input, actions) => {
      const order = [];
      const track = (id, fail) => actions.gate.wait({ id, fail }).then(
        (r) => { order.push(r.id + ':ok'); return r.id; },
        (e) => { order.push(id + ':' + e.code); throw e; });
      const settled = await Promise.allSettled([track('a', true), track('b', false), track('c', true)]);
      await actions.rec.note({ order });
      await actions.sleep('1m');
      return {
        order,
        settled: settled.map((s) => s.status === 'fulfilled' ? s.value : s.reason.code + ': ' + s.reason.message + ' ' + (s.reason instanceof ActionError)),
      };
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const working = first.runUntilIdle();
    await until(() => w.waited.length === 3, 'three gate calls');
    for (const id of ['c', 'b', 'a']) await release(first, w, run.id, id);
    await working;
    const observed = ['c:GATE_FAILED', 'b:ok', 'a:GATE_FAILED'];
    expect(w.notes).toEqual([{ order: observed }]);

    const engine = await rerunInNewEngine(first, w, run.id);
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.output).toEqual({ order: observed, settled: ['GATE_FAILED: gate a failed true', 'b', 'GATE_FAILED: gate c failed true'] });
    expect(w.waited).toEqual(['a', 'b', 'c']);
    expect(w.notes).toHaveLength(1);
  });
});
