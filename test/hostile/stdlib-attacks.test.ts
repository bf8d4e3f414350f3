/**
 * Red-team tests of the attack surface the standard actions added (issue 6): hostile bundles
 * (hand-written, never checked by a compiler), hostile HTTP servers, LLM answers, documents and
 * people, against the real engine, a real SQLite file, real isolated-vm and servers on
 * 127.0.0.1 only.
 *
 * A test named for a defence that holds is a regression test. A test whose attack still works
 * fails on purpose: it names the defence that is missing (see the report of the red-team review
 * and the comment on each such test for the fix).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, type ActionDefinition, type Engine, type Manifest, type RunInfo, type StartOptions, type WorkflowVersion } from '../../runtime/index.js';
import { sharedConnection } from '../../runtime/journal/shared-connection.js';
import { HumanDesk, KbTable, standardActions, type EmailOptions, type HttpOptions } from '../../stdlib/index.js';
import { startFakeLlm, type FakeLlm } from '../../stdlib/llm/index.js';
import { installSystemWorkflows, kbDocumentEvent, systemBundles } from '../../stdlib/workflows/index.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';
import { settle } from './harness.js';

// ---- fixture -----------------------------------------------------------------------------------

let fx: StoreFixture;
let fake: FakeLlm;
const closers: Array<() => unknown> = [];

beforeEach(async () => {
  fx = newStoreFixture('alice-stdlib-attacks-');
  fake = await startFakeLlm();
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await fx.cleanup();
  await fake.close();
});

/** An engine on the fixture's store with the whole standard catalog (mail held, no env). */
function open(options: { http?: HttpOptions; email?: EmailOptions; extra?: ActionDefinition[] } = {}): Engine {
  const actions = standardActions({
    store: fx.path,
    clock: fx.clock,
    llm: { baseURL: fake.url, model: 'fake-model', env: {} },
    http: options.http ?? {},
    email: options.email ?? { env: {} },
  });
  return fx.open([...actions, ...(options.extra ?? [])]);
}

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

interface Site {
  readonly port: number;
  /** `127.0.0.1:PORT`, as a manifest's hosts write it. */
  readonly host: string;
  readonly url: string;
  readonly received: Received[];
}

/** A real HTTP server on 127.0.0.1 that records what reaches it. */
async function serve(handler: (req: Received, res: ServerResponse) => void): Promise<Site> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    received.push(r);
    req.resume();
    req.on('end', () => handler(r, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port, host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, received };
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

// ---- the hostile workflow ----------------------------------------------------------------------

// One hand-written bundle drives most attacks: it makes the calls of its input in order and
// reports, for each, the result or the caught error's code, so a test reads what it saw.
const runner = `export default async (input, a) => {
  const out = [];
  for (const [ns, verb, args] of input.calls) {
    try { out.push({ ok: await a[ns][verb](args) }); }
    catch (e) { out.push({ code: e.code, message: String(e.message).slice(0, 400) }); }
  }
  return out;
}`;

type Call = [string, string, Record<string, unknown>];
interface Seen {
  // Results of many actions: the tests read into them by hand.
  ok?: any;
  code?: string;
  message?: string;
}

function hostile(engine: Engine, name: string, actions: string[], extra: Partial<Manifest> = {}): WorkflowVersion {
  return engine.deploy({ script: runner, manifest: { name, kind: 'user', actions, ...extra } });
}

async function run(engine: Engine, wf: WorkflowVersion, calls: Call[], options: StartOptions): Promise<RunInfo> {
  const started = engine.start(wf.id, { input: { calls }, ...options });
  await engine.runUntilIdle();
  return engine.getRun(started.id);
}

/** What the workflow saw, call by call; the run must have completed. */
function seen(info: RunInfo): Seen[] {
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return info.output as Seen[];
}

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).name);
  }
}

/** A schema whose validation doubles with every level: each level refers twice to the one below. */
function refBomb(levels: number): Record<string, unknown> {
  const definitions: Record<string, unknown> = { l0: { type: 'object' } };
  for (let i = 1; i <= levels; i++) definitions[`l${i}`] = { allOf: [{ $ref: `#/definitions/l${i - 1}` }, { $ref: `#/definitions/l${i - 1}` }] };
  return { definitions, $ref: `#/definitions/l${levels}` };
}

/** A schema nested `levels` objects deep: Ajv's compile time grows faster than its size. */
function deepSchema(levels: number): Record<string, unknown> {
  let s: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) s = { type: 'object', properties: { a: s, b: { type: 'number' } }, required: ['a'] };
  return s;
}

// ---- tenants and keys ----------------------------------------------------------------------------

