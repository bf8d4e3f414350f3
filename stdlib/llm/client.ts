import type * as OpenAIModule from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ActionFailure } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { envNames, showEndpoint, type LlmConfig } from './config.js';

/** One chat message as the actions send it. */
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Token counts the endpoint reported (0 when it reported none). */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** One model call. */
export interface ChatCall {
  messages: LlmMessage[];
  temperature?: number;
  maxTokens?: number;
  responseFormat?: ChatCompletionCreateParamsNonStreaming['response_format'];
  /** Sent as the `Idempotency-Key` header, for gateways that deduplicate. */
  idempotencyKey: string;
}

/** What one call answered. */
export interface ChatAnswer {
  content: string;
  model: string;
  finishReason: string;
  usage: LlmUsage;
}

type OpenAIClient = InstanceType<typeof OpenAIModule.OpenAI>;

let openaiModule: Promise<typeof OpenAIModule> | null = null;

/** The `openai` package, loaded on the first model call: catalogs that never call a model never pay for it. */
function loadOpenAI(): Promise<typeof OpenAIModule> {
  return (openaiModule ??= import('openai'));
}

/**
 * Calls an OpenAI-compatible endpoint through the `openai` client, with the client's own
 * retries off: the engine retries, journaling every attempt with its backoff. Every failure
 * becomes an `ActionFailure`: transient ones (429, 408, 409, 5xx, connection, timeout)
 * retryable `ALICE_LLM_UNAVAILABLE`, the others `ALICE_LLM_FAILED`; the API key (and any
 * credential in the base URL) is scrubbed from the message and details first.
 */
export class LlmClient {
  private cached: { id: string; client: OpenAIClient } | null = null;

  async chat(config: LlmConfig, call: ChatCall): Promise<ChatAnswer> {
    const mod = await loadOpenAI();
    const client = this.client(mod, config);
    const secrets = secretsOf(config);
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: config.model,
      messages: call.messages,
      stream: false,
      ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      ...(call.maxTokens === undefined ? {} : { max_tokens: call.maxTokens }),
      ...(call.responseFormat === undefined ? {} : { response_format: call.responseFormat }),
    };
    let completion: Awaited<ReturnType<OpenAIClient['chat']['completions']['create']>>;
    try {
      completion = await client.chat.completions.create(body, { timeout: config.timeoutMs, maxRetries: 0, headers: { 'Idempotency-Key': call.idempotencyKey } });
    } catch (err) {
      throw scrubFailure(toFailure(mod, err, config), secrets);
    }
    const choice = completion.choices?.[0];
    if (choice === undefined || choice.message === undefined) {
      throw scrubFailure(new ActionFailure(StdCodes.LLM_FAILED, `the LLM endpoint ${showEndpoint(config.baseURL)} answered without a choice; check that it is OpenAI-compatible`, { details: { endpoint: showEndpoint(config.baseURL) } }), secrets);
    }
    return {
      content: choice.message.content ?? '',
      model: typeof completion.model === 'string' && completion.model !== '' ? completion.model : config.model,
      finishReason: choice.finish_reason ?? 'unknown',
      usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
    };
  }

  /** One client per endpoint, key and timeout: rebuilt only when the configuration changes. */
  private client(mod: typeof OpenAIModule, config: LlmConfig): OpenAIClient {
    const id = JSON.stringify([config.baseURL, config.apiKey, config.timeoutMs]);
    if (this.cached?.id === id) return this.cached.client;
    const client = new mod.OpenAI({
      baseURL: config.baseURL,
      // The client insists on a key; without one we send none (the header is nulled below).
      apiKey: config.apiKey ?? 'unused',
      ...(config.apiKey === null ? { defaultHeaders: { Authorization: null } } : {}),
      // Explicit nulls: otherwise the client picks OPENAI_* variables from the environment and
      // would send another endpoint's credentials to this one.
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: 0,
      timeout: config.timeoutMs,
      // The client's own logging could print requests; the engine's log is the record.
      logLevel: 'off',
    });
    this.cached = { id, client };
    return client;
  }
}

