import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { ActionFailure, hostAllowed, type HostPattern } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import type { AddressPolicy } from './address.js';
import { sendHop, type HopResponse } from './hop.js';

/** Most redirects one call follows. */
export const maxRedirects = 5;

/** A request after validation: what goes on the wire, before redirects change it. */
export interface OutgoingRequest {
  url: URL;
  method: string;
  /** The workflow's headers, validated, with their original names. */
  headers: Record<string, string>;
  body: Buffer | null;
  /** `Authorization` value; dropped when a redirect leaves the host. */
  auth: string | null;
  timeoutMs: number;
  maxBytes: number;
  redirect: 'follow' | 'manual';
}

/** What the call knows besides the request: where it may go and what it must say. */
export interface CallSettings {
  readonly hosts: readonly HostPattern[];
  readonly addresses: AddressPolicy;
  readonly idempotencyKey: string;
  readonly userAgent: string;
  readonly connectTimeoutMs: number;
  readonly ca: readonly string[] | null;
}

/** The result of `http.request`, as the workflow receives it. */
export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  url: string;
  redirects: string[];
}

/** `scheme://host[:port]`: what messages name (the path and query may carry data). */
function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** The URL's port for the allowlist: null when it is the scheme's default. */
function portOf(url: URL): number | null {
  return url.port === '' ? null : Number(url.port);
}

/** The host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Refuses a URL whose host:port is not in the manifest's `hosts`. */
export function checkHost(url: URL, hosts: readonly HostPattern[], redirectedFrom: URL | null): void {
  if (hostAllowed(hosts, url.hostname, portOf(url))) return;
  const where = redirectedFrom === null ? '' : `a redirect from ${origin(redirectedFrom)} leads to ${origin(url)}, but `;
  throw new ActionFailure(
    StdCodes.HTTP_HOST_DENIED,
    `${where}host ${url.host} is not in the workflow's hosts (${hosts.length === 0 ? 'none declared' : 'not matched'}); ` +
      `add "${url.host}" to the manifest's hosts if the workflow may reach it — nothing was sent`,
    { details: { host: url.host, redirectedFrom: redirectedFrom === null ? null : origin(redirectedFrom) } },
  );
}

/** The host's addresses, every one of them checked; refuses the host if any is not allowed. */
async function checkedAddresses(url: URL, policy: AddressPolicy, signal: AbortSignal): Promise<LookupAddress[]> {
  const host = bareHost(url);
  const family = isIP(host);
  const found: LookupAddress[] =
    family !== 0 ? [{ address: host, family }] : await abortable(resolveAll(host), signal);
  if (found.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  for (const a of found) {
    const kind = policy.check(a.address);
    if (kind === null) continue;
    // One refused address refuses the host: a name that answers with a public and a private
    // address is either misconfigured or an attempt to reach the inside.
    throw new ActionFailure(
      StdCodes.HTTP_ADDRESS_DENIED,
      `${url.host} ${family !== 0 ? 'is' : `resolves to ${a.address}, which is`} a ${kind} address; http.request reaches only public addresses ` +
        `unless the engine's http configuration allows the range (allowPrivate) — nothing was sent`,
      { details: { host: url.host, address: a.address, kind } },
    );
  }
  return found;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => lookup(host, { all: true, verbatim: true }, (err, list) => (err ? reject(err) : resolve(list))));
}

/** Settles with `p`, or rejects when the signal aborts first (a DNS lookup cannot be cancelled). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Answers that say "try again later": retried by the engine with backoff. */
const transientStatuses: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Headers that describe the body; dropped with the body when a redirect turns a POST into a GET. */
const bodyHeaders = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/**
 * Sends the request, following redirects by hand: every hop's host (the first included) is
 * checked against the manifest and its addresses against the policy before anything is sent.
 */
export async function call(request: OutgoingRequest, settings: CallSettings): Promise<HttpResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TotalTimeout()), request.timeoutMs);
  const redirects: string[] = [];
  let url = request.url;
  let method = request.method;
  let body = request.body;
  let headers = { ...request.headers };
  let auth = request.auth;
  try {
    checkHost(url, settings.hosts, null);
    for (;;) {
      const addresses = await checkedAddresses(url, settings.addresses, controller.signal);
      const res = await sendHop({
        url,
        method,
        headers: wireHeaders(headers, auth, body, settings),
        body,
        addresses,
        signal: controller.signal,
        connectTimeoutMs: Math.min(settings.connectTimeoutMs, request.timeoutMs),
        ca: settings.ca,
      });
      const location = res.headers.location?.[0];
      if (request.redirect === 'manual' || !redirectStatuses.has(res.status) || location === undefined) {
        return await finish(res, url, method, request.maxBytes, redirects);
      }
      res.discard();
      const next = redirectTarget(url, location, redirects.length);
      checkHost(next, settings.hosts, url);
      // Credentials were given for the host the workflow named, not for wherever it sends us.
      if (next.host !== url.host) auth = null;
      if (res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST') {
        method = 'GET';
        body = null;
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !bodyHeaders.has(name.toLowerCase())));
      }
      redirects.push(next.href);
      url = next;
    }
  } catch (err) {
    throw classify(err, url, method, request.timeoutMs, controller.signal.reason instanceof TotalTimeout);
  } finally {
    clearTimeout(timer);
  }
}

