/**
 * Issue 3, semantics 2: a re-run whose n-th call differs from the journal in action name or
 * argument digest fails the run with reason `nondeterministic` (ALICE_NONDETERMINISTIC); the
 * log shows the expected and the actual call; nothing executes. Same for a re-run that never
 * issues a journaled call.
 *
 * How the tests make a re-run differ: inside the sandbox everything is deterministic (the input
 * is fixed, Date and Math.random are the run's own, memoized outcomes replay), and a run's code
 * is pinned to its workflow version. So, while a run is suspended, a test rewrites the run's
 * stored input with its own SQLite connection; the workflow branches on its input, and the
 * re-run issues a different call. One test edits a waiting journal row instead (its recorded
 * argument digest), which is the same divergence seen from the other side; memoized rows cannot
 * be edited at all (the store refuses it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, type Engine, type RunInfo } from '../../runtime/index.js';
import { bundle, executions, logOf, newFixture, type Fixture } from './harness.js';
import { editJournaled } from '../support/store.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** Actions `x.one`, `x.two`, `x.after` that record every call (action name and arguments). */
function recorder() {
  const calls: Array<[string, unknown]> = [];
  const make = (name: string) => defineAction({ name, run: (args: Record<string, unknown>) => { calls.push([name, args]); return { from: name }; } });
  return { calls, actions: [make('x.one'), make('x.two'), make('x.after')] };
}

const allX = ['x.one', 'x.two', 'x.after'];

/** Rewrites a suspended run's stored input: the workflow will branch differently on its re-run. */
function rewriteInput(runId: string, input: unknown): void {
  const changed = fx.sql((db) => db.prepare("UPDATE runs SET input = ? WHERE id = ? AND status = 'suspended'").run(JSON.stringify(input), runId).changes);
  expect(changed).toBe(1);
}

function journalRows(runId: string): unknown[] {
  return fx.sql((db) => db.prepare('SELECT seq, action, digest, fp, state, outcome, attempts FROM steps WHERE run_id = ? ORDER BY seq').all(runId));
}

function expectNondeterministic(engine: Engine, run: RunInfo, step: number): Record<string, unknown> {
  const info = engine.getRun(run.id);
  expect(info.status).toBe('failed');
  expect(info.error).toMatchObject({ reason: 'nondeterministic', code: 'ALICE_NONDETERMINISTIC', step });
  const entries = logOf(engine, run.id, 'nondeterminism');
  expect(entries).toHaveLength(1);
  expect(entries[0].data.step).toBe(step);
  return entries[0].data;
}

/** Calls x.one or x.two by the input's branch, sleeps, then x.after: a re-run with another branch diverges at step 1. */
const branching = `export default async (input, actions) => {
  if (input.branch === 'one') await actions.x.one({ n: 1 });
  else await actions.x.two({ n: 1 });
  await actions.sleep('1h');
  await actions.x.after({});
  return 'done';
}`;

