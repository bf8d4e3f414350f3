import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, RunInfo } from '../../runtime/index.js';
import { AddressPolicy, httpActions, type HttpOptions, type HttpResult } from '../../stdlib/http/index.js';
import { redirectTarget } from '../../stdlib/http/client.js';
import { sendHop } from '../../stdlib/http/hop.js';
import { anyTenant } from '../../stdlib/tenants.js';
import { assertFreshBuild, root } from '../support/build.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

// ---- test servers on 127.0.0.1 ---------------------------------------------------------------

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Received, res: ServerResponse, n: number) => void;

/** A real HTTP server on 127.0.0.1 that records every request it gets. */
interface TestServer {
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

// A self-signed certificate for localhost and 127.0.0.1 (valid until 2126), for the https tests.
const tls = { cert: readFileSync(join(root, 'test/fixtures/tls/cert.pem'), 'utf8'), key: readFileSync(join(root, 'test/fixtures/tls/key.pem'), 'utf8') };

async function serve(handler: Handler, secure = false): Promise<TestServer> {
  const received: Received[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      res.on('error', () => undefined);
      handler(r, res, received.length);
    });
  };
  const server: Server = secure ? createHttpsServer(tls, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const s: TestServer = {
    port,
    host: `127.0.0.1:${port}`,
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}

// ---- the engine and the workflow -------------------------------------------------------------

// One workflow drives the tests: it makes the calls in its input, in order, and reports for each
// the result or the caught ActionError's code and message, so tests read what the workflow saw.
// `reversedAuth` is turned into `auth` inside the workflow: the secret is then in the action's
// arguments only, never in the run's input, so the store must not hold it anywhere.
const script = `export default async (input, actions) => {
  const out = [];
  for (const call of input.calls) {
    const { reversedAuth, ...args } = call;
    if (reversedAuth !== undefined) args.auth = reversedAuth.split('').reverse().join('');
    try {
      out.push({ ok: await actions.http.request(args) });
    } catch (err) {
      out.push({ code: err.code, message: err.message });
    }
  }
  if (input.pause) await actions.sleep(input.pause);
  return out;
}`;

interface Seen {
  ok?: HttpResult;
  code?: string;
  message?: string;
}

let fx: StoreFixture;

beforeEach(() => {
  fx = newStoreFixture('alice-http-');
});

afterEach(async () => {
  await fx.cleanup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** For the test servers: only 127.0.0.1 is allowed besides the public internet. */
const local: HttpOptions = { allowPrivate: ['127.0.0.1/32'], retry: { maxAttempts: 3, initialDelay: '1s', backoff: 2, maxDelay: '10s' } };

function open(options: HttpOptions = local, engineOptions: { retention?: number | string } = {}): Engine {
  return fx.open(httpActions({ store: fx.path, tenants: anyTenant, now: () => fx.clock.now() }, options), engineOptions);
}

function deploy(engine: Engine, hosts: string[] | undefined): string {
  const manifest = { name: 'http-calls', kind: 'user' as const, actions: ['http.request'], ...(hosts === undefined ? {} : { hosts }) };
  return engine.deploy({ script, manifest }).id;
}

/** Starts a run and works it (moving the clock to each retry) until it is no longer waiting on one. */
async function start(engine: Engine, hosts: string[] | undefined, calls: unknown[], extra: { pause?: string; permissions?: string[] } = {}): Promise<RunInfo> {
  const run = engine.start(deploy(engine, hosts), { input: { calls, pause: extra.pause ?? null }, permissions: extra.permissions ?? ['http:request'] });
  await engine.runUntilIdle();
  for (let i = 0; i < 20; i++) {
    const info = engine.getRun(run.id);
    const retrying = engine.getJournal(run.id).some((s) => s.state === 'waiting' && s.action === 'http.request');
    if (info.status !== 'suspended' || !retrying || info.wakeAt === null) break;
    fx.clock.set(info.wakeAt);
    await engine.runUntilIdle();
  }
  return engine.getRun(run.id);
}

async function calls(engine: Engine, hosts: string[] | undefined, list: unknown[]): Promise<{ id: string; seen: Seen[] }> {
  const info = await start(engine, hosts, list);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return { id: info.id, seen: info.output as Seen[] };
}

function cacheRows(runId?: string): number {
  return fx.sql((db) => {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'http_cache'").get() !== undefined;
    if (!exists) return 0;
    const row = (runId === undefined ? db.prepare('SELECT count(*) AS n FROM http_cache').get() : db.prepare('SELECT count(*) AS n FROM http_cache WHERE run_id = ?').get(runId)) as { n: number };
    return row.n;
  });
}

// ---- tests -----------------------------------------------------------------------------------

describe('http.request: requests and responses', () => {
  it('GETs JSON and returns status, lower-case headers without Set-Cookie, the text body and the parsed json', async () => {
    const api = await serve((_req, res) => json(res, 200, { hello: 'wörld' }, { 'X-Request-Id': 'r-1', 'Set-Cookie': ['session=abc', 'b=2'] }));
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/greeting?lang=de#frag` }]);
    expect(seen[0].ok).toMatchObject({
      status: 200,
      statusText: 'OK',
      body: '{"hello":"wörld"}',
      json: { hello: 'wörld' },
      url: `${api.url}/greeting?lang=de`,
      redirects: [],
    });
    const headers = seen[0].ok!.headers;
    expect(headers['x-request-id']).toBe('r-1');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(headers).not.toHaveProperty('set-cookie');
    expect(api.received).toHaveLength(1);
    expect(api.received[0]).toMatchObject({ method: 'GET', path: '/greeting?lang=de', body: '' });
    expect(api.received[0].headers['user-agent']).toMatch(/^alice\/\d+\.\d+\.\d+/);
    expect(api.received[0].headers.host).toBe(api.host);
    expect(engine.getJournal(id)[0]).toMatchObject({ action: 'http.request', state: 'done', attempts: 1 });
  });

  it('POSTs a json body with Content-Type set, and PUTs a text body with the workflow\'s own headers', async () => {
    const api = await serve((req, res) => json(res, 201, { got: req.body, type: req.headers['content-type'] ?? null }));
    const engine = open();
    const { seen } = await calls(engine, [api.host], [
      { url: `${api.url}/orders`, method: 'POST', json: { sku: 'A1', qty: 2 } },
      { url: `${api.url}/notes/1`, method: 'PUT', body: 'plain text ✓', headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Trace': 't-9' } },
      { url: `${api.url}/orders/1`, method: 'DELETE' },
    ]);
    expect(seen.map((s) => s.ok?.status)).toEqual([201, 201, 201]);
    // The engine hands actions canonical JSON arguments: object keys arrive sorted.
    expect(seen[0].ok!.json).toEqual({ got: '{"qty":2,"sku":"A1"}', type: 'application/json' });
    expect(seen[1].ok!.json).toEqual({ got: 'plain text ✓', type: 'text/plain; charset=utf-8' });
    expect(api.received.map((r) => r.method)).toEqual(['POST', 'PUT', 'DELETE']);
    expect(api.received[0].headers['content-length']).toBe(String(Buffer.byteLength('{"qty":2,"sku":"A1"}')));
    expect(api.received[1].headers['x-trace']).toBe('t-9');
  });

  it("sends the step's idempotency key as Idempotency-Key, a different one per step", async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const engine = open();
    const { id } = await calls(engine, [api.host], [{ url: `${api.url}/a`, method: 'POST', body: 'x' }, { url: `${api.url}/b` }]);
    expect(api.received.map((r) => r.headers['idempotency-key'])).toEqual([`${id}:1`, `${id}:2`]);
    expect(engine.getJournal(id).map((s) => s.idempotencyKey)).toEqual([`${id}:1`, `${id}:2`]);
  });

  it('returns 4xx and 500 answers as data, once, without retrying them; a non-JSON body has json null', async () => {
    const api = await serve((req, res) => {
      if (req.path === '/missing') json(res, 404, { error: 'no such order' }, { 'Content-Type': 'application/problem+json' });
      else if (req.path === '/boom') {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{not json');
      }
    });
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/missing` }, { url: `${api.url}/boom`, method: 'POST', body: 'charge' }, { url: `${api.url}/bad-json` }]);
    expect(seen.map((s) => [s.ok?.status, s.ok?.json ?? null])).toEqual([[404, { error: 'no such order' }], [500, null], [200, null]]);
    expect(seen[1].ok!.body).toBe('internal error');
    expect(seen[2].ok!.body).toBe('{not json');
    expect(api.received).toHaveLength(3);
    expect(engine.getJournal(id).map((s) => s.attempts)).toEqual([1, 1, 1]);
  });

  it('sends HEAD without reading a body, and decodes a declared charset', async () => {
    const api = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=iso-8859-1', 'Content-Length': '4' });
      res.end(req.method === 'HEAD' ? undefined : Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });
    const engine = open();
    const { seen } = await calls(engine, [api.host], [{ url: `${api.url}/`, method: 'HEAD' }, { url: `${api.url}/` }]);
    expect(seen[0].ok).toMatchObject({ status: 200, body: '', json: null });
    expect(seen[0].ok!.headers['content-length']).toBe('4');
    expect(seen[1].ok!.body).toBe('café');
  });

  it('reaches a host by name through DNS (localhost) when its addresses are allowed, pinned to the checked address', async () => {
    const api = await serve((req, res) => json(res, 200, { host: req.headers.host }));
    const engine = open({ allowPrivate: ['127.0.0.0/8', '::1/128'] });
    const { seen } = await calls(engine, [`localhost:${api.port}`], [{ url: `http://localhost:${api.port}/` }]);
    expect(seen[0].ok).toMatchObject({ status: 200, json: { host: `localhost:${api.port}` } });
  });
});

describe('http.request: https', () => {
  it('speaks TLS to a host by name, verifying the certificate against that name while connecting to the pinned address', async () => {
    const api = await serve((req, res) => json(res, 200, { secure: true, auth: req.headers.authorization ?? null }), true);
    const engine = open({ ...local, ca: tls.cert });
    const { seen } = await calls(engine, [`localhost:${api.port}`, api.host], [
      { url: `https://localhost:${api.port}/me`, auth: 'Bearer tls' },
      { url: `${api.url}/by-ip` },
    ]);
    expect(seen[0].ok).toMatchObject({ status: 200, json: { secure: true, auth: 'Bearer tls' }, url: `https://localhost:${api.port}/me` });
    expect(seen[1].ok).toMatchObject({ status: 200 });
    expect(api.received.map((r) => r.headers.host)).toEqual([`localhost:${api.port}`, api.host]);
  });

  it('refuses a certificate it does not trust with ALICE_HTTP_TLS, without retrying', async () => {
    const api = await serve((_req, res) => json(res, 200, {}), true);
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/` }]);
    expect(seen[0].code).toBe('ALICE_HTTP_TLS');
    expect(seen[0].message).toContain('SELF_SIGNED');
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'error', attempts: 1 });
    expect(api.received).toHaveLength(0);
  });

  it('refuses a redirect from https to plain http with ALICE_HTTP_REDIRECT, even to an allowed host', async () => {
    const plain = await serve((_req, res) => json(res, 200, {}));
    const api = await serve((_req, res) => {
      res.writeHead(302, { Location: `${plain.url}/downgraded` });
      res.end();
    }, true);
    const engine = open({ ...local, ca: tls.cert });
    const { seen } = await calls(engine, [api.host, plain.host], [{ url: `${api.url}/start`, auth: 'Bearer tls' }]);
    expect(seen[0].code).toBe('ALICE_HTTP_REDIRECT');
    expect(seen[0].message).toContain('from https to plain http');
    expect(api.received).toHaveLength(1);
    expect(plain.received).toHaveLength(0);
  });
});

describe('http.request: where a workflow may go', () => {
  it("refuses a host that is not in the manifest's hosts with a memoized ALICE_HTTP_HOST_DENIED, and sends nothing", async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const other = await serve((_req, res) => json(res, 200, {}));
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${other.url}/` }, { url: 'https://example.com/' }]);
    expect(seen.map((s) => s.code)).toEqual(['ALICE_HTTP_HOST_DENIED', 'ALICE_HTTP_HOST_DENIED']);
    expect(seen[0].message).toContain(`host ${other.host} is not in the workflow's hosts`);
    expect(seen[0].message).toContain(`add "${other.host}" to the manifest's hosts`);
    expect(seen[1].message).toContain('example.com');
    expect(engine.getJournal(id).map((s) => [s.state, s.error?.code, s.attempts])).toEqual([
      ['error', 'ALICE_HTTP_HOST_DENIED', 1],
      ['error', 'ALICE_HTTP_HOST_DENIED', 1],
    ]);
    expect(other.received).toHaveLength(0);
    expect(api.received).toHaveLength(0);

    // A manifest without hosts reaches no host at all.
    const none = await calls(engine, undefined, [{ url: `${api.url}/` }]);
    expect(none.seen[0].code).toBe('ALICE_HTTP_HOST_DENIED');
    expect(none.seen[0].message).toContain('none declared');
    expect(api.received).toHaveLength(0);
  });

  it('refuses loopback addresses (literal, through DNS, IPv4-mapped IPv6) unless the configuration allows them', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const engine = open({});
    const hosts = [api.host, `localhost:${api.port}`, `[::ffff:7f00:1]:${api.port}`, `[::1]:${api.port}`];
    const { id, seen } = await calls(engine, hosts, [
      { url: `${api.url}/` },
      { url: `http://localhost:${api.port}/` },
      { url: `http://[::ffff:127.0.0.1]:${api.port}/` },
      { url: `http://[::1]:${api.port}/` },
    ]);
    expect(seen.map((s) => s.code)).toEqual(Array(4).fill('ALICE_HTTP_ADDRESS_DENIED'));
    expect(seen[0].message).toContain(`${api.host} is a loopback address`);
    expect(seen[0].message).toContain('allowPrivate');
    expect(seen[1].message).toContain('resolves to 127.0.0.1, which is a loopback address');
    expect(seen[2].message).toContain('loopback, inside an IPv6 address');
    expect(engine.getJournal(id).every((s) => s.attempts === 1)).toBe(true);
    expect(api.received).toHaveLength(0);
  });

  it('allows exactly the configured ranges: 127.0.0.1/32 does not let 127.0.0.2 through', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const engine = open();
    const { seen } = await calls(engine, [api.host, `127.0.0.2:${api.port}`], [{ url: `http://127.0.0.2:${api.port}/` }, { url: `${api.url}/` }]);
    expect(seen[0].code).toBe('ALICE_HTTP_ADDRESS_DENIED');
    expect(seen[1].ok?.status).toBe(200);
    expect(api.received).toHaveLength(1);
  });

  it('refuses a redirect to a host not in hosts: the first hop is sent, the second never', async () => {
    const target = await serve((_req, res) => json(res, 200, { reached: true }));
    const api = await serve((_req, res) => {
      res.writeHead(302, { Location: `${target.url}/elsewhere` });
      res.end();
    });
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/start`, auth: 'Bearer t' }]);
    expect(seen[0].code).toBe('ALICE_HTTP_HOST_DENIED');
    expect(seen[0].message).toContain(`a redirect from ${api.url} leads to ${target.url}`);
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'error', attempts: 1 });
    expect(api.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });

  it('re-checks the address of a redirect target: an allowed host at a refused address is not reached', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(307, { Location: `http://127.0.0.2:${api.port}/inside` });
      res.end();
    });
    const engine = open();
    const { seen } = await calls(engine, [api.host, `127.0.0.2:${api.port}`], [{ url: `${api.url}/start` }]);
    expect(seen[0].code).toBe('ALICE_HTTP_ADDRESS_DENIED');
    expect(seen[0].message).toContain('127.0.0.2');
    expect(api.received.map((r) => r.path)).toEqual(['/start']);
  });

  it('follows redirects within the allowed hosts: auth only to the first host, the key on every hop, 303 turns POST into GET', async () => {
    const target = await serve((req, res) => json(res, 200, { method: req.method, path: req.path }));
    const api = await serve((req, res) => {
      if (req.path === '/moved') res.writeHead(301, { Location: '/here' });
      else if (req.path === '/here') res.writeHead(303, { Location: `${target.url}/landing?x=1` });
      else res.writeHead(404);
      res.end();
    });
    const engine = open();
    const { id, seen } = await calls(engine, [api.host, target.host], [{ url: `${api.url}/moved`, method: 'POST', json: { a: 1 }, auth: 'Bearer hop-secret' }]);
    expect(seen[0].ok).toMatchObject({
      status: 200,
      json: { method: 'GET', path: '/landing?x=1' },
      url: `${target.url}/landing?x=1`,
      redirects: [`${api.url}/here`, `${target.url}/landing?x=1`],
    });
    // 301 after a POST becomes a GET without the body, as browsers and fetch do.
    expect(api.received.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/moved', '{"a":1}'], ['GET', '/here', '']]);
    expect(api.received.map((r) => r.headers.authorization)).toEqual(['Bearer hop-secret', 'Bearer hop-secret']);
    expect(target.received[0].headers.authorization).toBeUndefined();
    expect(target.received[0].headers['content-type']).toBeUndefined();
    expect([...api.received, ...target.received].map((r) => r.headers['idempotency-key'])).toEqual(Array(3).fill(`${id}:1`));
  });

  it('keeps method and body on 307, returns a 3xx as is with redirect: "manual", and refuses a sixth redirect', async () => {
    const api = await serve((req, res) => {
      const m = /^\/loop\/(\d+)$/.exec(req.path);
      if (req.path === '/temp') res.writeHead(307, { Location: '/echo' });
      else if (req.path === '/echo') res.writeHead(200, { 'Content-Type': 'text/plain' });
      else if (m !== null) res.writeHead(302, { Location: `/loop/${Number(m[1]) + 1}` });
      res.end(req.path === '/echo' ? `${req.method} ${req.body}` : undefined);
    });
    const engine = open();
    const { seen } = await calls(engine, [api.host], [
      { url: `${api.url}/temp`, method: 'PUT', body: 'keep me' },
      { url: `${api.url}/temp`, redirect: 'manual' },
      { url: `${api.url}/loop/0` },
    ]);
    expect(seen[0].ok).toMatchObject({ status: 200, body: 'PUT keep me', redirects: [`${api.url}/echo`] });
    expect(seen[1].ok).toMatchObject({ status: 307, redirects: [], url: `${api.url}/temp` });
    expect(seen[1].ok!.headers.location).toBe('/echo');
    expect(seen[2].code).toBe('ALICE_HTTP_REDIRECT');
    expect(seen[2].message).toContain('more than 5 redirects');
    expect(api.received.filter((r) => r.path.startsWith('/loop/')).map((r) => r.path)).toEqual(['/loop/0', '/loop/1', '/loop/2', '/loop/3', '/loop/4', '/loop/5']);
  });

  it('connects to the checked addresses only: the name is never looked up again (no DNS rebinding)', async () => {
    const api = await serve((req, res) => json(res, 200, { host: req.headers.host }));
    // `.invalid` never resolves (RFC 2606): the request can only have gone to the pinned address.
    const res = await sendHop({
      url: new URL(`http://pinned.invalid:${api.port}/`),
      method: 'GET',
      headers: {},
      body: null,
      addresses: [{ address: '127.0.0.1', family: 4 }],
      signal: new AbortController().signal,
      connectTimeoutMs: 5000,
      ca: null,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse((await res.read(1000)).toString())).toEqual({ host: `pinned.invalid:${api.port}` });
  });

  it('refuses redirects from https to http, to other schemes, and to URLs with credentials', () => {
    const from = new URL('https://api.example.com/a');
    const refused = (location: string) => {
      try {
        redirectTarget(from, location, 0);
        return null;
      } catch (err) {
        return (err as { code?: string; message: string }).code;
      }
    };
    expect(refused('http://api.example.com/b')).toBe('ALICE_HTTP_REDIRECT');
    expect(refused('ftp://api.example.com/b')).toBe('ALICE_HTTP_REDIRECT');
    expect(refused('https://user:pw@api.example.com/b')).toBe('ALICE_HTTP_REDIRECT');
    expect(refused('https://[::1')).toBe('ALICE_HTTP_REDIRECT');
    expect(refused('/b#frag')).toBeNull();
    expect(redirectTarget(from, '/b#frag', 0).href).toBe('https://api.example.com/b');
    expect(redirectTarget(new URL('http://a.example/'), 'https://a.example/x', 4).href).toBe('https://a.example/x');
    expect(() => redirectTarget(from, '/b', 5)).toThrow(/more than 5 redirects/);
  });

  it('classifies addresses: private, loopback, link-local, unique-local, CGNAT, multicast, unspecified and wrapped IPv4 are refused; public ones pass', () => {
    const policy = new AddressPolicy();
    const cases: Array<[string, string | null]> = [
      ['8.8.8.8', null],
      ['93.184.216.34', null],
      ['2606:4700::1111', null],
      ['::ffff:8.8.8.8', null],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', null],
      ['192.168.1.1', 'private'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'carrier-grade NAT (CGNAT)'],
      ['100.128.0.1', null],
      ['224.0.0.1', 'multicast'],
      ['0.0.0.0', 'unspecified ("this network")'],
      ['255.255.255.255', 'reserved'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['fe80::1%eth0', 'link-local'],
      ['fd00::1', 'unique-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback, inside an IPv6 address'],
      ['::ffff:7f00:1', 'loopback, inside an IPv6 address'],
      ['::ffff:169.254.169.254', 'link-local, inside an IPv6 address'],
      ['64:ff9b::a00:1', 'private, inside an IPv6 address'],
      ['2002:c0a8:101::1', 'private, inside an IPv6 address'],
      ['not-an-ip', 'not an IP address'],
    ];
    expect(cases.map(([a]) => [a, policy.check(a)])).toEqual(cases);

    const some = new AddressPolicy(['10.20.0.0/16', '::1']);
    expect([some.check('10.20.3.4'), some.check('10.21.0.1'), some.check('::1'), some.check('::ffff:10.20.0.9'), some.check('8.8.8.8')]).toEqual([
      null,
      'private',
      null,
      null,
      null,
    ]);
    expect(new AddressPolicy(true).check('127.0.0.1')).toBeNull();
    expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow(/allowPrivate\[0\].*prefix length/);
    expect(() => new AddressPolicy(['intranet'])).toThrow(/allowPrivate\[0\].*not an IP address/);
    expect(() => httpActions({ store: fx.path, tenants: anyTenant, now: Date.now }, { maxTimeout: 'soon' })).toThrow(/maxTimeout/);
  });
});

describe('http.request: limits and faults', () => {
  it('refuses a body over maxBytes with a memoized ALICE_HTTP_TOO_LARGE, declared or streamed', async () => {
    const api = await serve((req, res) => {
      if (req.path === '/declared') {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2000' });
        res.end('x'.repeat(2000));
        return;
      }
      // No Content-Length: chunks keep coming until the client hangs up.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let sent = 0;
      const more = () => {
        while (sent < 1_000_000 && res.write('y'.repeat(4096))) sent += 4096;
        if (sent < 1_000_000) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const engine = open({ ...local, maxBytes: 100_000 });
    const { id, seen } = await calls(engine, [api.host], [
      { url: `${api.url}/declared`, maxBytes: 1000 },
      { url: `${api.url}/streamed`, maxBytes: 5000 },
      { url: `${api.url}/declared`, maxBytes: 2000 },
    ]);
    expect(seen.map((s) => s.code ?? s.ok?.status)).toEqual(['ALICE_HTTP_TOO_LARGE', 'ALICE_HTTP_TOO_LARGE', 200]);
    expect(seen[0].message).toContain('2000 bytes (Content-Length), over the 1000-byte limit');
    expect(seen[1].message).toContain('over the 5000-byte limit');
    expect(engine.getJournal(id).map((s) => s.attempts)).toEqual([1, 1, 1]);
  });

  it('retries a call that times out, with the same Idempotency-Key, then memoizes ALICE_HTTP_UNAVAILABLE', async () => {
    // Answers nothing: every request hangs until the client gives up.
    const api = await serve(() => undefined);
    const engine = open();
    const info = await start(engine, [api.host], [{ url: `${api.url}/slow`, method: 'POST', body: 'order', timeout: 150 }], { pause: '1h' });
    expect(info.status).toBe('suspended');
    expect(info.output).toBeNull();
    const step = engine.getJournal(info.id)[0];
    expect(step).toMatchObject({ state: 'error', attempts: 3, error: { code: 'ALICE_HTTP_UNAVAILABLE' } });
    expect(step.error!.message).toContain('no complete answer within 150 ms (after 3 attempts)');
    expect(api.received.map((r) => r.headers['idempotency-key'])).toEqual(Array(3).fill(`${info.id}:1`));
    expect(engine.getLog(info.id).filter((e) => e.kind === 'retry')).toHaveLength(2);

    // Memoized: the re-run after the sleep replays the error and sends nothing.
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const done = engine.getRun(info.id);
    expect(done.status).toBe('completed');
    expect((done.output as Seen[])[0].code).toBe('ALICE_HTTP_UNAVAILABLE');
    expect(api.received).toHaveLength(3);
  });

  it('retries 503 answers and returns the 200 that follows; the workflow sees only the 200', async () => {
    const api = await serve((_req, res, n) => (n <= 2 ? json(res, 503, { busy: true }) : json(res, 200, { ok: n })));
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/flaky` }]);
    expect(seen[0].ok).toMatchObject({ status: 200, json: { ok: 3 } });
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'done', attempts: 3 });
    const attempts = engine.getLog(id).filter((e) => e.kind === 'attempt');
    expect(attempts.map((e) => (e.data as { error: { code: string } }).error.code)).toEqual(['ALICE_HTTP_UNAVAILABLE', 'ALICE_HTTP_UNAVAILABLE']);
    expect(api.received.map((r) => r.headers['idempotency-key'])).toEqual(Array(3).fill(`${id}:1`));
  });

  it('retries a refused connection and memoizes ALICE_HTTP_UNAVAILABLE after the last attempt', async () => {
    const gone = await serve(() => undefined);
    await gone.close();
    const engine = open();
    const { id, seen } = await calls(engine, [gone.host], [{ url: `${gone.url}/` }]);
    expect(seen[0].code).toBe('ALICE_HTTP_UNAVAILABLE');
    expect(seen[0].message).toContain('ECONNREFUSED');
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'error', attempts: 3 });
  });

  it('memoizes schema and argument violations as ALICE_VALIDATION, sends nothing, and replays them', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const engine = open();
    const u = `${api.url}/x`;
    const bad: Array<[unknown, RegExp]> = [
      [{}, /url/],
      [{ url: u, verb: 'GET' }, /verb/],
      [{ url: u, method: 'TRACE' }, /method/],
      [{ url: u, headers: { Host: 'evil.example' } }, /header Host cannot be set/],
      [{ url: u, headers: { 'Content-Length': '1' } }, /Content-Length/],
      [{ url: u, headers: { 'idempotency-key': 'mine' } }, /idempotency-key cannot be set/],
      [{ url: u, headers: { Connection: 'close' } }, /belongs to the connection/],
      [{ url: u, headers: { Authorization: 'Bearer x' } }, /as `auth`/],
      [{ url: u, headers: { 'X-A': 'a\r\nInjected: 1' } }, /not allowed in a header value/],
      [{ url: u, headers: { 'Bad Name': 'x' } }, /not a valid HTTP token/],
      [{ url: u, headers: { 'X-A': 1 } }, /headers/],
      [{ url: u, method: 'POST', body: 'a', json: {} }, /not both/],
      [{ url: 'ftp://127.0.0.1/file' }, /scheme ftp: is not supported/],
      [{ url: 'not a url' }, /not an absolute URL/],
      [{ url: `http://user:pw@${api.host}/` }, /credentials/],
      [{ url: u, timeout: 10 * 60_000 }, /timeout/],
      [{ url: u, timeout: '10m' }, /timeout must be more than 0 and at most 120000 ms/],
      [{ url: u, timeout: 'soon' }, /timeout/],
      [{ url: u, maxBytes: 10_000_000 }, /maxBytes/],
      [{ url: u, redirect: 'error' }, /redirect/],
    ];
    const info = await start(engine, [api.host], bad.map(([args]) => args), { pause: '1h' });
    expect(info.status).toBe('suspended');
    const before = engine.getJournal(info.id).filter((s) => s.action === 'http.request');
    expect(before.map((s) => [s.state, s.error?.code, s.attempts])).toEqual(bad.map(() => ['error', 'ALICE_VALIDATION', 1]));
    for (const [i, [, message]] of bad.entries()) expect(before[i].error!.message).toMatch(message);
    expect(api.received).toHaveLength(0);

    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const done = engine.getRun(info.id);
    expect(done.status).toBe('completed');
    expect((done.output as Seen[]).map((s) => s.code)).toEqual(bad.map(() => 'ALICE_VALIDATION'));
    expect(engine.getJournal(info.id).filter((s) => s.action === 'http.request')).toEqual(before);
    expect(api.received).toHaveLength(0);
  });

  it('refuses a run without the http:request permission, with a memoized ALICE_UNAUTHORIZED', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const engine = open();
    const info = await start(engine, [api.host], [{ url: `${api.url}/` }], { permissions: ['kv:*'] });
    expect((info.output as Seen[])[0].code).toBe('ALICE_UNAUTHORIZED');
    expect((info.output as Seen[])[0].message).toContain('http:request');
    expect(api.received).toHaveLength(0);
  });
});

describe('http.request: secrets, the response cache and finalize', () => {
  it('sends auth as Authorization but keeps it out of the log, the journal and every byte of the store', async () => {
    const secret = 'Bearer sk-live-7f3c9a1e-never-stored';
    const api = await serve((req, res) => json(res, 200, { authorized: req.headers.authorization === secret }));
    const engine = open();
    const { id, seen } = await calls(engine, [api.host], [{ url: `${api.url}/me`, reversedAuth: secret.split('').reverse().join('') }]);
    expect(seen[0].ok!.json).toEqual({ authorized: true });
    expect(api.received[0].headers.authorization).toBe(secret);
    expect(engine.getJournal(id)[0].args).toEqual({ url: `${api.url}/me`, auth: '[secret]' });
    const log = engine.exportLog(id);
    expect(log).toContain('[secret]');
    expect(log).not.toContain('sk-live');
    expect(JSON.stringify(engine.getJournal(id))).not.toContain('sk-live');
    expect(fx.bytes().includes(Buffer.from('sk-live'))).toBe(false);
  });

  it('keeps the response by idempotency key until finalize, which runs once and deletes only its run\'s rows; retention then purges the journal', async () => {
    const api = await serve((_req, res, n) => json(res, 200, { n }));
    const engine = open(local, { retention: '1d' });
    const first = await start(engine, [api.host], [{ url: `${api.url}/a` }, { url: `${api.url}/b` }], { pause: '1h' });
    const second = await start(engine, [api.host], [{ url: `${api.url}/c` }], { pause: '3h' });
    expect([first.status, second.status]).toEqual(['suspended', 'suspended']);
    expect([cacheRows(first.id), cacheRows(second.id)]).toEqual([2, 1]);
    const keys = fx.sql((db) => db.prepare('SELECT idempotency_key AS k FROM http_cache WHERE run_id = ? ORDER BY k').all(first.id));
    expect(keys).toEqual([{ k: `${first.id}:1` }, { k: `${first.id}:2` }]);

    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(first.id)).toMatchObject({ status: 'completed', finalizedAt: fx.clock.now() });
    expect([cacheRows(first.id), cacheRows(second.id)]).toEqual([0, 1]);
    const finalizes = engine.getLog(first.id).filter((e) => e.kind === 'finalize');
    expect(finalizes.map((e) => e.data)).toEqual([expect.objectContaining({ action: 'http.request', ok: true })]);
    expect(api.received).toHaveLength(3);

    fx.clock.advance('23h');
    await engine.runUntilIdle();
    expect(engine.getJournal(first.id)).toHaveLength(3);
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getJournal(first.id)).toHaveLength(0);
    expect(engine.getRun(first.id).output).toEqual([{ ok: expect.objectContaining({ json: { n: 1 } }) }, { ok: expect.objectContaining({ json: { n: 2 } }) }]);
    // Once more, and finalize is not called again.
    expect(engine.getLog(first.id).filter((e) => e.kind === 'finalize')).toHaveLength(1);
    expect(cacheRows(second.id)).toBe(0); // the second run finished (3 h) and was finalized too
  });

  it('answers a step re-executed after a crash from the cache, without a second request', async () => {
    assertFreshStdlibBuild();
    const api = await serve((_req, res, n) => json(res, 200, { answer: n }));
    const before = open();
    const run = before.start(deploy(before, [api.host]), { input: { calls: [{ url: `${api.url}/charge`, method: 'POST', json: { cents: 500 } }], pause: null }, permissions: ['http:request'] });
    await before.close();

    // A worker takes the run, gets the answer, and is killed before the step is journaled.
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-node-snapshot', join(root, 'test/fixtures/http-crash-worker.mjs'), fx.path, String(fx.clock.now())], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code, signal) => resolve({ code, signal, output }));
    });
    expect(exit, exit.output).toMatchObject({ signal: 'SIGKILL' });
    expect(api.received).toHaveLength(1);
    expect(cacheRows(run.id)).toBe(1);

    // The next engine re-runs the workflow: step 1 is not in the journal, so it executes again,
    // with the same key, and the response comes from the cache.
    const after = open();
    fx.clock.advance('1m');
    await after.runUntilIdle();
    const info = after.getRun(run.id);
    expect(info.status).toBe('completed');
    expect((info.output as Seen[])[0].ok).toMatchObject({ status: 200, json: { answer: 1 } });
    expect(api.received).toHaveLength(1);
    expect(after.getJournal(run.id)[0]).toMatchObject({ state: 'done', idempotencyKey: `${run.id}:1` });
    expect(cacheRows(run.id)).toBe(0); // finalized
  });
});

/** The crash worker imports dist/: refuse a stale build of the http family rather than test old code. */
function assertFreshStdlibBuild(): void {
  assertFreshBuild('the http crash test');
  const stale: string[] = [];
  for (const dir of ['stdlib', 'stdlib/http']) {
    for (const name of readdirSync(join(root, dir))) {
      if (!name.endsWith('.ts')) continue;
      const built = join(root, 'dist', dir, name.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, dir, name)).mtimeMs) stale.push(`${dir}/${name}`);
    }
  }
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\` so the http crash test runs the current code.`);
}

