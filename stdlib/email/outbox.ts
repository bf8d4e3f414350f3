import type Database from 'better-sqlite3';
import { ownerIsDead } from '../../runtime/engine/owner.js';
import { PreparedTable } from '../database.js';
import type { EmailSendResult } from './schema.js';

/**
 * One row per `email.send` step, keyed by the step's idempotency key. `status`:
 * - `sending`: an SMTP transaction for it is (or was, when its process died) in progress;
 * - `queued`: the last attempt failed for a transient reason; the engine will call again;
 * - `sent`, `held`: done; the stored result is returned to every later call with the key;
 * - `rejected`: refused for good; the stored failure is thrown to every later call.
 * `sending_owner` names the process that holds a `sending` row (host:pid:tag, like run leases).
 * finalize drops `text` and `html` and keeps the rest as the audit trail.
 */
const ddl = `
CREATE TABLE IF NOT EXISTS email_outbox (
  idempotency_key TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  run_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  sender TEXT,
  recipients TEXT NOT NULL,
  reply_to TEXT,
  subject TEXT NOT NULL,
  text TEXT,
  html TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'held', 'rejected')),
  accepted TEXT,
  rejected TEXT,
  response TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sending_owner TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER,
  finalized_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS email_outbox_run ON email_outbox (run_id);
CREATE INDEX IF NOT EXISTS email_outbox_tenant ON email_outbox (tenant, created_at);
`;

/** A message as the outbox keeps it (and sends it again after a crash). */
export interface OutboxMessage {
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string | null;
  subject: string;
  text: string | null;
  html: string | null;
}

/** A failure as the outbox keeps it, to throw it again without contacting the server. */
export interface StoredFailure {
  code: string;
  message: string;
  details?: unknown;
}

/** What one call of `email.send` asks the outbox for. */
export interface ClaimRequest {
  key: string;
  tenant: string;
  runId: string;
  step: number;
  messageId: string;
  /** Digest of the workflow's arguments: the same key with other arguments is refused. */
  digest: string;
  message: OutboxMessage;
  /** `send`: a transport is configured; `hold`: none is (dev mode); `config`: it is unusable. */
  mode: 'send' | 'hold' | { config: string };
  owner: string;
  now: number;
  /** A `sending` row older than this (ms) is taken over even when its owner looks alive. */
  staleMs: number;
}

/** What the caller must do next. */
export type Claim =
  | { kind: 'done'; result: EmailSendResult }
  | { kind: 'rejected'; failure: StoredFailure }
  /** This call holds the row: send `message` now. */
  | { kind: 'send'; message: OutboxMessage; createdAt: number; attempt: number }
  /** Another live process is sending it. */
  | { kind: 'busy'; owner: string; since: number }
  | { kind: 'conflict'; digest: string }
  | { kind: 'config'; message: string }
  /** The run was finalized and the body dropped before the message was ever sent. */
  | { kind: 'finalized' };

interface Row {
  idempotency_key: string;
  tenant: string;
  message_id: string;
  digest: string;
  sender: string | null;
  recipients: string;
  reply_to: string | null;
  subject: string;
  text: string | null;
  html: string | null;
  status: 'queued' | 'sending' | 'sent' | 'held' | 'rejected';
  accepted: string | null;
  rejected: string | null;
  last_error: string | null;
  sending_owner: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  finalized_at: number | null;
}

/**
 * The `email_outbox` table in the engine's SQLite file: what makes `email.send` reach the
 * transport once per idempotency key. Every decision (send, return the stored result, wait for
 * another sender) is taken in one IMMEDIATE transaction, so two connections — two engines in
 * one process, or two processes — never both decide to send.
 */
export class EmailOutbox {
  private readonly table: PreparedTable<ReturnType<typeof prepare>>;

  constructor(path: string) {
    this.table = new PreparedTable(path, ddl, prepare);
  }

  private get s(): ReturnType<typeof prepare> {
    return this.table.get();
  }

  close(): void {
    this.table.close();
  }

