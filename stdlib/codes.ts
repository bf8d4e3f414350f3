/**
 * Error codes of the standard actions, in one table like the engine's `ErrorCodes`. They reach
 * workflows as `ActionError.code`; match on them. A code is never reused for another meaning.
 * Schema violations use the engine's `ALICE_VALIDATION`.
 */
export const StdCodes = {
  /** The run's tenant is not registered in the tenant directory (`alice tenants add`). */
  UNKNOWN_TENANT: 'ALICE_UNKNOWN_TENANT',
  /** A knowledge-base query the full-text engine cannot parse (in `syntax: "fts"` mode). */
  KB_QUERY: 'ALICE_KB_QUERY',
  /** No LLM endpoint is configured (ALICE_LLM_BASE_URL / ALICE_LLM_MODEL). */
  LLM_CONFIG: 'ALICE_LLM_CONFIG',
  /** The LLM endpoint refused the request (4xx other than 408/409/429), or its answer is unusable. */
  LLM_FAILED: 'ALICE_LLM_FAILED',
  /** `llm.extract`: the model's answers were not JSON valid against the schema, after the repair attempts. */
  LLM_BAD_OUTPUT: 'ALICE_LLM_BAD_OUTPUT',
  /** Transient LLM trouble (429, 5xx, connection, timeout): retried with backoff. */
  LLM_UNAVAILABLE: 'ALICE_LLM_UNAVAILABLE',
  /** `http.request`: the URL's host (or a redirect's) is not in the manifest's `hosts`. */
  HTTP_HOST_DENIED: 'ALICE_HTTP_HOST_DENIED',
  /** `http.request`: the host resolves to a private, loopback or link-local address. */
  HTTP_ADDRESS_DENIED: 'ALICE_HTTP_ADDRESS_DENIED',
  /** `http.request`: the response body is over the size limit. */
  HTTP_TOO_LARGE: 'ALICE_HTTP_TOO_LARGE',
  /** `http.request`: too many redirects, or a redirect to another scheme. */
  HTTP_REDIRECT: 'ALICE_HTTP_REDIRECT',
  /** `http.request`: connection refused or reset, DNS failure, timeout: retried. */
  HTTP_UNAVAILABLE: 'ALICE_HTTP_UNAVAILABLE',
  /** `http.request`: the server's TLS certificate was refused (untrusted, expired, another name): not retried. */
  HTTP_TLS: 'ALICE_HTTP_TLS',
  /** `email.send`: the mail transport (SMTP) is down or refused for now: retried. */
  EMAIL_UNAVAILABLE: 'ALICE_EMAIL_UNAVAILABLE',
  /** `email.send`: the transport refused the message for good (bad recipient, 5xx). */
  EMAIL_REJECTED: 'ALICE_EMAIL_REJECTED',
  /** `email.send`: the mail transport is misconfigured (ALICE_SMTP_URL not smtp(s)://, no sender: set ALICE_MAIL_FROM). */
  EMAIL_CONFIG: 'ALICE_EMAIL_CONFIG',
  /** `human.ask`: the answer does not match the question's answer schema, or the question is closed. */
  HUMAN_ANSWER: 'ALICE_HUMAN_ANSWER',
} as const;

export type StdCode = (typeof StdCodes)[keyof typeof StdCodes];
