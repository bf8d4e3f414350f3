import type { ActionDefinition } from '../../runtime/index.js';
import type { StdlibEnv } from '../env.js';
import { allowedFromProblem, type EmailOptions } from './config.js';
import { addressPattern } from './schema.js';
import { EmailOutbox } from './outbox.js';
import emailSend from './send.js';
import { resolveTransport } from './transport.js';

export { emailRetry } from './config.js';
export type { EmailOptions } from './config.js';
export { EmailOutbox } from './outbox.js';
export type { OutboxMessage } from './outbox.js';
export { messageIdFor, staleSendingMs } from './send.js';
export { addressPattern, EmailSendInput, EmailSendOutput, maxBodyLength, maxRecipients, maxSubjectLength } from './schema.js';
export type { EmailSendArgs, EmailSendResult } from './schema.js';
export type { TransportSetting } from './transport.js';

/**
 * `email.send`: mail through an outbox in the engine's SQLite file and an SMTP transport
 * (nodemailer), exactly once to the transport per step. Without a transport (`options.transport`
 * or `ALICE_SMTP_URL`) messages are held in the outbox and nothing is sent.
 *
 * @example
 * const actions = emailActions({ store: 'alice.db', tenants: anyTenant }, { transport: 'smtp://127.0.0.1:2525', from: 'alice@example.com' });
 */
export function emailActions(env: StdlibEnv, options: EmailOptions = {}): ActionDefinition[] {
  for (const entry of options.allowedFrom ?? []) {
    // Checked now: a typo fails at startup, not as refused sends.
    const problem = allowedFromProblem(entry, new RegExp(addressPattern));
    if (problem !== null) throw new TypeError(`emailActions: ${problem}`);
  }
  let fixed = null;
  if (options.transport !== undefined) {
    // A transport given in code is checked now: a typo fails at startup, not at the first send.
    const resolved = resolveTransport(options.transport, 'the email transport option');
    if (typeof resolved === 'string') throw new TypeError(resolved);
    fixed = resolved;
  }
  const outbox = new EmailOutbox(env.store);
  return [emailSend({ outbox, tenants: env.tenants, options, fixed, now: () => (env.now ? env.now() : Date.now()) })];
}
