import { createHash } from 'node:crypto';
import { newOwnerId } from '../../runtime/engine/owner.js';
import { ActionFailure, ErrorCodes, type ActionDefinition, type RunContext, type StepHandle } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { stdAction } from '../schema.js';
import type { TenantGuard } from '../tenants.js';
import { emailRetry, mailConfig, senderProblem, type EmailOptions } from './config.js';
import type { EmailOutbox, OutboxMessage } from './outbox.js';
import { EmailSendInput, EmailSendOutput, maxRecipients, type EmailSendArgs, type EmailSendResult } from './schema.js';
import { deliver, sendFailure, type ResolvedTransport } from './transport.js';

/**
 * A `sending` row this old is taken over even when its owner looks alive (a process on another
 * host, whose liveness cannot be checked): far beyond the longest attempt (the action timeout).
 */
export const staleSendingMs = 10 * 60_000;

/** The Message-ID of a step's message: a function of its idempotency key alone, so every resend carries it. */
export function messageIdFor(idempotencyKey: string, domain = 'alice.local'): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

export interface EmailSendDeps {
  outbox: EmailOutbox;
  tenants: TenantGuard;
  options: EmailOptions;
  /** The transport of `options.transport`, resolved when the catalog was built; null: read the env. */
  fixed: ResolvedTransport | null;
  /** The engine's clock: outbox times, and the Date header of the message. */
  now: () => number;
}

/**
 * `email.send({ to, cc?, bcc?, subject, text?, html?, replyTo?, from? })`: sends one message
 * through the configured SMTP transport, at most once per step (see docs/stdlib/email.md for the
 * exact guarantee), or holds it in the outbox when no transport is configured.
 *
 * @example const { messageId } = await actions.email.send({ to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' });
 */
