/**
 * DESIGN §4: the context (run id, tenant, user, permissions, …) never enters the sandbox; the
 * engine attaches it host-side to every action call. Permissions are checked before every
 * action; a refusal is a memoized authorization error and a log entry. Tenants cannot see each
 * other's data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, ErrorCodes, type ActionDefinition } from '../../runtime/index.js';
import { deploy, echoAction, failAction, logOf, newEnv, Recorder, settle, tenantStore, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-context-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

/**
 * A workflow that reads everything it can reach — globals and their prototypes, its arguments,
 * the actions object, error objects and stacks from every kind of failure, function sources —
 * and returns all of it as text.
 */
const scanner = `export default async function (input, actions) {
  const seen = new Set();
  const out = new Set();
  const visit = (v, depth) => {
    if (v === null || v === undefined || depth > 5) return;
    const t = typeof v;
    if (t !== 'object' && t !== 'function') { out.add(String(t === 'symbol' ? v.toString() : v)); return; }
    if (seen.has(v)) return;
    seen.add(v);
    if (t === 'function') { try { out.add(Function.prototype.toString.call(v)); } catch {} }
    let keys = [];
    try { keys = Reflect.ownKeys(v); } catch {}
    for (const k of keys) {
      out.add(typeof k === 'symbol' ? k.toString() : k);
      let d;
      try { d = Reflect.getOwnPropertyDescriptor(v, k); } catch {}
      if (d === undefined) continue;
      if ('value' in d) visit(d.value, depth + 1);
      else if (d.get) { try { visit(Reflect.apply(d.get, v, []), depth + 1); } catch {} }
    }
    try { visit(Reflect.getPrototypeOf(v), depth + 1); } catch {}
  };
  visit(globalThis, 0);
  visit(input, 0);
  visit(actions, 0);
  visit(arguments, 0);
  const errors = [];
  try { await actions.demo.fail({ probe: 1 }); } catch (e) { errors.push(e); }
  try { await actions.demo.guarded({}); } catch (e) { errors.push(e); }
  try { await actions.demo.echo(null); } catch (e) { errors.push(e); }
  try { await actions.sleep('not a duration'); } catch (e) { errors.push(e); }
  try { null.x; } catch (e) { errors.push(e); }
  for (const e of errors) { visit(e, 0); out.add(String(e.stack)); out.add(JSON.stringify(e)); }
  const r = await actions.demo.echo({ ask: 'who am i' });
  visit(r, 0);
  out.add(new Error('here').stack);
  out.add(String(Math.random()) + ' ' + Date.now() + ' ' + new Date().toString() + ' ' + actions.now() + ' ' + actions.random());
  const text = [...out].join('\\n');
  actions.log(text.slice(0, 60000));
  return text;
}`;

