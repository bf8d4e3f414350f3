/**
 * Inline actions (ActionDefinition.inline, docs/runtime.md "Inline actions"): an action that
 * answers at once completes at the workflow's call, committed in a transaction of its own, and a
 * re-run settles it at its call from the journal. The whole semantics suite also runs with every
 * test action inline (inline.test.ts); these tests check what is particular to the inline path:
 * that it is taken (and when it is not), that it replays exactly, and that the host's time in it
 * is not the workflow's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, type ActionDefinition, type EngineOptions } from '../../runtime/index.js';
import { bundle, executions, newFixture, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

interface Counters {
  calls: Record<string, number>;
  actions: ActionDefinition[];
}

/** `x.inc` (inline, synchronous), `x.slow` (ordinary, async) and `x.spin` (inline, burns host time). */
function actions(): Counters {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  return {
    calls,
    actions: [
      defineAction({ name: 'x.inc', inline: true, run: ({ n }: { n: number }) => (count('x.inc'), { n: n + 1 }) }),
      defineAction({
        name: 'x.slow',
        run: async ({ n }: { n: number }) => {
          count('x.slow');
          await new Promise((resolve) => setTimeout(resolve, 2));
          return { n: n * 10 };
        },
      }),
      defineAction({
        name: 'x.spin',
        inline: true,
        run: ({ ms }: { ms: number }) => {
          count('x.spin');
          const end = performance.now() + ms;
          while (performance.now() < end);
          return { ok: true };
        },
      }),
    ],
  };
}

/** Sequential inline steps, a Promise.all and a Promise.race mixing inline and ordinary steps, a sleep, then more. */
const mixed = bundle('mixed', ['x.inc', 'x.slow'], `export default async (input, a) => {
  let n = 0;
  const order = [];
  for (let i = 0; i < 3; i++) n = (await a.x.inc({ n })).n;
  const [p, q] = await Promise.all([a.x.slow({ n }), a.x.inc({ n: 100 }).then((r) => { order.push('inc'); return r; })]);
  order.push('all');
  const r = await Promise.race([a.x.slow({ n: 1 }), a.x.inc({ n: 5 })]);
  const tick = Promise.resolve().then(() => order.push('tick'));
  const s = await a.x.inc({ n: 50 });
  order.push('after-inc');
  await tick;
  await a.sleep('1h');
  n = (await a.x.inc({ n })).n;
  return { n, p, q, r, s, order, at: a.now() };
}`);

function inlineColumn(runId: string): Array<{ seq: number; action: string; inline: number | null }> {
  return fx.sql((db) => db.prepare('SELECT seq, action, inline FROM steps WHERE run_id = ? ORDER BY seq').all(runId)) as Array<{ seq: number; action: string; inline: number | null }>;
}

async function runMixed(options: Omit<EngineOptions, 'store' | 'clock' | 'actions'> = {}) {
  const c = actions();
  const engine = fx.open(c.actions, options);
  const run = engine.start(engine.deploy(mixed).id, { permissions: ['*'] });
  await engine.runUntilIdle();
  expect(engine.getRun(run.id).status).toBe('suspended');
  fx.clock.advance('1h');
  await engine.runUntilIdle();
  return { engine, run, info: engine.getRun(run.id), calls: c.calls };
}

