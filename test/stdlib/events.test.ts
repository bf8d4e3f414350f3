import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxEventDepth, type Engine } from '../../runtime/index.js';
import { standardActions } from '../../stdlib/index.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

let fx: StoreFixture;
let engine: Engine;

beforeEach(() => {
  fx = newStoreFixture('alice-events-');
  engine = fx.open(standardActions({ store: fx.path, clock: fx.clock }));
});
afterEach(() => fx.cleanup());

// A subscriber: started by 'order.placed' events (match on the region), it records its input in kv.
const subscriber = {
  script: `export default async (input, a) => { await a.kv.set({ key: 'seen:' + input.id, value: input }); return input.id; }`,
  manifest: { name: 'on-order', kind: 'user' as const, actions: ['kv.set'], triggers: [{ type: 'event' as const, event: 'order.placed', match: { region: 'eu' } }] },
};

describe('event subscriptions (Engine.subscribe)', () => {
  it("starts the subscribed workflow's latest version for a matching event, in the event's tenant, with the event as input", async () => {
    engine.deploy(subscriber);
    const sub = engine.subscribe('on-order', { tenant: 'default', permissions: ['kv:*'], user: { id: 'ops' } });
    expect(sub).toMatchObject({ workflow: 'on-order', tenant: 'default', permissions: ['kv:*'], user: { id: 'ops', roles: [] } });
    const miss = engine.deliverEvent('order.placed', { id: 'o1', region: 'us' });
    expect(miss.started).toEqual([]);
    const hit = engine.deliverEvent('order.placed', { id: 'o2', region: 'eu' });
    expect(hit.started).toHaveLength(1);
    await engine.runUntilIdle();
    const run = engine.getRun(hit.started[0]);
    expect(run).toMatchObject({ status: 'completed', output: 'o2', input: { id: 'o2', region: 'eu' }, tenant: 'default' });
    // As the run's context has it, less the chain's root, a row id of the store (counted over every tenant's events).
    expect(engine.getLog(run.id)[0].data).toMatchObject({ trigger: { type: 'event', event: { id: hit.id, type: 'order.placed' }, depth: 1 } });
    expect(engine.getLog(run.id)[0].data.trigger).not.toHaveProperty('root');
    // Another tenant's events do not reach a subscription of 'default'.
    expect(engine.deliverEvent('order.placed', { id: 'o3', region: 'eu' }, { tenant: 'acme' }).started).toEqual([]);
    expect(engine.unsubscribe('on-order', { tenant: 'default' })).toBe(true);
    expect(engine.deliverEvent('order.placed', { id: 'o4', region: 'eu' }).started).toEqual([]);
  });

  it("refuses to subscribe a workflow without an event trigger, and reports (not throws) an event its input schema refuses", async () => {
    engine.deploy({ script: 'export default async () => 1', manifest: { name: 'manual-only', kind: 'user', actions: [] } });
    expect(() => engine.subscribe('manual-only')).toThrow(/no event trigger/);
    engine.deploy({ ...subscriber, manifest: { ...subscriber.manifest, name: 'strict', inputSchema: { type: 'object', required: ['id', 'total'] } } });
    engine.subscribe('strict', { tenant: '*', permissions: ['kv:*'] });
    const r = engine.deliverEvent('order.placed', { id: 'o5', region: 'eu' }, { tenant: 'acme' });
    expect(r.started).toEqual([]);
    expect(r.refused).toEqual([expect.objectContaining({ workflow: 'strict@1', code: 'ALICE_VALIDATION' })]);
  });

  it('starts the version that was subscribed, not one deployed later under the name, until it is subscribed again', async () => {
    const v1 = engine.deploy(subscriber);
    expect(engine.subscribe('on-order', { permissions: ['kv:*'] })).toMatchObject({ version: v1.id });
    // Someone deploys other code under the same name: it must not inherit the subscription.
    const v2 = engine.deploy({ ...subscriber, script: `export default async (input) => 'v2:' + input.id` });
    expect(v2.id).not.toBe(v1.id);
    const first = engine.deliverEvent('order.placed', { id: 'o7', region: 'eu' });
    await engine.runUntilIdle();
    expect(engine.getRun(first.started[0])).toMatchObject({ workflowId: v1.id, output: 'o7' });
    expect(engine.listSubscriptions()).toEqual([expect.objectContaining({ workflow: 'on-order', version: v1.id })]);
    // Subscribing again (by name: the latest; or by id) moves it.
    engine.subscribe('on-order', { permissions: ['kv:*'] });
    const second = engine.deliverEvent('order.placed', { id: 'o8', region: 'eu' });
    await engine.runUntilIdle();
    expect(engine.getRun(second.started[0])).toMatchObject({ workflowId: v2.id, output: 'v2:o8' });
    engine.subscribe(v1.id, { permissions: ['kv:*'] });
    const third = engine.deliverEvent('order.placed', { id: 'o9', region: 'eu' });
    await engine.runUntilIdle();
    expect(engine.getRun(third.started[0])).toMatchObject({ workflowId: v1.id, output: 'o9' });
  });

  it('delivers a keyed event once: the same key again stores nothing and starts nothing', () => {
    engine.deploy(subscriber);
    engine.subscribe('on-order', { permissions: ['kv:*'] });
    const first = engine.deliverEvent('order.placed', { id: 'o6', region: 'eu' }, { key: 'k-1' });
    const again = engine.deliverEvent('order.placed', { id: 'o6', region: 'eu' }, { key: 'k-1' });
    expect(first).toMatchObject({ duplicate: false, started: [expect.any(String)] });
    expect(again).toEqual({ id: first.id, woken: 0, started: [], refused: [], duplicate: true });
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM events WHERE key = 'k-1'").get())).toEqual({ n: 1 });
  });
});