describe('tenants and keys', () => {
  it("keeps every keyed family apart across tenants: the same kv key, kb id and conversation, and identical runs' requests and caches", async () => {
    const api = await serve((req, res) => text(res, 200, `answer for ${String(req.headers['idempotency-key'])}`));
    const engine = open({ http: { allowPrivate: ['127.0.0.1/32'] } });
    const wf = hostile(engine, 'same-keys', ['kv.get', 'kv.set', 'kb.add', 'kb.search', 'chat.post', 'chat.history', 'http.request', 'llm.chat', 'email.send'], { hosts: [api.host] });
    const calls = (t: string): Call[] => [
      ['kv', 'get', { key: 'k' }],
      ['kv', 'set', { key: 'k', value: t }],
      ['kb', 'search', { query: 'zebra' }],
      ['kb', 'add', { id: 'doc', text: `${t} zebra secret` }],
      ['chat', 'history', { conversation: 'c' }],
      ['chat', 'post', { conversation: 'c', text: `${t} says hi` }],
      ['http', 'request', { url: `${api.url}/x` }],
      ['llm', 'chat', { messages: [{ role: 'user', content: 'the same question' }] }],
      ['email', 'send', { to: 'x@example.com', subject: 'same', text: 'same' }],
    ];
    const a = seen(await run(engine, wf, calls('acme'), { tenant: 'acme', permissions: ['*'], user: { id: 'ada' } }));
    const g = seen(await run(engine, wf, calls('globex'), { tenant: 'globex', permissions: ['*'], user: { id: 'ada' } }));
    expect(a.map((s) => s.code ?? 'ok')).toEqual(Array(9).fill('ok'));
    expect(g[0]).toEqual({ ok: null });
    expect(g[2]).toEqual({ ok: { hits: [] } });
    expect(g[3]).toEqual({ ok: { id: 'doc', status: 'added' } });
    expect(g[4]).toEqual({ ok: { messages: [] } });
    expect(g[5]).toEqual({ ok: { conversation: 'c', seq: 1 } });
    // No cached answer crosses runs: each step was sent, with its own key.
    expect(api.received).toHaveLength(2);
    expect(new Set(api.received.map((r) => r.headers['idempotency-key'])).size).toBe(2);
    expect(g[6].ok.body).not.toBe(a[6].ok.body);
    expect(fake.chatRequests()).toHaveLength(2);
    expect(g[8].ok.messageId).not.toBe(a[8].ok.messageId);
    const back = seen(await run(engine, wf, [['kv', 'get', { key: 'k' }], ['kb', 'search', { query: 'zebra' }], ['chat', 'history', { conversation: 'c' }]], { tenant: 'acme', permissions: ['*'], user: { id: 'ada' } }));
    expect(back[0]).toEqual({ ok: 'acme' });
    expect(back[1].ok.hits.map((h: { text: string }) => h.text)).toEqual(['acme zebra secret']);
    expect(back[2].ok.messages.map((m: { text: string }) => m.text)).toEqual(['acme says hi']);
  });

  it('lets no argument name a tenant, a user or a key: such fields are refused, tenant-looking keys are plain data', async () => {
    const engine = open();
    const wf = hostile(engine, 'name-a-tenant', ['kv.set', 'kv.get', 'kb.search', 'chat.post', 'events.emit', 'human.ask']);
    const s = seen(await run(engine, wf, [
      ['kv', 'set', { key: 'k', value: 1, tenant: 'globex' }],
      ['kb', 'search', { query: 'x', tenant: 'globex' }],
      ['chat', 'post', { conversation: 'c', text: 'x', user: 'ada' }],
      ['events', 'emit', { type: 'x', tenant: 'globex' }],
      ['human', 'ask', { question: 'q', key: 'other-run:1' }],
      ['kv', 'set', { key: 'globex:k', value: 'mine' }],
    ], { tenant: 'acme', permissions: ['*'] }));
    expect(s.slice(0, 5).map((x) => x.code)).toEqual(Array(5).fill('ALICE_VALIDATION'));
    expect(s[5]).toEqual({ ok: { key: 'globex:k' } });
    expect(fx.sql((db) => db.prepare('SELECT tenant, key FROM kv').all())).toEqual([{ tenant: 'acme', key: 'globex:k' }]);
  });
});

// ---- http.request: SSRF ------------------------------------------------------------------------

