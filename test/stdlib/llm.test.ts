import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionDefinition, Engine, LogEntry, StepHandle } from '../../runtime/index.js';
import { anyTenant, TenantDirectory, type TenantGuard } from '../../stdlib/tenants.js';
import { LlmCache, llmActions, startFakeLlm, type FakeLlm, type LlmOptions } from '../../stdlib/llm/index.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

// One workflow drives the tests: it applies a list of llm calls and reports, for each, the
// result or the caught ActionError (code, message, details), so tests read what the workflow saw.
const script = `export default async (input, actions) => {
  const out = [];
  for (const op of input.ops) {
    try {
      out.push({ ok: await actions.llm[op.verb](op.args) });
    } catch (err) {
      out.push({ code: err.code, message: err.message, details: err.details });
    }
    if (op.pause) await actions.sleep(op.pause);
  }
  return out;
}`;
const manifest = { name: 'llm-ops', kind: 'user' as const, actions: ['llm.chat', 'llm.extract'] };

type Op = { verb: 'chat' | 'extract'; args: Record<string, unknown>; pause?: string };
type Seen = { ok?: any; code?: string; message?: string; details?: any };

const KEY = 'sk-alice-test-5f1c9a7e-NEVER-STORE-ME';
const person = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
  additionalProperties: false,
};

let fx: StoreFixture;
let fake: FakeLlm;
let engine: Engine;

function catalog(options: LlmOptions = {}, tenants: TenantGuard = anyTenant): ActionDefinition[] {
  return llmActions({ store: fx.path, tenants, now: () => fx.clock.now() }, { baseURL: fake.url, apiKey: KEY, model: 'fake-model', env: {}, ...options });
}

function start(ops: Op[], options: { permissions?: string[]; tenant?: string } = {}): string {
  const wf = engine.deploy({ script, manifest });
  return engine.start(wf.id, { input: { ops }, permissions: options.permissions ?? ['llm:use'], tenant: options.tenant }).id;
}

async function apply(ops: Op[], options: { permissions?: string[]; tenant?: string } = {}): Promise<{ id: string; seen: Seen[] }> {
  const id = start(ops, options);
  await engine.runUntilIdle();
  const info = engine.getRun(id);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return { id, seen: info.output as Seen[] };
}

const chat = (content: string, extra: Record<string, unknown> = {}): Op => ({ verb: 'chat', args: { messages: [{ role: 'user', content }], ...extra } });
const logOf = (id: string, kind: LogEntry['kind']) => engine.getLog(id).filter((e) => e.kind === kind);
const cacheRows = (runId?: string): number =>
  fx.sql((db) => (db.prepare(`SELECT count(*) AS n FROM llm_cache ${runId === undefined ? '' : 'WHERE run_id = ?'}`).get(...(runId === undefined ? [] : [runId])) as { n: number }).n);

beforeEach(async () => {
  fx = newStoreFixture('alice-llm-');
  fake = await startFakeLlm();
  engine = fx.open(catalog(), { retention: '1d' });
});

afterEach(async () => {
  await fx.cleanup();
  await fake.close();
});

