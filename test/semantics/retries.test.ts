/**
 * Issue 3, semantics 6: a retryable error is retried with exponential backoff
 * (initialDelay · backoff^n, capped by maxDelay), every attempt is logged, and the final error
 * is memoized and thrown into the workflow as a catchable `ActionError` with code and message.
 * A non-retryable `ActionFailure` is memoized at once, without retries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionFailure, defineAction, type Engine, type RetryPolicy } from '../../runtime/index.js';
import { bundle, executions, logOf, newFixture, T0, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

interface Attempt {
  attempt: number;
  key: string;
  at: number;
}

/** `flaky.call` throws `fail(attempt)` while it returns an error, then answers { ok: attempt }. */
function flaky(retry: Partial<RetryPolicy>, fail: (attempt: number) => Error | null) {
  const attempts: Attempt[] = [];
  const action = defineAction({
    name: 'flaky.call',
    retry,
    run: (_args, _ctx, step) => {
      attempts.push({ attempt: step.attempt, key: step.idempotencyKey, at: fx.clock.now() });
      const err = fail(step.attempt);
      if (err !== null) throw err;
      return { ok: step.attempt };
    },
  });
  return { attempts, action };
}

/** Catches what the action throws and returns what the workflow could see of it. */
const catching = `export default async (input, actions) => {
  try {
    return { result: await actions.flaky.call({}) };
  } catch (e) {
    return { caught: { name: e.name, code: e.code, message: e.message, action: e.action, isActionError: e instanceof ActionError, isError: e instanceof Error } };
  }
}`;

/** Advances to the run's wake time in two moves (1 ms short, then there) and works each time. */
async function advanceToWake(engine: Engine, runId: string, attempts: Attempt[]): Promise<number> {
  const wakeAt = engine.getRun(runId).wakeAt!;
  const seen = attempts.length;
  fx.clock.set(wakeAt - 1);
  await engine.runUntilIdle();
  expect(attempts).toHaveLength(seen); // not a millisecond early
  fx.clock.set(wakeAt);
  await engine.runUntilIdle();
  return wakeAt;
}

