import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, openEngine, type Engine } from '../runtime/index.js';
import { maxValueBytes, standardActions, TenantDirectory } from '../stdlib/index.js';

// One workflow drives every test: it applies a list of kv operations and reports, for each,
// the result or the caught ActionError's code, so tests read what the workflow saw.
const script = `export default async (input, actions) => {
  const out = [];
  for (const op of input.ops) {
    try {
      out.push({ ok: await actions.kv[op.verb](op.args) });
    } catch (err) {
      out.push({ code: err.code, message: err.message });
    }
    if (op.pause) await actions.sleep(op.pause);
  }
  return out;
}`;
const manifest = { name: 'kv-ops', kind: 'user', actions: ['kv.get', 'kv.set', 'kv.delete', 'kv.list'] };

type Op = { verb: 'get' | 'set' | 'delete' | 'list'; args: Record<string, unknown>; pause?: string };
type Seen = { ok?: unknown; code?: string; message?: string };

let dir: string;
let store: string;
let clock: ManualClock;
let engine: Engine;

function open(): Engine {
  return openEngine({ store, clock, actions: standardActions({ store, tenants: 'registered' }) });
}

async function apply(ops: Op[], tenant: string, permissions: string[] = ['kv:*']): Promise<{ id: string; seen: Seen[] }> {
  const wf = engine.deploy({ script, manifest });
  const run = engine.start(wf.id, { input: { ops }, tenant, permissions });
  await engine.runUntilIdle();
  const info = engine.getRun(run.id);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return { id: run.id, seen: info.output as Seen[] };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alice-kv-'));
  store = join(dir, 'alice.db');
  clock = new ManualClock();
  engine = open();
  const tenants = new TenantDirectory(store);
  for (const t of ['acme', 'globex']) tenants.add(t);
  tenants.close();
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stdlib kv', () => {
  it('refuses a tenant that is not registered, with a memoized ALICE_UNKNOWN_TENANT, and writes nothing', async () => {
    const wf = engine.deploy({ script, manifest });
    const run = engine.start(wf.id, { input: { ops: [{ verb: 'set', args: { key: 'k', value: 1 } }] }, tenant: 'initech', permissions: ['kv:*'] });
    await engine.runUntilIdle();
    const seen = engine.getRun(run.id).output as Seen[];
    expect(seen[0].code).toBe('ALICE_UNKNOWN_TENANT');
    // The workflow must not learn its tenant, also not from an error.
    expect(seen[0].message).not.toContain('initech');
    expect(seen[0].message).toContain("the run's tenant is not registered");
    expect(engine.getJournal(run.id)[0]).toMatchObject({ state: 'error', attempts: 1 });
    const db = new Database(store, { readonly: true });
    try {
      const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kv'").get() !== undefined;
      expect(hasTable ? db.prepare('SELECT count(*) AS n FROM kv').get() : { n: 0 }).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("keeps each tenant's keys apart: reads, lists and deletes never cross tenants", async () => {
    await apply([{ verb: 'set', args: { key: 'plan', value: { tier: 'pro' } } }, { verb: 'set', args: { key: 'only-acme', value: 1 } }], 'acme');
    await apply([{ verb: 'set', args: { key: 'plan', value: { tier: 'free' } } }], 'globex');

    const acme = await apply([{ verb: 'get', args: { key: 'plan' } }, { verb: 'list', args: {} }], 'acme');
    expect(acme.seen[0].ok).toEqual({ tier: 'pro' });
    expect(acme.seen[1].ok).toEqual({ items: [{ key: 'only-acme', value: 1 }, { key: 'plan', value: { tier: 'pro' } }], next: null });

    const globex = await apply(
      [{ verb: 'get', args: { key: 'only-acme' } }, { verb: 'delete', args: { key: 'only-acme' } }, { verb: 'list', args: {} }],
      'globex',
    );
    expect(globex.seen[0].ok).toBeNull();
    expect(globex.seen[1].ok).toEqual({ deleted: false });
    expect(globex.seen[2].ok).toEqual({ items: [{ key: 'plan', value: { tier: 'free' } }], next: null });

    const again = await apply([{ verb: 'get', args: { key: 'only-acme' } }], 'acme');
    expect(again.seen[0].ok).toBe(1);
  });

  it('keeps kv in a kv table of the engine store file, durable across engine restarts', async () => {
    await apply([{ verb: 'set', args: { key: 'greeting', value: 'hello' } }], 'acme');
    await engine.close();
    engine = open();
    const after = await apply([{ verb: 'get', args: { key: 'greeting' } }], 'acme');
    expect(after.seen[0].ok).toBe('hello');

    const db = new Database(store, { readonly: true });
    try {
      const rows = db.prepare('SELECT tenant, key, value FROM kv ORDER BY tenant, key').all();
      expect(rows).toEqual([{ tenant: 'acme', key: 'greeting', value: '"hello"' }]);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'runs'").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('lists by prefix in key order and pages with after/next', async () => {
    const keys = ['order:3', 'order:1', 'user:1', 'order:2', 'orders'];
    await apply(keys.map((key, i) => ({ verb: 'set' as const, args: { key, value: i } })), 'acme');
    const { seen } = await apply(
      [
        { verb: 'list', args: { prefix: 'order:', limit: 2 } },
        { verb: 'list', args: { prefix: 'order:', limit: 2, after: 'order:2' } },
      ],
      'acme',
    );
    expect(seen[0].ok).toEqual({ items: [{ key: 'order:1', value: 1 }, { key: 'order:2', value: 3 }], next: 'order:2' });
    expect(seen[1].ok).toEqual({ items: [{ key: 'order:3', value: 0 }], next: null });
  });

  it('memoizes invalid arguments as ALICE_VALIDATION errors the workflow can catch, and replays them', async () => {
    const big = 'x'.repeat(maxValueBytes);
    const ops: Op[] = [
      { verb: 'set', args: { key: 'k'.repeat(257), value: 1 } },
      { verb: 'get', args: { key: 'a', extra: true } },
      { verb: 'set', args: { key: 'no-value' } },
      { verb: 'list', args: { limit: 0 } },
      // Too large for kv but well under the bridge limit: refused by the action itself.
      { verb: 'set', args: { key: 'big', value: big }, pause: '1h' },
      { verb: 'get', args: { key: 'big' } },
    ];
    const wf = engine.deploy({ script, manifest });
    const run = engine.start(wf.id, { input: { ops }, tenant: 'acme', permissions: ['kv:*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    const before = engine.getJournal(run.id);
    expect(before.slice(0, 5).map((s) => [s.action, s.state, s.error?.code, s.attempts])).toEqual([
      ['kv.set', 'error', 'ALICE_VALIDATION', 1],
      ['kv.get', 'error', 'ALICE_VALIDATION', 1],
      ['kv.set', 'error', 'ALICE_VALIDATION', 1],
      ['kv.list', 'error', 'ALICE_VALIDATION', 1],
      ['kv.set', 'error', 'ALICE_VALIDATION', 1],
    ]);
    expect(before[0].error?.message).toMatch(/key/);
    expect(before[1].error?.message).toMatch(/extra/);
    expect(before[4].error?.message).toMatch(/over the 65536-byte limit/);

    // The re-run after the sleep replays the five errors from the journal: same codes, no new
    // step entries in the log, and nothing reached the table.
    clock.advance('1h');
    await engine.runUntilIdle();
    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    const seen = info.output as Seen[];
    expect(seen.map((s) => s.code ?? 'ok')).toEqual(['ALICE_VALIDATION', 'ALICE_VALIDATION', 'ALICE_VALIDATION', 'ALICE_VALIDATION', 'ALICE_VALIDATION', 'ok']);
    expect(seen[5].ok).toBeNull();
    const stepEntries = engine.getLog(run.id).filter((e) => e.kind === 'step' && e.step !== null && e.step <= 5);
    expect(stepEntries.map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    const after = engine.getJournal(run.id);
    expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    const db = new Database(store, { readonly: true });
    try {
      const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kv'").get() !== undefined;
      expect(hasTable ? db.prepare('SELECT count(*) AS n FROM kv').get() : { n: 0 }).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses kv.set to a run that holds only kv:read, with a memoized ALICE_UNAUTHORIZED', async () => {
    const { id, seen } = await apply(
      [{ verb: 'set', args: { key: 'plan', value: 'stolen' } }, { verb: 'get', args: { key: 'plan' } }],
      'acme',
      ['kv:read'],
    );
    expect(seen[0].code).toBe('ALICE_UNAUTHORIZED');
    expect(seen[0].message).toContain('kv:write');
    expect(seen[1].ok).toBeNull();
    const refusal = engine.getLog(id).filter((e) => e.kind === 'refusal');
    expect(refusal).toHaveLength(1);
    expect(refusal[0].data).toMatchObject({ action: 'kv.set', permission: 'kv:write' });
    expect(engine.getJournal(id)[0]).toMatchObject({ action: 'kv.set', state: 'error', error: { code: 'ALICE_UNAUTHORIZED' } });
  });
});
