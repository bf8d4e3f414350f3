import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, gate, newFixture, until, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('log across re-runs (review)', () => {
  it('records each log() line once when a worker dies mid-run and another takes the run over', async () => {
    const g = gate();
    let blockCalls = 0;
    const step = defineAction({ name: 't.step', run: async () => 1 });
    const block = defineAction({
      name: 't.block',
      run: async () => {
        blockCalls++;
        // The first worker "dies" while this call is in flight: it never answers.
        if (blockCalls === 1) await g.promise;
        return 2;
      },
    });
    const first = f.open([step, block], { leaseMs: 1000 });
    const wf = first.deploy(bundle('logs', ['t.step', 't.block'], `export default async (input, a) => {
      a.log('one');
      await a.t.step({});
      a.log('two');
      await a.t.block({});
      a.log('three');
      return 'ok';
    }`));
    const run = first.start(wf.id, { permissions: ['*'] });
    const idle = first.runUntilIdle();
    await until(() => blockCalls === 1, 't.block to be called');
    // 'one' and 'two' are committed (with the outcome of t.step and the start of t.block's
    // journal write respectively). The first worker's lease then expires and a second worker,
    // sharing the store, re-runs the workflow from the start.
    f.clock.advance(5000);
    const second = f.open([step, block], { leaseMs: 1000 });
    await second.runUntilIdle();
    expect(second.getRun(run.id).status).toBe('completed');
    const lines = second.getLog(run.id).filter((e) => e.kind === 'log').map((e) => e.data.text);
    g.open();
    await idle.catch(() => {});
    expect(lines).toEqual(['one', 'two', 'three']);
  });
});

describe('log of a cancelled run (review)', () => {
  it('keeps the log() lines a run wrote before it was cancelled', async () => {
    const g = gate();
    let started = false;
    const block = defineAction({ name: 't.block', run: async () => { started = true; await g.promise; return 1; } });
    const engine = f.open([block]);
    const wf = engine.deploy(bundle('cancel-log', ['t.block'], `export default async (input, a) => {
      a.log('charging the card');
      await a.t.block({});
      return 'ok';
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => started, 't.block to start');
    engine.cancel(run.id);
    g.open();
    await idle;
    const lines = engine.getLog(run.id).filter((e) => e.kind === 'log').map((e) => e.data.text);
    expect(lines).toEqual(['charging the card']);
  });
});
