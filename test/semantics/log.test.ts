/**
 * DESIGN §8: every step, attempt, wait, retry, refusal, non-determinism, state change and
 * `log()` line is recorded with run id, sequence, time, duration and data; a replayed step (or
 * log line) is not logged again; secrets never reach the log; the log exports as JSON lines.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, ErrorCodes, type Engine, type LogEntry } from '../../runtime/index.js';
import { deploy, echoAction, gate, logOf, newEnv, Recorder, settle, until, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-log-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

function expectWellFormed(e: LogEntry, runId: string): void {
  expect(e.runId).toBe(runId);
  expect(typeof e.id).toBe('number');
  expect(typeof e.at).toBe('number');
  expect(e.step === null || (Number.isInteger(e.step) && e.step > 0)).toBe(true);
  expect(e.durationMs === null || (typeof e.durationMs === 'number' && e.durationMs >= 0)).toBe(true);
  expect(e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data)).toBe(true);
}

describe('what the log records', () => {
  it('records every kind of event with run id, step, time, duration and data', async () => {
    let flakyCalls = 0;
    let pollReady = false;
    const flaky = defineAction({
      name: 'demo.flaky',
      retry: { maxAttempts: 3, initialDelay: '1s', backoff: 2, maxDelay: '1m' },
      run: () => {
        flakyCalls++;
        if (flakyCalls === 1) throw new Error('transient');
        return { flaky: 'ok' };
      },
    });
    const poll = defineAction({ name: 'demo.poll', run: (_a, _c, step) => (pollReady ? 'ready' : step.pending({ retryAt: env.clock.now() + 1000 })) });
    const guarded = defineAction({ name: 'demo.guarded', permission: 'guarded:use', run: () => 'never' });
    const engine = env.open([echoAction(rec), flaky, poll, guarded]);
    const wf = deploy(engine, 'kinds', `export default async (input, actions) => {
      actions.log('hello', { n: 1 });
      await actions.demo.echo({ n: 1 });
      await actions.demo.flaky({});
      try { await actions.demo.guarded({}); } catch {}
      await actions.sleep('1m');
      await actions.demo.poll({});
      const e = await actions.waitForEvent('go', { timeout: '1h' });
      return e.data;
    }`, ['demo.echo', 'demo.flaky', 'demo.poll', 'demo.guarded']);
    const run = engine.start(wf.id, { permissions: ['demo:*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('1s'); // the retry
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('1m'); // the sleep
    expect(await settle(engine)).toBe('idle');
    pollReady = true;
    env.clock.advance('1s'); // the pending poll
    expect(await settle(engine)).toBe('idle');
    engine.deliverEvent('go', { fine: true });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { fine: true } });

    const log = engine.getLog(run.id);
    for (const e of log) expectWellFormed(e, run.id);
    const kinds = new Set(log.map((e) => e.kind));
    for (const k of ['state', 'step', 'attempt', 'retry', 'refusal', 'wait', 'pending', 'event', 'log', 'finalize'] as const) {
      if (k === 'finalize') continue; // none of these actions has a finalize
      expect(kinds.has(k), `a '${k}' entry`).toBe(true);
    }
    const steps = logOf(engine, run.id, 'step');
    expect(steps.map((e) => [e.step, e.data.action])).toEqual([
      [1, 'demo.echo'], [2, 'demo.flaky'], [3, 'demo.guarded'], [4, 'sleep'], [5, 'demo.poll'], [6, 'waitForEvent'],
    ]);
    for (const s of steps) expect(typeof s.durationMs).toBe('number');
    expect(steps[0].data).toMatchObject({ args: { n: 1 }, result: { n: 1 } });
    expect(logOf(engine, run.id, 'attempt')[0]).toMatchObject({ step: 2, data: { action: 'demo.flaky', attempt: 1, retryable: true } });
    expect(typeof logOf(engine, run.id, 'attempt')[0].durationMs).toBe('number');
    expect(logOf(engine, run.id, 'retry')[0]).toMatchObject({ step: 2, data: { action: 'demo.flaky', attempt: 2 } });
    expect(logOf(engine, run.id, 'refusal')[0]).toMatchObject({ step: 3, data: { action: 'demo.guarded', permission: 'guarded:use' } });
    expect(logOf(engine, run.id, 'wait').map((e) => e.step)).toEqual([4, 6]);
    expect(logOf(engine, run.id, 'pending')[0]).toMatchObject({ step: 5, data: { action: 'demo.poll' } });
    expect(logOf(engine, run.id, 'event')[0]).toMatchObject({ step: 6, data: { type: 'go' } });
    // Without a source map the line points into the bundle's own script.
    expect(logOf(engine, run.id, 'log').map((e) => e.data)).toEqual([{ index: 1, text: 'hello {"n":1}', source: 'workflow.js:2:15' }]);
    const states = logOf(engine, run.id, 'state').map((e) => e.data.to);
    expect(states[0]).toBe('pending');
    expect(states.at(-1)).toBe('completed');
    expect(states.filter((s) => s === 'suspended').length).toBeGreaterThanOrEqual(4);
  });

  it('records a non-determinism with the expected and the actual call', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'nondet', `export default async (input, actions) => {
      await actions.demo.echo({ v: input.v });
      await actions.sleep('1h');
      return 'done';
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { input: { v: 1 }, permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    // Change what the re-run reads (the input of a suspended run), so it issues another call.
    env.sql((db) => db.prepare('UPDATE runs SET input = ? WHERE id = ?').run(JSON.stringify({ v: 2 }), run.id));
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ code: ErrorCodes.NONDETERMINISTIC, reason: 'nondeterministic' });
    const entries = logOf(engine, run.id, 'nondeterminism');
    expect(entries).toHaveLength(1);
    expectWellFormed(entries[0], run.id);
    expect(entries[0].data).toMatchObject({ step: 1, expected: { action: 'demo.echo' }, actual: { action: 'demo.echo' } });
    expect(rec.of(run.id)).toHaveLength(1);
  });

  it('records resource limits and workflow errors', async () => {
    const engine = env.open([echoAction(rec)]);
    const flood = deploy(engine, 'flood', `export default async (i, a) => { for (let k = 0; k < 1001; k++) a.log('line ' + k); return 1; }`, []);
    const thrower = deploy(engine, 'thrower', `export default async () => { const e = new Error('bad thing'); e.code = 'MY_CODE'; throw e; }`, []);
    const f = engine.start(flood.id, {});
    const t = engine.start(thrower.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(f.id).error).toMatchObject({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'log-lines' });
    expect(logOf(engine, f.id, 'limit').map((e) => e.data.limit)).toEqual(['log-lines']);
    expect(logOf(engine, f.id, 'log').length).toBeLessThanOrEqual(1000);
    expect(engine.getRun(t.id).error).toMatchObject({ code: 'MY_CODE', message: 'bad thing' });
    expect(logOf(engine, t.id, 'error')[0].data).toMatchObject({ message: 'bad thing' });
  });
});

describe('replayed steps and log lines are not logged twice', () => {
  const script = `export default async (input, actions) => {
    actions.log('one');
    const a = await actions.demo.echo({ k: 1 });
    actions.log('two');
    await actions.sleep('1h');
    const b = await actions.demo.echo({ k: 2 });
    await actions.sleep('1h');
    actions.log('three');
    const c = await actions.demo.echo({ k: 3 });
    return a.k + b.k + c.k;
  }`;

  it('logs each step and each log() line once across three executions', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'replay', script, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    for (let i = 0; i < 3; i++) {
      expect(await settle(engine)).toBe('idle');
      env.clock.advance('1h');
    }
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 6 });
    expect(logOf(engine, run.id, 'state').filter((e) => e.data.to === 'running')).toHaveLength(3);
    expect(logOf(engine, run.id, 'step').map((e) => [e.step, e.data.action])).toEqual([
      [1, 'demo.echo'], [2, 'sleep'], [3, 'demo.echo'], [4, 'sleep'], [5, 'demo.echo'],
    ]);
    expect(logOf(engine, run.id, 'log').map((e) => e.data.text)).toEqual(['one', 'two', 'three']);
    expect(logOf(engine, run.id, 'wait').map((e) => e.step)).toEqual([2, 4]);
    expect(rec.of(run.id)).toHaveLength(3);
  });

  it('does not log a line twice when an execution is interrupted and a new engine resumes the run', async () => {
    const g = gate();
    let entered = false;
    const slow = defineAction({
      name: 'demo.slow',
      run: async () => {
        entered = true;
        await g.promise;
        return 'slow';
      },
    });
    const first = env.open([slow]);
    const wf = deploy(first, 'interrupted', `export default async (input, actions) => {
      actions.log('before the slow step');
      await actions.demo.slow({});
      actions.log('after the slow step');
      return 'done';
    }`, ['demo.slow']);
    const run = first.start(wf.id, { permissions: ['*'] });
    const work = settle(first);
    await until(() => entered, 'the slow step to start');
    // The engine shuts down while the step runs (a deploy, a restart): the step finishes and is
    // journaled, the run is handed back, and another engine resumes it.
    const closing = first.close();
    g.open();
    await closing;
    await work.catch(() => undefined);
    const second = env.open([slow]);
    expect(await settle(second)).toBe('idle');
    expect(second.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done' });
    expect(logOf(second, run.id, 'log').map((e) => e.data.text)).toEqual(['before the slow step', 'after the slow step']);
    expect(logOf(second, run.id, 'step')).toHaveLength(1);
  });
});

describe('secrets never reach the log', () => {
  const password = ['hunter', '2-', 'q7Vx', '!9'].join(''); // built at run time: no other copy exists
  const vaultSecret = 'vault-pw-5Jr8-zK2m';

  function secretActions(): ReturnType<typeof defineAction>[] {
    let loginCalls = 0;
    return [
      defineAction({
        name: 'auth.login',
        secret: ['password'],
        retry: { maxAttempts: 2, initialDelay: '1s', backoff: 2, maxDelay: '1m' },
        input: { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string' } }, required: ['user', 'password'] },
        run: (args: { user: string; password: string }) => {
          loginCalls++;
          if (loginCalls === 1) throw new Error('login service busy');
          return { user: args.user, ok: args.password.length > 0 };
        },
      }),
      defineAction({ name: 'vault.read', secret: ['password'], run: () => ({ name: 'db', password: vaultSecret }) }),
      defineAction({ name: 'auth.check', secret: ['password'], input: { type: 'object', properties: { password: { type: 'number' } } }, run: () => 'never' }),
    ];
  }

  async function runWithSecrets(engine: Engine): Promise<string> {
    const wf = deploy(engine, 'secrets', `export default async (input, actions) => {
      const password = ['hunter', '2-', 'q7Vx', '!9'].join('');
      const login = await actions.auth.login({ user: 'bob', password });
      try { await actions.auth.check({ password }); } catch {}
      const creds = await actions.vault.read({});
      await actions.auth.login({ user: 'db', password: creds.password });
      return { login, ok: creds.password.length };
    }`, ['auth.login', 'vault.read', 'auth.check']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    for (let i = 0; i < 4 && engine.getRun(run.id).status !== 'completed'; i++) {
      expect(await settle(engine)).toBe('idle');
      env.clock.advance('1s');
    }
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { login: { user: 'bob', ok: true } } });
    return run.id;
  }

  it('keeps secret argument fields out of the log, the export and the journal', async () => {
    const engine = env.open(secretActions());
    const id = await runWithSecrets(engine);
    const everything = [JSON.stringify(engine.getLog(id)), engine.exportLog(id), engine.exportLog(), JSON.stringify(engine.getJournal(id))].join('\n');
    expect(everything).not.toContain(password);
    expect(everything).toContain('[secret]');
    expect(engine.getJournal(id)[0].args).toEqual({ user: 'bob', password: '[secret]' });
  });

  it('keeps secret result fields out of the log, the export and the journal', async () => {
    const engine = env.open(secretActions());
    const id = await runWithSecrets(engine);
    const everything = [JSON.stringify(engine.getLog(id)), engine.exportLog(), JSON.stringify(engine.getJournal(id))].join('\n');
    expect(everything).not.toContain(vaultSecret);
  });

  it('writes no secret argument to the store file', async () => {
    const engine = env.open(secretActions());
    await runWithSecrets(engine);
    expect(env.bytes().includes(password)).toBe(false);
    await engine.close();
    expect(env.bytes().includes(password)).toBe(false);
  });

  it('keeps a secret result field only in the journaled outcome that replay needs, as ActionDefinition.secret says', async () => {
    const engine = env.open(secretActions());
    const id = await runWithSecrets(engine);
    await engine.close();
    // A re-run must hand the workflow exactly what the action returned, so the outcome holds it;
    // no other table, and none of the log, may.
    env.sql((db) => {
      const hits = (sql: string) => (db.prepare(sql).all({ p: `%${vaultSecret}%` }) as unknown[]).length;
      expect(hits('SELECT 1 FROM log WHERE data LIKE @p')).toBe(0);
      expect(hits('SELECT 1 FROM steps WHERE args LIKE @p')).toBe(0);
      expect(hits('SELECT 1 FROM runs WHERE output LIKE @p OR error LIKE @p OR input LIKE @p')).toBe(0);
      expect(hits('SELECT 1 FROM steps WHERE outcome LIKE @p')).toBe(1);
    });
    void id;
  });

  it('stores no unsalted hash of the arguments that would confirm a guessed secret', async () => {
    const engine = env.open(secretActions());
    const id = await runWithSecrets(engine);
    // What an attacker who read the journal (or the file) would try: hash the canonical
    // arguments with a guessed password and compare.
    const guess = createHash('sha256').update(JSON.stringify({ password, user: 'bob' })).digest('hex');
    expect(engine.getJournal(id).map((s) => s.digest)).not.toContain(guess);
    await engine.close();
    expect(env.bytes().includes(guess)).toBe(false);
  });
});

describe('export', () => {
  it('exports one run, and all runs, as JSON lines that parse back to the log', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'export', `export default async (i, a) => { a.log('line with "quotes"\\nand a newline'); return (await a.demo.echo({ i })).i; }`, ['demo.echo']);
    const r1 = engine.start(wf.id, { input: 1, permissions: ['*'] });
    const r2 = engine.start(wf.id, { input: 2, permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const one = engine.exportLog(r1.id);
    expect(one.endsWith('\n')).toBe(true);
    const lines = one.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as LogEntry)).toEqual(engine.getLog(r1.id));
    const all = engine.exportLog().trimEnd().split('\n').map((l) => JSON.parse(l) as LogEntry);
    expect(all.filter((e) => e.runId === r1.id)).toEqual(engine.getLog(r1.id));
    expect(all.filter((e) => e.runId === r2.id)).toEqual(engine.getLog(r2.id));
  });
});
