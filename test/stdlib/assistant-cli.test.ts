import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../stdlib/llm/index.js';
import { root } from '../support/build.js';
import { cli, cliWorkspace, type CliResult } from '../support/cli.js';

// The assistant's commands (alice chat, kb, answer, questions, tenants) run from the BUILT CLI,
// as a user runs them, against a fake OpenAI-compatible server and a web server that this test
// process serves on 127.0.0.1. The children are spawned asynchronously: a synchronous spawn
// would block this process's event loop, and with it both servers.

const KEY = 'sk-alice-cli-7c2e41d9-NEVER-STORE-ME';

const ws = cliWorkspace('alice-assistant-cli-');

let fake: FakeLlm;
let web: { server: Server; url: string; requested: string[] };

const pages: Record<string, string> = {
  '/shipping.md': readFileSync(join(root, 'examples/assistant/shipping.md'), 'utf8'),
};

/** Rebuilds the system workflow bundles when a source is newer (ensureBuilt only runs tsc). */
function ensureBundles(): void {
  const sources = ['chat.ts', 'kb-updater.alice'].map((f) => statSync(join(root, 'stdlib/workflows/src', f)).mtimeMs);
  const bundles = ['alice.chat.json', 'alice.kb-updater.json'].map((f) => join(root, 'dist/stdlib/workflows/bundles', f));
  if (bundles.every((b) => existsSync(b) && statSync(b).mtimeMs >= Math.max(...sources))) return;
  const r = spawnSync(process.execPath, [join(root, 'dist/stdlib/workflows/build.js')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`building the system workflows failed:\n${r.stdout}${r.stderr}`);
}

beforeAll(async () => {
  ensureBundles();
  fake = await startFakeLlm({ key: KEY });
  const requested: string[] = [];
  const server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const page = pages[req.url ?? ''];
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/markdown; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  web = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requested };
}, 300_000);

afterAll(async () => {
  await fake?.close();
  if (web !== undefined) {
    web.server.closeAllConnections();
    await new Promise<void>((resolve) => web.server.close(() => resolve()));
  }
});

