import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { defaultAnswer, type FakeChatRequest, type FakeMessage } from './fake-answers.js';

export { defaultAnswer, exampleFor, jsonAnswer, lastUserText, plainAnswer } from './fake-answers.js';
export type { FakeChatRequest, FakeMessage } from './fake-answers.js';

/** A programmed HTTP answer: any status, body and headers (a string body is sent as is). */
export interface FakeHttpAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * What a responder returns: the assistant message's content (wrapped in a normal completion),
 * a raw HTTP answer, or undefined for the default answer.
 */
export type FakeReply = string | FakeHttpAnswer | undefined;

/** Programs the fake's answers; `index` counts chat requests from 0. */
export type FakeResponder = (request: FakeChatRequest, info: { index: number; authorization: string | null }) => FakeReply | Promise<FakeReply>;

/** One request the fake received, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The parsed JSON body (null for a GET or a body that is not JSON). */
  body: unknown;
  /** The Authorization header as sent, or null. */
  authorization: string | null;
  /** The Idempotency-Key header, or null. */
  idempotencyKey: string | null;
}

/** Options of {@link startFakeLlm}. */
export interface FakeLlmOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Models `GET /v1/models` lists. Default `['fake-model']`; any model name is accepted. */
  models?: string[];
  /** Same as calling `expectKey(key)` at once. */
  key?: string | null;
}

