/**
 * Issue 3, embedding API points not covered by the other semantics files: deploy gives a
 * workflow version with its code hash (idempotent per bundle, new version per change, tampered
 * hash refused), runs stay pinned to their version, the journal exposes each step's sequence,
 * action, arguments, outcome, attempts and idempotency key, and the limits of DESIGN §10 are
 * settable with the documented defaults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionFailure, computeCodeHash, defaultLimits, defineAction, type AliceError } from '../../runtime/index.js';
import { bundle, newFixture, T0, type Fixture } from './harness.js';

let fx: Fixture;
beforeEach(() => {
  fx = newFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

const echo = defineAction({ name: 'demo.echo', run: (args: Record<string, unknown>) => args });

function thrown(fn: () => unknown): AliceError & { field?: string } {
  try {
    fn();
  } catch (err) {
    return err as AliceError & { field?: string };
  }
  throw new Error('expected a throw');
}

describe('deploy', () => {
  const v1 = bundle('greet', ['demo.echo'], `export default async (input, actions) => actions.demo.echo({ hello: input })`);
  const v2 = bundle('greet', ['demo.echo'], `export default async (input, actions) => actions.demo.echo({ hi: input })`);

  it('returns a workflow version with the code hash of its script and manifest', () => {
    const engine = fx.open([echo]);
    const wf = engine.deploy(v1);
    expect(wf).toMatchObject({ id: 'greet@1', name: 'greet', version: 1, kind: 'user', createdAt: T0 });
    expect(wf.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(wf.codeHash).toBe(computeCodeHash(v1.script, wf.manifest));
    expect(wf.manifest.codeHash).toBe(wf.codeHash);
    expect(engine.getWorkflow('greet')).toEqual(wf);
  });

  it('gives the same version for the same bundle, also from a new engine on the same file', async () => {
    const first = fx.open([echo]);
    const a = first.deploy(v1);
    expect(first.deploy(v1)).toEqual(a);
    // The bundle as built, hash included, is the same bundle.
    expect(first.deploy({ script: v1.script, manifest: { ...v1.manifest, codeHash: a.codeHash } })).toEqual(a);
    await first.close();
    const second = fx.open([echo]);
    expect(second.deploy(v1)).toEqual(a);
    expect(second.listWorkflows()).toHaveLength(1);
  });

  it('gives a new version and code hash for a changed script', () => {
    const engine = fx.open([echo]);
    const a = engine.deploy(v1);
    const b = engine.deploy(v2);
    expect(b).toMatchObject({ id: 'greet@2', version: 2 });
    expect(b.codeHash).not.toBe(a.codeHash);
    expect(engine.getWorkflow('greet').id).toBe('greet@2');
    expect(engine.getWorkflow('greet@1').codeHash).toBe(a.codeHash);
  });

  it('refuses a bundle whose code hash does not match its script (ALICE_BUNDLE_INVALID)', () => {
    const engine = fx.open([echo]);
    const built = engine.deploy(v1);
    // The script was changed after the bundle was built (and hashed).
    const err = thrown(() => engine.deploy({ script: v2.script, manifest: { ...v1.manifest, codeHash: built.codeHash } }));
    expect(err.code).toBe('ALICE_BUNDLE_INVALID');
    expect(err.field).toBe('manifest.codeHash');
    expect(thrown(() => engine.deploy({ ...v1, manifest: { ...v1.manifest, codeHash: '0'.repeat(64) } })).code).toBe('ALICE_BUNDLE_INVALID');
    expect(engine.listWorkflows()).toHaveLength(1);
  });

  it('keeps a run on the version it started with after a new version is deployed', async () => {
    const engine = fx.open([echo]);
    const old = engine.deploy(bundle('pinned', ['demo.echo'], `export default async (input, actions) => { await actions.sleep('1m'); return 'v1'; }`));
    const run = engine.start('pinned', { permissions: ['*'] });
    await engine.runUntilIdle();
    engine.deploy(bundle('pinned', ['demo.echo'], `export default async (input, actions) => { await actions.sleep('1m'); return 'v2'; }`));
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ workflowId: old.id, status: 'completed', output: 'v1' });
  });
});

describe('getJournal', () => {
  it('reports each step with sequence, action, arguments, outcome, attempts and idempotency key', async () => {
    const keys: string[] = [];
    const charge = defineAction({
      name: 'pay.charge',
      secret: ['token'],
      retry: { maxAttempts: 3, initialDelay: '1s' },
      run: (args: { amount: number; token: string }, _ctx, step) => {
        keys.push(step.idempotencyKey);
        if (step.attempt === 1) throw new Error('gateway timeout');
        return { charged: args.amount };
      },
    });
    const refund = defineAction({
      name: 'pay.refund',
      run: (_args, _ctx, step) => {
        keys.push(step.idempotencyKey);
        throw new ActionFailure('NOT_REFUNDABLE', 'too late to refund');
      },
    });
    const engine = fx.open([charge, refund]);
    const wf = engine.deploy(bundle('journal-fields', ['pay.charge', 'pay.refund'], `export default async (input, actions) => {
      const c = await actions.pay.charge({ amount: 5, token: 'tok_live_123' });
      try { await actions.pay.refund({ amount: 5 }); } catch (e) {}
      return c;
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    fx.clock.advance('1s');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('completed');

    const journal = engine.getJournal(run.id);
    expect(journal).toHaveLength(2);
    expect(journal[0]).toMatchObject({
      seq: 1, action: 'pay.charge', args: { amount: 5, token: '[secret]' }, state: 'done', result: { charged: 5 },
      attempts: 2, idempotencyKey: `${run.id}:1`, startedAt: T0, finishedAt: T0 + 1000, completion: 1,
    });
    expect(journal[0].digest).toMatch(/^[0-9a-f]+$/);
    expect(journal[1]).toMatchObject({
      seq: 2, action: 'pay.refund', args: { amount: 5 }, state: 'error', error: { code: 'NOT_REFUNDABLE', message: 'too late to refund' },
      attempts: 1, idempotencyKey: `${run.id}:2`, completion: 2,
    });
    expect(journal[1]).not.toHaveProperty('result');
    // The key in the journal is the key the action was given, on every attempt.
    expect(keys).toEqual([`${run.id}:1`, `${run.id}:1`, `${run.id}:2`]);
    // The secret never reaches the store.
    const stored = fx.sql((db) => db.prepare("SELECT group_concat(args) AS a FROM steps WHERE run_id = ?").get(run.id) as { a: string });
    expect(stored.a).not.toContain('tok_live_123');
  });

  it('refuses the journal of an unknown run (ALICE_NOT_FOUND)', () => {
    const engine = fx.open([echo]);
    expect(thrown(() => engine.getJournal('no-such-run')).code).toBe('ALICE_NOT_FOUND');
  });
});

describe('limits', () => {
  it('defaults to the limits of DESIGN §10', () => {
    expect(defaultLimits).toEqual({
      heapMiB: 64, cpuMs: 1000, bridgeBytes: 1024 * 1024, stepsPerRun: 10_000, logLinesPerRun: 1_000, inFlightPerRun: 256,
    });
    expect(fx.open([echo]).limits).toEqual(defaultLimits);
  });

  it('takes limits per engine, keeping the defaults for the rest', () => {
    const engine = fx.open([echo], { limits: { stepsPerRun: 3, logLinesPerRun: 2 } });
    expect(engine.limits).toEqual({ ...defaultLimits, stepsPerRun: 3, logLinesPerRun: 2 });
  });

  it('fails a run that passes a configured limit with a resource-limit error naming it', async () => {
    const engine = fx.open([echo], { limits: { stepsPerRun: 3, logLinesPerRun: 2, bridgeBytes: 4096 } });
    const steps = engine.deploy(bundle('lim-steps', ['demo.echo'], `export default async (input, actions) => {
      for (let i = 0; i < 4; i++) await actions.demo.echo({ i });
      return 'done';
    }`));
    const logs = engine.deploy(bundle('lim-logs', [], `export default async (input, actions) => {
      for (let i = 0; i < 3; i++) actions.log('line', i);
      return 'done';
    }`));
    const bytes = engine.deploy(bundle('lim-bytes', ['demo.echo'], `export default async (input, actions) => actions.demo.echo({ big: 'x'.repeat(5000) })`));
    const fine = engine.deploy(bundle('lim-fine', ['demo.echo'], `export default async (input, actions) => {
      actions.log('one line');
      return actions.demo.echo({ small: 'x'.repeat(100) });
    }`));
    const runs = [steps, logs, bytes, fine].map((wf) => engine.start(wf.id, { permissions: ['*'] }));
    await engine.runUntilIdle();
    const [s, l, b, f] = runs.map((r) => engine.getRun(r.id));
    expect(s).toMatchObject({ status: 'failed', error: { code: 'ALICE_RESOURCE_LIMIT', limit: 'steps', reason: 'resource-limit' } });
    expect(l).toMatchObject({ status: 'failed', error: { code: 'ALICE_RESOURCE_LIMIT', limit: 'log-lines', reason: 'resource-limit' } });
    expect(b).toMatchObject({ status: 'failed', error: { code: 'ALICE_RESOURCE_LIMIT', limit: 'bridge-bytes', reason: 'resource-limit' } });
    expect(f).toMatchObject({ status: 'completed', output: { small: 'x'.repeat(100) } });
    expect(engine.getJournal(s.id)).toHaveLength(3);
  });

  it('refuses a limit that is not a positive number with a coded error (ALICE_USAGE)', () => {
    const err = thrown(() => fx.open([echo], { limits: { stepsPerRun: 0 } }));
    expect(err.code).toBe('ALICE_USAGE');
    expect(err.message).toMatch(/stepsPerRun/);
  });
});