/** The environment of a child: the fake LLM, and 127.0.0.1 allowed to http.request. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ALICE_DEBUG: '',
    ALICE_LLM_BASE_URL: fake.url,
    ALICE_LLM_MODEL: 'fake-model',
    ALICE_LLM_API_KEY: KEY,
    ALICE_HTTP_ALLOW_PRIVATE: '127.0.0.1/32',
    ...extra,
  };
}

/** Runs `alice ARGS` in the workspace without blocking this process (its servers keep serving). */
function alice(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', cli, ...args], { cwd: ws.dir, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An error report: one line on stderr, starting with "alice: ", never a stack trace. */
function expectOneLineError(r: CliResult, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^alice: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Every byte of a store: the database, its WAL and its shared-memory index. */
function storeBytes(name: string): Buffer {
  const path = join(ws.dir, name);
  return Buffer.concat([path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

/** `count` paragraphs of 500 characters (two fit in a chunk, three do not), each naming its number, sharing no word with the examples. */
function handbook(count: number): string {
  return Array.from({ length: count }, (_, i) => `Section ${i + 1} covers topic${i + 1}. ${'Lorem ipsum dolor sit amet. '.repeat(17)}`.trim()).join('\n\n');
}

describe('alice kb and alice chat', () => {
  it('adds a file through the updater, printing its chunk counts; adding it again changes nothing', async () => {
    const returns = ws.write('returns.md', readFileSync(join(root, 'examples/assistant/returns.md')));
    const first = await alice(['kb', 'add', returns, '--title', 'Returns and refunds']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('returns.md: 1 chunk (1 added, 0 updated, 0 unchanged, 0 removed)\n');

    const again = await alice(['kb', 'add', returns, '--title', 'Returns and refunds']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('returns.md: 1 chunk (0 added, 0 updated, 1 unchanged, 0 removed)\n');

    const long = ws.write('handbook.txt', handbook(6));
    const chunked = await alice(['kb', 'add', long, '--json']);
    expect(chunked.code, chunked.stderr).toBe(0);
    expect(JSON.parse(chunked.stdout)).toMatchObject({ status: 'completed', output: { id: 'handbook.txt', chunks: 3, added: 3, unchanged: 0 } });
  });

  it('adds a URL document, fetched with http.request from the host the command grants', async () => {
    const url = `${web.url}/shipping.md`;
    const r = await alice(['kb', 'add', url, '--id', 'shipping', '--title', 'Shipping']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('shipping: 1 chunk (1 added, 0 updated, 0 unchanged, 0 removed)\n');
    expect(web.requested).toEqual(['/shipping.md']);
  });

  it('searches the knowledge base, as text and as JSON', async () => {
    const r = await alice(['kb', 'search', 'free shipping to Norway']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('shipping#1  Shipping');
    expect(r.stdout).toMatch(/^ {4}.*«Shipping» is «free»/m);
    expect(r.stdout.split('\n')[2]).toBe('returns.md#1  Returns and refunds');
    const json = await alice(['kb', 'search', 'return an item', '--json', '--limit', '2']);
    expect(json.code, json.stderr).toBe(0);
    const { hits } = JSON.parse(json.stdout) as { hits: Array<{ id: string; title: string }> };
    expect(hits[0]).toMatchObject({ id: 'returns.md#1', title: 'Returns and refunds' });
    const none = await alice(['kb', 'search', 'quantum chromodynamics']);
    expect(none.stdout).toBe('no matches\n');
  });

  it('answers a question with the LLM, printing the answer and the sources it cites', async () => {
    const before = fake.chatRequests().length;
    const r = await alice(['chat', 'Can I return an unused item?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Customers may return any item within 30 days of delivery for a full refund [1].\n\nSources:\n  returns.md#1  Returns and refunds\n');
    const sent = fake.chatRequests().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].authorization).toBe(`Bearer ${KEY}`);
    const last = (sent[0].body as { messages: Array<{ content: string }> }).messages.at(-1)?.content;
    expect(last).toMatch(/^Passages:\n\n\[1\] Returns and refunds\nCustomers may return any item/);
    expect(last).toMatch(/\n\nQuestion: Can I return an unused item\?$/);
  });

  it('prints {runId, status, output, error} with --json, and sends earlier turns of the conversation', async () => {
    // Only the shipping page names Switzerland (and "deliver" is not stemmed like "delivery").
    const r = await alice(['chat', 'Do you deliver to Switzerland?', '--json', '--conversation', 'cli-json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: string; status: string; output: { answer: string; sources: Array<{ id: string }> }; error: unknown };
    expect(out).toMatchObject({ status: 'completed', error: null, output: { sources: [{ id: 'shipping#1', title: 'Shipping' }] } });
    expect(out.output.answer).toBe('Orders placed before 2 pm on a business day ship the same day [1].');
    expect(out.runId).toMatch(/^[0-9a-f-]{36}$/);

    const next = await alice(['chat', 'And to Norway?', '--json', '--conversation', 'cli-json']);
    expect(next.code, next.stderr).toBe(0);
    const roles = (fake.chatRequests().at(-1)?.body as { messages: Array<{ role: string }> }).messages.map((m) => m.role);
    expect(roles).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it('never writes the API key into the store', async () => {
    expect(fake.chatRequests().length).toBeGreaterThan(0);
    expect(fake.chatRequests().every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
    const bytes = storeBytes('alice.db');
    expect(bytes.length).toBeGreaterThan(0);
    // The store does hold the conversation (so the search below can fail).
    expect(bytes.includes(Buffer.from('Can I return an unused item?'))).toBe(true);
    expect(bytes.includes(Buffer.from(KEY))).toBe(false);
  });

  it('removes a document and all its chunks; removing it again is exit 1', async () => {
    const r = await alice(['kb', 'remove', 'handbook.txt']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('removed handbook.txt (3 chunks)\n');
    expect((await alice(['kb', 'search', 'topic2'])).stdout).toBe('no matches\n');
    const again = await alice(['kb', 'remove', 'handbook.txt']);
    expect(again.code).toBe(1);
    expectOneLineError(again, /has no document "handbook\.txt"/);
    // Added again after removal, it is added afresh.
    const readd = await alice(['kb', 'add', join(ws.dir, 'handbook.txt')]);
    expect(readd.stdout).toBe('handbook.txt: 3 chunks (3 added, 0 updated, 0 unchanged, 0 removed)\n');
  });

  it('refuses a missing file, a file that is not UTF-8 and a bad URL with exit 2 and a clear message', async () => {
    const missing = await alice(['kb', 'add', 'nowhere.md']);
    expect(missing.code).toBe(2);
    expectOneLineError(missing, /kb add: cannot read nowhere\.md: no such file/);
    const binary = ws.write('latin1.txt', Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6c, 0xe9, 0xff]));
    const notUtf8 = await alice(['kb', 'add', binary]);
    expect(notUtf8.code).toBe(2);
    expectOneLineError(notUtf8, /latin1\.txt is not UTF-8 text/);
    const badUrl = await alice(['kb', 'add', 'http://exa mple.com/doc']);
    expect(badUrl.code).toBe(2);
    expectOneLineError(badUrl, /"http:\/\/exa mple\.com\/doc" is not a URL/);
  });

  it('fails a chat with exit 1 and ALICE_LLM_CONFIG naming the variables when no LLM is configured', async () => {
    const before = fake.requests.length;
    const r = await alice(['chat', 'Can I return an unused item?', '--conversation', 'unconfigured'], { ALICE_LLM_BASE_URL: '', ALICE_LLM_MODEL: '', ALICE_LLM_API_KEY: '' });
    expect(r.code).toBe(1);
    expectOneLineError(r, /ALICE_LLM_CONFIG/);
    for (const name of ['ALICE_LLM_BASE_URL', 'ALICE_LLM_MODEL', 'ALICE_LLM_API_KEY']) expect(r.stderr).toContain(name);
    expect(fake.requests.length).toBe(before);
  });
});

describe('alice tenants', () => {
  const store = ['--store', 'tenants.db'];

  it('lists, adds and removes tenants', async () => {
    expect((await alice(['tenants', ...store])).stdout).toBe('default\n');
    const added = await alice(['tenants', 'add', 'acme', '--name', 'Acme Corp', ...store]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('tenant acme registered\n');
    expect((await alice(['tenants', 'list', ...store])).stdout).toBe('default\nacme  Acme Corp\n');
    const bad = await alice(['tenants', 'add', 'bad id!', ...store]);
    expect(bad.code).toBe(2);

    // A registered tenant has its own knowledge base and chat.
    const doc = ws.write('acme-returns.md', readFileSync(join(root, 'examples/assistant/returns.md')));
    expect((await alice(['kb', 'add', doc, '--tenant', 'acme', ...store])).code).toBe(0);
    const acme = await alice(['chat', 'Can I return an unused item?', '--tenant', 'acme', ...store]);
    expect(acme.code, acme.stderr).toBe(0);
    expect(acme.stdout).toMatch(/Sources:\n {2}acme-returns\.md#1/);
    const other = await alice(['chat', 'Can I return an unused item?', ...store]);
    expect(other.stdout).toBe('You said: Can I return an unused item?\n');

    const removed = await alice(['tenants', 'remove', 'acme', ...store]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('tenant acme removed (its data stays)\n');
    expect((await alice(['tenants', ...store])).stdout).toBe('default\n');
    const again = await alice(['tenants', 'remove', 'acme', ...store]);
    expect(again.code).toBe(1);
    expectOneLineError(again, /tenant "acme" is not registered/);
  });

  it('fails a chat of an unregistered tenant with exit 1 and ALICE_UNKNOWN_TENANT, asking no LLM', async () => {
    const before = fake.requests.length;
    const r = await alice(['chat', 'hello', '--tenant', 'unknown', ...store]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /ALICE_UNKNOWN_TENANT: the run's tenant is not registered/);
    expect(fake.requests.length).toBe(before);
  });
});

describe('human.ask through the CLI', () => {
  const store = ['--store', 'human.db'];
  const workflow = `import { human, type Workflow } from "alice";

export const workflow = {
  name: "refund-approval",
  description: "Asks maria whether to refund.",
  triggers: [{ type: "manual" }],
} satisfies Workflow;

export default async function (input: { amount: number; customer: string }) {
  const r = await human.ask({
    question: \`Refund \${input.amount} EUR to \${input.customer}?\`,
    details: input,
    schema: { type: "object", properties: { approved: { type: "boolean" } }, required: ["approved"], additionalProperties: false },
    assignee: "maria",
  });
  const approved = (r.answer as { approved: boolean }).approved;
  return { approved, by: r.by };
}
`;

  it('suspends at the question, refuses the wrong person and bad data, takes the answer, and a worker finishes the run with who answered in the log', async () => {
    const source = ws.write('refund.ts', workflow);
    const started = await alice(['run', source, '--input', '{"amount":40,"customer":"Ada"}', ...store]);
    expect(started.code, started.stderr).toBe(3);
    const runId = /run ([0-9a-f-]{36})/.exec(started.stderr)?.[1] as string;
    expect(runId).toBeDefined();
    // The way in is `alice answer` (schema and assignee checked), not the event under it.
    expect(started.stderr).toContain(`answer it with \`alice answer ${runId} 1 --data JSON\``);
    expect(started.stderr).not.toContain('alice event');

    const open = await alice(['questions', ...store]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toBe(`${runId} 1  open (for maria)  Refund 40 EUR to Ada?\n`);

    const wrong = await alice(['answer', runId, '1', '--data', '{"approved":true}', '--user', 'mallory', ...store]);
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong, /is assigned to maria; mallory may not answer it/);
    const bad = await alice(['answer', runId, '1', '--data', '{"approved":"yes"}', '--user', 'maria', ...store]);
    expect(bad.code).toBe(1);
    expectOneLineError(bad, /the answer does not fit the question's schema: .*approved/);
    const notJson = await alice(['answer', runId, '1', '--data', '{approved}', '--user', 'maria', ...store]);
    expect(notJson.code).toBe(2);

    const ok = await alice(['answer', runId, '1', '--data', '{"approved":true}', '--user', 'maria', ...store]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`answered step 1 of run ${runId} as maria; run \`alice worker\` (or wait for yours) to resume it\n`);
    expect((await alice(['questions', ...store])).stderr).toBe('no open questions\n');

    // A worker resumes the woken run; stop it once the run completed.
    const worker = spawn(process.execPath, ['--no-node-snapshot', cli, 'worker', '--poll', '50ms', ...store], { cwd: ws.dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    worker.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not finish the run:\n${out}\n${err}`)), 30_000);
      worker.stdout.on('data', (d) => {
        out += d;
        if (new RegExp(`run ${runId} refund-approval@\\d+ \\w+ → completed`).test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }).catch((e: unknown) => {
      worker.kill('SIGKILL');
      throw e;
    });
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);

    const shown = JSON.parse((await alice(['show', runId, '--json', ...store])).stdout) as { run: { status: string; output: unknown } };
    expect(shown.run).toMatchObject({ status: 'completed', output: { approved: true, by: 'maria' } });
    const log = (await alice(['log', runId, '--json', ...store])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; step: number | null; data: unknown });
    const step = log.find((e) => e.kind === 'step' && e.step === 1);
    expect(JSON.stringify(step?.data)).toContain('"by":"maria"');
    const all = await alice(['questions', '--all', ...store]);
    expect(all.stdout).toBe(`${runId} 1  answered (for maria)  Refund 40 EUR to Ada?  → {"approved":true} by maria\n`);
    // An answer is final.
    const late = await alice(['answer', runId, '1', '--data', '{"approved":false}', '--user', 'maria', ...store]);
    expect(late.code).toBe(1);
    expectOneLineError(late, /already answered by maria; an answer is final/);
  }, 120_000);
});