describe('retries', () => {
  it('retries a retryable error with exponential backoff capped by maxDelay, logging every attempt and retry', async () => {
    const f = flaky({ maxAttempts: 5, initialDelay: '1s', backoff: 3, maxDelay: '5s' }, (n) => (n < 5 ? new Error(`flake ${n}`) : null));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-backoff', ['flaky.call'], catching));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();

    // 1 s, 3 s, 9 s capped to 5 s, 27 s capped to 5 s.
    const delays = [1000, 3000, 5000, 5000];
    let failedAt = T0;
    for (const delay of delays) {
      expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', wakeAt: failedAt + delay });
      expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'waiting', wakeAt: failedAt + delay });
      failedAt = await advanceToWake(engine, run.id, f.attempts);
    }
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { result: { ok: 5 } } });
    expect(f.attempts).toEqual([
      { attempt: 1, key: `${run.id}:1`, at: T0 },
      { attempt: 2, key: `${run.id}:1`, at: T0 + 1000 },
      { attempt: 3, key: `${run.id}:1`, at: T0 + 4000 },
      { attempt: 4, key: `${run.id}:1`, at: T0 + 9000 },
      { attempt: 5, key: `${run.id}:1`, at: T0 + 14000 },
    ]);

    const failures = logOf(engine, run.id, 'attempt');
    expect(failures.map((e) => [e.step, e.at, e.data.attempt, e.data.retryable, (e.data.error as { message: string }).message])).toEqual([
      [1, T0, 1, true, 'flake 1'],
      [1, T0 + 1000, 2, true, 'flake 2'],
      [1, T0 + 4000, 3, true, 'flake 3'],
      [1, T0 + 9000, 4, true, 'flake 4'],
    ]);
    const retries = logOf(engine, run.id, 'retry');
    expect(retries.map((e) => [e.step, e.data.attempt, e.data.retryAt])).toEqual([
      [1, 2, T0 + 1000],
      [1, 3, T0 + 4000],
      [1, 4, T0 + 9000],
      [1, 5, T0 + 14000],
    ]);
    expect(logOf(engine, run.id, 'step')).toMatchObject([{ step: 1, data: { attempt: 5, result: { ok: 5 } } }]);
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'done', attempts: 5, result: { ok: 5 } });
  });

  it('memoizes the final error after the last attempt and throws it into the workflow as a catchable ActionError', async () => {
    const f = flaky({ maxAttempts: 3, initialDelay: 100, backoff: 2, maxDelay: '1h' }, () => new Error('upstream down'));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-exhausted', ['flaky.call'], `export default async (input, actions) => {
      let caught = null;
      try {
        await actions.flaky.call({});
      } catch (e) {
        caught = { name: e.name, code: e.code, message: e.message, action: e.action, isActionError: e instanceof ActionError, isError: e instanceof Error };
      }
      await actions.sleep('1h'); // forces a re-run that must replay the memoized error
      return { caught };
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    await advanceToWake(engine, run.id, f.attempts);
    await advanceToWake(engine, run.id, f.attempts);
    expect(f.attempts.map((a) => [a.attempt, a.at - T0])).toEqual([[1, 0], [2, 100], [3, 300]]);

    const message = 'upstream down (after 3 attempts)';
    expect(engine.getJournal(run.id)[0]).toMatchObject({ seq: 1, state: 'error', attempts: 3, error: { code: 'ALICE_ACTION_FAILED', message, action: 'flaky.call' } });
    expect(logOf(engine, run.id, 'retry')).toHaveLength(2);
    expect(logOf(engine, run.id, 'attempt').map((e) => e.data.attempt)).toEqual([1, 2, 3]);

    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({
      status: 'completed',
      output: { caught: { name: 'ActionError', code: 'ALICE_ACTION_FAILED', message, action: 'flaky.call', isActionError: true, isError: true } },
    });
    expect(f.attempts).toHaveLength(3);
    expect(executions(engine, run.id)).toBe(4);
  });

  it('keeps the code of a retryable ActionFailure through its retries', async () => {
    const f = flaky({ maxAttempts: 2, initialDelay: '1s' }, (n) => new ActionFailure('RATE_LIMITED', `slow down (${n})`, { retryable: true }));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-failure-code', ['flaky.call'], catching));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    await advanceToWake(engine, run.id, f.attempts);
    expect(engine.getRun(run.id)).toMatchObject({
      status: 'completed',
      output: { caught: { code: 'RATE_LIMITED', message: 'slow down (2) (after 2 attempts)', isActionError: true } },
    });
    expect(f.attempts).toHaveLength(2);
  });

  it('memoizes a non-retryable ActionFailure at once, without retries', async () => {
    const f = flaky({ maxAttempts: 5, initialDelay: '1s' }, () => new ActionFailure('CARD_DECLINED', 'the card was declined', { details: { last4: '4242' } }));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-terminal', ['flaky.call'], `export default async (input, actions) => {
      try {
        await actions.flaky.call({});
        return 'paid';
      } catch (e) {
        if (!(e instanceof ActionError) || e.code !== 'CARD_DECLINED') throw e;
        return { declined: e.message, details: e.details };
      }
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    // Finished in one execution: no retry was scheduled.
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { declined: 'the card was declined', details: { last4: '4242' } } });
    expect(f.attempts).toHaveLength(1);
    expect(executions(engine, run.id)).toBe(1);
    expect(logOf(engine, run.id, 'retry')).toEqual([]);
    expect(logOf(engine, run.id, 'attempt')).toMatchObject([{ step: 1, data: { attempt: 1, retryable: false, error: { code: 'CARD_DECLINED' } } }]);
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'error', attempts: 1, error: { code: 'CARD_DECLINED', message: 'the card was declined' } });
  });

  it('fails the run with the action error code when the workflow does not catch it', async () => {
    const f = flaky({ maxAttempts: 1 }, () => new ActionFailure('NO_SUCH_USER', 'user 7 does not exist'));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-uncaught', ['flaky.call'], `export default async (input, actions) => actions.flaky.call({})`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'failed', error: { code: 'NO_SUCH_USER', message: 'user 7 does not exist', reason: 'error' } });
  });

  it('keeps the sandbox ActionError global in place, so instanceof checks cannot be fooled by reassigning it', async () => {
    const f = flaky({ maxAttempts: 1 }, () => new ActionFailure('E_ONE', 'one'));
    const engine = fx.open([f.action]);
    const wf = engine.deploy(bundle('retry-global', ['flaky.call'], `export default async (input, actions) => {
      const Original = ActionError;
      try { globalThis.ActionError = class Fake extends Error {}; } catch {}
      try { await actions.flaky.call({}); } catch (e) {
        return { same: ActionError === Original, isActionError: e instanceof ActionError, forged: new ActionError('X', 'y').code };
      }
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { same: true, isActionError: true, forged: 'X' } });
  });
});