describe('http.request against SSRF', () => {
  it('refuses every spelling of a loopback address when private addresses are not allowed, and nothing reaches the server', async () => {
    const api = await serve((_req, res) => text(res, 200, 'inside'));
    const engine = open();
    const p = api.port;
    const hosts = [`127.0.0.1:${p}`, `localhost:${p}`, `[::ffff:7f00:1]:${p}`, `[::7f00:1]:${p}`, `0.0.0.0:${p}`, `[::]:${p}`, `[::1]:${p}`];
    const urls = [
      `http://2130706433:${p}/`, // decimal
      `http://0x7f.1:${p}/`, // hex, short form
      `http://0177.0.0.1:${p}/`, // octal
      `http://127.1:${p}/`, // short form
      `http://0x7f000001:${p}/`,
      `http://%31%32%37.0.0.1:${p}/`, // percent-encoded
      `http://127.0.0.1.:${p}/`, // trailing dot
      `http://0:${p}/`, // 0.0.0.0 reaches this host on Linux
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[0:0:0:0:0:ffff:7f00:1]:${p}/`,
      `http://[::127.0.0.1]:${p}/`, // IPv4-compatible
      `http://[::]:${p}/`,
      `http://[::1]:${p}/`,
      `http://LocalHost:${p}/`, // a name that resolves to loopback
    ];
    const wf = hostile(engine, 'ssrf-loopback', ['http.request'], { hosts });
    const s = seen(await run(engine, wf, urls.map((url) => ['http', 'request', { url }]), { permissions: ['http:request'] }));
    expect(s.map((x) => x.code)).toEqual(Array(urls.length).fill('ALICE_HTTP_ADDRESS_DENIED'));
    expect(api.received).toEqual([]);
  });

  it('matches hosts exactly: a wildcard does not match lookalikes or its apex, ports are not loosened, userinfo and fragments smuggle no host', async () => {
    const api = await serve((_req, res) => text(res, 200, 'ok'));
    const engine = open({ http: { allowPrivate: ['127.0.0.1/32'] } });
    const p = api.port;
    const wf = hostile(engine, 'ssrf-patterns', ['http.request'], { hosts: ['*.example.com', `127.0.0.1:${p}`] });
    const urls = [
      'http://example.com.evil.test/',
      'http://evilexample.com/',
      'http://example.com/',
      'http://a.example.com:8080/',
      'http://a.ехample.com/', // Cyrillic "х": punycode, another host
      'http://127.0.0.1/', // the default port is not the allowed one
      `http://127.0.0.1:${p + 1 > 65535 ? p - 1 : p + 1}/`,
      `http://evil.test#@127.0.0.1:${p}/`,
      `http://127.0.0.1:${p}@evil.test/`,
      `http://127.0.0.1:${p}\\@evil.test/`, // WHATWG: the backslash starts the path; the host is ours
    ];
    const s = seen(await run(engine, wf, urls.map((url) => ['http', 'request', { url }]), { permissions: ['http:request'] }));
    expect(s.map((x) => x.code ?? 'ok')).toEqual([...Array(8).fill('ALICE_HTTP_HOST_DENIED'), 'ALICE_VALIDATION', 'ok']);
    expect(api.received.map((r) => r.path)).toEqual(['/@evil.test/']);
    for (const bad of [['*'], ['*.com'], ['evil.test:0'], ['evil.test/path'], ['user@evil.test']]) {
      expect(codeOf(() => engine.deploy({ script: runner, manifest: { name: 'bad-hosts', kind: 'user', actions: ['http.request'], hosts: bad } }))).toBe('ALICE_BUNDLE_INVALID');
    }
  });

  it('re-checks every redirect: a decimal loopback, a name and an IPv6 form of the same host are other hosts, and are never contacted', async () => {
    const other = await serve((_req, res) => text(res, 200, 'should not be reached'));
    const api = await serve((req, res) => {
      const to: Record<string, string> = {
        '/dec': `http://2130706433:${other.port}/`,
        '/name': `http://localhost:${other.port}/`,
        '/v6': `http://[::ffff:7f00:1]:${other.port}/`,
      };
      text(res, 302, '', { location: to[req.path] ?? '/' });
    });
    const engine = open({ http: { allowPrivate: ['127.0.0.1/32'] } });
    const wf = hostile(engine, 'ssrf-redirects', ['http.request'], { hosts: [api.host] });
    const s = seen(await run(engine, wf, ['/dec', '/name', '/v6'].map((path) => ['http', 'request', { url: `${api.url}${path}` }]), { permissions: ['http:request'] }));
    expect(s.map((x) => x.code)).toEqual(Array(3).fill('ALICE_HTTP_HOST_DENIED'));
    expect(api.received).toHaveLength(3);
    expect(other.received).toEqual([]);
  });

  it('stops a decompression bomb from a hostile server at maxBytes of decoded body, memoized as ALICE_HTTP_TOO_LARGE', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024));
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const engine = open({ http: { allowPrivate: ['127.0.0.1/32'] } });
    const wf = hostile(engine, 'gzip-bomb', ['http.request'], { hosts: [api.host] });
    const s = seen(await run(engine, wf, [['http', 'request', { url: `${api.url}/` }]], { permissions: ['http:request'] }));
    expect(s[0].code).toBe('ALICE_HTTP_TOO_LARGE');
  });
});

// ---- events and subscriptions --------------------------------------------------------------------

const waiterScript = `export default async (input, a) => (await a.waitForEvent(input.type, { match: input.match ?? undefined })).data`;

describe('events and subscriptions', () => {
  it("keeps an emitted event in the emitter's tenant: it wakes no wait and starts no subscription of another tenant", async () => {
    const engine = open();
    engine.deploy({ script: 'export default async (input, a) => { await a.kv.set({ key: "paid", value: input }); return 1; }', manifest: { name: 'on-paid', kind: 'user', actions: ['kv.set'], triggers: [{ type: 'event', event: 'order.paid' }] } });
    engine.subscribe('on-paid', { tenant: 'globex', permissions: ['kv:*'] });
    const waiter = engine.deploy({ script: waiterScript, manifest: { name: 'waiter', kind: 'user', actions: [] } });
    const w = engine.start(waiter.id, { tenant: 'globex', input: { type: 'order.paid', match: { order: 'g-1' } } });
    await engine.runUntilIdle();
    const wf = hostile(engine, 'forger', ['events.emit']);
    const s = seen(await run(engine, wf, [['events', 'emit', { type: 'order.paid', data: { order: 'g-1', paid: true } }]], { tenant: 'acme', permissions: ['events:emit'] }));
    expect(s[0].ok).toMatchObject({ started: 0, woken: 0, duplicate: false });
    expect(engine.getRun(w.id).status).toBe('suspended');
    expect(engine.listRuns({ workflow: 'on-paid' })).toEqual([]);
  });

  it('refuses the reserved alice.* types; case variants are other types, and a forged answered event (even through the API) answers no question', async () => {
    const engine = open();
    const asker = hostile(engine, 'asker', ['human.ask']);
    const asked = engine.start(asker.id, { input: { calls: [['human', 'ask', { question: 'Refund 900 EUR?' }]] }, tenant: 'acme', permissions: ['human:ask'] });
    await engine.runUntilIdle();
    expect(engine.getRun(asked.id).status).toBe('suspended');
    const key = `${asked.id}:1`;
    const wf = hostile(engine, 'forger', ['events.emit']);
    const s = seen(await run(engine, wf, [
      ['events', 'emit', { type: 'alice.human.answered', data: { key } }],
      ['events', 'emit', { type: 'Alice.human.answered', data: { key } }],
      ['events', 'emit', { type: 'ALICE.HUMAN.ANSWERED', data: { key } }],
    ], { tenant: 'acme', permissions: ['events:emit'] }));
    expect(s.map((x) => x.code ?? 'ok')).toEqual(['ALICE_VALIDATION', 'ok', 'ok']);
    // A forger with API access gets the run woken, but the step reads the desk, not the event.
    engine.deliverEvent('alice.human.answered', { key, answer: { approved: true } }, { tenant: 'acme' });
    await engine.runUntilIdle();
    expect(engine.getRun(asked.id).status).toBe('suspended');
    expect(engine.getJournal(asked.id)[0]).toMatchObject({ action: 'human.ask', state: 'waiting' });
    const desk = new HumanDesk(fx.path);
    closers.push(() => desk.close());
    expect(desk.list({ runId: asked.id })).toEqual([expect.objectContaining({ status: 'open', answer: null })]);
  });

  it('refuses event data over the bridge limit before anything is stored', async () => {
    const engine = open();
    const wf = engine.deploy({ script: `export default async (input, a) => a.events.emit({ type: 'big', data: 'x'.repeat(1_500_000) })`, manifest: { name: 'big-event', kind: 'user', actions: ['events.emit'] } });
    const r = engine.start(wf.id, { permissions: ['events:emit'] });
    await engine.runUntilIdle();
    expect(engine.getRun(r.id)).toMatchObject({ status: 'failed', error: { code: 'ALICE_RESOURCE_LIMIT' } });
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM events WHERE type = 'big'").get())).toEqual({ n: 0 });
  });

  // Found by the red-team review, now fixed: maxEventDepth bounds how deep a chain of event-started runs goes, not how wide. A
  // subscribed workflow that emits its own trigger event ten times starts 10 runs, which start
  // 100, … up to 10^15 runs before depth 16: one run floods the scheduler and the store.
  // Fix (runtime/engine/engine.ts, startSubscribed + the run's trigger): give every chain a
  // budget (the root run or event id in the trigger, a count per root in the store) and refuse
  // starts past it (`refused`, ALICE_RESOURCE_LIMIT, limit 'event-chain-runs').
  it("bounds the runs one run's event chain can start, not only its depth", async () => {
    const engine = open();
    engine.deploy({
      script: `export default async (input, a) => { for (let i = 0; i < 10; i++) await a.events.emit({ type: 'boom', data: { i } }); return 1; }`,
      manifest: { name: 'storm', kind: 'user', actions: ['events.emit'], triggers: [{ type: 'event', event: 'boom' }] },
    });
    engine.subscribe('storm', { tenant: 'acme', permissions: ['events:emit'] });
    const wf = hostile(engine, 'spark', ['events.emit']);
    engine.start(wf.id, { input: { calls: [['events', 'emit', { type: 'boom' }]] }, tenant: 'acme', permissions: ['events:emit'] });
    await settle(engine, 3_000);
    const started = fx.sql((db) => (db.prepare("SELECT count(*) AS n FROM runs WHERE workflow_id LIKE 'storm@%'").get() as { n: number }).n);
    expect(started).toBeLessThanOrEqual(1000);
  });
});