export default function emailSend(deps: EmailSendDeps): ActionDefinition<EmailSendArgs, EmailSendResult> {
  const { outbox, tenants, options, fixed, now } = deps;
  const domain = options.messageIdDomain ?? 'alice.local';
  // Identifies this catalog's sends in the outbox: a `sending` row of a dead owner is taken over at once.
  const owner = newOwnerId();
  // Sends in progress in this catalog, by idempotency key: a second call for a key (an attempt
  // retried after the engine's deadline while the first one still talks to the server) waits
  // for the first one's outcome instead of opening a second SMTP transaction.
  const inFlight = new Map<string, { digest: string; done: Promise<EmailSendResult> }>();

  async function attempt(key: string, digest: string, message: OutboxMessage, ctx: RunContext, step: StepHandle): Promise<EmailSendResult> {
    const messageId = messageIdFor(key, domain);
    const config = mailConfig(options, fixed);
    const sender = message.from ?? config.from;
    let mode: 'send' | 'hold' | { config: string } = config.transport === null ? 'hold' : 'send';
    // A sender the deployment does not allow: refused for good, before the outbox stores anything.
    const refused = message.from === null ? null : senderProblem(message.from, options, config, config.transport === null ? 'hold' : 'send');
    if (refused !== null) throw new ActionFailure(ErrorCodes.VALIDATION, `email.send: ${refused} — nothing was sent`, { details: { from: message.from } });
    if (config.problem !== null) mode = { config: config.problem };
    else if (mode === 'send' && sender === null) mode = { config: 'no sender is configured: set ALICE_MAIL_FROM (or the `from` option), or pass `from`' };
    const claim = outbox.claim({
      key, tenant: ctx.tenant, runId: ctx.runId, step: step.seq, messageId, digest, message: { ...message, from: sender },
      mode, owner, now: now(), staleMs: staleSendingMs,
    });
    switch (claim.kind) {
      case 'done':
        return claim.result;
      case 'rejected':
        // Refused for good earlier (and the engine lost the outcome): refused again, without asking the server.
        throw new ActionFailure(claim.failure.code, claim.failure.message, { details: claim.failure.details });
      case 'busy':
        throw new ActionFailure(
          StdCodes.EMAIL_UNAVAILABLE,
          `email.send: message ${messageId} of step ${key} is being sent by another process (${claim.owner}, since ${new Date(claim.since).toISOString()}); retried to learn its outcome`,
          { retryable: true },
        );
      case 'conflict':
        throw new ActionFailure(ErrorCodes.VALIDATION, `email.send: idempotency key ${key} already carries another message (digest ${claim.digest.slice(0, 12)}); one step sends one message — nothing was sent`);
      case 'config':
        throw new ActionFailure(StdCodes.EMAIL_CONFIG, `email.send: ${claim.message}; nothing was sent`);
      case 'finalized':
        throw new ActionFailure(ErrorCodes.RUN_TERMINAL, `email.send: run ${ctx.runId} is over and was finalized before message ${messageId} was sent; its body is gone — nothing was sent`);
      case 'send':
        break;
      default:
        return assertNever(claim);
    }
    const transport = config.transport;
    // The outbox answers `send` only in mode 'send', which needs a transport.
    if (transport === null) throw new Error('email.send: internal: a send was claimed without a transport');
    const m = claim.message;
    try {
      const delivery = await deliver(transport, {
        from: m.from ?? undefined,
        to: m.to,
        cc: m.cc.length > 0 ? m.cc : undefined,
        bcc: m.bcc.length > 0 ? m.bcc : undefined,
        replyTo: m.replyTo ?? undefined,
        subject: m.subject,
        text: m.text ?? undefined,
        html: m.html ?? undefined,
        messageId,
        // The first attempt's time: a resend is the same message, Date header included.
        date: new Date(claim.createdAt),
      });
      outbox.markSent(key, delivery.accepted, delivery.rejected, delivery.response, now());
      return { messageId, status: 'sent', accepted: delivery.accepted, rejected: delivery.rejected };
    } catch (err) {
      if (err instanceof ActionFailure) throw err;
      const failure = sendFailure(err, transport);
      outbox.markFailed(key, { code: failure.code, message: failure.message, details: failure.details }, !failure.retryable, now());
      throw failure;
    }
  }

  return stdAction({
    name: 'email.send',
    description: `Sends an email (to/cc/bcc: an address or a list, at most ${maxRecipients} in all; subject; text and/or html) exactly once per step; held in the outbox when no mail transport is configured.`,
    input: EmailSendInput,
    output: EmailSendOutput,
    permission: 'email:send',
    // The step's idempotency key is the outbox key: a re-executed step finds its row and returns
    // (or throws) the recorded outcome; the Message-ID derives from the key for resends.
    retry: { ...emailRetry, ...(options.retry ?? {}) },
    // Longer than nodemailer's own timeouts (transport.ts), so a hung server ends as its error.
    timeout: '2m',
    // No secret fields: credentials live in the transport configuration, never in arguments.
    secret: [],
    run: async (args, ctx, step) => {
      tenants.require(ctx);
      const message = messageOfArgs(args);
      const digest = digestOf(message);
      const key = step.idempotencyKey;
      const running = inFlight.get(key);
      if (running !== undefined) {
        if (running.digest !== digest) throw new ActionFailure(ErrorCodes.VALIDATION, `email.send: idempotency key ${key} already carries another message; one step sends one message — nothing was sent`);
        return running.done;
      }
      const done = attempt(key, digest, message, ctx, step);
      inFlight.set(key, { digest, done });
      try {
        return await done;
      } finally {
        inFlight.delete(key);
      }
    },
    finalize: (_ctx, run) => {
      outbox.finalize(run.id, now());
    },
  });
}

/** The arguments as the outbox keeps them, checked beyond what the schema can say. */
function messageOfArgs(args: EmailSendArgs): OutboxMessage {
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);
  const message: OutboxMessage = {
    from: args.from ?? null,
    to: list(args.to),
    cc: list(args.cc),
    bcc: list(args.bcc),
    replyTo: args.replyTo ?? null,
    subject: args.subject,
    text: args.text ?? null,
    html: args.html ?? null,
  };
  if (message.text === null && message.html === null) {
    throw new ActionFailure(ErrorCodes.VALIDATION, 'email.send needs a body: give text, html or both — nothing was sent');
  }
  const count = message.to.length + message.cc.length + message.bcc.length;
  if (count > maxRecipients) {
    throw new ActionFailure(ErrorCodes.VALIDATION, `email.send: ${count} recipients (to, cc and bcc together), over the limit of ${maxRecipients}; split the message — nothing was sent`);
  }
  return message;
}

/** What the workflow asked for, hashed: the same key must always carry the same message. */
function digestOf(m: OutboxMessage): string {
  const fields = [m.from, m.to, m.cc, m.bcc, m.replyTo, m.subject, m.text, m.html];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function assertNever(x: never): never {
  throw new Error(`email.send: unexpected claim ${JSON.stringify(x)}`);
}
