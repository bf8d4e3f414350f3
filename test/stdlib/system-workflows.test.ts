import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { checkFiles } from '../../compiler/check.js';
import type { Engine, RunInfo, WorkflowVersion } from '../../runtime/index.js';
import { KbTable, standardActions } from '../../stdlib/index.js';
import { startFakeLlm, type FakeLlm } from '../../stdlib/llm/index.js';
import { compileSystemWorkflows, installSystemWorkflows, kbDocumentEvent, systemBundleDir, systemSourceDir, systemWorkflows } from '../../stdlib/workflows/index.js';
import { root } from '../support/build.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

// The system workflows (stdlib/workflows/src) run as anyone's workflow does: compiled bundles,
// a real SQLite store, the real isolated-vm engine, the real standard actions, the fake
// OpenAI-compatible server driven by the openai client, and a real HTTP server on 127.0.0.1
// for documents given by URL.

const KEY = 'sk-alice-sysflows-3e9d1b7a-NEVER-STORE-ME';

// ---- a web server for URL documents ----------------------------------------------------------

interface Site {
  readonly host: string;
  readonly url: string;
  /** Paths requested, in order. */
  readonly requested: string[];
  close(): Promise<void>;
}

async function site(pages: Record<string, string>): Promise<Site> {
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const page = pages[req.url ?? ''];
    res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requested,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- the engine ------------------------------------------------------------------------------

let fx: StoreFixture;
let fake: FakeLlm;
let engine: Engine;
let kb: KbTable;
let sites: Site[];

beforeEach(async () => {
  fx = newStoreFixture('alice-sysflows-');
  fake = await startFakeLlm();
  sites = [];
  engine = fx.open(
    standardActions({ store: fx.path, clock: fx.clock, llm: { baseURL: fake.url, model: 'fake-model', apiKey: KEY }, http: { allowPrivate: ['127.0.0.1/32'] } }),
    { retention: '1d' },
  );
  kb = new KbTable(fx.path);
});

afterEach(async () => {
  kb.close();
  await fx.cleanup();
  await fake.close();
  await Promise.all(sites.map((s) => s.close()));
});

interface UpdaterOutput {
  id: string;
  chunks: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
}

interface ChatOutput {
  conversation: string;
  seq: number;
  answer: string;
  sources: Array<{ id: string; title: string }>;
}

/** Delivers a kb.document event and works the updater run it starts to its end. */
async function deliver(doc: { id: string; title?: string; text?: string; url?: string }, tenant = 'default'): Promise<RunInfo> {
  const event = engine.deliverEvent(kbDocumentEvent, doc, { tenant });
  expect(event.refused).toEqual([]);
  expect(event.started).toHaveLength(1);
  await engine.runUntilIdle();
  return engine.getRun(event.started[0]);
}

async function addDocument(doc: { id: string; title?: string; text?: string; url?: string }, tenant = 'default'): Promise<UpdaterOutput> {
  const info = await deliver(doc, tenant);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return info.output as UpdaterOutput;
}

function startChat(chat: WorkflowVersion, text: string, options: { conversation?: string; user?: string; tenant?: string } = {}): string {
  return engine.start(chat.id, { input: { conversation: options.conversation ?? 'c1', text }, user: { id: options.user ?? 'ada' }, tenant: options.tenant }).id;
}

async function ask(chat: WorkflowVersion, text: string, options: { conversation?: string; user?: string; tenant?: string } = {}): Promise<ChatOutput> {
  const id = startChat(chat, text, options);
  await engine.runUntilIdle();
  const info = engine.getRun(id);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return info.output as ChatOutput;
}

interface MessageRow {
  seq: number;
  role: string;
  author: string;
  text: string;
  sources: string | null;
}

function messages(conversation: string, tenant = 'default'): MessageRow[] {
  return fx.sql((db) => db.prepare('SELECT seq, role, author, text, sources FROM chat_messages WHERE tenant = ? AND conversation = ? ORDER BY seq').all(tenant, conversation) as MessageRow[]);
}

function chunkRows(tenant: string, document: string): Array<{ id: string; text: string; updated_at: number }> {
  return fx.sql((db) =>
    db.prepare("SELECT id, text, updated_at FROM kb_documents WHERE tenant = ? AND id LIKE ? || '#%' ORDER BY CAST(substr(id, length(?) + 2) AS INTEGER)").all(tenant, document, document) as Array<{ id: string; text: string; updated_at: number }>,
  );
}

/** The user message the chat workflow sent last to the model. */
function lastPrompt(): { messages: Array<{ role: string; content: string }> } {
  const requests = fake.chatRequests();
  expect(requests.length).toBeGreaterThan(0);
  return requests[requests.length - 1].body as { messages: Array<{ role: string; content: string }> };
}

const returns = [
  'Customers may return any item within 30 days of delivery for a full refund. The item must be unused and in its original packaging.',
  'Refunds are paid to the original payment method within 5 business days after the item arrives at our warehouse.',
].join('\n\n');
// "Returning" is found by a search for "return" (the index stems words), but shares no word
// with a question about returns: the fake model cites only the passages sharing words with it.
const shipping = 'Standard shipping takes 3 to 5 business days. Returning customers get free express shipping.';

/** `count` paragraphs of exactly `size` characters, each naming its number. */
function paragraphs(count: number, size: number, word = 'filler'): string[] {
  return Array.from({ length: count }, (_, i) => `Paragraph ${i + 1} about ${word}${i + 1}. `.padEnd(size, ' lorem ipsum').slice(0, size).trimEnd().padEnd(size, '.'));
}

// ---- the bundles -----------------------------------------------------------------------------

describe('the system workflow bundles', () => {
  it('are built from the current sources: the bundles in dist have the code hash of a fresh compile', async () => {
    const fresh = await compileSystemWorkflows();
    for (const [key, wf] of Object.entries(systemWorkflows) as Array<[keyof typeof systemWorkflows, (typeof systemWorkflows)[keyof typeof systemWorkflows]]>) {
      const file = join(systemBundleDir(), `${wf.name}.json`);
      const source = relative(root, join(systemSourceDir(), wf.source));
      if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing: the system workflows are prebuilt by \`npm run build\`; run it`);
      const built = JSON.parse(readFileSync(file, 'utf8')) as { script: string; manifest: { name: string; codeHash: string } };
      expect(fresh[key].manifest.codeHash, `${relative(root, file)} is older than ${source}: run \`npm run build\` so the built bundle is the current source`).toBe(built.manifest.codeHash);
      expect(built.manifest.name).toBe(wf.name);
      expect(built.script).toBe(fresh[key].script);
    }
    // Compiling twice gives the same bundles (no time stamps, paths or random ids in them).
    const again = await compileSystemWorkflows();
    expect(again.chat.manifest.codeHash).toBe(fresh.chat.manifest.codeHash);
    expect(again.kbUpdater.manifest.codeHash).toBe(fresh.kbUpdater.manifest.codeHash);
  }, 60_000);

  it('pass the checkers (types and purity rules) with no diagnostics at all, warnings included', () => {
    const catalog = catalogOf(standardActions({ store: ':memory:', tenants: 'any' }));
    const files = Object.values(systemWorkflows).map((wf) => join(systemSourceDir(), wf.source));
    const { diagnostics, files: checked } = checkFiles(files, { catalog });
    expect(checked).toBe(2);
    expect(diagnostics).toEqual([]);
  }, 60_000);

  it('install as system workflows, subscribe the updater for every tenant, and reinstall as a no-op', async () => {
    const first = await installSystemWorkflows(engine);
    expect(first.chat).toMatchObject({ name: 'alice.chat', version: 1, manifest: { kind: 'system' } });
    expect(first.kbUpdater).toMatchObject({ name: 'alice.kb-updater', version: 1, manifest: { kind: 'system' } });
    const again = await installSystemWorkflows(engine);
    expect(again.chat.id).toBe(first.chat.id);
    expect(again.kbUpdater.id).toBe(first.kbUpdater.id);
    expect(engine.listSubscriptions().filter((s) => s.workflow === 'alice.kb-updater')).toEqual([expect.objectContaining({ tenant: '*' })]);
  });
});

