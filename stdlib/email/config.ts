import type { RetryPolicy } from '../../runtime/index.js';
import { resolveTransport, type ResolvedTransport, type TransportSetting } from './transport.js';

/** Options of `emailActions`. Unset fields fall back to the environment, read at each send. */
export interface EmailOptions {
  /**
   * Where mail goes: an `smtp://user:pass@host:port` or `smtps://…` URL, or nodemailer SMTP
   * options (`{ host, port, secure, auth }`). Default: `ALICE_SMTP_URL`. With neither, messages
   * are held in the outbox (status `held`) and nothing is sent: the dev mode of the examples.
   */
  transport?: TransportSetting;
  /** The default sender (`"Alice <alice@example.com>"` or a bare address). Default: `ALICE_MAIL_FROM`. */
  from?: string;
  /**
   * The senders a workflow may name in `from`: addresses (`ops@example.com`) and whole domains
   * (`@example.com`, that domain only, not its subdomains); compared without regard to case.
   * Default: the configured default sender's address alone. With neither this nor a default
   * sender, a held message may name any sender (nothing is sent), and a message to send may
   * name none. A `from` not allowed is refused with ALICE_VALIDATION; nothing is stored or sent.
   */
  allowedFrom?: readonly string[];
  /** Where `ALICE_SMTP_URL` and `ALICE_MAIL_FROM` are read. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Retry policy of `email.send` (see {@link emailRetry} for the default). */
  retry?: Partial<RetryPolicy>;
  /** Domain of the derived Message-IDs (`<hash@domain>`). Default `alice.local`. */
  messageIdDomain?: string;
}

/**
 * SMTP outages last minutes to hours, so retry for about three hours in all (30 s, 1 m, 2 m, …,
 * capped at 1 h) before the step fails with EMAIL_UNAVAILABLE.
 */
export const emailRetry: RetryPolicy = { maxAttempts: 10, initialDelay: '30s', backoff: 2, maxDelay: '1h' };

/** The configuration as one send sees it. */
export interface MailConfig {
  /** null: no transport configured, so messages are held. */
  readonly transport: ResolvedTransport | null;
  /** Set when the configured transport is unusable (the message says why, without credentials). */
  readonly problem: string | null;
  readonly from: string | null;
}

/**
 * Reads the configuration for one send. A transport given in the options was checked when the
 * catalog was built (`fixed`); the environment is read now, so a process that sets
 * `ALICE_SMTP_URL` after building the catalog still sends.
 */
export function mailConfig(options: EmailOptions, fixed: ResolvedTransport | null): MailConfig {
  const env = options.env ?? process.env;
  const from = nonEmpty(options.from) ?? nonEmpty(env.ALICE_MAIL_FROM);
  if (fixed !== null) return { transport: fixed, problem: null, from };
  const url = nonEmpty(env.ALICE_SMTP_URL);
  if (url === null) return { transport: null, problem: null, from };
  const resolved = resolveTransport(url, 'ALICE_SMTP_URL');
  if (typeof resolved === 'string') return { transport: null, problem: resolved, from };
  return { transport: resolved, problem: null, from };
}

/**
 * Why a workflow may not name `from` as its sender, or null when it may. `mode` is where the
 * message goes: a held message is never sent, so with no sender configured at all it may name any.
 */
export function senderProblem(from: string, options: EmailOptions, config: MailConfig, mode: 'send' | 'hold'): string | null {
  const allowed = options.allowedFrom ?? (config.from === null ? null : [addressOf(config.from)]);
  if (allowed === null) {
    if (mode === 'hold') return null;
    return `from ${JSON.stringify(from)} is not an allowed sender: no sender is configured; set the allowedFrom option, or ALICE_MAIL_FROM (or the from option) to allow that address`;
  }
  const address = from.toLowerCase();
  const domain = address.slice(address.lastIndexOf('@'));
  for (const entry of allowed) {
    const e = entry.toLowerCase();
    if (e === address || (e.startsWith('@') && e === domain)) return null;
  }
  const list = allowed.length === 0 ? 'none' : allowed.join(', ');
  return `from ${JSON.stringify(from)} is not an allowed sender (allowed: ${list}); leave from out to send as the configured sender, or ask the operator to add it to allowedFrom`;
}

/** The address of a sender written `Name <address>` or bare. */
export function addressOf(sender: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(sender);
  return (angle === null ? sender : angle[1]).trim();
}

/** Why an `allowedFrom` entry is unusable, or null: it must be an address or `@domain`. */
export function allowedFromProblem(entry: unknown, addressPattern: RegExp): string | null {
  if (typeof entry !== 'string') return `allowedFrom entries must be strings, got ${typeof entry}`;
  const probe = entry.startsWith('@') ? `x${entry}` : entry;
  if (!addressPattern.test(probe)) return `allowedFrom entry ${JSON.stringify(entry)} must be an address (ops@example.com) or a domain (@example.com)`;
  return null;
}

function nonEmpty(s: string | undefined): string | null {
  return typeof s === 'string' && s.trim() !== '' ? s : null;
}
