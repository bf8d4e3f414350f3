/**
 * DESIGN §3: terminal states are final and the store enforces it; a terminal run is finalized
 * (each action with steps in it is told once, at least once, retried until it succeeds), then
 * marked finalized; the journal's retention starts there and purges on schedule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, ErrorCodes, type ActionDefinition, type Engine } from '../../runtime/index.js';
import { deploy, echoAction, gate, logOf, newEnv, Recorder, settle, until, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-terminal-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

async function completedRun(engine: Engine, script = `export default async (i, a) => (await a.demo.echo({ n: 1 })).n`) {
  const wf = deploy(engine, 'done', script, ['demo.echo']);
  const run = engine.start(wf.id, { permissions: ['*'] });
  expect(await settle(engine)).toBe('idle');
  expect(engine.getRun(run.id).status).toBe('completed');
  return run.id;
}

describe('terminal states are final, enforced by the store', () => {
  it('refuses raw SQL that changes a completed run status, output or error', async () => {
    const engine = env.open([echoAction(rec)]);
    const id = await completedRun(engine);
    env.sql((db) => {
      for (const sql of [
        "UPDATE runs SET status = 'running' WHERE id = ?",
        "UPDATE runs SET status = 'suspended', wake_at = 0 WHERE id = ?",
        "UPDATE runs SET output = '\"forged\"' WHERE id = ?",
        "UPDATE runs SET error = '{}' WHERE id = ?",
        "UPDATE runs SET input = '\"forged\"' WHERE id = ?",
      ]) {
        expect(() => db.prepare(sql).run(id), sql).toThrow(/ALICE_RUN_TERMINAL/);
      }
    });
    expect(engine.getRun(id)).toMatchObject({ status: 'completed', output: 1, error: null });
  });

  it('refuses raw SQL that inserts or rewrites a journal row of a terminal run', async () => {
    const engine = env.open([echoAction(rec)]);
    const id = await completedRun(engine);
    env.sql((db) => {
      expect(() =>
        db.prepare(`INSERT INTO steps (run_id, seq, action, digest, fp, args, state, outcome, completion, attempts, started_at)
                    VALUES (?, 2, 'demo.echo', 'd', 'f', '{}', 'done', '{"ok":true,"value":2}', 2, 1, 0)`).run(id),
      ).toThrow(/ALICE_RUN_TERMINAL/);
      expect(() => db.prepare(`UPDATE steps SET outcome = '{"ok":true,"value":"forged"}' WHERE run_id = ? AND seq = 1`).run(id)).toThrow(/ALICE_/);
    });
    expect(engine.getJournal(id).map((s) => s.result)).toEqual([{ n: 1 }]);
  });

  it('refuses, with a log entry, to cancel a run that is already terminal', async () => {
    const engine = env.open([echoAction(rec)]);
    const id = await completedRun(engine);
    let code: string | undefined;
    try {
      engine.cancel(id);
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe(ErrorCodes.RUN_TERMINAL);
    expect(engine.getRun(id).status).toBe('completed');
    const refusals = logOf(engine, id, 'refusal');
    expect(refusals).toHaveLength(1);
    expect(refusals[0].data).toMatchObject({ command: 'cancel', status: 'completed' });
  });

  it('does not wake or change a cancelled run when the event it waited for arrives', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'waiter', `export default async (i, a) => { const e = await a.waitForEvent('go'); return await a.demo.echo({ e }); }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    engine.cancel(run.id);
    const journal = engine.getJournal(run.id);
    expect(engine.deliverEvent('go', { n: 1 }).woken).toBe(0);
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('cancelled');
    expect(engine.getJournal(run.id)).toEqual(journal);
    expect(rec.of(run.id)).toHaveLength(0);
  });

  it('does not retry an action for a run cancelled during its backoff', async () => {
    let calls = 0;
    const flaky = defineAction({
      name: 'demo.flaky',
      retry: { maxAttempts: 5, initialDelay: '1m', backoff: 2, maxDelay: '1h' },
      run: () => {
        calls++;
        throw new Error('transient');
      },
    });
    const engine = env.open([flaky]);
    const wf = deploy(engine, 'retrying', `export default async (i, a) => a.demo.flaky({})`, ['demo.flaky']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(calls).toBe(1);
    engine.cancel(run.id);
    env.clock.advance('2h');
    expect(await settle(engine)).toBe('idle');
    expect(calls).toBe(1);
    expect(engine.getRun(run.id).status).toBe('cancelled');
  });

  it('keeps a cancelled run cancelled when its sleep comes due', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'sleeper', `export default async (i, a) => { await a.sleep('1h'); return await a.demo.echo({}); }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    engine.cancel(run.id);
    env.clock.advance('2h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('cancelled');
    expect(rec.of(run.id)).toHaveLength(0);
  });
});

/** Actions a, b, c, each with a finalize that the recorder sees. */
function abc(): ActionDefinition[] {
  return ['demo.a', 'demo.b', 'demo.c'].map((name) => echoAction(rec, name));
}

