import { ActionFailure, type RetryPolicy } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';

/** Options of {@link llmActions}. Each one overrides its environment variable. */
export interface LlmOptions {
  /** OpenAI-compatible base URL, e.g. `https://api.openai.com/v1`. Default `$ALICE_LLM_BASE_URL`. */
  baseURL?: string;
  /** The endpoint's API key. Default `$ALICE_LLM_API_KEY`; none is sent when neither is set. */
  apiKey?: string;
  /** Model used when a call names none. Default `$ALICE_LLM_MODEL`. */
  model?: string;
  /** Longest one HTTP request to the model may take, in ms. Default 60 000. */
  timeout?: number;
  /** Where the variables are read (when an action runs, not at import). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * How the engine retries transient failures (429, 5xx, timeouts). Default 5 attempts,
   * 2 s doubling up to 1 min.
   */
  retry?: Partial<RetryPolicy>;
  /**
   * How `llm.extract` asks for JSON: `json_schema` (default; the schema goes in
   * `response_format`) or `json_object`, for endpoints without structured outputs (the schema
   * is in the prompt either way).
   */
  jsonMode?: 'json_schema' | 'json_object';
}

/** The resolved endpoint of one call. */
export interface LlmConfig {
  baseURL: string;
  /** null: no Authorization header is sent (local servers). */
  apiKey: string | null;
  model: string;
  timeoutMs: number;
}

export const envNames = { baseURL: 'ALICE_LLM_BASE_URL', apiKey: 'ALICE_LLM_API_KEY', model: 'ALICE_LLM_MODEL' } as const;

export const defaultRequestTimeoutMs = 60_000;

/** LLM calls are slow and rate-limited: back off for longer than local actions do. */
export const llmRetry: RetryPolicy = { maxAttempts: 5, initialDelay: '2s', backoff: 2, maxDelay: '1m' };

/**
 * The endpoint for one call, from the options, then the environment (read now, so a changed
 * variable takes effect without rebuilding the catalog). A missing base URL or model is a
 * memoized `ALICE_LLM_CONFIG` failure: retrying cannot fix the configuration.
 */
export function resolveConfig(options: LlmOptions, model: string | undefined): LlmConfig {
  const env = options.env ?? process.env;
  const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());
  const baseURL = nonEmpty(options.baseURL) ?? nonEmpty(env[envNames.baseURL]);
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env[envNames.apiKey]);
  const chosen = nonEmpty(model) ?? nonEmpty(options.model) ?? nonEmpty(env[envNames.model]);
  const missing = [baseURL === null ? envNames.baseURL : null, chosen === null ? envNames.model : null].filter((x) => x !== null);
  if (baseURL === null || chosen === null) {
    throw new ActionFailure(
      StdCodes.LLM_CONFIG,
      `no LLM endpoint is configured: set ${missing.join(' and ')} (and ${envNames.apiKey} if the endpoint needs a key) in the engine's environment, ` +
        `or pass baseURL/model/apiKey to llmActions(); ${envNames.model} can also be replaced by the call's 'model' argument`,
      { details: { missing } },
    );
  }
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ActionFailure(StdCodes.LLM_CONFIG, `${envNames.baseURL} is not a URL (it must look like https://host/v1); fix the engine's configuration`, { details: { variable: envNames.baseURL } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ActionFailure(StdCodes.LLM_CONFIG, `${envNames.baseURL} must be an http(s) URL, got ${url.protocol}`, { details: { variable: envNames.baseURL } });
  }
  const timeoutMs = options.timeout ?? defaultRequestTimeoutMs;
  return { baseURL, apiKey, model: chosen, timeoutMs };
}

/** The endpoint as it may be shown: origin and path, never user info or query (they may hold credentials). */
export function showEndpoint(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