/** A running fake OpenAI-compatible server. */
export interface FakeLlm {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:41234/v1`: pass it as the client's baseURL. */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Chat-completion requests only (the model calls). */
  chatRequests(): RecordedRequest[];
  /** Programs the answers; `respond(null)` restores the default answers. */
  respond(fn: FakeResponder | null): void;
  /**
   * Makes the next `count` chat requests fail with `status` (429, 500, 503, …) and an
   * OpenAI-style error body; `retryAfter` (seconds) adds a Retry-After header.
   */
  failNext(status: number, count?: number, options?: { retryAfter?: number }): void;
  /** Answers 401 to requests whose `Authorization: Bearer …` differs; null accepts any. */
  expectKey(key: string | null): void;
  /** Forgets recorded requests, programmed answers and failures, and the expected key. */
  reset(): void;
  close(): Promise<void>;
}

const maxBodyBytes = 8 * 1024 * 1024;

/**
 * Starts a fake OpenAI-compatible chat-completions server on 127.0.0.1, for tests, examples and
 * manual tries. It speaks `POST /v1/chat/completions` (non-streaming; `stream: true` gets a 400),
 * JSON mode (`response_format` `json_object` and `json_schema`) and `GET /v1/models`, with
 * deterministic default answers (see fake-answers.ts) and usage counts of ⌈characters / 4⌉.
 *
 * @example
 * const fake = await startFakeLlm();
 * fake.failNext(429, 2, { retryAfter: 1 });
 * const client = new OpenAI({ baseURL: fake.url, apiKey: 'k' });
 * await fake.close();
 */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const models = options.models ?? ['fake-model'];
  const requests: RecordedRequest[] = [];
  let responder: FakeResponder | null = null;
  let failures: Array<{ status: number; retryAfter: number | null }> = [];
  let key: string | null = options.key ?? null;
  let chatIndex = 0;
  let completionId = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    let body: unknown = null;
    if (text !== null && text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    const authorization = header(req, 'authorization');
    requests.push({ method, path, body, authorization, idempotencyKey: header(req, 'idempotency-key') });
    if (text === null) return send(res, 413, apiError(`request body over ${maxBodyBytes} bytes`, 'invalid_request_error'));
    if (key !== null && authorization !== `Bearer ${key}`) {
      // Like the real API, the message quotes the key it got: the client must never pass it on.
      const got = authorization?.replace(/^Bearer\s+/i, '') ?? '';
      return send(res, 401, apiError(`Incorrect API key provided: ${got}. You can find your API key in your account settings.`, 'invalid_request_error', 'invalid_api_key'));
    }
    if (path === '/v1/models') {
      if (method !== 'GET') return send(res, 405, apiError(`${method} ${path} is not supported; use GET`, 'invalid_request_error'));
      return send(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'alice-fake' })) });
    }
    if (path !== '/v1/chat/completions') return send(res, 404, apiError(`unknown path ${path}: the fake serves POST /v1/chat/completions and GET /v1/models`, 'invalid_request_error'));
    if (method !== 'POST') return send(res, 405, apiError(`${method} ${path} is not supported; use POST`, 'invalid_request_error'));
    const parsed = parseChatRequest(body);
    if (typeof parsed === 'string') return send(res, 400, apiError(parsed, 'invalid_request_error'));
    const index = chatIndex++;
    const failure = failures.shift();
    if (failure !== undefined) {
      const headers: Record<string, string> = failure.retryAfter === null ? {} : { 'retry-after': String(failure.retryAfter) };
      const type = failure.status === 429 ? 'rate_limit_exceeded' : failure.status >= 500 ? 'server_error' : 'invalid_request_error';
      return send(res, failure.status, apiError(`fake failure ${failure.status} (programmed with failNext)`, type), headers);
    }
    let reply: FakeReply;
    try {
      reply = responder === null ? undefined : await responder(parsed, { index, authorization });
    } catch (err) {
      return send(res, 500, apiError(`the test's responder threw: ${(err as Error)?.message ?? String(err)}`, 'server_error'));
    }
    if (reply !== undefined && typeof reply !== 'string') return send(res, reply.status ?? 200, reply.body ?? null, reply.headers ?? {});
    send(res, 200, completion(parsed, reply ?? defaultAnswer(parsed), `chatcmpl-fake-${++completionId}`));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, apiError(`fake server error: ${(err as Error)?.message ?? String(err)}`, 'server_error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    respond(fn) {
      responder = fn;
    },
    failNext(status, count = 1, opts = {}) {
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`failNext: status must be 400-599, got ${status}`);
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter: opts.retryAfter ?? null });
    },
    expectKey(k) {
      key = k;
    },
    reset() {
      requests.length = 0;
      responder = null;
      failures = [];
      key = null;
      chatIndex = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of the client would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** The request as the answers need it, or the message of a 400. */
function parseChatRequest(body: unknown): FakeChatRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const raw = body as Record<string, unknown>;
  if (typeof raw.model !== 'string' || raw.model === '') return "'model' is required (a string)";
  if (raw.stream === true) return "streaming is not supported by the fake server: send 'stream': false (or omit it)";
  if (!Array.isArray(raw.messages) || raw.messages.length === 0) return "'messages' must be a non-empty array";
  const messages: FakeMessage[] = [];
  for (const [i, m] of (raw.messages as unknown[]).entries()) {
    if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string') return `messages[${i}] needs a role`;
    messages.push({ role: (m as { role: string }).role, content: contentText((m as { content?: unknown }).content) });
  }
  const rf = raw.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  let responseFormat: FakeChatRequest['responseFormat'] = { type: 'text' };
  if (rf !== undefined && rf !== null) {
    if (rf.type === 'json_object') responseFormat = { type: 'json_object' };
    else if (rf.type === 'json_schema') {
      if (typeof rf.json_schema?.schema !== 'object' || rf.json_schema.schema === null) return "response_format 'json_schema' needs json_schema.schema (an object)";
      responseFormat = { type: 'json_schema', schema: rf.json_schema.schema };
    } else if (rf.type !== 'text') return `response_format.type ${JSON.stringify(rf.type)} is not supported (text, json_object, json_schema)`;
  }
  const max = raw.max_tokens ?? raw.max_completion_tokens;
  return { model: raw.model, messages, responseFormat, maxTokens: typeof max === 'number' && max > 0 ? Math.floor(max) : null, raw };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return '';
}

/** A token is counted as four characters, rounded up: deterministic and close enough for English. */
export function fakeTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function completion(req: FakeChatRequest, content: string, id: string): unknown {
  let text = content;
  let finish = 'stop';
  if (req.maxTokens !== null && fakeTokens(text) > req.maxTokens) {
    text = text.slice(0, req.maxTokens * 4);
    finish = 'length';
  }
  const prompt = req.messages.reduce((n, m) => n + fakeTokens(m.content), 0);
  const done = fakeTokens(text);
  return {
    id,
    object: 'chat.completion',
    created: 1_767_225_600,
    model: req.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: done, total_tokens: prompt + done },
  };
}

function apiError(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : null;
}

/** The body as text, or null when it is over the limit. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `node dist/stdlib/llm/fake-server.js [--port N] [--key KEY]`: serves until killed. */
async function main(argv: string[]): Promise<void> {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const port = Number(opt('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: fake-server.js [--port N] [--key KEY]\n');
    process.exit(2);
  }
  const fake = await startFakeLlm({ port, key: opt('--key') ?? null });
  process.stdout.write(`${fake.url}\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`fake-server: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  });
}