describe('finalization', () => {
  it('calls finalize once for each action used in the run and never for unused ones', async () => {
    const engine = env.open(abc());
    const wf = deploy(engine, 'fin', `export default async (i, a) => {
      await a.demo.a({ n: 1 }); await a.demo.b({ n: 2 }); await a.demo.a({ n: 3 });
      return 'ok';
    }`, ['demo.a', 'demo.b', 'demo.c']);
    const run = engine.start(wf.id, { permissions: ['*'], tenant: 'acme' });
    expect(await settle(engine)).toBe('idle');
    const calls = rec.finalizedOf(run.id).sort((x, y) => x.action.localeCompare(y.action));
    expect(calls).toEqual([
      { action: 'demo.a', runId: run.id, status: 'completed', steps: [1, 3], tenant: 'acme' },
      { action: 'demo.b', runId: run.id, status: 'completed', steps: [2], tenant: 'acme' },
    ]);
    expect(engine.getRun(run.id).finalizedAt).not.toBeNull();
    // More work does not finalize again.
    env.clock.advance('1d');
    expect(await settle(engine)).toBe('idle');
    expect(rec.finalizedOf(run.id)).toHaveLength(2);
  });

  it('finalizes failed and cancelled runs too, with their status', async () => {
    const engine = env.open(abc());
    const failing = deploy(engine, 'failing', `export default async (i, a) => { await a.demo.a({}); throw new Error('no'); }`, ['demo.a']);
    const sleeping = deploy(engine, 'sleeping', `export default async (i, a) => { await a.demo.b({}); await a.sleep('1d'); }`, ['demo.b']);
    const f = engine.start(failing.id, { permissions: ['*'] });
    const s = engine.start(sleeping.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    engine.cancel(s.id);
    expect(await settle(engine)).toBe('idle');
    expect(rec.finalizedOf(f.id).map((c) => [c.action, c.status])).toEqual([['demo.a', 'failed']]);
    expect(rec.finalizedOf(s.id).map((c) => [c.action, c.status])).toEqual([['demo.b', 'cancelled']]);
    expect(engine.getRun(f.id).finalizedAt).not.toBeNull();
    expect(engine.getRun(s.id).finalizedAt).not.toBeNull();
  });

  it('retries a finalize that throws until it succeeds, then marks the run finalized', async () => {
    let attempts = 0;
    const flaky = defineAction({
      name: 'demo.flaky',
      run: () => ({ ok: true }),
      finalize: () => {
        attempts++;
        if (attempts <= 2) throw new Error(`finalize failure ${attempts}`);
      },
    });
    const engine = env.open([flaky]);
    const wf = deploy(engine, 'flaky', `export default async (i, a) => a.demo.flaky({})`, ['demo.flaky']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(attempts).toBe(1);
    expect(engine.getRun(run.id).finalizedAt).toBeNull();
    for (let i = 0; i < 10 && attempts < 3; i++) {
      env.clock.advance('1h');
      expect(await settle(engine)).toBe('idle');
      if (attempts < 3) expect(engine.getRun(run.id).finalizedAt).toBeNull();
    }
    expect(attempts).toBe(3);
    const info = engine.getRun(run.id);
    expect(info.finalizedAt).toBe(env.clock.now());
    expect(logOf(engine, run.id, 'finalize').map((e) => e.data.ok)).toEqual([false, false, true]);
    env.clock.advance('1d');
    expect(await settle(engine)).toBe('idle');
    expect(attempts).toBe(3);
  });

  it('marks a run finalized at once when none of its actions has a finalize', async () => {
    const plain = defineAction({ name: 'demo.plain', run: () => 1 });
    const engine = env.open([plain]);
    const wf = deploy(engine, 'plain', `export default async (i, a) => a.demo.plain({})`, ['demo.plain']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).finalizedAt).toBe(env.clock.now());
  });

  it('finalizes an action the workflow started without awaiting before it returned', async () => {
    const engine = env.open(abc());
    const wf = deploy(engine, 'unawaited', `export default async (i, a) => { a.demo.c({ fire: 'and forget' }); return 'done'; }`, ['demo.c']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('completed');
    // Either the engine never ran the action for a run that was over, or it told the action
    // that the run is over. Running it and never finalizing leaks whatever it kept for the run.
    const ran = rec.of(run.id, 'demo.c').length;
    const told = rec.finalizedOf(run.id).filter((c) => c.action === 'demo.c').length;
    expect({ ran, told: told > 0 }).toEqual(ran === 0 ? { ran: 0, told: false } : { ran, told: true });
  });

  it('finalizes an action that was still running when the run was cancelled', async () => {
    const g = gate();
    let entered = false;
    const slow = defineAction({
      name: 'demo.slow',
      run: async () => {
        entered = true;
        await g.promise;
        return { slow: true };
      },
      finalize: rec.finalize('demo.slow'),
    });
    const engine = env.open([slow]);
    const wf = deploy(engine, 'slow', `export default async (i, a) => a.demo.slow({})`, ['demo.slow']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    const work = settle(engine);
    await until(() => entered, 'the slow action to start');
    engine.cancel(run.id);
    g.open();
    expect(await work).toBe('idle');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('cancelled');
    // The action ran for this run; it must be told the run is over.
    expect(rec.finalizedOf(run.id).map((c) => c.action)).toEqual(['demo.slow']);
  });
});

describe('finalization after a deadline', () => {
  // A timed-out attempt gives the step its timeout outcome at once, but the action's code may
  // still be running: its finalize (which may delete what that code is writing) waits for it.
  function lateAction(events: string[], g: Promise<void> | null, timeout: string): ActionDefinition {
    return defineAction({
      name: 'demo.late',
      timeout,
      retry: { maxAttempts: 1 },
      run: async () => {
        events.push('action-start');
        await (g ?? new Promise<never>(() => {}));
        events.push('action-end');
        return { late: true };
      },
      finalize: () => {
        events.push('finalize');
      },
    });
  }
  const script = `export default async (i, a) => { try { await a.demo.late({}); return 'answered'; } catch (e) { return e.code; } }`;

  it('does not finalize a run while an action that missed its deadline is still running', async () => {
    const events: string[] = [];
    const g = gate();
    const engine = env.open([lateAction(events, g.promise, '300ms')]);
    const run = engine.start(deploy(engine, 'late', script, ['demo.late']).id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: ErrorCodes.ACTION_FAILED });
    expect(String(logOf(engine, run.id, 'attempt')[0]?.data.error && (logOf(engine, run.id, 'attempt')[0].data.error as { message: string }).message)).toMatch(/did not answer within 300 ms/);
    expect(await settle(engine)).toBe('idle');
    expect(events).toEqual(['action-start']);
    expect(engine.getRun(run.id).finalizedAt).toBeNull();

    g.open();
    await until(() => events.includes('action-end'), 'the late action to end');
    expect(await settle(engine)).toBe('idle');
    expect(events).toEqual(['action-start', 'action-end', 'finalize']);
    expect(engine.getRun(run.id).finalizedAt).not.toBeNull();
  });

  it('subscribes to an action\'s thenable once, even when it misses its deadline', async () => {
    // Some thenables (query builders) start their work on every `then`: waiting for a late one
    // must not start it again.
    let thens = 0;
    const events: string[] = [];
    const thenable = defineAction({
      name: 'demo.late',
      timeout: '100ms',
      retry: { maxAttempts: 1 },
      run: () => ({
        then(resolve: (v: unknown) => void) {
          thens++;
          setTimeout(() => {
            events.push('action-end');
            resolve({ late: true });
          }, 500);
        },
      }),
      finalize: () => {
        events.push('finalize');
      },
    });
    const engine = env.open([thenable]);
    const run = engine.start(deploy(engine, 'thenable', script, ['demo.late']).id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: ErrorCodes.ACTION_FAILED });
    await until(() => events.includes('action-end'), 'the late thenable to settle');
    expect(await settle(engine)).toBe('idle');
    expect(events).toEqual(['action-end', 'finalize']);
    expect(thens).toBe(1);
  });

  it('finalizes all the same once ten times the timeout (at least a second) has passed, if the code never ends', async () => {
    const events: string[] = [];
    const engine = env.open([lateAction(events, null, '50ms')]);
    const run = engine.start(deploy(engine, 'never', script, ['demo.late']).id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(events).toEqual(['action-start']);
    const deadline = Date.now() + 5_000;
    while (!events.includes('finalize') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      expect(await settle(engine)).toBe('idle');
    }
    expect(events).toEqual(['action-start', 'finalize']);
    expect(engine.getRun(run.id).finalizedAt).not.toBeNull();
  });
});

describe('journal retention', () => {
  it("keeps step outcomes for the retention period after finalization, then purges them ('1d')", async () => {
    const engine = env.open([echoAction(rec)], { retention: '1d' });
    const id = await completedRun(engine);
    const finalizedAt = engine.getRun(id).finalizedAt;
    expect(finalizedAt).not.toBeNull();
    expect(engine.getJournal(id)).toHaveLength(1);
    env.clock.advance('23h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(id)).toHaveLength(1);
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(id)).toHaveLength(0);
    env.sql((db) => expect(db.prepare('SELECT count(*) AS n FROM steps WHERE run_id = ?').get(id)).toEqual({ n: 0 }));
    // The run, its output and its log stay.
    expect(engine.getRun(id)).toMatchObject({ status: 'completed', output: 1 });
    expect(logOf(engine, id, 'step')).toHaveLength(1);
  });

  it('starts retention at finalization, not at completion', async () => {
    let attempts = 0;
    const late = defineAction({
      name: 'demo.late',
      run: () => 1,
      finalize: () => {
        attempts++;
        if (attempts === 1) throw new Error('not yet');
      },
    });
    const engine = env.open([late], { retention: '1d' });
    const wf = deploy(engine, 'late', `export default async (i, a) => a.demo.late({})`, ['demo.late']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('12h');
    expect(await settle(engine)).toBe('idle');
    const finalizedAt = engine.getRun(run.id).finalizedAt;
    expect(finalizedAt).toBe(env.clock.now());
    env.clock.advance('20h'); // 32 h after completion, 20 h after finalization
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(run.id)).toHaveLength(1);
    env.clock.advance('4h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getJournal(run.id)).toHaveLength(0);
  });

  it('purges at once with retention 0', async () => {
    const engine = env.open([echoAction(rec)], { retention: 0 });
    const id = await completedRun(engine);
    expect(engine.getRun(id).finalizedAt).not.toBeNull();
    expect(engine.getJournal(id)).toHaveLength(0);
    expect(engine.getRun(id).output).toBe(1);
  });

  it('does not purge the journal of a run that is not finalized yet', async () => {
    const stuck = defineAction({ name: 'demo.stuck', run: () => 1, finalize: () => { throw new Error('never'); } });
    const engine = env.open([stuck], { retention: 0 });
    const wf = deploy(engine, 'stuck', `export default async (i, a) => a.demo.stuck({})`, ['demo.stuck']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('2d');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).finalizedAt).toBeNull();
    expect(engine.getJournal(run.id)).toHaveLength(1);
  });
});