describe('non-determinism', () => {
  it('fails the run when a re-run calls a different action at a journaled step, and calls neither', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-action', allX, branching));
    const run = engine.start(wf.id, { input: { branch: 'one' }, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(x.calls).toEqual([['x.one', { n: 1 }]]);
    const before = journalRows(run.id);

    rewriteInput(run.id, { branch: 'two' });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const data = expectNondeterministic(engine, run, 1);
    expect(data.expected).toMatchObject({ action: 'x.one' });
    expect(data.actual).toMatchObject({ action: 'x.two' });
    expect(String(data.message)).toMatch(/x\.one.*x\.two/);
    // Nothing executed: not the diverging call, not the journaled one, not what follows.
    expect(x.calls).toEqual([['x.one', { n: 1 }]]);
    expect(journalRows(run.id)).toEqual(before);
  });

  it('fails the run when a re-run calls the same action with different arguments', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-args', allX, `export default async (input, actions) => {
      await actions.x.one({ n: input.n });
      await actions.sleep('1h');
      await actions.x.after({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { n: 1 }, permissions: ['*'] });
    await engine.runUntilIdle();
    const [recorded] = engine.getJournal(run.id);

    rewriteInput(run.id, { n: 2 });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const data = expectNondeterministic(engine, run, 1);
    expect(data.expected).toMatchObject({ action: 'x.one', digest: recorded.digest });
    expect(data.actual).toMatchObject({ action: 'x.one' });
    expect(String(data.message)).toMatch(/different arguments/);
    expect(x.calls).toEqual([['x.one', { n: 1 }]]);
  });

  it('shows the expected and the actual arguments in the nondeterminism log entry', async () => {
    // The check compares digests, but a person reading the log needs to see what differed.
    // (The entry carries the journal's sha256 `digest` for the expected call and a 53-bit
    // `fp` for the actual one: two different hashes that cannot be compared with each other.)
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-args-shown', allX, `export default async (input, actions) => {
      await actions.x.one({ n: input.n });
      await actions.sleep('1h');
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { n: 1 }, permissions: ['*'] });
    await engine.runUntilIdle();
    rewriteInput(run.id, { n: 2 });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const data = expectNondeterministic(engine, run, 1);
    expect(data.expected).toMatchObject({ action: 'x.one', args: { n: 1 } });
    expect(data.actual).toMatchObject({ action: 'x.one', args: { n: 2 } });
  });

  it('fails the run when a re-run never issues a journaled call', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-missing', allX, `export default async (input, actions) => {
      if (input.skip) return 'skipped';
      await actions.x.one({});
      await actions.sleep('1h');
      await actions.x.after({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { skip: false }, permissions: ['*'] });
    await engine.runUntilIdle();

    rewriteInput(run.id, { skip: true });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    // The re-run returned 'skipped', but a run that skipped a journaled step diverged: it fails.
    const info = engine.getRun(run.id);
    expect(info.output).toBeNull();
    const data = expectNondeterministic(engine, run, 1);
    expect(data.expected).toMatchObject({ action: 'x.one' });
    expect(data.actual).toBeNull();
    expect(x.calls).toEqual([['x.one', {}]]);
  });

  it('fails the run when a re-run stops short of a journaled call and waits forever', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-stall', allX, `export default async (input, actions) => {
      if (input.stall) await new Promise(() => {});
      await actions.x.one({});
      await actions.sleep('1h');
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { stall: false }, permissions: ['*'] });
    await engine.runUntilIdle();
    rewriteInput(run.id, { stall: true });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const data = expectNondeterministic(engine, run, 1);
    expect(data.actual).toBeNull();
  });

  it('detects a divergence at a later step after replaying the earlier ones', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-later', allX, `export default async (input, actions) => {
      await actions.x.one({ i: 1 });
      await actions.x.one({ i: 2 });
      if (input.branch === 'one') await actions.x.one({ i: 3 });
      else await actions.x.two({ i: 3 });
      await actions.sleep('1h');
      await actions.x.after({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { branch: 'one' }, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(x.calls).toHaveLength(3);

    rewriteInput(run.id, { branch: 'two' });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const data = expectNondeterministic(engine, run, 3);
    expect(data.expected).toMatchObject({ action: 'x.one' });
    expect(data.actual).toMatchObject({ action: 'x.two' });
    expect(x.calls.map((c) => c[0])).toEqual(['x.one', 'x.one', 'x.one']);
  });

  it('detects a journal row whose recorded argument digest differs from the call the re-run issues', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-journal-edit', allX, `export default async (input, actions) => {
      await actions.x.one({});
      await actions.sleep('1h');
      await actions.x.after({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.sql((db) => {
      // A memoized outcome cannot be rewritten: the store refuses it.
      expect(() => db.prepare("UPDATE steps SET action = 'x.two' WHERE run_id = ? AND seq = 1").run(run.id)).toThrow(/ALICE_STEP_FINAL/);
      // The sleep at step 2 is still waiting, so its row can change: it now records other
      // arguments (its digest and fingerprint), which the unchanged workflow's re-run will not match.
      const changed = db.prepare("UPDATE steps SET digest = 'ff', fp = '00000000000000' WHERE run_id = ? AND seq = 2 AND state = 'waiting'").run(run.id).changes;
      expect(changed).toBe(1);
    });
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const data = expectNondeterministic(engine, run, 2);
    expect(data.expected).toMatchObject({ action: 'sleep', digest: 'ff' });
    expect(data.actual).toMatchObject({ action: 'sleep' });
    expect(String(data.message)).toMatch(/different arguments/);
    expect(x.calls).toEqual([['x.one', {}]]);
  });

  it('detects a divergence at a step that is still waiting (a sleep in progress) and does not call the new action', async () => {
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-waiting', allX, `export default async (input, actions) => {
      await actions.x.one({});
      if (input.branch === 'sleep') await actions.sleep('1h');
      else await actions.x.two({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { branch: 'sleep' }, permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getJournal(run.id)[1]).toMatchObject({ seq: 2, action: 'sleep', state: 'waiting' });

    rewriteInput(run.id, { branch: 'act' });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const data = expectNondeterministic(engine, run, 2);
    expect(data.expected).toMatchObject({ action: 'sleep' });
    expect(data.actual).toMatchObject({ action: 'x.two' });
    expect(x.calls).toEqual([['x.one', {}]]);
  });

  it('executes no call issued together with a diverging call at a waiting step', async () => {
    // Step 1 is a sleep still waiting, so the host (not the guest) compares it; the re-run issues
    // step 1 (diverging) and step 2 (new) in the same slice. Neither may execute.
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-batch', allX, `export default async (input, actions) => {
      if (input.branch === 'sleep') await actions.sleep('1h');
      else await Promise.all([actions.x.one({}), actions.x.two({})]);
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: { branch: 'sleep' }, permissions: ['*'] });
    await engine.runUntilIdle();
    rewriteInput(run.id, { branch: 'both' });
    fx.clock.advance('1h');
    await engine.runUntilIdle();

    const data = expectNondeterministic(engine, run, 1);
    expect(data.actual).toMatchObject({ action: 'x.one' });
    expect(x.calls).toEqual([]);
    expect(journalRows(run.id)).toHaveLength(1);
  });

  it.each([
    ['replays a call whose journal keeps only the canonical text, by its fingerprint', null],
    ['fails a call whose journal keeps only the canonical text when the fingerprint differs', '0000000000002a'],
  ] as const)('%s', async (_title, forgedFp) => {
    // Older versions journaled a call's canonical JSON alone (sorted keys). A re-run sends
    // JSON.stringify's text, which differs when the keys are not sorted: the guest then checks the
    // call against the journal's 14-hex-digit fingerprint instead of comparing texts.
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-canonical', allX, `export default async (input, actions) => {
      await actions.x.one({ b: 1, a: { d: 2, c: 3 } });
      await actions.sleep('1h');
      await actions.x.after({});
      return 'done';
    }`));
    const run = engine.start(wf.id, { input: {}, permissions: ['*'] });
    await engine.runUntilIdle();
    fx.sql((db) => expect(editJournaled(db, 'UPDATE steps SET call_text = NULL, fp = coalesce(?, fp) WHERE run_id = ? AND seq = 1 AND call_text IS NOT NULL', forgedFp, run.id)).toBe(1));
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    if (forgedFp === null) {
      expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done' });
      expect(logOf(engine, run.id, 'nondeterminism')).toEqual([]);
    } else {
      expectNondeterministic(engine, run, 1);
    }
    expect(x.calls.map((c) => c[0])).toEqual(forgedFp === null ? ['x.one', 'x.after'] : ['x.one']);
  });

  it('does not flag a faithful re-run', async () => {
    // The control case: the same workflow, input unchanged, re-runs cleanly.
    const x = recorder();
    const engine = fx.open(x.actions);
    const wf = engine.deploy(bundle('nd-control', allX, branching));
    const run = engine.start(wf.id, { input: { branch: 'one' }, permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'done', error: null });
    expect(executions(engine, run.id)).toBe(2);
    expect(logOf(engine, run.id, 'nondeterminism')).toEqual([]);
  });
});
