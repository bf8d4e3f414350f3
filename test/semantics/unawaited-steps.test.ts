/**
 * Steps a workflow starts and never awaits (docs/runtime.md "Steps the workflow did not
 * await"). The checker's alice/no-floating-actions refuses them where it can see them; at run
 * time, whether such a step's action ran and was journaled must not depend on how fast the
 * workflow returned, so the run ends only once every step it started has ended.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, executions, newFixture, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

function slowActions(ms: number) {
  const calls: string[] = [];
  return {
    calls,
    actions: [
      defineAction({
        name: 'x.slow',
        run: async ({ n }: { n: number }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          calls.push(`slow ${n}`);
          return { n };
        },
      }),
      defineAction({
        name: 'x.flaky',
        retry: { maxAttempts: 3, initialDelay: '1s' },
        run: async ({ n }: { n: number }) => {
          calls.push(`flaky ${n}`);
          throw new Error('down');
        },
      }),
    ],
  };
}

function steps(runId: string): Array<{ seq: number; action: string; state: string }> {
  return fx.sql((db) => db.prepare('SELECT seq, action, state FROM steps WHERE run_id = ? ORDER BY seq').all(runId)) as Array<{ seq: number; action: string; state: string }>;
}

describe('steps the workflow did not await', () => {
  it('run to their end and are journaled before the run completes', async () => {
    const c = slowActions(30);
    const engine = fx.open(c.actions);
    const run = engine.start(engine.deploy(bundle('floating', ['x.slow'], `export default async (i, a) => {
      a.x.slow({ n: 1 });
      [2, 3].map((n) => a.x.slow({ n }));
      return 'returned at once';
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'returned at once' });
    expect(c.calls.sort()).toEqual(['slow 1', 'slow 2', 'slow 3']);
    expect(steps(run.id)).toEqual([1, 2, 3].map((seq) => ({ seq, action: 'x.slow', state: 'done' })));
    expect(executions(engine, run.id)).toBe(1);
  });

  it('hold a failing run until they end too', async () => {
    const c = slowActions(30);
    const engine = fx.open(c.actions);
    const run = engine.start(engine.deploy(bundle('floating-throw', ['x.slow'], `export default async (i, a) => {
      a.x.slow({ n: 1 });
      throw new Error('gave up');
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('failed');
    expect(c.calls).toEqual(['slow 1']);
    expect(steps(run.id)).toEqual([{ seq: 1, action: 'x.slow', state: 'done' }]);
  });

  it('do not hold the run while they wait: a retry, a sleep or an event wait stays unfinished', async () => {
    const c = slowActions(1);
    const engine = fx.open(c.actions);
    const run = engine.start(engine.deploy(bundle('floating-waits', ['x.flaky'], `export default async (i, a) => {
      a.x.flaky({ n: 1 });
      a.sleep('1d');
      a.waitForEvent('never');
      return 'done';
    }`)).id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done' });
    // The first attempt ran (it had started); its retry was not waited for.
    expect(c.calls).toEqual(['flaky 1']);
  });
});
