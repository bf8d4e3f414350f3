/**
 * DESIGN §2: the workflow cannot catch or swallow the engine's suspend signal. A run that
 * reaches an unfinished wait suspends, whatever `try`, `catch`, `finally` or promise
 * combinators surround the wait; it never completes early with a value the code would only
 * produce after the wait.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, pending } from '../../runtime/index.js';
import { deploy, echoAction, logOf, newEnv, Recorder, settle, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-suspend-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

/** Runs `script` until idle, checks it suspended (not finished early), wakes it, returns the end. */
async function suspendsThenFinishes(script: string, wake: (runId: string) => void = () => env.clock.advance('1h')) {
  const engine = env.open([echoAction(rec)]);
  const wf = deploy(engine, 'swallow', script, ['demo.echo']);
  const run = engine.start(wf.id, { permissions: ['*'] });
  expect(await settle(engine)).toBe('idle');
  const mid = engine.getRun(run.id);
  expect(mid.status).toBe('suspended');
  expect(mid.output).toBeNull();
  expect(mid.error).toBeNull();
  wake(run.id);
  expect(await settle(engine)).toBe('idle');
  return { engine, run: engine.getRun(run.id) };
}

describe('the suspend signal cannot be caught', () => {
  it('suspends a sleep wrapped in try/catch instead of running past it', async () => {
    const { run } = await suspendsThenFinishes(`export default async (input, actions) => {
      let caught = false;
      try { await actions.sleep('1h'); } catch { caught = true; }
      return { caught, after: await actions.demo.echo({ n: 1 }) };
    }`);
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ caught: false, after: { n: 1 } });
  });

  it('suspends a sleep whose finally block returns a value instead of completing with it', async () => {
    const { engine, run } = await suspendsThenFinishes(`export default async (input, actions) => {
      try { await actions.sleep('1h'); return 'from-try'; }
      finally { return 'from-finally'; }
    }`);
    expect(run.status).toBe('completed');
    expect(run.output).toBe('from-finally');
    // The run was suspended once and resumed once: it did not finish in its first execution.
    expect(logOf(engine, run.id, 'state').map((e) => e.data.to)).toEqual(['pending', 'running', 'suspended', 'running', 'completed']);
  });

  it('suspends when catch and finally both return around a sleep', async () => {
    const { run } = await suspendsThenFinishes(`export default async (input, actions) => {
      const inner = async () => {
        try { await actions.sleep('1h'); } catch (e) { return 'catch'; } finally { return 'finally'; }
      };
      try { return await inner(); } catch { return 'outer-catch'; }
    }`);
    expect(run.output).toBe('finally');
  });

  it('suspends a sleep swallowed by .catch, .then(_, onRejected) and .finally chains', async () => {
    const { engine, run } = await suspendsThenFinishes(`export default async (input, actions) => {
      const a = await actions.sleep('1h').catch(() => 'swallowed');
      const b = await actions.sleep('1m').then(() => 'slept', () => 'rejected');
      const c = await actions.sleep('1s').finally(() => { return 'ignored'; });
      return { a, b, c };
    }`);
    // One hour covers the first sleep only; each later sleep suspends the run again.
    expect(run.status).toBe('suspended');
    env.clock.advance('1m');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    env.clock.advance('1s');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { a: null, b: 'slept', c: null } });
  });

  it('suspends inside Promise.allSettled and an async generator that returns in finally', async () => {
    const { engine, run: first } = await suspendsThenFinishes(`export default async (input, actions) => {
      async function* gen() { try { yield await actions.sleep('1s'); } finally { return; } }
      const settled = await Promise.allSettled([actions.sleep('1h'), Promise.reject(new Error('x'))]);
      const items = [];
      for await (const v of gen()) items.push(v);
      return { settled: settled.map((s) => s.status), items };
    }`);
    expect(first.status).toBe('suspended');
    env.clock.advance('1s');
    expect(await settle(engine)).toBe('idle');
    const run = engine.getRun(first.id);
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ settled: ['fulfilled', 'rejected'], items: [null] });
  });

  it('suspends a waitForEvent inside try/finally-return until the event arrives', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'wait', `export default async (input, actions) => {
      let got = 'none';
      try { got = await actions.waitForEvent('approved', { timeout: '7d' }); } catch {} finally { return { got: got === 'none' ? got : got.data }; }
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'suspended', output: null });
    env.clock.advance('1m');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(engine.deliverEvent('approved', { by: 'ann' }).woken).toBe(1);
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { got: { by: 'ann' } } });
  });

  it('suspends on a pending action answer wrapped in try/catch/finally-return', async () => {
    let ready = false;
    const poll = defineAction({
      name: 'demo.poll',
      run: (_args, _ctx, step) => (ready ? { ready: true } : step.pending({ retryAt: env.clock.now() + 60_000 })),
    });
    const engine = env.open([poll]);
    const wf = deploy(engine, 'poll', `export default async (input, actions) => {
      try { return await actions.demo.poll({}); } catch { return 'caught'; } finally { actions.log('finally ran'); }
    }`, ['demo.poll']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    expect(logOf(engine, run.id, 'log')).toHaveLength(0);
    ready = true;
    env.clock.advance('1m');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { ready: true } });
    expect(logOf(engine, run.id, 'log').map((e) => e.data.text)).toEqual(['finally ran']);
  });

  it('does not let a run finish early by racing a sleep against nothing it can settle', async () => {
    const { run } = await suspendsThenFinishes(`export default async (input, actions) => {
      const never = new Promise(() => {});
      const r = await Promise.race([actions.sleep('1h').then(() => 'slept'), never]);
      try { return r; } finally { /* no return */ }
    }`);
    expect(run.output).toBe('slept');
  });
});

describe('a swallowed suspend does not corrupt the journal', () => {
  it('journals the sleep as waiting while suspended, and done after waking', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'journal', `export default async (input, actions) => {
      try { await actions.sleep('1h'); } catch {} finally { return 'x'; }
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(run.id).map((s) => [s.action, s.state])).toEqual([['sleep', 'waiting']]);
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(run.id).map((s) => [s.action, s.state])).toEqual([['sleep', 'done']]);
    expect(engine.getRun(run.id).output).toBe('x');
  });
});