describe('events.emit', () => {
  const emitter = (type: string) => ({
    script: `export default async (input, a) => {
      const out = [];
      try { out.push(await a.events.emit({ type: ${JSON.stringify(type)}, data: input })); } catch (e) { out.push({ code: e.code }); }
      return out;
    }`,
    manifest: { name: 'emitter', kind: 'user' as const, actions: ['events.emit'] },
  });

  it('wakes a waiting run of the same tenant and starts subscribed workflows, once per step', async () => {
    engine.deploy(subscriber);
    engine.subscribe('on-order', { permissions: ['kv:*'] });
    const waiter = engine.deploy({ script: `export default async (i, a) => (await a.waitForEvent('order.placed', { match: { region: 'eu' } })).data.id`, manifest: { name: 'waiter', kind: 'user', actions: [] } });
    const w = engine.start(waiter.id);
    await engine.runUntilIdle();
    expect(engine.getRun(w.id).status).toBe('suspended');

    const wf = engine.deploy(emitter('order.placed'));
    const run = engine.start(wf.id, { input: { id: 'o7', region: 'eu' }, permissions: ['events:emit'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toEqual([{ id: expect.any(Number), started: 1, woken: 1, duplicate: false }]);
    expect(engine.getRun(w.id)).toMatchObject({ status: 'completed', output: 'o7' });
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM events WHERE type = 'order.placed'").get())).toEqual({ n: 1 });
    const started = engine.listRuns().filter((r) => r.workflowId === 'on-order@1');
    expect(started).toHaveLength(1);
    expect(started[0].status).toBe('completed');
  });

  it('refuses reserved alice.* types and bad types, memoized', async () => {
    for (const [type, code] of [['alice.human.answered', 'ALICE_VALIDATION'], ['has space', 'ALICE_VALIDATION']] as const) {
      const wf = engine.deploy({ ...emitter(type), manifest: { ...emitter(type).manifest, name: `emit-${code}-${type.length}` } });
      const run = engine.start(wf.id, { input: { key: 'x' }, permissions: ['events:emit'] });
      await engine.runUntilIdle();
      expect(engine.getRun(run.id).output).toEqual([{ code }]);
    }
    expect(fx.sql((db) => db.prepare('SELECT count(*) AS n FROM events').get())).toEqual({ n: 0 });
  });

  it('stops a workflow that starts itself by the event it emits after maxEventDepth runs', async () => {
    engine.deploy({
      script: `export default async (input, a) => (await a.events.emit({ type: 'ping', data: { n: input.n + 1 } })).started`,
      manifest: { name: 'echo-loop', kind: 'user', actions: ['events.emit'], triggers: [{ type: 'event', event: 'ping' }] },
    });
    engine.subscribe('echo-loop', { permissions: ['events:emit'] });
    const first = engine.deliverEvent('ping', { n: 0 });
    expect(first.started).toHaveLength(1);
    await engine.runUntilIdle();
    const runs = engine.listRuns().filter((r) => r.workflowId === 'echo-loop@1');
    expect(runs).toHaveLength(maxEventDepth);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    // Each run but the deepest started the next one.
    expect(runs.map((r) => r.output).sort()).toEqual([0, ...Array<number>(maxEventDepth - 1).fill(1)]);
    const deepest = runs.find((r) => r.output === 0)!;
    expect(deepest.input).toEqual({ n: maxEventDepth - 1 });
    // The chain's run count goes with its first event, when retention purges it.
    expect(fx.sql((db) => db.prepare('SELECT root, runs FROM event_chains').all())).toEqual([{ root: first.id, runs: maxEventDepth - 1 }]);
    fx.clock.advance('8d');
    await engine.runUntilIdle();
    expect(fx.sql((db) => db.prepare('SELECT count(*) AS n FROM events').get())).toEqual({ n: 0 });
    expect(fx.sql((db) => db.prepare('SELECT count(*) AS n FROM event_chains').get())).toEqual({ n: 0 });
  });

  it("counts the emits of a run the host started with a hand-built event trigger against that run's own chain, not a row the event's number happens to name", async () => {
    engine.deploy({ script: 'export default async (input) => input', manifest: { name: 'on-ping', kind: 'user', actions: [], triggers: [{ type: 'event', event: 'ping' }] } });
    engine.subscribe('on-ping', { tenant: 'acme' });
    // Another tenant's events take the first row ids; acme's numbers start at 1 all the same.
    for (let i = 0; i < 3; i++) engine.deliverEvent('noise', { i }, { tenant: 'globex' });
    const wf = engine.deploy({ ...emitter('ping'), manifest: { ...emitter('ping').manifest, name: 'by-hand' } });
    const run = engine.start(wf.id, { input: { key: 'k' }, tenant: 'acme', permissions: ['events:emit'], trigger: { type: 'event', event: { id: 1, type: 'ping' } } });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toEqual([expect.objectContaining({ started: 1 })]);
    const emittedRow = fx.sql((db) => db.prepare("SELECT id FROM events WHERE tenant = 'acme' AND type = 'ping'").get() as { id: number }).id;
    expect(emittedRow).toBeGreaterThan(3);
    expect(fx.sql((db) => db.prepare('SELECT root FROM event_chains').all())).toEqual([{ root: emittedRow }]);
  });

  it('needs events:emit', async () => {
    const wf = engine.deploy(emitter('order.placed'));
    const run = engine.start(wf.id, { input: {}, permissions: ['kv:*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toEqual([{ code: 'ALICE_UNAUTHORIZED' }]);
  });
});