describe('llm.chat', () => {
  it('answers from the endpoint through the openai client, citing numbered passages, with model, finish reason and usage', async () => {
    const system = 'Answer from these sources and cite them.\n[1] Kiwis are rich in vitamin C. They grow on vines.\n[2] Bananas contain potassium, which muscles need.';
    const question = 'Which fruit gives potassium?';
    const { id, seen } = await apply([{ verb: 'chat', args: { messages: [{ role: 'system', content: system }, { role: 'user', content: question }], temperature: 0.2 } }]);
    const content = 'Bananas contain potassium, which muscles need [2].';
    // The fake counts a token per four characters, rounded up, per message.
    const usage = { promptTokens: Math.ceil(system.length / 4) + Math.ceil(question.length / 4), completionTokens: Math.ceil(content.length / 4) };
    expect(seen[0].ok).toEqual({ content, model: 'fake-model', finishReason: 'stop', usage });

    const [req] = fake.chatRequests();
    expect(req.authorization).toBe(`Bearer ${KEY}`);
    expect(req.idempotencyKey).toBe(`${id}:1`);
    expect(req.body).toMatchObject({ model: 'fake-model', temperature: 0.2, stream: false, messages: [{ role: 'system', content: system }, { role: 'user', content: 'Which fruit gives potassium?' }] });
    expect(engine.getJournal(id)[0]).toMatchObject({ action: 'llm.chat', state: 'done', attempts: 1, result: seen[0].ok });
  });

  it('answers a knowledge-base prompt with titled passages and a Question line by citing the passages that match', async () => {
    const passages = '[1] fruit.md\nKiwis are rich in vitamin C. They grow on vines.\n\n[2] sports.md\nMarathons are 42 km long.\n\n[3] more-fruit.md\nOranges also have vitamin C, and fibre.';
    const { seen } = await apply([
      { verb: 'chat', args: { messages: [{ role: 'system', content: 'Cite passages as [n].' }, { role: 'user', content: `Passages:\n\n${passages}\n\nQuestion: Which fruit has vitamin C?` }] } },
      { verb: 'chat', args: { messages: [{ role: 'user', content: 'Passages:\n\n(none found)\n\nQuestion: Who won in 1998?' }] } },
    ]);
    expect(seen[0].ok.content).toBe('Kiwis are rich in vitamin C [1]. Oranges also have vitamin C, and fibre [3].');
    expect(seen[1].ok.content).toBe('You said: Who won in 1998?');
  });

  it('passes model, maxTokens and JSON mode to the endpoint, and reports a cut answer as finishReason length', async () => {
    const { seen } = await apply([
      chat('Tell me everything about the history of the number zero, please.', { model: 'other-model', maxTokens: 3 }),
      chat('Reply in JSON.\ncity: Paris\npopulation: 2100000', { json: true }),
    ]);
    expect(seen[0].ok).toMatchObject({ model: 'other-model', finishReason: 'length', content: 'You said: Te', usage: { completionTokens: 3 } });
    expect(JSON.parse(seen[1].ok.content)).toEqual({ city: 'Paris', population: 2100000 });
    const [first, second] = fake.chatRequests();
    expect(first.body).toMatchObject({ model: 'other-model', max_tokens: 3 });
    expect(second.body).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('refuses to run without configuration, with a memoized ALICE_LLM_CONFIG naming the three variables, and reads them when the action runs', async () => {
    const env: Record<string, string | undefined> = {};
    await engine.close();
    engine = fx.open(catalog({ baseURL: undefined, apiKey: undefined, model: undefined, env }));
    const { id, seen } = await apply([chat('hello')]);
    expect(seen[0].code).toBe('ALICE_LLM_CONFIG');
    for (const name of ['ALICE_LLM_BASE_URL', 'ALICE_LLM_MODEL', 'ALICE_LLM_API_KEY']) expect(seen[0].message).toContain(name);
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'error', attempts: 1, error: { code: 'ALICE_LLM_CONFIG' } });
    expect(fake.requests).toHaveLength(0);

    // The catalog was built before the variables existed: they are read at call time.
    Object.assign(env, { ALICE_LLM_BASE_URL: fake.url, ALICE_LLM_API_KEY: KEY, ALICE_LLM_MODEL: 'env-model' });
    const after = await apply([chat('hello')]);
    expect(after.seen[0].ok).toMatchObject({ content: 'You said: hello', model: 'env-model' });
    expect(fake.chatRequests()[0].authorization).toBe(`Bearer ${KEY}`);
  });

  it('sends no Authorization header when no key is configured', async () => {
    await engine.close();
    engine = fx.open(catalog({ apiKey: undefined }));
    const { seen } = await apply([chat('hi')]);
    expect(seen[0].ok.content).toBe('You said: hi');
    expect(fake.chatRequests()[0].authorization).toBeNull();
  });
});

