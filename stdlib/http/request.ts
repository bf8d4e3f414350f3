import { ActionFailure, durationMs, ErrorCodes, parseHostPattern, type ActionDefinition, type HostPattern, type Manifest, type StepHandle } from '../../runtime/index.js';
import type { TenantGuard } from '../tenants.js';
import { stdAction, Type, type Static } from '../schema.js';
import type { HttpCache } from './cache.js';
import { call, maxRedirects, type OutgoingRequest } from './client.js';
import type { HttpSettings } from './options.js';

const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Headers a workflow may not set. Hop-by-hop headers and the framing (Host, Content-Length,
 * Transfer-Encoding, Expect) belong to the connection the action makes; Idempotency-Key is the
 * engine's; Authorization goes through `auth`, the one argument that is masked in the log.
 */
const refusedHeaders: ReadonlyMap<string, string> = new Map([
  ...['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect'].map(
    (h) => [h, 'it belongs to the connection, which the action manages'] as const,
  ),
  ['host', 'the host comes from the url'],
  ['content-length', 'the action computes it from the body'],
  ['idempotency-key', "the engine sends the step's own key"],
  ['authorization', 'pass the value as `auth`, which is masked in the log and the journal'],
  ['proxy-authorization', 'no proxy is used'],
]);

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The input schema; the limits of this engine's configuration are part of it. */
function httpRequestInput(settings: HttpSettings) {
  return Type.Object(
    {
      url: Type.String({ minLength: 1, maxLength: 8192, description: "An http: or https: URL; its host must be in the workflow's manifest `hosts`." }),
      method: Type.Optional(Type.Union(httpMethods.map((m) => Type.Literal(m)), { description: 'Default GET.' })),
      headers: Type.Optional(
        Type.Record(Type.String(), Type.String({ maxLength: 8192 }), {
          description: 'Request headers. Not allowed: Host, Content-Length, Idempotency-Key, Authorization (use auth), hop-by-hop headers.',
        }),
      ),
      body: Type.Optional(Type.String({ description: 'The request body as text. Not with json.' })),
      json: Type.Optional(Type.Unknown({ description: 'A JSON request body; sets Content-Type: application/json unless headers set one. Not with body.' })),
      auth: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'The Authorization header value (e.g. "Bearer …"). Secret: masked in the log and journal; not sent to another host after a redirect.' })),
      timeout: Type.Optional(
        Type.Union([Type.Integer({ minimum: 1, maximum: settings.maxTimeoutMs }), Type.String({ minLength: 1, maxLength: 64 })], {
          description: `Total time for the call in ms or as a duration ("10s"); default ${settings.timeoutMs} ms, at most ${settings.maxTimeoutMs} ms.`,
        }),
      ),
      maxBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: settings.maxBytes, description: `Largest response body in bytes; default and maximum ${settings.maxBytes}.` })),
      redirect: Type.Optional(Type.Union([Type.Literal('follow'), Type.Literal('manual')], { description: `follow (default, at most ${maxRedirects}, each checked against hosts) or manual (return the 3xx answer).` })),
    },
    { additionalProperties: false },
  );
}
export type HttpRequestArgs = Static<ReturnType<typeof httpRequestInput>>;

const HttpRequestOutput = Type.Object({
  status: Type.Integer(),
  statusText: Type.String(),
  headers: Type.Record(Type.String(), Type.String(), { description: 'Lower-case names; Set-Cookie is dropped.' }),
  body: Type.String({ description: 'The body as text (in its declared charset, else UTF-8).' }),
  json: Type.Unknown({ description: 'The parsed body when the response is JSON, else null.' }),
  url: Type.String({ description: 'The final URL, after redirects.' }),
  redirects: Type.Array(Type.String(), { description: 'The URLs redirected to, in order.' }),
});
type HttpRequestResult = Static<typeof HttpRequestOutput>;

function invalid(message: string, details?: unknown): ActionFailure {
  return new ActionFailure(ErrorCodes.VALIDATION, `http.request: ${message}`, { details });
}

/** The manifest's host patterns; the bundle check already refused malformed ones. */
function manifestHosts(manifest: Readonly<Manifest>): HostPattern[] {
  return (manifest.hosts ?? []).map(parseHostPattern).filter((p): p is HostPattern => typeof p !== 'string');
}