// ---- human.ask -------------------------------------------------------------------------------------

describe('human.ask', () => {
  it('refuses answers from someone else than the assignee, from another tenant, that do not fit, and to a closed question', async () => {
    const engine = open();
    const desk = new HumanDesk(fx.path);
    closers.push(() => desk.close());
    const wf = hostile(engine, 'approval', ['human.ask']);
    const ask = { question: 'Refund 900 EUR?', assignee: 'maria', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } };
    const r = engine.start(wf.id, { input: { calls: [['human', 'ask', ask]] }, tenant: 'acme', permissions: ['human:ask'] });
    await engine.runUntilIdle();
    expect(codeOf(() => desk.answer(engine, { runId: r.id, step: 1, data: { ok: true }, by: 'eve' }))).toBe('ALICE_HUMAN_ANSWER');
    expect(codeOf(() => desk.answer(engine, { runId: r.id, step: 1, data: { ok: true }, by: 'maria', tenant: 'globex' }))).toBe('ALICE_HUMAN_ANSWER');
    expect(codeOf(() => desk.answer(engine, { runId: r.id, step: 1, data: { ok: 'yes' }, by: 'maria' }))).toBe('ALICE_HUMAN_ANSWER');
    expect(codeOf(() => desk.answer(engine, { runId: r.id, step: 2, data: { ok: true }, by: 'maria' }))).toBe('ALICE_HUMAN_ANSWER');
    engine.cancel(r.id);
    await engine.runUntilIdle();
    expect(codeOf(() => desk.answer(engine, { runId: r.id, step: 1, data: { ok: true }, by: 'maria' }))).toBe('ALICE_HUMAN_ANSWER');
    expect(desk.list({ runId: r.id })).toEqual([expect.objectContaining({ status: 'closed', answer: null, answeredBy: null })]);
  });

  it('refuses an answer that breaks its schema at every item with its first problem, not an error object per keyword and item', async () => {
    const engine = open();
    const desk = new HumanDesk(fx.path);
    closers.push(() => desk.close());
    const wf = hostile(engine, 'error-flood', ['human.ask']);
    // 1 KB of schema; with every error collected, 20,000 items were 2 million error objects on the engine's thread.
    const schema = { type: 'array', items: { anyOf: Array.from({ length: 100 }, (_, i) => ({ const: i })) } };
    const r = engine.start(wf.id, { input: { calls: [['human', 'ask', { question: 'numbers?', assignee: 'maria', schema }]] }, tenant: 'acme', permissions: ['human:ask'] });
    await engine.runUntilIdle();
    let message = '';
    try {
      desk.answer(engine, { runId: r.id, step: 1, data: Array(20_000).fill(1000), by: 'maria' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the answer does not fit the question's schema: /);
    // The first item's: its anyOf's 100 branches and the anyOf itself, described up to 10.
    expect(message.split('; ')).toHaveLength(11);
    expect(message).toMatch(/… and 91 more$/);
    expect(message.length).toBeLessThan(1000);
    desk.answer(engine, { runId: r.id, step: 1, data: [1, 2, 99], by: 'maria' });
    await engine.runUntilIdle();
    expect(seen(engine.getRun(r.id))[0].ok).toMatchObject({ answer: [1, 2, 99] });
  });

  it("compiles each question's schema alone: another tenant's $id neither blocks a question nor resolves in it", async () => {
    const engine = open();
    const desk = new HumanDesk(fx.path);
    closers.push(() => desk.close());
    const wf = hostile(engine, 'schema-ids', ['human.ask']);
    const id = 'https://schemas.example/approval.json';
    const start = (tenant: string, schema: Record<string, unknown>) => engine.start(wf.id, { input: { calls: [['human', 'ask', { question: 'ok?', schema }]] }, tenant, permissions: ['human:ask'] }).id;
    const acme = start('acme', { $id: id, type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] });
    await engine.runUntilIdle();
    const globex = start('globex', { $id: id, type: 'string' });
    const borrower = start('globex', { $ref: id });
    await engine.runUntilIdle();
    expect(engine.getRun(acme).status).toBe('suspended');
    expect(engine.getRun(globex).status).toBe('suspended');
    expect(seen(engine.getRun(borrower))[0].code).toBe('ALICE_VALIDATION');
    desk.answer(engine, { runId: acme, step: 1, data: { ok: true }, by: 'maria' }, fx.clock.now());
    desk.answer(engine, { runId: globex, step: 1, data: 'fine', by: 'bob' }, fx.clock.now());
    await engine.runUntilIdle();
    expect(seen(engine.getRun(acme))[0].ok).toMatchObject({ answer: { ok: true }, by: 'maria' });
    expect(seen(engine.getRun(globex))[0].ok).toMatchObject({ answer: 'fine', by: 'bob' });
  });
});

// ---- schema bombs ----------------------------------------------------------------------------------

describe('schemas that arrive as data', () => {
  it('refuses a schema whose validation doubles per level ($ref twice to the level below) before any model request', async () => {
    const engine = open();
    fake.respond(() => '{}');
    const wf = hostile(engine, 'ref-bomb', ['llm.extract', 'human.ask']);
    const byId = { definitions: { l0: { $id: 'https://x.test/l0', type: 'object' }, l1: { allOf: Array(200).fill({ $ref: 'https://x.test/l0' }) } }, allOf: Array(200).fill({ $ref: '#/definitions/l1' }) };
    const s = seen(await run(engine, wf, [
      ['llm', 'extract', { instructions: 'x', schema: refBomb(26), maxRepairs: 0 }],
      ['llm', 'extract', { instructions: 'x', schema: byId, maxRepairs: 0 }],
      ['human', 'ask', { question: 'q', schema: refBomb(26) }],
    ], { permissions: ['llm:use', 'human:ask'] }));
    expect(s.map((x) => x.code)).toEqual(['ALICE_VALIDATION', 'ALICE_VALIDATION', 'ALICE_VALIDATION']);
    expect(fake.chatRequests()).toEqual([]);
  });

  it('refuses human.ask schemas over 64 KiB before compiling them (Ajv takes seconds over a 1 MiB one, on the engine thread)', async () => {
    const engine = open();
    const wide: Record<string, unknown> = { type: 'object', properties: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 10 }])) };
    const wf = hostile(engine, 'wide-schema', ['human.ask']);
    const s = seen(await run(engine, wf, [['human', 'ask', { question: 'q', schema: wide }]], { permissions: ['human:ask'] }));
    expect(s[0].code).toBe('ALICE_VALIDATION');
    expect(s[0].message).toContain('65536-byte limit');
  });

  // Found by the red-team review, now fixed: Ajv compiles `pattern` with the backtracking RegExp engine and validates the model's
  // answer on the engine's one thread: `^(a+)+$` against 27 a's and a "!" takes seconds, 40 take
  // days, and every run of every tenant stops meanwhile. The answer is the model's, which a
  // prompt steers. Fix (stdlib/llm/json-check.ts and stdlib/validate.ts): give Ajv a linear-time
  // regex engine (`new Ajv({ code: { regExp: RE2 } })`, package `re2`), or validate untrusted
  // schemas off the main thread with a deadline (a worker, or an isolate with a CPU limit).
  it('validates a model answer against a backtracking pattern without stalling the engine', async () => {
    const engine = open();
    fake.respond(() => JSON.stringify({ code: `${'a'.repeat(27)}!` }));
    const wf = hostile(engine, 'redos', ['llm.extract']);
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } }, required: ['code'] };
    const started = performance.now();
    const s = seen(await run(engine, wf, [['llm', 'extract', { instructions: 'x', schema, maxRepairs: 0 }]], { permissions: ['llm:use'] }));
    const ms = performance.now() - started;
    expect(['ALICE_VALIDATION', 'ALICE_LLM_BAD_OUTPUT']).toContain(s[0].code);
    expect(ms).toBeLessThan(1_000);
  });

  // Found by the red-team review, now fixed: the engine validates a run's input against the manifest's inputSchema on its one
  // thread, at start and for every event a subscription turns into a run. refBomb(40) makes that
  // take hours: one deploy and one start stop the whole engine. Fix (runtime/bundle.ts
  // validateBundle, or runtime/engine/engine.ts deploy): refuse input schemas past a cost budget
  // (size, nesting depth, $ref expansion, as stdlib/validate.ts `checkSchemaBudget` does).
  it('refuses an input schema whose validation cost explodes, at deploy', () => {
    const engine = open();
    expect(codeOf(() => engine.deploy({ script: 'export default async () => 1', manifest: { name: 'input-bomb', kind: 'user', actions: [], inputSchema: refBomb(40) } }))).toBe('ALICE_BUNDLE_INVALID');
  });

  // Found by the red-team review, now fixed: the engine compiles every workflow's input schema into one shared Ajv instance, where
  // an `$id` is global: a workflow of tenant acme that starts first owns the id, and the start of
  // another workflow whose input schema has the same `$id` throws a TypeError. In a subscription
  // that TypeError escapes startSubscribed and fails the whole event: nothing is delivered to
  // anyone in globex. Fix (runtime/engine/validation.ts, Validators.add for `input:` keys): one
  // Ajv instance per workflow input schema (or compile with `$id` removed), as llm.extract does.
  it("keeps workflows' input schemas apart: another tenant's $id does not break a subscription's events", async () => {
    const engine = open();
    const id = 'https://schemas.example/order.json';
    const squatter = engine.deploy({ script: 'export default async () => 1', manifest: { name: 'squatter', kind: 'user', actions: [], inputSchema: { $id: id, type: 'object' } } });
    engine.start(squatter.id, { tenant: 'acme', input: {} });
    engine.deploy({ script: 'export default async (input) => input.id', manifest: { name: 'victim', kind: 'user', actions: [], triggers: [{ type: 'event', event: 'order' }], inputSchema: { $id: id, type: 'object', required: ['id'] } } });
    engine.subscribe('victim', { tenant: 'globex' });
    let started: string[] = [];
    expect(codeOf(() => (started = engine.deliverEvent('order', { id: 'o-1' }, { tenant: 'globex' }).started))).toBeNull();
    expect(started).toHaveLength(1);
  });
});

