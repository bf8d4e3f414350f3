import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, newFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('retries and pending (review)', () => {
  it('does not count pending answers against the retry budget of an action', async () => {
    let calls = 0;
    const poll = defineAction({
      name: 't.poll',
      retry: { maxAttempts: 2, initialDelay: '1s', backoff: 2, maxDelay: '1m' },
      run: async (_args, _ctx, step) => {
        calls++;
        // Not ready three times ("call me later"), then one transient failure, then ready.
        if (calls <= 3) return step.pending({ retryAt: f.clock.now() + 1000 });
        if (calls === 4) throw new Error('transient');
        return 'ready';
      },
    });
    const engine = f.open([poll]);
    const wf = engine.deploy(bundle('poller', ['t.poll'], 'export default async (input, a) => a.t.poll({})'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    for (let i = 0; i < 10 && !['completed', 'failed'].includes(engine.getRun(run.id).status); i++) {
      f.clock.advance('1s');
      await engine.runUntilIdle();
    }
    // One retryable failure with maxAttempts 2 must be retried: the pending answers were not failures.
    expect(engine.getRun(run.id).error).toBeNull();
    expect(engine.getRun(run.id).output).toBe('ready');
    expect(calls).toBe(5);
  });
});

describe('pending with a time already past (review)', () => {
  it('yields to the event loop between re-attempts of an action that answers pending with a time already past', async () => {
    let calls = 0;
    let loopTurnAtCall: number | null = null;
    const poll = defineAction({
      name: 't.poll',
      run: async (_args, _ctx, step) => {
        calls++;
        if (calls === 1) setImmediate(() => (loopTurnAtCall = calls));
        // "Call me again now": a poll whose answer is not ready yet. Bounded here so that the
        // test ends even when the engine re-calls it without ever yielding.
        if (calls < 50) return step.pending({ retryAt: f.clock.now() });
        return 'ready';
      },
    });
    const engine = f.open([poll]);
    const wf = engine.deploy(bundle('hot-poll', ['t.poll'], 'export default async (input, a) => a.t.poll({})'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toBe('ready');
    // Re-calling in a chain of microtasks starves Node: no group commit, no timer, no I/O of any
    // other run can happen until the action stops answering pending (for ever, if it never does).
    expect(loopTurnAtCall).not.toBeNull();
    expect(loopTurnAtCall!).toBeLessThan(50);
  });
});