function toFailure(mod: typeof OpenAIModule, err: unknown, config: LlmConfig): ActionFailure {
  const endpoint = showEndpoint(config.baseURL);
  if (err instanceof mod.APIConnectionTimeoutError) {
    return new ActionFailure(StdCodes.LLM_UNAVAILABLE, `the LLM endpoint ${endpoint} did not answer within ${config.timeoutMs} ms; will retry`, { retryable: true, details: { endpoint, timeoutMs: config.timeoutMs } });
  }
  if (err instanceof mod.APIUserAbortError || err instanceof mod.APIConnectionError) {
    const cause = (err as { cause?: unknown }).cause;
    const why = cause instanceof Error ? `${err.message} (${(cause as { code?: unknown }).code ?? cause.message})` : err.message;
    return new ActionFailure(StdCodes.LLM_UNAVAILABLE, `could not reach the LLM endpoint ${endpoint}: ${why}; will retry`, { retryable: true, details: { endpoint } });
  }
  if (err instanceof mod.APIError && typeof err.status === 'number') {
    const status = err.status;
    const retryAfter = retryAfterMs(err.headers);
    const details = { endpoint, status, type: err.type ?? null, code: err.code ?? null, requestId: err.requestID ?? null, ...(retryAfter === null ? {} : { retryAfterMs: retryAfter }) };
    const said = err.message;
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      const what = status === 429 ? 'is rate-limiting us' : status >= 500 ? 'failed on its side' : 'asked us to try again';
      return new ActionFailure(StdCodes.LLM_UNAVAILABLE, `the LLM endpoint ${endpoint} ${what} (HTTP ${status}: ${said})${retryAfter === null ? '' : `, retry after ${retryAfter} ms`}; will retry with backoff`, { retryable: true, details });
    }
    const hint =
      status === 401 || status === 403
        ? `check ${envNames.apiKey}`
        : status === 404
          ? `check ${envNames.baseURL} and the model name (${envNames.model} or the call's 'model')`
          : 'check the call\'s arguments against what the endpoint accepts';
    return new ActionFailure(StdCodes.LLM_FAILED, `the LLM endpoint ${endpoint} refused the request (HTTP ${status}: ${said}); ${hint}`, { details });
  }
  // Anything else (a malformed answer, an unexpected client error): possibly transient, so the
  // engine retries it a bounded number of times before memoizing it.
  const message = err instanceof Error ? err.message : String(err);
  return new ActionFailure(StdCodes.LLM_UNAVAILABLE, `calling the LLM endpoint ${endpoint} failed: ${message}`, { retryable: true, details: { endpoint } });
}

/** Retry-After in ms (seconds or an HTTP date), or null. */
function retryAfterMs(headers: Headers | undefined): number | null {
  const v = headers?.get('retry-after-ms') ?? null;
  if (v !== null && Number.isFinite(Number(v))) return Math.max(0, Math.round(Number(v)));
  const s = headers?.get('retry-after') ?? null;
  if (s === null) return null;
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/** The strings that must never leave this module: the key and credentials in the base URL. */
function secretsOf(config: LlmConfig): string[] {
  const out: string[] = [];
  if (config.apiKey !== null) out.push(config.apiKey);
  try {
    const u = new URL(config.baseURL);
    if (u.password !== '') out.push(u.password, decodeURIComponent(u.password));
    if (u.search.length > 1) out.push(u.search.slice(1));
  } catch {
    // resolveConfig has parsed it already.
  }
  return out.filter((s) => s.length > 0);
}

/** Replaces every secret (and any `Bearer …` token) in a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('[redacted]');
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, '$1[redacted]');
}

/** The failure with its message and details scrubbed (details are journaled and reach the workflow). */
export function scrubFailure(failure: ActionFailure, secrets: readonly string[]): ActionFailure {
  const details = failure.details === undefined ? undefined : scrubValue(failure.details, secrets);
  return new ActionFailure(failure.code, scrub(failure.message, secrets), { retryable: failure.retryable, details });
}

/** A JSON value with every string (keys included) scrubbed. */
export function scrubValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k, secrets), scrubValue(v, secrets)]));
  }
  return value;
}