/** Checks what the schema cannot and builds the request; every refusal is ALICE_VALIDATION. */
function outgoing(args: HttpRequestArgs, settings: HttpSettings): OutgoingRequest {
  let url: URL;
  try {
    url = new URL(args.url);
  } catch {
    throw invalid(`url ${JSON.stringify(args.url.slice(0, 200))} is not an absolute URL (write it with its scheme: https://api.example.com/path)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`url scheme ${url.protocol} is not supported; use http: or https:`);
  if (url.username !== '' || url.password !== '') throw invalid('the url carries credentials (user:password@); pass them as `auth` so they are masked in the log');
  url.hash = '';
  const method = args.method ?? 'GET';
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(args.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!headerName.test(name)) throw invalid(`header name ${JSON.stringify(name.slice(0, 64))} is not a valid HTTP token`);
    const reason = refusedHeaders.get(lower);
    if (reason !== undefined) throw invalid(`header ${name} cannot be set: ${reason}`, { header: name });
    if (seen.has(lower)) throw invalid(`header ${name} is given twice (names are case-insensitive)`, { header: name });
    if (!headerValue.test(value)) throw invalid(`header ${name} has a character not allowed in a header value (a line break or other control character, or one beyond Latin-1)`, { header: name });
    seen.add(lower);
    headers[name] = value;
  }
  if (args.body !== undefined && args.json !== undefined) throw invalid('pass the body as body (text) or json, not both');
  let body: Buffer | null = null;
  if (args.body !== undefined) body = Buffer.from(args.body, 'utf8');
  if (args.json !== undefined) {
    body = Buffer.from(JSON.stringify(args.json), 'utf8');
    if (!seen.has('content-type')) headers['Content-Type'] = 'application/json';
  }
  if (body !== null && method === 'HEAD') throw invalid('a HEAD request has no body');
  let timeoutMs = settings.timeoutMs;
  if (args.timeout !== undefined) {
    try {
      timeoutMs = durationMs(args.timeout);
    } catch (err) {
      throw invalid(`timeout: ${(err as Error).message}`);
    }
    if (!(timeoutMs > 0 && timeoutMs <= settings.maxTimeoutMs)) throw invalid(`timeout must be more than 0 and at most ${settings.maxTimeoutMs} ms, got ${timeoutMs} ms`);
  }
  return {
    url,
    method,
    headers,
    body,
    auth: args.auth ?? null,
    timeoutMs,
    maxBytes: args.maxBytes ?? settings.maxBytes,
    redirect: args.redirect ?? 'follow',
  };
}

/**
 * `http.request({ url, method?, headers?, body? | json?, auth?, timeout?, maxBytes?, redirect? })`:
 * one HTTP exchange with a host the workflow's manifest lists, at a public address (unless the
 * configuration allows private ones). Returns `{ status, statusText, headers, body, json, url,
 * redirects }`; 4xx and 5xx answers are data, except 429/502/503/504, which are retried.
 *
 * @example
 * const res = await actions.http.request({ url: 'https://api.example.com/orders', method: 'POST', json: { sku: 'A1' }, auth: 'Bearer t0k3n' });
 * if (res.status === 201) return res.json;
 */
export default function httpRequest(settings: HttpSettings, cache: HttpCache, tenants: TenantGuard, now: () => number): ActionDefinition<HttpRequestArgs, HttpRequestResult> {
  return stdAction({
    name: 'http.request',
    description: `Sends one HTTP(S) request to a host listed in the workflow's manifest hosts; returns status, headers and body. 429/502/503/504 and network faults are retried; other statuses are returned.`,
    input: httpRequestInput(settings),
    output: HttpRequestOutput,
    permission: 'http:request',
    // Idempotency: the step's key goes out as `Idempotency-Key` on every attempt and redirect
    // hop, and the response is kept by that key (HttpCache) before the action returns, so a
    // step re-executed after a crash answers from the cache without sending again.
    retry: settings.retry,
    secret: ['auth'],
    // The call's own timer ends it first; this is the engine's backstop.
    timeout: settings.maxTimeoutMs + 10_000,
    run: async (args, ctx, step: StepHandle) => {
      tenants.require(ctx);
      const request = outgoing(args, settings);
      const kept = cache.get(step.idempotencyKey);
      if (kept !== null) return kept;
      const result = await call(request, {
        hosts: manifestHosts(step.manifest),
        addresses: settings.addresses,
        idempotencyKey: step.idempotencyKey,
        userAgent: settings.userAgent,
        connectTimeoutMs: settings.connectTimeoutMs,
        ca: settings.ca,
      });
      cache.put(step.idempotencyKey, step.runId, result, now());
      return result;
    },
    // The cached responses only serve re-executions of this run's steps; once it is over for
    // ever, nothing can ask for them again.
    finalize: (_ctx, run) => {
      cache.deleteRun(run.id);
    },
  });
}