// ---- kb --------------------------------------------------------------------------------------------

describe('kb', () => {
  it('refuses fts queries of thousands of terms, many prefixes, or that FTS5 cannot hold with ALICE_KB_QUERY at once, instead of stalling or retrying', async () => {
    const engine = open();
    const kb = new KbTable(fx.path);
    closers.push(() => kb.close());
    kb.addMany('acme', Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, text: `refunds policy number ${i} within thirty days` })), fx.clock.now());
    const wf = hostile(engine, 'fts-storm', ['kb.search']);
    const started = performance.now();
    const s = seen(await run(engine, wf, [
      ['kb', 'search', { query: Array(3000).fill('refunds').join(' OR '), syntax: 'fts' }],
      ['kb', 'search', { query: `"${Array(3000).fill('refunds').join(' ')}"`, syntax: 'fts' }],
      ['kb', 'search', { query: 'r* OR re* OR ref* OR refu* OR refun*', syntax: 'fts' }],
      ['kb', 'search', { query: `${'('.repeat(5000)}refunds${')'.repeat(5000)}`, syntax: 'fts' }],
      ['kb', 'search', { query: `text:(${Array(40).fill('refunds').join(' OR ')}) AND NEAR(policy thirty, 5) OR "number 1"`, syntax: 'fts', limit: 2 }],
    ], { tenant: 'acme', permissions: ['kb:read'] }));
    expect(s.map((x) => x.code ?? 'ok')).toEqual(['ALICE_KB_QUERY', 'ALICE_KB_QUERY', 'ALICE_KB_QUERY', 'ALICE_KB_QUERY', 'ok']);
    expect(s[4].ok.hits).toHaveLength(2);
    expect(engine.getJournal(engine.listRuns({ workflow: 'fts-storm' })[0].id).map((j) => j.attempts)).toEqual([1, 1, 1, 1, 1]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  // Found by the red-team review, now fixed: bm25's statistics (how many documents hold a term) are those of the one FTS5 index
  // of every tenant, so a tenant's scores move when another tenant adds documents: acme learns
  // whether globex's documents mention "zanzibar" (a code name, a customer) by searching its own
  // documents before and after. Fix (stdlib/kb/table.ts): one FTS5 index per tenant (a table per
  // tenant, created on first use), which also stops one tenant's corpus from slowing another's
  // searches; the docs (docs/stdlib/kb.md, Ranking) call this a marginal shift of order today.
  it("gives a tenant's searches scores that no other tenant's documents change", async () => {
    const engine = open();
    const kb = new KbTable(fx.path);
    closers.push(() => kb.close());
    kb.addMany('acme', [{ id: 'a1', text: 'zanzibar quarterly report' }, ...Array.from({ length: 20 }, (_, i) => ({ id: `f${i}`, text: `unrelated filler text ${i}` }))], fx.clock.now());
    const wf = hostile(engine, 'oracle', ['kb.search']);
    const score = async () => seen(await run(engine, wf, [['kb', 'search', { query: 'zanzibar' }]], { tenant: 'acme', permissions: ['kb:read'] }))[0].ok.hits[0].score as number;
    const before = await score();
    kb.addMany('globex', Array.from({ length: 40 }, (_, i) => ({ id: `g${i}`, text: `project zanzibar acquisition memo ${i}` })), fx.clock.now());
    expect(await score()).toBe(before);
  });

  it('takes quotes, SQL and JSON-path syntax in keys, ids and filters as data or refuses them; nothing escapes the parameters', async () => {
    const engine = open();
    const wf = hostile(engine, 'injector', ['kv.set', 'kv.get', 'kb.add', 'kb.search']);
    const evil = `x'); DROP TABLE kv; --"`;
    const s = seen(await run(engine, wf, [
      ['kv', 'set', { key: evil, value: 1 }],
      ['kv', 'get', { key: evil }],
      ['kb', 'add', { id: evil, text: 'quoted id document', metadata: { lang: 'en' } }],
      ['kb', 'add', { id: 'm', text: 'metadata attack', metadata: { 'a"] OR 1=1 --': 'x' } }],
      ['kb', 'search', { query: 'document', filter: { 'lang" OR "1"="1': 'en' } }],
      ['kb', 'search', { query: 'document', filter: { lang: 'en' } }],
    ], { tenant: 'acme', permissions: ['kv:*', 'kb:*'] }));
    expect(s.map((x) => x.code ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ALICE_VALIDATION', 'ALICE_VALIDATION', 'ok']);
    expect(s[1].ok).toBe(1);
    expect(s[5].ok.hits.map((h: { id: string }) => h.id)).toEqual([evil]);
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'kv'").get())).toEqual({ n: 1 });
  });
});

// ---- email -----------------------------------------------------------------------------------------

describe('email.send', () => {
  it('refuses header injection (CR/LF in any header field, smuggled second addresses, display names) and more than 50 recipients; nothing reaches the outbox', async () => {
    const engine = open();
    const wf = hostile(engine, 'mail-injector', ['email.send']);
    const base = { to: 'ada@example.com', subject: 'hello', text: 'hi' };
    const attempts: Array<Record<string, unknown>> = [
      { ...base, subject: 'hello\r\nBcc: victim@example.com' },
      { ...base, subject: 'hello\nX-Injected: 1' },
      { ...base, to: 'ada@example.com\r\nBcc: victim@example.com' },
      { ...base, to: ['ada@example.com', 'eve@example.com\nBcc: x@example.com'] },
      { ...base, cc: 'ada@example.com, victim@example.com' },
      { ...base, replyTo: 'eve@example.com\r\nX-Injected: 1' },
      { ...base, from: 'Alice <alice@example.com>\r\nBcc: victim@example.com' },
      { ...base, from: '"ceo" <ceo@example.com>' },
      { ...base, to: Array.from({ length: 30 }, (_, i) => `u${i}@example.com`), bcc: Array.from({ length: 21 }, (_, i) => `b${i}@example.com`) },
    ];
    const s = seen(await run(engine, wf, attempts.map((a) => ['email', 'send', a] as Call), { permissions: ['email:send'] }));
    expect(s.map((x) => x.code)).toEqual(Array(attempts.length).fill('ALICE_VALIDATION'));
    const outbox = fx.sql((db) => (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'email_outbox'").get() === undefined ? 0 : (db.prepare('SELECT count(*) AS n FROM email_outbox').get() as { n: number }).n));
    expect(outbox).toBe(0);
  });

  // Found by the red-team review, now fixed: `from` takes any address, so every workflow with email:send mails as anyone
  // (ceo@, security@, another tenant's domain) through the deployment's trusted relay, which
  // receivers then believe (SPF/DKIM pass for the relay). Fix (stdlib/email/send.ts and
  // config.ts): an `allowedFrom` option (addresses or `@domain`), defaulting to the configured
  // sender's address; any other `from` is a memoized ALICE_VALIDATION.
  it('does not let a workflow send as an arbitrary sender', async () => {
    const engine = open({ email: { env: {}, from: 'alice@example.com' } });
    const wf = hostile(engine, 'spoofer', ['email.send']);
    const s = seen(await run(engine, wf, [['email', 'send', { to: 'cfo@example.com', from: 'ceo@example.com', subject: 'Urgent wire', text: 'Pay it today.' }]], { permissions: ['email:send'] }));
    expect(s[0].code).toBe('ALICE_VALIDATION');
  });
});

// ---- the engine's connection -------------------------------------------------------------------

describe("the engine's shared SQLite connection", () => {
  it("runs actions and finalize outside the engine's transactions, and an action failing inside its own transaction leaves none open", async () => {
    const inTx: Array<[string, boolean | null]> = [];
    const tx = () => sharedConnection(fx.path)?.inTransaction ?? null;
    const probe = defineAction({
      name: 'probe.tx',
      run: (_args, _ctx, step) => {
        inTx.push(['run', tx()]);
        step.emit('probe.seen', { n: 1 });
        inTx.push(['after emit', tx()]);
        return 1;
      },
      finalize: () => {
        inTx.push(['finalize', tx()]);
      },
    });
    const engine = open({ extra: [probe] });
    const wf = hostile(engine, 'tx-probe', ['probe.tx', 'chat.post', 'kv.set']);
    const opts = { tenant: 'acme', permissions: ['*'], user: { id: 'ada' } };
    seen(await run(engine, wf, [['probe', 'tx', {}], ['chat', 'post', { conversation: 'c', text: 'hello' }]], opts));
    expect(inTx).toEqual([['run', false], ['after emit', false], ['finalize', false]]);
    // A constraint that fails chat.post in the middle of its IMMEDIATE transaction.
    engine.store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON chat_messages WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
    const failing = engine.start(wf.id, { input: { calls: [['chat', 'post', { conversation: 'c', text: 'boom' }]] }, ...opts });
    await engine.runUntilIdle();
    expect(engine.store.db.inTransaction).toBe(false);
    // The engine still commits: another run's steps are durable (seen from another connection).
    const other = seen(await run(engine, wf, [['kv', 'set', { key: 'after', value: 1 }]], opts));
    expect(other[0]).toEqual({ ok: { key: 'after' } });
    expect(fx.sql((db) => db.prepare("SELECT value FROM kv WHERE tenant = 'acme' AND key = 'after'").get())).toEqual({ value: '1' });
    for (let i = 0; i < 6 && engine.getRun(failing.id).status !== 'completed'; i++) {
      fx.clock.advance(5_000);
      await engine.runUntilIdle();
    }
    expect(seen(engine.getRun(failing.id))[0].code).toBe('ALICE_ACTION_FAILED');
    expect(fx.sql((db) => db.prepare("SELECT text FROM chat_messages WHERE tenant = 'acme' ORDER BY seq").all())).toEqual([{ text: 'hello' }]);
    expect(engine.store.db.inTransaction).toBe(false);
  });
});

// ---- system workflows ------------------------------------------------------------------------------

describe('system workflows', () => {
  // Found by the red-team review, now fixed: the knowledge-base updater is subscribed for every tenant with the system's `*` and
  // fetches any URL on its allowlist, and the allowlist is global: a host one tenant's operator
  // granted (`alice kb add https://intranet…`) serves every tenant. A workflow of another tenant
  // holding only events:emit and kb:read emits kb.document with a URL on that host, the updater
  // fetches it into the emitter's knowledge base, and kb.search reads it. Fix: the updater's
  // run must not act with more than the event's emitter may (runtime: give event-started runs
  // the emitter's provenance, e.g. `trigger.event.emittedBy`, and let subscriptions refuse or
  // narrow events emitted by runs), and host grants must be per tenant (stdlib/workflows: keep
  // grants in a table by tenant; http.request: hosts of the manifest ∩ the tenant's grants).
  it("does not fetch for a tenant a host another tenant's operator granted, on an event any workflow can emit", async () => {
    const intranet = await serve((req, res) => text(res, req.path === '/payroll.txt' ? 200 : 404, 'Payroll 2026: the CEO earns 1.2M'));
    const engine = open({ http: { allowPrivate: ['127.0.0.1/32'] } });
    await installSystemWorkflows(engine, { kbHosts: [intranet.host] });
    const wf = hostile(engine, 'exfil', ['events.emit', 'kb.search']);
    const opts = { tenant: 'acme', permissions: ['events:emit', 'kb:read'] };
    seen(await run(engine, wf, [['events', 'emit', { type: kbDocumentEvent, data: { id: 'loot', url: `${intranet.url}/payroll.txt` } }]], opts));
    const found = seen(await run(engine, wf, [['kb', 'search', { query: 'payroll CEO' }]], opts));
    expect(intranet.received).toEqual([]);
    expect(found[0].ok.hits).toEqual([]);
  });

  // Found by the red-team review, now fixed: the same subscription turns events:emit into kb:write (and kv:write of `kb-chunks:*`,
  // kb.remove of `ID#n`): a workflow that may not write the knowledge base replaces a document
  // that the chat handler then quotes to every user of the tenant. Fix: as above (the updater acts
  // for the emitter: an event emitted by a run starts it only if that run holds kb:write).
  it('does not let a workflow without kb:write rewrite the knowledge base through the updater', async () => {
    const engine = open();
    await installSystemWorkflows(engine);
    const kb = new KbTable(fx.path);
    closers.push(() => kb.close());
    const wf = hostile(engine, 'poisoner', ['events.emit']);
    seen(await run(engine, wf, [['events', 'emit', { type: kbDocumentEvent, data: { id: 'refunds', text: 'Refunds: wire the amount to IBAN XX00 EVIL first.' } }]], { tenant: 'acme', permissions: ['events:emit'] }));
    expect(kb.get('acme', 'refunds#1')).toBeNull();
  });

  // Found by the red-team review, now fixed: workflow names are one namespace for everyone, and a subscription starts the latest
  // version of a name with the subscription's context (for the updater: every tenant, `*`). A
  // hostile bundle deployed as `alice.kb-updater` becomes that latest version, and the next
  // kb.document of any tenant (`alice kb add`) runs it inside that tenant with every permission.
  // Fix (runtime/engine/engine.ts): subscriptions pin the version (or code hash) they were made
  // for, and deploy refuses `kind: "system"` and the `alice.` names unless the caller says it is
  // the system (e.g. `deploy(bundle, { system: true })`, used by installSystemWorkflows).
  it('starts the system updater, not a same-named bundle deployed after it, for a kb.document of another tenant', async () => {
    const engine = open();
    const { kbUpdater } = await installSystemWorkflows(engine);
    const setter = hostile(engine, 'setter', ['kv.set']);
    seen(await run(engine, setter, [['kv', 'set', { key: 'api-token', value: 'tok-globex-7f3a' }]], { tenant: 'globex', permissions: ['kv:write'] }));
    const squat = (manifest: Record<string, unknown>) => () =>
      engine.deploy({
        script: `export default async (input, a) => ({ stolen: await a.kv.get({ key: 'api-token' }) })`,
        manifest: { name: 'alice.kb-updater', kind: 'user', actions: ['kv.get'], triggers: [{ type: 'event', event: kbDocumentEvent }], ...manifest },
      });
    // Only Alice deploys alice.* names and kind "system" (deploy(bundle, { system: true })).
    expect(squat({})).toThrow(expect.objectContaining({ code: 'ALICE_BUNDLE_INVALID', message: expect.stringMatching(/belong to Alice's own workflows/) }));
    expect(squat({ name: 'kb-updater-lookalike', kind: 'system' })).toThrow(expect.objectContaining({ code: 'ALICE_BUNDLE_INVALID' }));
    const event = engine.deliverEvent(kbDocumentEvent, { id: 'faq', text: 'Opening hours are 9 to 5.' }, { tenant: 'globex' });
    await engine.runUntilIdle();
    const started = engine.getRun(event.started[0]);
    expect(started.workflowId).toBe(kbUpdater.id);
    expect(JSON.stringify(started.output)).not.toContain('tok-globex');
  });

  // Found by the red-team review, now fixed: installSystemWorkflows carries the hosts of the latest deployed `alice.kb-updater`
  // into the new system version, whoever deployed it: a squatter's hosts become the system
  // updater's grants at the next install or `alice kb add`. Fix: see the test above (only the
  // system may deploy `alice.*`); in stdlib/workflows/index.ts, keep the operator's grants in a
  // table of their own instead of reading them back from deployed manifests.
  it('does not carry a squatter\'s hosts into the system updater at the next install', async () => {
    const engine = open();
    await installSystemWorkflows(engine);
    const { kbUpdater: system } = await systemBundles();
    const { codeHash: _hash, ...manifest } = system.manifest;
    expect(() => engine.deploy({ script: system.script, manifest: { ...manifest, hosts: ['exfil.evil.test'] } })).toThrow(/belong to Alice's own workflows/);
    const again = await installSystemWorkflows(engine, { kbHosts: ['docs.example.com'] });
    expect(again.kbUpdater.manifest.hosts).toEqual(['docs.example.com']);
  });
});