// ---- the chat handler ------------------------------------------------------------------------

describe('the chat handler (alice.chat)', () => {
  it('answers from the knowledge base citing the right passage, posts the question first and the answer with its sources', async () => {
    const { chat } = await installSystemWorkflows(engine);
    await addDocument({ id: 'returns', title: 'Returns and refunds', text: returns });
    kb.add('default', { id: 'shipping', title: 'Shipping times', text: shipping }, fx.clock.now());

    const question = 'How long do I have to return an unused item?';
    const out = await ask(chat, question);
    expect(out.answer).toBe('Customers may return any item within 30 days of delivery for a full refund [1].');
    expect(out.sources).toEqual([{ id: 'returns#1', title: 'Returns and refunds' }]);

    // The prompt numbers the passages found (both documents match "return"), titled, and ends
    // with the question; the answer cites only the one it used.
    const prompt = lastPrompt();
    expect(prompt.messages[0].role).toBe('system');
    const user = prompt.messages[prompt.messages.length - 1];
    expect(user.role).toBe('user');
    expect(user.content).toBe(`Passages:\n\n[1] Returns and refunds\n${returns}\n\n[2] Shipping times\n${shipping}\n\nQuestion: ${question}`);
    expect(prompt.messages).toHaveLength(2);
    expect(fake.chatRequests()[0].authorization).toBe(`Bearer ${KEY}`);

    // The conversation: the user's message first, then the answer with the sources it cites.
    expect(messages('c1')).toEqual([
      { seq: 1, role: 'user', author: 'ada', text: question, sources: null },
      { seq: 2, role: 'assistant', author: 'alice.chat', text: out.answer, sources: JSON.stringify([{ id: 'returns#1', title: 'Returns and refunds' }]) },
    ]);
    expect(out.seq).toBe(2);
  });

  it('cites only the passages the answer names, when several are found', async () => {
    const { chat } = await installSystemWorkflows(engine);
    kb.add('default', { id: 'shipping', title: 'Shipping times', text: shipping }, fx.clock.now());
    kb.add('default', { id: 'returns', title: 'Returns', text: returns }, fx.clock.now());
    fake.respond((req) => {
      const last = req.messages[req.messages.length - 1].content;
      // Whichever number the shipping passage got, the answer cites that one only.
      const n = /\[(\d)\] Shipping times/.exec(last)?.[1];
      return `Express shipping arrives the next business day [${n}].`;
    });
    const out = await ask(chat, 'How fast is express shipping, and can I return it?');
    expect(lastPrompt().messages.at(-1)?.content).toMatch(/\[1\][\s\S]*\[2\]/);
    expect(out.sources).toEqual([{ id: 'shipping', title: 'Shipping times' }]);
    expect(JSON.parse(messages('c1')[1].sources as string)).toEqual([{ id: 'shipping', title: 'Shipping times' }]);
  });

  it('sends the earlier turns of the conversation with a second question', async () => {
    const { chat } = await installSystemWorkflows(engine);
    await addDocument({ id: 'returns', title: 'Returns and refunds', text: returns });
    const first = await ask(chat, 'How many days do customers have to return an item?');
    const second = await ask(chat, 'When are refunds paid?');
    expect(second.answer).toContain('[1]');

    const prompt = lastPrompt();
    expect(prompt.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(prompt.messages[1].content).toBe('How many days do customers have to return an item?');
    expect(prompt.messages[2].content).toBe(first.answer);
    expect(prompt.messages[3].content).toMatch(/Question: When are refunds paid\?$/);
    expect(messages('c1').map((m) => [m.seq, m.role])).toEqual([[1, 'user'], [2, 'assistant'], [3, 'user'], [4, 'assistant']]);

    // Another conversation of the same user starts afresh.
    await ask(chat, 'When are refunds paid?', { conversation: 'c2' });
    expect(lastPrompt().messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('still answers when no passage matches, with no sources', async () => {
    const { chat } = await installSystemWorkflows(engine);
    await addDocument({ id: 'returns', title: 'Returns and refunds', text: returns });
    const out = await ask(chat, 'Who painted the Mona Lisa?');
    expect(out.answer).toBe('You said: Who painted the Mona Lisa?');
    expect(out.sources).toEqual([]);
    expect(lastPrompt().messages.at(-1)?.content).toBe('Passages:\n\n(none found)\n\nQuestion: Who painted the Mona Lisa?');
    expect(messages('c1')[1]).toMatchObject({ role: 'assistant', text: out.answer, sources: null });
  });

  it('fails with ALICE_LLM_UNAVAILABLE when the LLM answers 500 on every attempt, after the retries, and posts no answer', async () => {
    const { chat } = await installSystemWorkflows(engine);
    await addDocument({ id: 'returns', title: 'Returns and refunds', text: returns });
    fake.failNext(500, 5);
    const id = startChat(chat, 'How many days do customers have to return an item?');
    await engine.runUntilIdle();
    for (const delay of ['2s', '4s', '8s', '16s']) {
      expect(engine.getRun(id).status).toBe('suspended');
      fx.clock.advance(delay);
      await engine.runUntilIdle();
    }
    const info = engine.getRun(id);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('ALICE_LLM_UNAVAILABLE');
    expect(fake.chatRequests()).toHaveLength(5);
    const llmStep = engine.getJournal(id).find((s) => s.action === 'llm.chat');
    expect(llmStep).toMatchObject({ state: 'error', attempts: 5, error: { code: 'ALICE_LLM_UNAVAILABLE' } });
    // The question was posted before the model was asked; no answer was.
    expect(messages('c1').map((m) => m.role)).toEqual(['user']);
    expect(JSON.stringify(engine.getLog(id))).not.toContain(KEY);
  });

  it("keeps the conversation its context user's: another user's run gets ALICE_UNAUTHORIZED from chat.history", async () => {
    const { chat } = await installSystemWorkflows(engine);
    await ask(chat, 'Hello?', { user: 'ada' });
    const reader = engine.deploy({
      script: `export default async (input, a) => {
        try { return await a.chat.history({ conversation: input.conversation }); } catch (e) { return { code: e.code }; }
      }`,
      manifest: { name: 'history-reader', kind: 'user', actions: ['chat.history'] },
    });
    const read = async (user: string) => {
      const run = engine.start(reader.id, { input: { conversation: 'c1' }, user: { id: user }, permissions: ['chat:read'] });
      await engine.runUntilIdle();
      return engine.getRun(run.id).output as { code?: string; messages?: unknown[] };
    };
    expect((await read('ada')).messages).toHaveLength(2);
    expect(await read('eve')).toEqual({ code: 'ALICE_UNAUTHORIZED' });
  });

  it("refuses a chat run for another user on a conversation that is not theirs (ALICE_UNAUTHORIZED), posting nothing", async () => {
    const { chat } = await installSystemWorkflows(engine);
    await ask(chat, 'Hello?', { user: 'ada' });
    const id = startChat(chat, 'What did ada ask?', { user: 'eve' });
    await engine.runUntilIdle();
    const info = engine.getRun(id);
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('ALICE_UNAUTHORIZED');
    expect(messages('c1').map((m) => m.author)).toEqual(['ada', 'alice.chat']);
    // Nothing of ada's conversation went to the model for eve.
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('refuses another user when the chat run holds only the permissions the chat workflow needs (not the system default *)', async () => {
    const { chat } = await installSystemWorkflows(engine);
    await ask(chat, 'Hello?', { user: 'ada' });
    const run = engine.start(chat.id, { input: { conversation: 'c1', text: 'What did ada ask?' }, user: { id: 'eve' }, permissions: ['chat:read', 'chat:write', 'kb:read', 'llm:use'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'failed', error: { code: 'ALICE_UNAUTHORIZED' } });
    expect(messages('c1')).toHaveLength(2);
  });
});

// ---- the knowledge-base updater --------------------------------------------------------------

describe('the knowledge-base updater (alice.kb-updater)', () => {
  it('starts for a kb.document event of any tenant and cuts a long text into chunks of at most 1500 characters along paragraphs', async () => {
    await installSystemWorkflows(engine);
    const paras = paragraphs(10, 400);
    const out = await addDocument({ id: 'handbook', title: 'Handbook', text: paras.join('\n\n') }, 'acme');
    // 3 paragraphs of 400 (with two blank-line separators) make 1,204 characters; a 4th would pass 1,500.
    expect(out).toEqual({ id: 'handbook', chunks: 4, added: 4, updated: 0, unchanged: 0, removed: 0 });
    const rows = chunkRows('acme', 'handbook');
    expect(rows.map((r) => r.id)).toEqual(['handbook#1', 'handbook#2', 'handbook#3', 'handbook#4']);
    for (const r of rows) expect(r.text.length).toBeLessThanOrEqual(1500);
    expect(rows.map((r) => r.text.split('\n\n').length)).toEqual([3, 3, 3, 1]);
    // No paragraph is cut: the chunks, joined, are the text.
    expect(rows.map((r) => r.text).join('\n\n')).toBe(paras.join('\n\n'));
    const doc = kb.get('acme', 'handbook#2');
    expect(doc).toMatchObject({ title: 'Handbook', source: 'handbook', metadata: { document: 'handbook', chunk: 2 } });
    expect(kb.search('acme', { query: 'filler7' }).hits.map((h) => h.id)).toEqual(['handbook#3']);
    // The run is the subscription's: a system run, in the event's tenant.
    expect(engine.listRuns({}).filter((r) => r.workflowId.startsWith('alice.kb-updater@'))).toEqual([expect.objectContaining({ tenant: 'acme' })]);
  });

  it('cuts a paragraph longer than a chunk into 1500-character pieces and normalizes CRLF line ends', async () => {
    await installSystemWorkflows(engine);
    const long = 'x'.repeat(3200);
    const out = await addDocument({ id: 'long', text: `Intro line.\r\n\r\n${long}\r\n\r\nOutro line.` });
    const rows = chunkRows('default', 'long');
    expect(out.chunks).toBe(rows.length);
    for (const r of rows) expect(r.text.length).toBeLessThanOrEqual(1500);
    expect(rows.map((r) => r.text).join('').replace(/\n\n/g, '')).toBe(`Intro line.${long}Outro line.`);
    expect(rows.every((r) => !r.text.includes('\r'))).toBe(true);
  });

  it('adds nothing when the same document is delivered again: every chunk unchanged, same rows', async () => {
    await installSystemWorkflows(engine);
    const text = paragraphs(10, 400).join('\n\n');
    await addDocument({ id: 'handbook', title: 'Handbook', text });
    const before = chunkRows('default', 'handbook');
    fx.clock.advance('1m');
    const again = await addDocument({ id: 'handbook', title: 'Handbook', text });
    expect(again).toEqual({ id: 'handbook', chunks: 4, added: 0, updated: 0, unchanged: 4, removed: 0 });
    expect(chunkRows('default', 'handbook')).toEqual(before);
    expect(fx.sql((db) => (db.prepare('SELECT count(*) AS n FROM kb_documents').get() as { n: number }).n)).toBe(4);
  });

  it('removes the stale chunks when a shorter new version arrives, and updates the changed ones', async () => {
    await installSystemWorkflows(engine);
    const paras = paragraphs(10, 400);
    await addDocument({ id: 'handbook', title: 'Handbook', text: paras.join('\n\n') });
    const closing = paragraphs(1, 400, 'warranty')[0];
    const shorter = [...paras.slice(0, 3), closing];
    const out = await addDocument({ id: 'handbook', title: 'Handbook', text: shorter.join('\n\n') });
    expect(out).toEqual({ id: 'handbook', chunks: 2, added: 0, updated: 1, unchanged: 1, removed: 2 });
    expect(chunkRows('default', 'handbook').map((r) => [r.id, r.text])).toEqual([
      ['handbook#1', paras.slice(0, 3).join('\n\n')],
      ['handbook#2', closing],
    ]);
    expect(kb.search('default', { query: 'filler9' }).hits).toEqual([]);
    // A later longer version counts from the new number of chunks.
    const longer = await addDocument({ id: 'handbook', title: 'Handbook', text: paras.join('\n\n') });
    expect(longer).toMatchObject({ chunks: 4, added: 2, updated: 1, unchanged: 1, removed: 0 });
  });

  it('fetches a URL document with http.request from a host granted at install', async () => {
    const web = await site({ '/faq.txt': `Opening hours are 9 to 17 on weekdays.\n\n${shipping}` });
    sites.push(web);
    await installSystemWorkflows(engine, { kbHosts: [web.host] });
    const url = `${web.url}/faq.txt`;
    const out = await addDocument({ id: 'faq', url });
    expect(out).toMatchObject({ id: 'faq', chunks: 1, added: 1 });
    expect(web.requested).toEqual(['/faq.txt']);
    expect(kb.get('default', 'faq#1')).toMatchObject({ title: url, source: url, text: `Opening hours are 9 to 17 on weekdays.\n\n${shipping}` });
    const updater = engine.listWorkflows().filter((w) => w.name === 'alice.kb-updater').pop();
    expect(updater?.manifest.hosts).toEqual([web.host]);
  });

  it('fails with ALICE_HTTP_HOST_DENIED for a URL whose host was not granted, never contacting it', async () => {
    const granted = await site({ '/a.txt': 'granted' });
    const other = await site({ '/b.txt': 'never fetched' });
    sites.push(granted, other);
    await installSystemWorkflows(engine, { kbHosts: [granted.host] });
    const info = await deliver({ id: 'b', url: `${other.url}/b.txt` });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('ALICE_HTTP_HOST_DENIED');
    expect(other.requested).toEqual([]);
    expect(kb.get('default', 'b#1')).toBeNull();
  });

  it('fails with KB_FETCH when the page answers an HTTP error, and an event without an id starts no run', async () => {
    const web = await site({});
    sites.push(web);
    await installSystemWorkflows(engine, { kbHosts: [web.host] });
    const info = await deliver({ id: 'gone', url: `${web.url}/gone.txt` });
    expect(info.status).toBe('failed');
    expect(info.error?.code).toBe('KB_FETCH');
    expect(info.error?.message).toContain('answered HTTP 404');
    expect(kb.get('default', 'gone#1')).toBeNull();

    const event = engine.deliverEvent(kbDocumentEvent, { text: 'no id' }, { tenant: 'default' });
    expect(event.started).toEqual([]);
    expect(event.refused).toEqual([expect.objectContaining({ workflow: expect.stringMatching(/^alice\.kb-updater@/), code: 'ALICE_VALIDATION' })]);
  });

  it('fails with KB_EMPTY for a document with no text, adding nothing', async () => {
    await installSystemWorkflows(engine);
    for (const text of ['', '  \n\n \t ']) {
      const info = await deliver({ id: 'blank', text });
      expect(info.status).toBe('failed');
      expect(info.error?.code).toBe('KB_EMPTY');
      expect(info.error?.message).toContain('document blank has no text to add');
    }
    const missing = await deliver({ id: 'neither' });
    expect(missing.error?.code).toBe('KB_EMPTY');
    expect(kb.get('default', 'blank#1')).toBeNull();
    expect(kb.get('default', 'neither#1')).toBeNull();
  });

  it("keeps tenants apart: one tenant's documents are not found by another tenant's chat", async () => {
    const { chat } = await installSystemWorkflows(engine);
    await addDocument({ id: 'returns', title: 'Returns and refunds', text: returns }, 'acme');
    const elsewhere = await ask(chat, 'How many days do customers have to return an item?', { tenant: 'globex' });
    expect(elsewhere.sources).toEqual([]);
    expect(elsewhere.answer).toBe('You said: How many days do customers have to return an item?');
    expect(lastPrompt().messages.at(-1)?.content).toContain('(none found)');
    const home = await ask(chat, 'How many days do customers have to return an item?', { tenant: 'acme' });
    expect(home.sources).toEqual([{ id: 'returns#1', title: 'Returns and refunds' }]);
    expect(kb.search('globex', { query: 'refund' }).hits).toEqual([]);
  });
});