describe('the context never enters the sandbox', () => {
  it('leaves no trace of run id, tenant, user, roles, permissions or idempotency key anywhere the workflow can read', async () => {
    const guarded = defineAction({ name: 'demo.guarded', permission: 'guarded:use', run: () => 'never' });
    const engine = env.open([echoAction(rec), failAction(rec), guarded], { limits: { cpuMs: 5000 } });
    const wf = deploy(engine, 'scanner', scanner, ['demo.echo', 'demo.fail', 'demo.guarded']);
    const run = engine.start(wf.id, {
      input: { hello: 'input-marker-5rr' },
      tenant: 'tenant-q8zv',
      user: { id: 'user-m3kd', roles: ['role-x9wp'] },
      permissions: ['demo:*', 'perm-h2jc:read'],
    });
    expect(await settle(engine, 20_000)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.status).toBe('completed');
    const seenByGuest = String(info.output) + logOf(engine, run.id, 'log').map((e) => String(e.data.text)).join('\n');
    // Controls: the scan reaches the globals and what the run was given.
    expect(seenByGuest.length).toBeGreaterThan(10_000);
    expect(seenByGuest).toContain('input-marker-5rr');
    expect(seenByGuest).toContain('who am i');
    expect(seenByGuest).toContain('DEMO_FAILED');
    const keys = rec.executions.map((e) => e.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const secret of [run.id, run.id.replace(/-/g, ''), 'tenant-q8zv', 'user-m3kd', 'role-x9wp', 'perm-h2jc', ...keys]) {
      expect(seenByGuest.includes(secret), `the guest could read ${secret}`).toBe(false);
    }
    // Nor did the guest see the host: no Node globals, paths or modules.
    for (const hostThing of ['process', 'require', 'Buffer', 'node:', '/node_modules/', 'isolated-vm', process.cwd()]) {
      expect(seenByGuest.split('\n').includes(hostThing) || seenByGuest.includes(`${hostThing}/`), `the guest could see ${hostThing}`).toBe(false);
    }
  });

  it('hands every action the run context host-side, whatever the workflow passes as arguments', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'forger', `export default async (i, a) => {
      await a.demo.echo({ runId: 'forged-run', tenant: 'victim', ctx: { tenant: 'victim', runId: 'forged-run' }, idempotencyKey: 'forged:1' });
      await a.demo.echo({ tenant: 'victim' });
      return 'ok';
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { tenant: 'acme', permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(rec.of(run.id).map((e) => [e.tenant, e.key])).toEqual([
      ['acme', `${run.id}:1`],
      ['acme', `${run.id}:2`],
    ]);
    expect(rec.executions.every((e) => e.runId === run.id)).toBe(true);
  });
});

describe('permissions', () => {
  function guardedAction(calls: string[]): ActionDefinition {
    return defineAction({
      name: 'demo.guarded',
      permission: 'guarded:use',
      run: (_args, ctx) => {
        calls.push(ctx.runId);
        return 'allowed';
      },
    });
  }

  it('refuses an action the run lacks the permission for, without calling it, as a memoized ALICE_UNAUTHORIZED error and a refusal entry', async () => {
    const calls: string[] = [];
    const engine = env.open([guardedAction(calls), echoAction(rec)]);
    const wf = deploy(engine, 'guarded', `export default async (i, a) => {
      const codes = [];
      for (let k = 0; k < 3; k++) { try { await a.demo.guarded({ k }); codes.push('ok'); } catch (e) { codes.push(e.code + ':' + e.name); } }
      await a.sleep('1h');
      return { codes, after: await a.demo.echo({ k: 4 }) };
    }`, ['demo.guarded', 'demo.echo']);
    const run = engine.start(wf.id, { permissions: ['demo:*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).status).toBe('suspended');
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    expect(info.output).toEqual({ codes: Array(3).fill(`${ErrorCodes.UNAUTHORIZED}:ActionError`), after: { k: 4 } });
    expect(calls).toEqual([]);
    const journal = engine.getJournal(run.id);
    expect(journal.slice(0, 3).map((s) => [s.seq, s.action, s.state, s.error?.code])).toEqual([
      [1, 'demo.guarded', 'error', ErrorCodes.UNAUTHORIZED],
      [2, 'demo.guarded', 'error', ErrorCodes.UNAUTHORIZED],
      [3, 'demo.guarded', 'error', ErrorCodes.UNAUTHORIZED],
    ]);
    // One refusal entry per call, not repeated by the re-run after the sleep.
    const refusals = logOf(engine, run.id, 'refusal');
    expect(refusals.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(refusals[0].data).toMatchObject({ action: 'demo.guarded', permission: 'guarded:use' });
  });

  it('keeps a refusal memoized even if the permission would now be granted', async () => {
    const calls: string[] = [];
    const engine = env.open([guardedAction(calls)]);
    const wf = deploy(engine, 'memo', `export default async (i, a) => {
      let first; try { first = await a.demo.guarded({}); } catch (e) { first = e.code; }
      await a.sleep('1h');
      return first;
    }`, ['demo.guarded']);
    const run = engine.start(wf.id, { permissions: [] });
    expect(await settle(engine)).toBe('idle');
    // Grant the permission behind the engine's back: the journal, not the context, decides a replay.
    env.sql((db) => {
      const row = db.prepare('SELECT context FROM runs WHERE id = ?').get(run.id) as { context: string };
      const ctx = JSON.parse(row.context) as { permissions: string[] };
      ctx.permissions = ['*'];
      db.prepare('UPDATE runs SET context = ? WHERE id = ?').run(JSON.stringify(ctx), run.id);
    });
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).output).toBe(ErrorCodes.UNAUTHORIZED);
    expect(calls).toEqual([]);
    expect(logOf(engine, run.id, 'refusal')).toHaveLength(1);
  });

  it.each([
    [['guarded:use'], true],
    [['guarded:*'], true],
    [['*'], true],
    [['guard:*'], false],
    [['guarded:use2'], false],
    [['guarded'], false],
    [[], false],
  ])('with permissions %j the guarded action is allowed: %s', async (permissions, allowed) => {
    const calls: string[] = [];
    const engine = env.open([guardedAction(calls)]);
    const wf = deploy(engine, 'perm', `export default async (i, a) => { try { return await a.demo.guarded({}); } catch (e) { return e.code; } }`, ['demo.guarded']);
    const run = engine.start(wf.id, { permissions });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).output).toBe(allowed ? 'allowed' : ErrorCodes.UNAUTHORIZED);
    expect(calls).toHaveLength(allowed ? 1 : 0);
  });
});

describe('tenants cannot see each other’s data', () => {
  it('scopes a tenant store by the context, whatever keys or fields the other tenant tries', async () => {
    const data = new Map<string, unknown>();
    const engine = env.open(tenantStore(rec, data));
    const writer = deploy(engine, 'writer', `export default async (i, a) => a.store.put({ key: 'secret', value: 'victim-secret-4t7y' })`, ['store.put']);
    const thief = deploy(engine, 'thief', `export default async (i, a) => {
      const got = [];
      for (const key of ['secret', 'victim/secret', '["victim","secret"]', '../victim/secret', '__proto__', 'constructor']) {
        got.push((await a.store.get({ key })).value);
      }
      try { got.push(await a.store.get({ key: 'secret', tenant: 'victim' })); } catch (e) { got.push(e.code); }
      await a.store.put({ key: 'secret', value: 'overwritten by thief' });
      return got;
    }`, ['store.get', 'store.put']);
    const w = engine.start(writer.id, { tenant: 'victim', permissions: ['store:*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(w.id).status).toBe('completed');
    const t = engine.start(thief.id, { tenant: 'thief', permissions: ['store:*'] });
    expect(await settle(engine)).toBe('idle');
    const out = engine.getRun(t.id).output;
    expect(out).toEqual([null, null, null, null, null, null, ErrorCodes.VALIDATION]);
    expect(JSON.stringify(engine.getJournal(t.id))).not.toContain('victim-secret-4t7y');
    expect(data.get(JSON.stringify(['victim', 'secret']))).toBe('victim-secret-4t7y');
  });

  it('delivers events only to waits of the same tenant', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'waiter', `export default async (i, a) => { const e = await a.waitForEvent('invoice.paid', { timeout: '1d' }); return e === null ? null : e.data; }`, ['demo.echo']);
    const thief = engine.start(wf.id, { tenant: 'thief', permissions: ['*'] });
    const victim = engine.start(wf.id, { tenant: 'victim', permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.deliverEvent('invoice.paid', { amount: 'victim-amount-8k2' }, { tenant: 'victim' }).woken).toBe(1);
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(victim.id).output).toEqual({ amount: 'victim-amount-8k2' });
    expect(engine.getRun(thief.id).status).toBe('suspended');
    env.clock.advance('1d');
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(thief.id)).toMatchObject({ status: 'completed', output: null });
  });

  it('keeps stdlib kv per tenant (when the stdlib is present)', async () => {
    const stdlib = join(process.cwd(), 'stdlib', 'index.ts');
    if (!existsSync(stdlib)) {
      // The stdlib is written in parallel; without it there is nothing to check here.
      expect(existsSync(stdlib)).toBe(false);
      return;
    }
    const mod = (await import(pathToFileURL(stdlib).href)) as { standardActions(o: { store: string; tenants: 'any' }): ActionDefinition[] };
    const engine = env.open(mod.standardActions({ store: env.path, tenants: 'any' }));
    const writer = deploy(engine, 'kv-writer', `export default async (i, a) => a.kv.set({ key: 'plan', value: 'victim-plan-3u9' })`, ['kv.set']);
    const reader = deploy(engine, 'kv-reader', `export default async (i, a) => {
      const got = [await a.kv.get({ key: 'plan' })];
      try { got.push(await a.kv.get({ key: 'plan', tenant: 'victim' })); } catch (e) { got.push(e.code); }
      if (a.kv.list) got.push(await a.kv.list({}));
      return got;
    }`, ['kv.get', 'kv.list']);
    const w = engine.start(writer.id, { tenant: 'victim', permissions: ['kv:*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(w.id).status).toBe('completed');
    const r = engine.start(reader.id, { tenant: 'thief', permissions: ['kv:*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(r.id);
    expect(info.status).toBe('completed');
    expect(JSON.stringify(info.output)).not.toContain('victim-plan-3u9');
    expect((info.output as unknown[])[0]).toBeNull();
  });
});
