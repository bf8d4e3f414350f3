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

describe('event matching (review)', () => {
  it('matches a wait only on fields the event data really has, not on inherited ones such as constructor', async () => {
    const engine = f.open([]);
    const wf = engine.deploy(bundle('waiter', [], `export default async (input, a) =>
      a.waitForEvent('order.paid', { match: { constructor: null }, timeout: '1h' })`));
    const run = engine.start(wf.id, {});
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    engine.deliverEvent('order.paid', { orderId: 'A-1' });
    await engine.runUntilIdle();
    // { orderId } has no field "constructor": the wait must stay open (and time out to null).
    expect(engine.getRun(run.id).status).toBe('suspended');
    f.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toBeNull();
  });
});

describe('pending on an event (review)', () => {
  it('calls a pending action again when the event it waits for arrived while its attempt was running', async () => {
    const g = gate();
    let calls = 0;
    const approval = defineAction({
      name: 't.approval',
      run: async (_args, _ctx, step) => {
        calls++;
        if (calls > 1) return 'approved';
        // Looks the approval up (not there yet), and while that lookup is in flight, the
        // approval event is delivered. Then it answers "call me when it is approved".
        await g.promise;
        return step.pending({ event: { type: 'approved' } });
      },
    });
    const engine = f.open([approval]);
    const wf = engine.deploy(bundle('approver', ['t.approval'], 'export default async (input, a) => a.t.approval({})'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => calls === 1, 'the first attempt to start');
    engine.deliverEvent('approved', { by: 'ann' });
    g.open();
    await idle;
    await engine.runUntilIdle();
    // The event arrived after the attempt began: the action must see it, or the run waits for ever.
    expect(engine.getRun(run.id).status).toBe('completed');
    expect(calls).toBe(2);
  });
});