describe('inline actions', () => {
  it('complete at the call, are journaled as inline, and replay from the journal with the same result', async () => {
    const { run, info, calls } = await runMixed();
    expect(info.status).toBe('completed');
    // Every action ran exactly once across the two executions: the re-run replayed all of them.
    expect(calls).toEqual({ 'x.inc': 7, 'x.slow': 2 });
    const steps = inlineColumn(run.id);
    // The first three incs and the last one were handed back at the call; the inc issued after
    // an ordinary call in the same slice waited its turn, as did the ordinary ones.
    expect(steps.filter((s) => s.inline === 1).map((s) => s.seq)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(steps.find((s) => s.action === 'x.slow' && s.inline === 1)).toBeUndefined();
    expect(steps.at(-1)).toMatchObject({ action: 'x.inc', inline: 1 });
  });

  it('give the workflow exactly what the ordinary path gives it, microtask order included', async () => {
    const inline = await runMixed();
    await fx.cleanup();
    fx = newFixture();
    const ordinary = await runMixed({ inline: false });
    expect(inlineColumn(ordinary.run.id).every((s) => s.inline === null)).toBe(true);
    expect(inline.info.output).toEqual(ordinary.info.output);
  });

  it('replay in a new engine on the same store, as after a crash, without executing a step again', async () => {
    const c = actions();
    const first = fx.open(c.actions);
    const run = first.start(first.deploy(mixed).id, { permissions: ['*'] });
    await first.runUntilIdle();
    await first.close();
    fx.clock.advance('1h');
    const second = fx.open(c.actions);
    await second.runUntilIdle();
    const info = second.getRun(run.id);
    expect(info.status).toBe('completed');
    expect(c.calls).toEqual({ 'x.inc': 7, 'x.slow': 2 });
    expect(executions(second, run.id)).toBe(2);
  });

  it('are called even when not awaited, and their outcome is journaled', async () => {
    const c = actions();
    const engine = fx.open(c.actions);
    const run = engine.start(engine.deploy(bundle('floating', ['x.inc'], `export default async (i, a) => { a.x.inc({ n: 1 }); return 'done'; }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done' });
    expect(c.calls['x.inc']).toBe(1);
    expect(inlineColumn(run.id)).toEqual([{ seq: 1, action: 'x.inc', inline: 1 }]);
  });

  it('fail a re-run that calls them with other arguments, or not at all, as non-deterministic, without executing anything', async () => {
    // n: 2 makes the re-run's third call a sleep where the journal holds an inline x.inc;
    // stop makes it return after the first call, never issuing two journaled inline calls.
    for (const [i, to] of [{ n: 2 }, { n: 3, stop: true }].entries()) {
      const c = actions();
      const engine = fx.open(c.actions);
      const wf = engine.deploy(bundle(`branch-${i}`, ['x.inc'], `export default async (input, a) => {
        await a.x.inc({ n: 0 });
        if (input.stop) return 'early';
        for (let k = 1; k < input.n; k++) await a.x.inc({ n: k * 10 });
        await a.sleep('1h');
        return 'ok';
      }`));
      const run = engine.start(wf.id, { input: { n: 3 }, permissions: ['*'] });
      await engine.runUntilIdle();
      expect(inlineColumn(run.id).filter((s) => s.inline === 1)).toHaveLength(3);
      const before = c.calls['x.inc'];
      fx.sql((db) => db.prepare("UPDATE runs SET input = ? WHERE id = ? AND status = 'suspended'").run(JSON.stringify(to), run.id));
      fx.clock.advance('1h');
      await engine.runUntilIdle();
      const info = engine.getRun(run.id);
      expect(info.status).toBe('failed');
      expect(info.error).toMatchObject({ reason: 'nondeterministic', code: 'ALICE_NONDETERMINISTIC', step: i === 0 ? 3 : 2 });
      expect(c.calls['x.inc']).toBe(before);
    }
  });

  it('are not charged to the workflow: host time in inline calls does not count against its CPU limit', async () => {
    const c = actions();
    const engine = fx.open(c.actions, { limits: { cpuMs: 40 } });
    // 60 calls of 2 ms of host work each: 120 ms of host time against 40 ms of CPU for the workflow.
    const run = engine.start(engine.deploy(bundle('spin', ['x.spin'], `export default async (i, a) => {
      for (let k = 0; k < 60; k++) await a.x.spin({ ms: 2 });
      return 'ok';
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'ok' });
    expect(c.calls['x.spin']).toBe(60);
    const steps = inlineColumn(run.id);
    // One slice runs inline calls for at most 25 ms of host time; the calls after that took the
    // ordinary path, and the next slice went inline again.
    expect(steps.filter((s) => s.inline === 1).length).toBeGreaterThan(10);
    expect(steps.filter((s) => s.inline === null).length).toBeGreaterThan(0);
  });

  it('leave the CPU limit on the workflow itself: an endless loop after inline steps still fails it', async () => {
    const c = actions();
    const engine = fx.open(c.actions, { limits: { cpuMs: 100 } });
    const run = engine.start(engine.deploy(bundle('loop', ['x.inc'], `export default async (i, a) => {
      await a.x.inc({ n: 1 });
      await a.x.inc({ n: 2 });
      for (;;) {}
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'failed', error: { reason: 'resource-limit', limit: 'cpu' } });
    expect(c.calls['x.inc']).toBe(2);
  });

  it('take the ordinary path while more than two runs execute, and in power durability', async () => {
    const c = actions();
    const engine = fx.open(c.actions);
    const wf = engine.deploy(bundle('busy', ['x.inc', 'x.slow'], `export default async (i, a) => {
      await a.x.slow({ n: 1 });
      return (await a.x.inc({ n: 1 })).n;
    }`));
    const runs = [1, 2, 3, 4].map(() => engine.start(wf.id, { permissions: ['*'] }));
    await engine.runUntilIdle();
    for (const r of runs) expect(engine.getRun(r.id)).toMatchObject({ status: 'completed', output: 2 });
    // All four were executing when their x.inc was called (each waited on x.slow first).
    expect(runs.flatMap((r) => inlineColumn(r.id)).every((s) => s.inline === null)).toBe(true);
    await engine.close();

    const power = fx.open(c.actions, { durability: 'power' });
    const one = power.start(wf.id, { permissions: ['*'] });
    await power.runUntilIdle();
    expect(power.getRun(one.id)).toMatchObject({ status: 'completed', output: 2 });
    expect(inlineColumn(one.id).every((s) => s.inline === null)).toBe(true);
  });
});

describe('inline actions called while arguments are serialized', () => {
  it('replay a call whose argument getter issues another call, without issuing it twice', async () => {
    const c = actions();
    const engine = fx.open(c.actions);
    // The getter runs while the outer call's arguments are serialized, and calls x.inc itself:
    // that call takes step 1, the outer call step 2. A re-run must see the same.
    const run = engine.start(engine.deploy(bundle('getter', ['x.inc'], `export default async (i, a) => {
      let inner;
      const arg = { n: 1, get extra() { inner = a.x.inc({ n: 7 }); return 'e'; } };
      const outer = await a.x.inc(arg);
      const first = await inner;
      await a.sleep('1h');
      return { outer, first, last: (await a.x.inc({ n: outer.n + first.n })).n };
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { outer: { n: 2 }, first: { n: 8 }, last: 11 } });
    expect(c.calls['x.inc']).toBe(3);
  });
});