/** The workflow's headers plus ours: the step's idempotency key always, our user agent unless it set one. */
function wireHeaders(headers: Record<string, string>, auth: string | null, body: Buffer | null, settings: CallSettings): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  const has = (name: string) => Object.keys(out).some((k) => k.toLowerCase() === name);
  if (!has('user-agent')) out['User-Agent'] = settings.userAgent;
  out['Idempotency-Key'] = settings.idempotencyKey;
  if (auth !== null) out.Authorization = auth;
  if (body !== null) out['Content-Length'] = String(body.length);
  return out;
}

/** The next URL of a redirect, or the reason not to follow it (`followed`: redirects so far). */
export function redirectTarget(from: URL, location: string, followed: number): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw redirectFailure(from, `a Location that is not a URL (${JSON.stringify(location.slice(0, 200))})`);
  }
  next.hash = '';
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw redirectFailure(from, `a redirect to the ${next.protocol} scheme; only http and https are followed`);
  if (from.protocol === 'https:' && next.protocol === 'http:') throw redirectFailure(from, `a redirect from https to plain http (${origin(next)}); it is refused so that nothing leaves TLS`);
  if (next.username !== '' || next.password !== '') throw redirectFailure(from, 'a redirect to a URL with credentials in it');
  if (followed >= maxRedirects) throw redirectFailure(from, `more than ${maxRedirects} redirects`);
  return next;
}

function redirectFailure(from: URL, what: string): ActionFailure {
  return new ActionFailure(StdCodes.HTTP_REDIRECT, `${origin(from)} answered with ${what}; use redirect: "manual" to see the answer itself`, { details: { from: origin(from) } });
}

/** The final response as the workflow sees it; transient statuses become retryable failures. */
async function finish(res: HopResponse, url: URL, method: string, maxBytes: number, redirects: string[]): Promise<HttpResult> {
  if (transientStatuses.has(res.status)) {
    res.discard();
    throw new ActionFailure(StdCodes.HTTP_UNAVAILABLE, `${method} ${origin(url)} answered ${res.status} ${res.statusText}: the server is busy or down for now`, {
      retryable: true,
      details: { status: res.status, url: origin(url) },
    });
  }
  // A HEAD answer has no body (Node knows); reading it still ends the response cleanly.
  const bytes = await res.read(maxBytes);
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    // Cookies are session state of a browser; a journaled cookie would be a stored credential.
    if (name === 'set-cookie' || name === 'set-cookie2') continue;
    headers[name] = values.join(', ');
  }
  const contentType = headers['content-type'] ?? '';
  const body = decodeText(bytes, contentType);
  return { status: res.status, statusText: res.statusText, headers, body, json: parseJson(body, contentType), url: url.href, redirects };
}

/** The body as text in its declared charset (utf-8 when none is declared or known). */
function decodeText(bytes: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** `application/json`, `application/problem+json`, `text/json`… parsed; anything else (or bad JSON) is null. */
function parseJson(body: string, contentType: string): unknown {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!/^(application|text)\/([a-z0-9.+-]+\+)?json$/.test(type) || body.trim() === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

/** The reason the call's own timer aborted it. */
class TotalTimeout extends Error {
  constructor() {
    super('total timeout');
  }
}

/** Turns what went wrong into the action's typed failure: network trouble is retryable. */
function classify(err: unknown, url: URL, method: string, timeoutMs: number, timedOut: boolean): ActionFailure {
  // A body refused as too large is final even if the timer fired while it was refused.
  if (err instanceof ActionFailure) return err;
  const where = `${method} ${origin(url)}`;
  const e = err as NodeJS.ErrnoException;
  if (timedOut) {
    return new ActionFailure(StdCodes.HTTP_UNAVAILABLE, `${where}: no complete answer within ${timeoutMs} ms`, { retryable: true, details: { url: origin(url), timeoutMs }, cause: err });
  }
  const code = typeof e?.code === 'string' ? e.code : 'ERROR';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // A refused certificate is a configuration matter (ours or the server's); retrying within
  // minutes would only delay the answer.
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return new ActionFailure(StdCodes.HTTP_TLS, `${where}: the server's TLS certificate was refused: ${code} (${message}); if the server uses a private CA, add it to the http options' ca`, {
      details: { url: origin(url), error: code },
      cause: err,
    });
  }
  return new ActionFailure(StdCodes.HTTP_UNAVAILABLE, `${where}: ${code === 'ALICE_CONNECT_TIMEOUT' ? message : `${code} (${message})`}`, {
    retryable: true,
    details: { url: origin(url), error: code },
    cause: err,
  });
}