describe('llm.extract', () => {
  it('returns JSON valid against the schema from one request in json_schema mode', async () => {
    const { seen } = await apply([{ verb: 'extract', args: { instructions: 'Extract the person.', text: 'name: Ada\nage: 36\nnote: likes engines', schema: person } }]);
    expect(seen[0].ok).toMatchObject({ data: { name: 'Ada', age: 36 }, model: 'fake-model', repairs: 0 });
    const [req] = fake.chatRequests();
    expect(req.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'result', schema: person } } });
    const messages = (req.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages[0].content).toContain('Extract the person.');
    // The schema is in the prompt too, for endpoints that ignore response_format.
    expect(JSON.parse(messages[0].content.split('\n').at(-1) as string)).toEqual(person);
    expect(messages[1]).toEqual({ role: 'user', content: 'name: Ada\nage: 36\nnote: likes engines' });
  });

  it('repairs invalid answers by sending each back with its first error, and returns the valid one with summed usage', async () => {
    fake.respond((_req, { index }) => (index === 0 ? 'Sure! {"name": "Ada",' : index === 1 ? '{"name":"Ada","age":"old","extra":1}' : undefined));
    const { seen } = await apply([{ verb: 'extract', args: { instructions: 'Extract the person.', text: 'name: Ada\nage: 36', schema: person, maxRepairs: 2 } }]);
    expect(seen[0].ok).toMatchObject({ data: { name: 'Ada', age: 36 }, repairs: 2 });

    const reqs = fake.chatRequests().map((r) => r.body as { messages: Array<{ role: string; content: string }> });
    expect(reqs).toHaveLength(3);
    expect(reqs[1].messages.slice(-2)[0]).toEqual({ role: 'assistant', content: 'Sure! {"name": "Ada",' });
    expect(reqs[1].messages.slice(-1)[0].content).toMatch(/not valid JSON/);
    const second = reqs[2].messages.slice(-1)[0].content;
    // The first problem only (runtime/schema-budget.ts: every error of a big answer could fill the heap).
    expect(second).toContain('(root): must NOT have additional properties (extra)');
    expect(second).not.toContain('/age');
    const usage = seen[0].ok.usage;
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBe(Math.ceil('Sure! {"name": "Ada",'.length / 4) + Math.ceil('{"name":"Ada","age":"old","extra":1}'.length / 4) + Math.ceil('{"name":"Ada","age":36}'.length / 4));
    expect(fake.chatRequests().map((r) => r.idempotencyKey?.split(':')[1])).toEqual(['1', '1.repair1', '1.repair2']);
  });

  it('fails with a memoized ALICE_LLM_BAD_OUTPUT after the last repair, and a re-run replays it without calling the model', async () => {
    fake.respond(() => '{"name": 7}');
    const id = start([{ verb: 'extract', args: { instructions: 'Extract the person.', text: 'name: Ada', schema: person }, pause: '1h' }]);
    await engine.runUntilIdle();
    expect(engine.getRun(id).status).toBe('suspended');
    expect(fake.chatRequests()).toHaveLength(2);
    const [step] = engine.getJournal(id);
    expect(step).toMatchObject({ action: 'llm.extract', state: 'error', attempts: 1, error: { code: 'ALICE_LLM_BAD_OUTPUT' } });
    expect(step.error?.message).toContain("(root): must have required property 'age' (age)");

    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const info = engine.getRun(id);
    expect(info.status).toBe('completed');
    const [seen] = info.output as Seen[];
    expect(seen.code).toBe('ALICE_LLM_BAD_OUTPUT');
    expect(seen.details.errors).toEqual(["(root): must have required property 'age' (age)"]);
    expect(seen.details).toMatchObject({ repairs: 1, answer: '{"name": 7}' });
    expect(fake.chatRequests()).toHaveLength(2);
    expect(logOf(id, 'step').filter((e) => e.step === 1)).toHaveLength(1);
  });

  it('memoizes an invalid schema argument as ALICE_VALIDATION without calling the model', async () => {
    const { seen } = await apply([
      { verb: 'extract', args: { instructions: 'x', schema: { type: 'nope' } } },
      { verb: 'extract', args: { instructions: 'x', schema: { $ref: 'https://example.com/remote.json' } } },
    ]);
    expect(seen.map((s) => s.code)).toEqual(['ALICE_VALIDATION', 'ALICE_VALIDATION']);
    expect(seen[0].message).toMatch(/not a valid JSON Schema/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('llm faults and retries', () => {
  it('memoizes schema violations of the arguments as ALICE_VALIDATION, and replays them without calling the model', async () => {
    const ops: Op[] = [
      { verb: 'chat', args: { messages: [] } },
      { verb: 'chat', args: { messages: [{ role: 'tool', content: 'x' }] } },
      { verb: 'chat', args: { messages: [{ role: 'user', content: 'x' }], stream: true } },
      { verb: 'chat', args: { messages: [{ role: 'user', content: 'x' }], temperature: 3 } },
      { verb: 'extract', args: { instructions: 'x', schema: person, maxRepairs: 4 } },
      { verb: 'extract', args: { instructions: 'x' }, pause: '1h' },
    ];
    const id = start(ops);
    await engine.runUntilIdle();
    const before = engine.getJournal(id);
    expect(before.slice(0, 6).map((s) => [s.state, s.error?.code, s.attempts])).toEqual(Array(6).fill(['error', 'ALICE_VALIDATION', 1]));
    expect(before[2].error?.message).toContain('stream');
    expect(before[5].error?.message).toContain('schema');
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect((engine.getRun(id).output as Seen[]).map((s) => s.code)).toEqual(Array(6).fill('ALICE_VALIDATION'));
    expect(engine.getJournal(id).slice(0, 6)).toEqual(before.slice(0, 6));
    expect(fake.requests).toHaveLength(0);
  });

  it('retries 429 answers with the engine backoff, logging each attempt, then succeeds', async () => {
    fake.failNext(429, 2, { retryAfter: 1 });
    const id = start([chat('hello')]);
    const t0 = fx.clock.now();
    await engine.runUntilIdle();
    expect(engine.getRun(id).status).toBe('suspended');
    expect(engine.getRun(id).wakeAt).toBe(t0 + 2000);
    fx.clock.advance('2s');
    await engine.runUntilIdle();
    expect(engine.getRun(id).wakeAt).toBe(t0 + 2000 + 4000);
    fx.clock.advance('4s');
    await engine.runUntilIdle();

    const info = engine.getRun(id);
    expect(info.status).toBe('completed');
    expect((info.output as Seen[])[0].ok.content).toBe('You said: hello');
    expect(fake.chatRequests()).toHaveLength(3);
    const attempts = logOf(id, 'attempt').map((e) => e.data as { attempt: number; retryable: boolean; error: { code: string; message: string } });
    expect(attempts.map((a) => [a.attempt, a.error.code, a.retryable])).toEqual([[1, 'ALICE_LLM_UNAVAILABLE', true], [2, 'ALICE_LLM_UNAVAILABLE', true]]);
    expect(attempts[0].error.message).toMatch(/rate-limiting.*HTTP 429.*retry after 1000 ms/);
    expect(logOf(id, 'retry').map((e) => (e.data as { retryAt: number }).retryAt)).toEqual([t0 + 2000, t0 + 6000]);
    expect(engine.getJournal(id)[0]).toMatchObject({ state: 'done', attempts: 3 });
    // Every attempt of the step carries the same idempotency key.
    expect(new Set(fake.chatRequests().map((r) => r.idempotencyKey))).toEqual(new Set([`${id}:1`]));
  });

  it('memoizes ALICE_LLM_UNAVAILABLE when the endpoint answers 500 up to the last attempt, and a re-run does not call again', async () => {
    fake.failNext(500, 5);
    const id = start([{ ...chat('hello'), pause: '1h' }]);
    await engine.runUntilIdle();
    for (const delay of ['2s', '4s', '8s', '16s']) {
      fx.clock.advance(delay);
      await engine.runUntilIdle();
    }
    const [step] = engine.getJournal(id);
    expect(step).toMatchObject({ state: 'error', attempts: 5, error: { code: 'ALICE_LLM_UNAVAILABLE' } });
    expect(step.error?.message).toMatch(/HTTP 500.*\(after 5 attempts\)/);
    expect(fake.chatRequests()).toHaveLength(5);
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(id).status).toBe('completed');
    expect((engine.getRun(id).output as Seen[])[0]).toMatchObject({ code: 'ALICE_LLM_UNAVAILABLE', details: { status: 500 } });
    expect(fake.chatRequests()).toHaveLength(5);
  });

  it('turns a refused connection and a request timeout into retryable ALICE_LLM_UNAVAILABLE, and other 4xx into ALICE_LLM_FAILED', async () => {
    const closed = await startFakeLlm();
    const deadURL = closed.url;
    await closed.close();
    await engine.close();
    engine = fx.open([...catalog({ baseURL: deadURL, retry: { maxAttempts: 1 } })]);
    const refused = await apply([chat('hello')]);
    expect(refused.seen[0].code).toBe('ALICE_LLM_UNAVAILABLE');
    expect(refused.seen[0].message).toMatch(/could not reach the LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(logOf(refused.id, 'attempt')[0].data).toMatchObject({ retryable: true });

    await engine.close();
    engine = fx.open(catalog({ timeout: 150, retry: { maxAttempts: 1 } }));
    fake.respond(() => new Promise<undefined>(() => {}));
    const slow = await apply([chat('hello')]);
    expect(slow.seen[0].code).toBe('ALICE_LLM_UNAVAILABLE');
    expect(slow.seen[0].message).toMatch(/did not answer within 150 ms/);

    fake.respond(() => ({ status: 400, body: { error: { message: 'context length exceeded', type: 'invalid_request_error', code: 'context_length_exceeded' } } }));
    const bad = await apply([chat('hello')]);
    expect(bad.seen[0]).toMatchObject({ code: 'ALICE_LLM_FAILED', details: { status: 400, code: 'context_length_exceeded' } });
    expect(logOf(bad.id, 'attempt')[0].data).toMatchObject({ retryable: false });
  });

  it('refuses a run without llm:use, and a tenant that is not registered', async () => {
    const denied = await apply([chat('hello')], { permissions: ['kv:read'] });
    expect(denied.seen[0].code).toBe('ALICE_UNAUTHORIZED');
    expect(denied.seen[0].message).toContain('llm:use');

    await engine.close();
    const directory = new TenantDirectory(fx.path);
    fx.onCleanup(() => directory.close());
    engine = fx.open(catalog({}, directory));
    const stranger = await apply([chat('hello')], { tenant: 'initech' });
    expect(stranger.seen[0].code).toBe('ALICE_UNKNOWN_TENANT');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('llm cache and finalize', () => {
  /**
   * The action wrapped so that its first attempt fails AFTER the real action returned (or
   * failed for good): what a crash between the model call and the journal write looks like to
   * the step. The engine then executes the step again with the same idempotency key.
   */
  function crashAfterFirstCall(def: ActionDefinition): ActionDefinition {
    let crashed = false;
    return {
      ...def,
      run: async (args: unknown, ctx: Parameters<ActionDefinition['run']>[1], step: StepHandle) => {
        const outcome = await Promise.resolve(def.run(args, ctx, step)).then((v) => ({ v }), (e: unknown) => ({ e }));
        if (!crashed) {
          crashed = true;
          throw new Error('simulated crash between the model call and the journal write');
        }
        if ('e' in outcome) throw outcome.e;
        return outcome.v;
      },
    };
  }

  it('returns the cached answer when a step is executed again after its model call, without calling the model again', async () => {
    fake.respond((req, { index }) => (req.responseFormat.type === 'text' ? `answer #${index}` : index === 1 ? '{"name":"Ada"}' : undefined));
    await engine.close();
    engine = fx.open(catalog().map(crashAfterFirstCall));
    const id = start([chat('hello'), { verb: 'extract', args: { instructions: 'Person.', text: 'name: Ada\nage: 3', schema: person } }]);
    await engine.runUntilIdle();
    fx.clock.advance('2s');
    await engine.runUntilIdle();
    fx.clock.advance('2s');
    await engine.runUntilIdle();
    const info = engine.getRun(id);
    expect(info.status).toBe('completed');
    const seen = info.output as Seen[];
    expect(seen[0].ok.content).toBe('answer #0');
    expect(seen[1].ok).toMatchObject({ data: { name: 'Ada', age: 3 }, repairs: 1 });
    // One request for the chat, two (answer + repair) for the extract: none repeated.
    expect(fake.chatRequests()).toHaveLength(3);
    expect(engine.getJournal(id).map((s) => s.attempts)).toEqual([2, 2]);
  });

  it('replays a cached LLM_BAD_OUTPUT on re-execution instead of asking the model again', async () => {
    fake.respond(() => 'not json');
    await engine.close();
    engine = fx.open(catalog().map(crashAfterFirstCall));
    const id = start([{ verb: 'extract', args: { instructions: 'Person.', schema: person, maxRepairs: 0 } }]);
    await engine.runUntilIdle();
    fx.clock.advance('2s');
    await engine.runUntilIdle();
    expect((engine.getRun(id).output as Seen[])[0].code).toBe('ALICE_LLM_BAD_OUTPUT');
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('answers a second call of run() with the same step handle from the cache', async () => {
    const [chatDef] = catalog();
    const ctx = { runId: 'r1', tenant: 'default', user: { id: 'u', roles: [] }, permissions: ['llm:use'], workflow: { id: 'w@1', name: 'w', kind: 'user', version: 1, codeHash: 'h' }, trigger: { type: 'api' }, startedAt: 0, deadline: null } as const;
    const step = { runId: 'r1', seq: 1, attempt: 1, idempotencyKey: 'r1:1', manifest, pending: () => { throw new Error('unused'); }, emit: () => { throw new Error('unused'); } } as unknown as StepHandle;
    fake.respond((_r, { index }) => `answer #${index}`);
    const args = { messages: [{ role: 'user', content: 'hi' }] };
    const first = await chatDef.run(args, ctx, step);
    const second = await chatDef.run(args, ctx, { ...step, attempt: 2 });
    expect(second).toEqual(first);
    expect(fake.chatRequests()).toHaveLength(1);
    // Other arguments under the same key (never made by the engine) are not served from the cache.
    await chatDef.run({ messages: [{ role: 'user', content: 'other' }] }, ctx, step);
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it("runs finalize once per action at finalization, deleting that run's cache rows only, and retention purges the journal", async () => {
    const calls: string[] = [];
    await engine.close();
    engine = fx.open(
      catalog().map((d) => ({ ...d, finalize: async (ctx: Parameters<NonNullable<ActionDefinition['finalize']>>[0], run: Parameters<NonNullable<ActionDefinition['finalize']>>[1]) => { calls.push(`${d.name} ${run.id} ${run.steps.join(',')}`); await d.finalize!(ctx, run); } })),
      { retention: '1d' },
    );
    const ops: Op[] = [chat('one'), { verb: 'extract', args: { instructions: 'P', text: 'name: A\nage: 1', schema: person }, pause: '1h' }];
    const a = start(ops);
    const b = start([{ ...chat('other run'), pause: '30d' }]);
    await engine.runUntilIdle();
    expect(cacheRows(a)).toBe(2);
    expect(cacheRows(b)).toBe(1);
    expect(calls).toEqual([]);

    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(engine.getRun(a).status).toBe('completed');
    expect(engine.getRun(a).finalizedAt).not.toBeNull();
    expect(calls.sort()).toEqual([`llm.chat ${a} 1`, `llm.extract ${a} 2`]);
    expect(cacheRows(a)).toBe(0);
    expect(cacheRows(b)).toBe(1);
    expect(logOf(a, 'finalize').map((e) => e.data)).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'llm.chat', ok: true }), expect.objectContaining({ action: 'llm.extract', ok: true })]));

    await engine.runUntilIdle();
    expect(calls).toHaveLength(2);
    expect(engine.getJournal(a)).toHaveLength(3);
    fx.clock.advance('2d');
    await engine.runUntilIdle();
    expect(engine.getJournal(a)).toEqual([]);
    expect(calls).toHaveLength(2);

    // The cache class also reads its own rows (for diagnostics).
    const cache = new LlmCache(fx.path);
    expect(cache.countRun(b)).toBe(1);
    cache.close();
  });
});

describe('llm secrets', () => {
  it('never writes the API key to the store file, the journal, the run or the log, on success and on failure', async () => {
    // Success: chat and extract (with a repair), so the cache holds rows.
    fake.respond((req, { index }) => (req.responseFormat.type === 'json_schema' && index === 1 ? 'oops' : undefined));
    // It stays suspended afterwards, so its cache rows are still in the file.
    const ok = start([chat('hello'), { verb: 'extract', args: { instructions: 'P', text: 'name: A\nage: 1', schema: person, maxRepairs: 1 }, pause: '30d' }]);
    await engine.runUntilIdle();
    expect(engine.getJournal(ok).slice(0, 2).map((s) => s.state)).toEqual(['done', 'done']);
    fake.respond(null);

    // 401: the fake quotes the key it got in its error, as real endpoints do.
    fake.expectKey('the-right-key');
    const denied = await apply([chat('hello')]);
    expect(denied.seen[0].code).toBe('ALICE_LLM_FAILED');
    expect(denied.seen[0].message).toContain('HTTP 401');
    expect(denied.seen[0].message).toContain('Incorrect API key provided: [redacted]');
    expect(denied.seen[0].message).toContain('check ALICE_LLM_API_KEY');
    fake.expectKey(null);

    // 500 on every attempt, memoized after the last.
    fake.failNext(500, 5);
    const failing = start([chat('hello')]);
    await engine.runUntilIdle();
    for (const delay of ['2s', '4s', '8s', '16s']) {
      fx.clock.advance(delay);
      await engine.runUntilIdle();
    }
    expect(engine.getRun(failing).status).toBe('completed');

    // The key did go to the endpoint: the test would see it if it leaked anywhere below.
    expect(fake.chatRequests().some((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    const texts = [engine.exportLog()];
    for (const id of [ok, denied.id, failing]) texts.push(JSON.stringify(engine.getJournal(id)), JSON.stringify(engine.getRun(id)), JSON.stringify(engine.getLog(id)));
    for (const t of texts) expect(t).not.toContain(KEY);
    expect(fx.bytes().includes(Buffer.from(KEY))).toBe(false);
    expect(cacheRows(ok)).toBe(2);

    // After a checkpoint, in the main file too.
    await engine.close();
    expect(existsSync(fx.path)).toBe(true);
    expect(fx.bytes().includes(Buffer.from(KEY))).toBe(false);
    expect(fx.bytes().includes(Buffer.from('Incorrect API key provided: [redacted]'))).toBe(true);
  });
});

describe('fake LLM server', () => {
  it('refuses streaming and unknown paths, lists models, and checks the key when asked', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const streamed = await post({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(streamed.status).toBe(400);
    expect(((await streamed.json()) as { error: { message: string } }).error.message).toMatch(/streaming is not supported/);
    expect((await fetch(`${fake.url}/embeddings`, { method: 'POST' })).status).toBe(404);
    expect(await (await fetch(`${fake.url}/models`)).json()).toMatchObject({ object: 'list', data: [{ id: 'fake-model' }] });

    fake.expectKey('k1');
    expect((await post({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k2' })).status).toBe(401);
    const good = await post({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer k1' });
    expect(good.status).toBe(200);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/embeddings', '/v1/models', '/v1/chat/completions', '/v1/chat/completions']);
  });

  it('runs standalone from dist, printing its base URL', async () => {
    const entry = 'dist/stdlib/llm/fake-server.js';
    expect(existsSync(entry), 'run `npm run build` first').toBe(true);
    const child = spawn(process.execPath, [entry, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'ping' }] }) });
      expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('You said: ping');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
