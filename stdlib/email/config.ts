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

function nonEmpty(s: string | undefined): string | null {
  return typeof s === 'string' && s.trim() !== '' ? s : null;
}
