import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, delay, gate, newFixture, until, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('execution lifecycle (review)', () => {
  it('settles an execution whose completion commit is refused because the run was cancelled meanwhile', async () => {
    const engine = f.open([]);
    const wf = engine.deploy(bundle('quick', [], 'export default async () => 42'));
    const run = engine.start(wf.id, {});
    // runUntilIdle claims and executes synchronously up to its first await: the workflow has
    // returned and its completion is queued for the next group commit when cancel() lands.
    const idle = engine.runUntilIdle();
    engine.cancel(run.id);
    const outcome = await Promise.race([idle.then(() => 'idle' as const), delay(5000)]);
    expect(outcome).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('cancelled');
  });

  it('finalizes every action a run called, including one whose step was still running when the workflow returned', async () => {
    const slowGate = gate();
    let slowStarted = false;
    const finalized: string[] = [];
    const fast = defineAction({ name: 't.fast', run: async () => 'fast', finalize: () => void finalized.push('t.fast') });
    const slow = defineAction({
      name: 't.slow',
      run: async () => {
        slowStarted = true;
        await slowGate.promise;
        return 'slow';
      },
      finalize: () => void finalized.push('t.slow'),
    });
    const engine = f.open([fast, slow]);
    const wf = engine.deploy(bundle('race', ['t.fast', 't.slow'], 'export default async (input, a) => Promise.race([a.t.fast({}), a.t.slow({})])'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => slowStarted, 't.slow to start');
    await delay(50);
    // The workflow has returned; the run ends once the step it left running has ended
    // (docs/runtime.md, "Steps the workflow did not await").
    expect(engine.getRun(run.id).status).toBe('running');
    slowGate.open();
    await idle;
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'fast' });
    // t.slow was executed for this run (with its idempotency key): it must be told the run is over.
    expect(finalized.sort()).toEqual(['t.fast', 't.slow']);
  });

  it('calls finalize for a cancelled run only after the action attempt that was running has returned', async () => {
    const g = gate();
    const events: string[] = [];
    const work = defineAction({
      name: 't.work',
      run: async (args: { n: number }) => {
        events.push(`run ${args.n} start`);
        if (args.n === 2) await g.promise;
        events.push(`run ${args.n} end`);
        return args.n;
      },
      finalize: () => void events.push('finalize'),
    });
    const engine = f.open([work]);
    const wf = engine.deploy(bundle('cancel-mid-step', ['t.work'], 'export default async (input, a) => { await a.t.work({ n: 1 }); await a.t.work({ n: 2 }); return "done"; }'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => events.includes('run 2 start'), 'the second step to start');
    engine.cancel(run.id);
    // Let the engine work with the attempt still running (a finalize pass may happen now) ...
    await delay(100);
    g.open();
    await until(() => events.includes('run 2 end'), 'the second step to return');
    await idle;
    await engine.runUntilIdle();
    expect(events).toContain('finalize');
    // finalize lets the action drop what it memoized for the run: an attempt still running could
    // write after it, so finalize must come after every attempt of the run has returned.
    expect(events.indexOf('finalize')).toBeGreaterThan(events.indexOf('run 2 end'));
  });
});

describe('finalization details (review)', () => {
  it('tells finalize about every step of the action, including one still running when the workflow returned', async () => {
    const slowGate = gate();
    let slowStarted = false;
    const seen: number[][] = [];
    const work = defineAction({
      name: 't.work',
      run: async (args: { slow: boolean }) => {
        if (args.slow) {
          slowStarted = true;
          await slowGate.promise;
        }
        return args.slow ? 'slow' : 'fast';
      },
      finalize: (_ctx, run) => void seen.push([...run.steps]),
    });
    const engine = f.open([work]);
    const wf = engine.deploy(bundle('race-same', ['t.work'], 'export default async (input, a) => Promise.race([a.t.work({ slow: false }), a.t.work({ slow: true })])'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => slowStarted, 'the slow step to start');
    slowGate.open();
    await idle;
    await delay(20);
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('completed');
    // Step 2 ran with idempotency key `${run}:2`; an action that memoized under that key cleans
    // up by the steps finalize names, so step 2 must be among them.
    expect(seen).toEqual([[1, 2]]);
  });

  it('keeps a worker scheduling new runs while one action finalize never returns', async () => {
    const hang = defineAction({ name: 't.hang', run: async () => 1, finalize: () => new Promise<void>(() => {}) });
    const engine = f.open([hang]);
    const a = engine.deploy(bundle('uses-hang', ['t.hang'], 'export default async (input, a) => a.t.hang({})'));
    const b = engine.deploy(bundle('plain', [], 'export default async () => "b"'));
    const worker = engine.startWorker({ pollMs: 10 });
    try {
      const first = engine.start(a.id, { permissions: ['*'] });
      await until(() => engine.getRun(first.id).status === 'completed', 'the first run to complete');
      await delay(50);
      const second = engine.start(b.id, {});
      let status = engine.getRun(second.id).status;
      for (let i = 0; i < 300 && status !== 'completed'; i++) {
        await delay(10);
        status = engine.getRun(second.id).status;
      }
      expect(status).toBe('completed');
    } finally {
      void worker.stop();
    }
  });
});