  claim(req: ClaimRequest): Claim {
    const s = this.s;
    return s.db.transaction((): Claim => {
      const row = s.get.get(req.key) as Row | undefined;
      if (row === undefined) {
        if (typeof req.mode === 'object') return { kind: 'config', message: req.mode.config };
        const m = req.message;
        const status = req.mode === 'hold' ? 'held' : 'sending';
        s.insert.run({
          key: req.key, tenant: req.tenant, run: req.runId, step: req.step, messageId: req.messageId, digest: req.digest,
          sender: m.from, recipients: JSON.stringify({ to: m.to, cc: m.cc, bcc: m.bcc }), replyTo: m.replyTo, subject: m.subject,
          text: m.text, html: m.html, status, attempts: status === 'sending' ? 1 : 0, owner: status === 'sending' ? req.owner : null, now: req.now,
        });
        if (status === 'held') return { kind: 'done', result: { messageId: req.messageId, status: 'held', accepted: [], rejected: [] } };
        return { kind: 'send', message: m, createdAt: req.now, attempt: 1 };
      }
      // The key names one step of one run, and so one tenant; anything else is a misuse of the key.
      if (row.digest !== req.digest || row.tenant !== req.tenant) return { kind: 'conflict', digest: row.digest };
      switch (row.status) {
        case 'sent':
        case 'held':
          return { kind: 'done', result: resultOf(row) };
        case 'rejected':
          return { kind: 'rejected', failure: JSON.parse(row.last_error ?? '{}') as StoredFailure };
        case 'sending':
          if (row.sending_owner !== null && row.sending_owner !== req.owner && !ownerIsDead(row.sending_owner) && req.now - row.updated_at < req.staleMs) {
            return { kind: 'busy', owner: row.sending_owner, since: row.updated_at };
          }
          break;
        case 'queued':
          break;
        default:
          return assertNever(row.status);
      }
      // Not sent yet (or sent by a process that died before it could record so): send now.
      if (row.finalized_at !== null || (row.text === null && row.html === null)) return { kind: 'finalized' };
      if (typeof req.mode === 'object') return { kind: 'config', message: req.mode.config };
      const message = messageOf(row, req.message.from);
      if (req.mode === 'hold') {
        s.hold.run({ key: req.key, now: req.now });
        return { kind: 'done', result: { messageId: row.message_id, status: 'held', accepted: [], rejected: [] } };
      }
      s.take.run({ key: req.key, owner: req.owner, now: req.now, sender: message.from });
      return { kind: 'send', message, createdAt: row.created_at, attempt: row.attempts + 1 };
    }).immediate();
  }

  /** Records the server's acceptance. Only a row still `sending` changes (never a recorded outcome). */
  markSent(key: string, accepted: readonly string[], rejected: readonly string[], response: string, now: number): void {
    this.s.sent.run({ key, accepted: JSON.stringify(accepted), rejected: JSON.stringify(rejected), response, now });
  }

  /** Records a failed attempt: `rejected` for good, or `queued` for the engine's next attempt. */
  markFailed(key: string, failure: StoredFailure, permanent: boolean, now: number): void {
    this.s.failed.run({ key, status: permanent ? 'rejected' : 'queued', error: JSON.stringify(failure), now });
  }

  /**
   * Drops the bodies of the run's messages and stamps them finalized; the envelope (sender,
   * recipients, subject, Message-ID, status, attempts, times) stays for audit. Idempotent.
   * Returns how many rows it touched.
   */
  finalize(runId: string, now: number): number {
    return this.s.finalize.run({ now, run: runId }).changes;
  }

}

function resultOf(row: Row): EmailSendResult {
  return {
    messageId: row.message_id,
    status: row.status === 'held' ? 'held' : 'sent',
    accepted: row.accepted === null ? [] : (JSON.parse(row.accepted) as string[]),
    rejected: row.rejected === null ? [] : (JSON.parse(row.rejected) as string[]),
  };
}

/** The stored message; a sender missing when it was held is taken from today's configuration. */
function messageOf(row: Row, from: string | null): OutboxMessage {
  const r = JSON.parse(row.recipients) as { to: string[]; cc: string[]; bcc: string[] };
  return { from: row.sender ?? from, to: r.to, cc: r.cc, bcc: r.bcc, replyTo: row.reply_to, subject: row.subject, text: row.text, html: row.html };
}

function assertNever(x: never): never {
  throw new Error(`email_outbox: unexpected status ${JSON.stringify(x)}`);
}

function prepare(db: Database.Database) {
  return {
    db,
    get: db.prepare('SELECT * FROM email_outbox WHERE idempotency_key = ?'),
    insert: db.prepare(`INSERT INTO email_outbox (idempotency_key, tenant, run_id, step, message_id, digest, sender, recipients, reply_to, subject,
                          text, html, status, attempts, sending_owner, created_at, updated_at)
                        VALUES (@key, @tenant, @run, @step, @messageId, @digest, @sender, @recipients, @replyTo, @subject,
                          @text, @html, @status, @attempts, @owner, @now, @now)`),
    take: db.prepare(`UPDATE email_outbox SET status = 'sending', sending_owner = @owner, attempts = attempts + 1, sender = @sender, updated_at = @now
                      WHERE idempotency_key = @key`),
    hold: db.prepare(`UPDATE email_outbox SET status = 'held', sending_owner = NULL, updated_at = @now WHERE idempotency_key = @key`),
    sent: db.prepare(`UPDATE email_outbox SET status = 'sent', accepted = @accepted, rejected = @rejected, response = @response, sending_owner = NULL,
                        last_error = NULL, sent_at = @now, updated_at = @now
                      WHERE idempotency_key = @key AND status = 'sending'`),
    failed: db.prepare(`UPDATE email_outbox SET status = @status, last_error = @error, sending_owner = NULL, updated_at = @now
                        WHERE idempotency_key = @key AND status = 'sending'`),
    finalize: db.prepare(`UPDATE email_outbox SET text = NULL, html = NULL, finalized_at = coalesce(finalized_at, @now)
                          WHERE run_id = @run AND (finalized_at IS NULL OR text IS NOT NULL OR html IS NOT NULL)`),
  };
}
