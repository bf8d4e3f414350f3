import type { NodemailerError, SendMailOptions, SMTPTransportOptions } from 'nodemailer';
import { ActionFailure } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';

/** Where mail goes: an `smtp://` or `smtps://` URL (credentials in it are fine), or nodemailer SMTP options. */
export type TransportSetting = string | SMTPTransportOptions;

/** A transport ready to use, with what may be said about it in messages. */
export interface ResolvedTransport {
  /** What `createTransport` gets: the setting plus our timeouts, with logging forced off. */
  readonly options: SMTPTransportOptions;
  /** `smtp://host:port`, without credentials: the only way messages name the server. */
  readonly where: string;
  /** Removes the transport's credentials from a text (an error message, a server reply). */
  readonly scrub: (text: string) => string;
}

/**
 * Timeouts well inside the action's own (see send.ts), so a hung server ends as a retryable
 * nodemailer error rather than an attempt the engine abandons while its socket is still open.
 */
const timeouts = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 45_000, dnsTimeout: 15_000 };

/**
 * Forced on every transport: no logging (nodemailer's debug log carries the AUTH exchange), and
 * no reading of files or URLs on a message's behalf (a workflow's text must never make the host
 * attach /etc/passwd or fetch an intranet page).
 */
const locked = { logger: false, debug: false, disableFileAccess: true, disableUrlAccess: true } as const;

/** `scheme://user:pass@` → `scheme://***@`, wherever a URL with credentials shows up in a text. */
const userinfo = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * A function that removes these secrets (and any URL's user:password part) from a text. The
 * base64 forms cover a server that echoes an AUTH PLAIN or LOGIN exchange in its reply.
 */
export function scrubber(user: string, pass: string): (text: string) => string {
  const secrets = new Set<string>();
  if (pass !== '') {
    secrets.add(pass);
    secrets.add(encodeURIComponent(pass));
    secrets.add(Buffer.from(pass).toString('base64'));
    secrets.add(Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64'));
  }
  const list = [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(userinfo, '$1***@');
    for (const s of list) out = out.split(s).join('***');
    return out;
  };
}

/**
 * Reads a transport setting. Returns a message (already scrubbed) when it is unusable; the
 * caller decides whether that is a TypeError at construction or a memoized EMAIL_CONFIG.
 */
export function resolveTransport(setting: TransportSetting, source: string): ResolvedTransport | string {
  if (typeof setting === 'string') {
    let url: URL;
    try {
      url = new URL(setting);
    } catch {
      // Not echoed: a malformed URL is exactly where a scrubber cannot find the password.
      return `${source} is not a URL; give smtp://user:pass@host:port or smtps://…`;
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      return `${source} must be an smtp:// or smtps:// URL, not ${url.protocol}//…`;
    }
    const scrub = scrubber(safeDecode(url.username), safeDecode(url.password));
    // nodemailer lets the URL's query set any option, after the ones given beside it: drop
    // those we lock, or `?debug=true` would log the AUTH exchange.
    for (const key of Object.keys(locked)) url.searchParams.delete(key);
    return { options: { url: url.href, ...timeouts, ...locked }, where: `${url.protocol}//${url.host}`, scrub };
  }
  if (setting === null || typeof setting !== 'object') return `${source} must be an smtp(s):// URL or nodemailer SMTP options`;
  const auth = setting.auth as { user?: unknown; pass?: unknown } | undefined;
  const user = typeof auth?.user === 'string' ? auth.user : '';
  const pass = typeof auth?.pass === 'string' ? auth.pass : '';
  let scrub = scrubber(user, pass);
  let where = `${setting.secure === true ? 'smtps' : 'smtp'}://${setting.host ?? 'localhost'}:${String(setting.port ?? (setting.secure === true ? 465 : 587))}`;
  if (typeof setting.url === 'string') {
    const inner = resolveTransport(setting.url, `${source}.url`);
    if (typeof inner === 'string') return inner;
    const outer = scrub;
    scrub = (text) => inner.scrub(outer(text));
    where = inner.where;
    return { options: { ...timeouts, ...setting, url: inner.options.url, ...locked }, where, scrub };
  }
  return { options: { ...timeouts, ...setting, ...locked }, where, scrub };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** What the SMTP server answered for a message it took. */
export interface Delivery {
  accepted: string[];
  rejected: string[];
  response: string;
}

/**
 * Sends one message over a fresh SMTP connection. nodemailer is loaded on first use, so the
 * CLI's commands that never send mail do not pay for it.
 */
export async function deliver(t: ResolvedTransport, mail: SendMailOptions): Promise<Delivery> {
  const { createTransport } = await import('nodemailer');
  const transporter = createTransport(t.options);
  try {
    const info = await transporter.sendMail(mail);
    return { accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: t.scrub(String(info.response ?? '')) };
  } finally {
    transporter.close();
  }
}

/**
 * The failure a send error becomes. A refusal of the envelope or the message with a permanent
 * reply (5xx other than 503), or nodemailer's own refusal of them before any reply, is for good:
 * the same message would be refused again. Everything else — no connection, a timeout, a 4xx,
 * a greeting or AUTH refused — is about the server or its configuration, not this message, so
 * it is retried.
 */
export function sendFailure(err: unknown, t: ResolvedTransport): ActionFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerError;
  const reason = t.scrub(String(e.message ?? err)).slice(0, 500);
  const aboutMessage = e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
  if (aboutMessage && (e.responseCode === undefined || e.permanent === true)) {
    const rejected = Array.isArray(e.rejected) ? e.rejected.map(String) : [];
    return new ActionFailure(
      StdCodes.EMAIL_REJECTED,
      `email.send: ${t.where} refused the message for good (${reason}); nothing was delivered and it will not be retried — fix the recipients or the message`,
      { details: { responseCode: e.responseCode ?? null, rejected } },
    );
  }
  const hint = e.code === 'EAUTH' || e.code === 'ENOAUTH' ? 'check the credentials of the transport (ALICE_SMTP_URL)' : 'the step is retried with backoff';
  return new ActionFailure(StdCodes.EMAIL_UNAVAILABLE, `email.send: the mail server ${t.where} is unavailable (${reason}); ${hint}`, {
    retryable: true,
    details: { smtpCode: e.code ?? null, responseCode: e.responseCode ?? null },
  });
}
