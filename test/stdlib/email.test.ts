import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogOf, compileDslSource } from '../../compiler/index.js';
import { ActionFailure, pending, type ActionDefinition, type Engine, type RunContext, type StepHandle } from '../../runtime/index.js';
import { emailActions, messageIdFor, type EmailOptions, type EmailSendResult } from '../../stdlib/email/index.js';
import { anyTenant, TenantDirectory } from '../../stdlib/tenants.js';
import { newStoreFixture, T0, type StoreFixture } from '../support/store.js';
import { gate, type Gate } from '../support/waiting.js';

// ---- a real SMTP server on 127.0.0.1 -----------------------------------------------------------

interface Received {
  envelope: { from: string; to: string[] };
  raw: string;
  /** Header name (lower case) → unfolded value. */
  headers: Map<string, string>;
}

interface SmtpOptions {
  port?: number;
  /** Require AUTH with these credentials (the server echoes a wrong password back, as a hostile one could). */
  auth?: { user: string; pass: string };
  /** An SMTP reply code to refuse a recipient with, or null to accept it. */
  rcpt?: (address: string) => number | null;
  /** Hold the reply to DATA until the gate opens. */
  hold?: Gate;
}

interface TestSmtp {
  port: number;
  received: Received[];
  /** RCPT TO commands the server saw: any contact with the transport shows here. */
  rcptCalls: number;
  /** Resolves when a DATA transfer begins. */
  dataStarted: Promise<void>;
  close(): Promise<void>;
}

const servers: TestSmtp[] = [];

async function startSmtp(o: SmtpOptions = {}): Promise<TestSmtp> {
  let started!: () => void;
  const out: TestSmtp = {
    port: 0,
    received: [],
    rcptCalls: 0,
    dataStarted: new Promise<void>((resolve) => (started = resolve)),
    close: async () => {},
  };
  const server = new SMTPServer({
    secure: false,
    logger: false,
    authOptional: o.auth === undefined,
    allowInsecureAuth: true,
    disabledCommands: o.auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (o.auth !== undefined && auth.username === o.auth.user && auth.password === o.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error(`authentication failed for ${auth.username}:${auth.password}`), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      out.rcptCalls++;
      const code = o.rcpt?.(address.address) ?? null;
      if (code === null) return callback();
      callback(Object.assign(new Error(code >= 500 ? 'mailbox unknown' : 'try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      started();
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        const headers = new Map<string, string>();
        for (const line of head.split('\r\n')) {
          const colon = line.indexOf(':');
          headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
        }
        const mailFrom = session.envelope.mailFrom;
        out.received.push({ envelope: { from: mailFrom === false ? '' : mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address) }, raw, headers });
        if (o.hold === undefined) callback();
        else void o.hold.promise.then(() => callback());
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  out.port = typeof address === 'object' && address !== null ? address.port : 0;
  out.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(out);
  return out;
}

/** A port nothing listens on (a server opened and closed again). */
async function closedPort(): Promise<number> {
  const s = await startSmtp();
  await s.close();
  servers.splice(servers.indexOf(s), 1);
  return s.port;
}

// ---- engine, workflow, fakes ---------------------------------------------------------------

// The workflow sends each message of its input, and reports what it saw (result or error code),
// then optionally sleeps, so a test can make the engine re-run it from the journal.
const script = `export default async (input, actions) => {
  const out = [];
  for (const m of input.messages) {
    try {
      out.push({ ok: await actions.email.send(m) });
    } catch (err) {
      out.push({ code: err.code, message: err.message });
    }
  }
  if (input.pause) await actions.sleep(input.pause);
  return out;
}`;
const manifest = { name: 'mailer', kind: 'user' as const, actions: ['email.send'] };

type Seen = { ok?: EmailSendResult; code?: string; message?: string };

let fx: StoreFixture;

beforeEach(() => {
  fx = newStoreFixture('alice-email-');
});
afterEach(async () => {
  await fx.cleanup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The catalog for a test; `env: {}` keeps the process's ALICE_SMTP_URL out of it. */
function catalog(options: EmailOptions = {}): ActionDefinition[] {
  return emailActions({ store: fx.path, tenants: anyTenant, now: () => fx.clock.now() }, { env: {}, from: 'alice@example.com', ...options });
}

async function send(engine: Engine, messages: Record<string, unknown>[], options: { pause?: string; permissions?: string[]; tenant?: string } = {}): Promise<string> {
  const wf = engine.deploy({ script, manifest });
  const run = engine.start(wf.id, { input: { messages, pause: options.pause ?? null }, permissions: options.permissions ?? ['email:send'], tenant: options.tenant });
  await engine.runUntilIdle();
  return run.id;
}

function output(engine: Engine, runId: string): Seen[] {
  const info = engine.getRun(runId);
  expect(info.error).toBeNull();
  expect(info.status).toBe('completed');
  return info.output as Seen[];
}

function ctxFor(runId: string): RunContext {
  return {
    runId, tenant: 'default', user: { id: 'test', roles: [] }, permissions: ['email:send'],
    workflow: { id: 'fake@1', name: 'fake', kind: 'user', version: 1, codeHash: 'fake' }, trigger: { type: 'api' }, startedAt: T0, deadline: null,
  };
}

/** A step handle as the engine makes one, for calling the action's run directly. */
function stepFor(runId: string, seq: number, attempt = 1): StepHandle {
  return {
    runId, seq, attempt, idempotencyKey: `${runId}:${seq}`, pending,
    manifest: { name: 'fake', kind: 'user', language: 'js', actions: ['email.send'], triggers: [], inputSchema: null, codeHash: 'fake', compilerVersion: 'test' },
    emit: () => {
      throw new Error('email.send emits no events');
    },
  };
}

async function failureOf(p: Promise<unknown> | unknown): Promise<ActionFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ActionFailure) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

type OutboxRow = Record<string, unknown> & { status: string; attempts: number; text: string | null; html: string | null; last_error: string | null };

function outbox(): OutboxRow[] {
  return fx.sql((db) => db.prepare('SELECT * FROM email_outbox ORDER BY run_id, step').all() as OutboxRow[]);
}

// ---- tests -------------------------------------------------------------------------------------

describe('email.send', () => {
  it('sends a message once, with the derived Message-ID and the headers the workflow gave, and a re-run replays it without sending', async () => {
    const smtp = await startSmtp();
    const engine = fx.open(catalog({ transport: `smtp://127.0.0.1:${smtp.port}` }));
    const message = {
      to: ['ada@example.com', 'alan@example.com'], cc: 'grace@example.com', bcc: ['audit@example.com'], replyTo: 'support@example.com',
      subject: 'Order A-1001 confirmed', text: 'Thank you!', html: '<p>Thank you!</p>',
    };
    const runId = await send(engine, [message], { pause: '1h' });
    expect(engine.getRun(runId).status).toBe('suspended');

    const messageId = messageIdFor(`${runId}:1`);
    expect(messageId).toMatch(/^<[0-9a-f]{32}@alice\.local>$/);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.headers.get('message-id')).toBe(messageId);
    expect(mail.headers.get('from')).toBe('alice@example.com');
    expect(mail.headers.get('to')).toBe('ada@example.com, alan@example.com');
    expect(mail.headers.get('cc')).toBe('grace@example.com');
    expect(mail.headers.get('reply-to')).toBe('support@example.com');
    expect(mail.headers.get('subject')).toBe('Order A-1001 confirmed');
    // Bcc reaches the envelope only, never a header.
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.envelope).toEqual({ from: 'alice@example.com', to: ['ada@example.com', 'alan@example.com', 'grace@example.com', 'audit@example.com'] });
    // The Date header is the outbox row's creation time on the engine's clock, so a resend is the same message.
    expect(Date.parse(mail.headers.get('date') ?? '')).toBe(T0);
    expect(mail.raw).toContain('Thank you!');
    expect(mail.raw).toContain('<p>Thank you!</p>');

    // The engine re-runs the workflow after the sleep: the journaled step is replayed, not re-sent.
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    const seen = output(engine, runId);
    expect(seen).toEqual([{ ok: { messageId, status: 'sent', accepted: ['ada@example.com', 'alan@example.com', 'grace@example.com', 'audit@example.com'], rejected: [] } }]);
    expect(smtp.received).toHaveLength(1);
    expect(engine.getLog(runId).filter((e) => e.kind === 'step' && e.step === 1)).toHaveLength(1);
    expect(outbox()).toEqual([expect.objectContaining({ idempotency_key: `${runId}:1`, tenant: 'default', run_id: runId, step: 1, status: 'sent', attempts: 1, message_id: messageId })]);
  });

  it('returns the recorded outcome to a second call with the same idempotency key, and concurrent calls send once', async () => {
    const smtp = await startSmtp();
    const [action] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const args = { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' };
    const first = (await action.run(args, ctxFor('run-a'), stepFor('run-a', 1))) as EmailSendResult;
    // The same step executed again, as after a crash between the send and the journal write.
    const again = (await action.run(args, ctxFor('run-a'), stepFor('run-a', 1, 2))) as EmailSendResult;
    expect(again).toEqual(first);
    expect(first).toEqual({ messageId: messageIdFor('run-a:1'), status: 'sent', accepted: ['ada@example.com'], rejected: [] });
    expect(smtp.received).toHaveLength(1);

    // Two attempts of one step at once (a retry after the engine's deadline while the first
    // still talks to the server): one SMTP transaction, one outcome.
    const both = await Promise.all([action.run(args, ctxFor('run-b'), stepFor('run-b', 1)), action.run(args, ctxFor('run-b'), stepFor('run-b', 1, 2))]);
    expect(both[0]).toEqual(both[1]);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1].headers.get('message-id')).toBe(messageIdFor('run-b:1'));

    // The key carries one message: other arguments under it are refused, and nothing is sent.
    const conflict = await failureOf(action.run({ ...args, subject: 'Other' }, ctxFor('run-a'), stepFor('run-a', 1, 3)));
    expect(conflict.code).toBe('ALICE_VALIDATION');
    expect(conflict.message).toMatch(/already carries another message/);
    expect(smtp.received).toHaveLength(2);
  });

  it('lets only one of two catalogs on the same store send a key: the other gets a retryable EMAIL_UNAVAILABLE, then the recorded result', async () => {
    const hold = gate();
    fx.onCleanup(() => hold.open());
    const smtp = await startSmtp({ hold });
    const [a] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const [b] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const args = { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' };
    const sending = a.run(args, ctxFor('run-c'), stepFor('run-c', 1)) as Promise<EmailSendResult>;
    await smtp.dataStarted;
    const busy = await failureOf(b.run(args, ctxFor('run-c'), stepFor('run-c', 1, 2)));
    expect(busy.code).toBe('ALICE_EMAIL_UNAVAILABLE');
    expect(busy.retryable).toBe(true);
    expect(busy.message).toMatch(/being sent by another process/);
    hold.open();
    const result = await sending;
    expect(await b.run(args, ctxFor('run-c'), stepFor('run-c', 1, 3))).toEqual(result);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.rcptCalls).toBe(1);
  });

  it('sends again with the same Message-ID when the process died after the SMTP transaction but before recording it', async () => {
    const smtp = await startSmtp();
    const [action] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const args = { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' };
    await action.run(args, ctxFor('run-d'), stepFor('run-d', 1));
    // What a crash leaves: the row still `sending`, held by a process that no longer exists.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fx.sql((db) => db.prepare("UPDATE email_outbox SET status = 'sending', sending_owner = ?, sent_at = NULL WHERE idempotency_key = 'run-d:1'").run(`${hostname()}:${dead}:dead`));
    const again = (await action.run(args, ctxFor('run-d'), stepFor('run-d', 1, 2))) as EmailSendResult;
    expect(again.status).toBe('sent');
    expect(smtp.received).toHaveLength(2);
    // Receivers deduplicate on the Message-ID: both copies carry the same one, and the same Date.
    expect(smtp.received[1].headers.get('message-id')).toBe(smtp.received[0].headers.get('message-id'));
    expect(smtp.received[1].headers.get('date')).toBe(smtp.received[0].headers.get('date'));
    expect(outbox()[0]).toMatchObject({ status: 'sent', attempts: 2, sending_owner: null });
  });

  it('retries while the SMTP server is down and sends exactly once when it comes back on the same port', async () => {
    const port = await closedPort();
    const engine = fx.open(catalog({ transport: `smtp://127.0.0.1:${port}` }));
    const runId = await send(engine, [{ to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' }]);
    expect(engine.getRun(runId).status).toBe('suspended');
    expect(engine.getJournal(runId)[0]).toMatchObject({ state: 'waiting', attempts: 1 });
    expect(outbox()[0]).toMatchObject({ status: 'queued', attempts: 1 });
    expect(JSON.parse(outbox()[0].last_error ?? '{}')).toMatchObject({ code: 'ALICE_EMAIL_UNAVAILABLE' });

    fx.clock.advance('30s');
    await engine.runUntilIdle();
    expect(engine.getJournal(runId)[0]).toMatchObject({ state: 'waiting', attempts: 2 });

    const smtp = await startSmtp({ port });
    fx.clock.advance('1m');
    await engine.runUntilIdle();
    const seen = output(engine, runId);
    expect(seen[0].ok).toMatchObject({ status: 'sent', messageId: messageIdFor(`${runId}:1`) });
    expect(smtp.received).toHaveLength(1);
    const attempts = engine.getLog(runId).filter((e) => e.kind === 'attempt');
    expect(attempts.map((e) => [(e.data as { error: { code: string } }).error.code, (e.data as { retryable: boolean }).retryable])).toEqual([
      ['ALICE_EMAIL_UNAVAILABLE', true],
      ['ALICE_EMAIL_UNAVAILABLE', true],
    ]);
    expect((attempts[0].data as { error: { message: string } }).error.message).toMatch(new RegExp(`smtp://127\\.0\\.0\\.1:${port} is unavailable`));
    expect(outbox()[0]).toMatchObject({ status: 'sent', attempts: 3, last_error: null });

    // Replays after the outcome is journaled send nothing.
    fx.clock.advance('1h');
    await engine.runUntilIdle();
    expect(smtp.received).toHaveLength(1);
  });

  it('memoizes EMAIL_UNAVAILABLE after the last attempt, and treats a 4xx for every recipient as transient', async () => {
    const smtp = await startSmtp({ rcpt: () => 451 });
    const engine = fx.open(catalog({ transport: `smtp://127.0.0.1:${smtp.port}`, retry: { maxAttempts: 2, initialDelay: '1s' } }));
    const runId = await send(engine, [{ to: 'ada@example.com', subject: 'Hello', text: 'Hi' }]);
    fx.clock.advance('1s');
    await engine.runUntilIdle();
    const seen = output(engine, runId);
    expect(seen[0].code).toBe('ALICE_EMAIL_UNAVAILABLE');
    expect(seen[0].message).toMatch(/451/);
    expect(seen[0].message).toMatch(/after 2 attempts/);
    expect(engine.getJournal(runId)[0]).toMatchObject({ state: 'error', attempts: 2, error: { code: 'ALICE_EMAIL_UNAVAILABLE' } });
    expect(smtp.received).toHaveLength(0);
    expect(smtp.rcptCalls).toBe(2);
    expect(outbox()[0]).toMatchObject({ status: 'queued', attempts: 2 });
  });

  it('fails with a memoized EMAIL_REJECTED when every recipient is refused with 550, never asks the server again, and reports a partial refusal as sent', async () => {
    const smtp = await startSmtp({ rcpt: (a) => (a.startsWith('nobody') || a.startsWith('ghost') ? 550 : null) });
    const engine = fx.open(catalog({ transport: `smtp://127.0.0.1:${smtp.port}` }));
    const refused = { to: ['nobody@example.com', 'ghost@example.com'], subject: 'Hello', text: 'Hi' };
    const partial = { to: ['ada@example.com', 'nobody@example.com'], subject: 'Hello', text: 'Hi' };
    const runId = await send(engine, [refused, partial]);
    const seen = output(engine, runId);
    expect(seen[0].code).toBe('ALICE_EMAIL_REJECTED');
    expect(seen[0].message).toMatch(/550 mailbox unknown/);
    expect(seen[1].ok).toEqual({ messageId: messageIdFor(`${runId}:2`), status: 'sent', accepted: ['ada@example.com'], rejected: ['nobody@example.com'] });
    expect(engine.getJournal(runId)[0]).toMatchObject({ state: 'error', attempts: 1, error: { code: 'ALICE_EMAIL_REJECTED' } });
    expect(engine.getLog(runId).filter((e) => e.kind === 'retry')).toEqual([]);
    expect(smtp.received).toHaveLength(1);
    expect(outbox().map((r) => r.status)).toEqual(['rejected', 'sent']);

    // The step executed again (its journal row lost): the stored refusal, without a new SMTP transaction.
    const calls = smtp.rcptCalls;
    const [action] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const again = await failureOf(action.run(refused, ctxFor(runId), stepFor(runId, 1, 2)));
    expect(again.code).toBe('ALICE_EMAIL_REJECTED');
    expect(again.retryable).toBe(false);
    expect(again.details).toMatchObject({ responseCode: 550, rejected: ['nobody@example.com', 'ghost@example.com'] });
    expect(smtp.rcptCalls).toBe(calls);
  });

  it('holds messages in the outbox when no transport is configured, and reads ALICE_SMTP_URL when a send runs', async () => {
    const env: Record<string, string | undefined> = { ALICE_MAIL_FROM: 'Alice <alice@example.com>' };
    const engine = fx.open(catalog({ env, from: undefined }));
    const runId = await send(engine, [{ to: 'ada@example.com', subject: 'Dev mode', text: 'Not sent' }]);
    expect(output(engine, runId)).toEqual([{ ok: { messageId: messageIdFor(`${runId}:1`), status: 'held', accepted: [], rejected: [] } }]);
    expect(outbox()[0]).toMatchObject({ status: 'held', attempts: 0, sender: 'Alice <alice@example.com>', subject: 'Dev mode' });

    // The environment is read at each send, not when the catalog is built.
    const smtp = await startSmtp();
    env.ALICE_SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    const second = await send(engine, [{ to: 'ada@example.com', subject: 'Live', text: 'Sent' }]);
    expect(output(engine, second)[0].ok?.status).toBe('sent');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].headers.get('from')).toBe('Alice <alice@example.com>');
    expect(smtp.received[0].headers.get('subject')).toBe('Live');
  });

  it('refuses bad addresses, a header-breaking subject, a missing body and too many recipients with a memoized ALICE_VALIDATION, storing nothing', async () => {
    const smtp = await startSmtp();
    const engine = fx.open(catalog({ transport: `smtp://127.0.0.1:${smtp.port}` }));
    const many = Array.from({ length: 30 }, (_, i) => `user${i}@example.com`);
    const runId = await send(engine, [
      { to: 'bob@', subject: 'x', text: 'x' },
      { to: ['ada@example.com', 'not an address'], subject: 'x', text: 'x' },
      { to: 'ada@example.com', cc: 'a@example.com, b@example.com', subject: 'x', text: 'x' },
      { to: 'ada@example.com', subject: 'x\r\nBcc: eve@example.com', text: 'x' },
      { to: 'ada@example.com', subject: 'no body' },
      { to: 'ada@example.com', subject: 'x', text: 'x', attachments: [{ path: '/etc/passwd' }] },
      { to: many, cc: many, subject: 'x', text: 'x' },
      { to: [], subject: 'x', text: 'x' },
    ]);
    const seen = output(engine, runId);
    expect(seen.map((s) => s.code)).toEqual(Array(8).fill('ALICE_VALIDATION'));
    expect(seen[0].message).toMatch(/field to must match pattern/);
    expect(seen[1].message).toMatch(/field to\.1 must match pattern/);
    expect(seen[2].message).toMatch(/field cc must match pattern/);
    expect(seen[3].message).toMatch(/field subject/);
    expect(seen[4].message).toMatch(/needs a body/);
    expect(seen[5].message).toMatch(/attachments/);
    expect(seen[6].message).toMatch(/60 recipients/);
    expect(seen[7].message).toMatch(/field to/);
    expect(engine.getJournal(runId).map((s) => [s.state, s.attempts, s.error?.code])).toEqual(Array(8).fill(['error', 1, 'ALICE_VALIDATION']));
    expect(outbox()).toEqual([]);
    expect(smtp.rcptCalls).toBe(0);
  });

  it('fails with ALICE_EMAIL_CONFIG when a transport is configured but unusable or no sender is known', async () => {
    expect(() => catalog({ transport: 'http://mailer:Hunter2-pw@127.0.0.1:25' })).toThrow(/smtp:\/\/ or smtps:\/\//);
    const smtp = await startSmtp();
    const env: Record<string, string | undefined> = { ALICE_SMTP_URL: 'https://mailer:Hunter2-pw@127.0.0.1/' };
    const engine = fx.open(catalog({ env, from: undefined, allowedFrom: ['ops@example.com'] }));
    const bad = await send(engine, [{ to: 'ada@example.com', subject: 'x', text: 'x' }]);
    env.ALICE_SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    const noSender = await send(engine, [{ to: 'ada@example.com', subject: 'x', text: 'x' }]);
    const withSender = await send(engine, [{ to: 'ada@example.com', subject: 'x', text: 'x', from: 'ops@example.com' }]);
    expect(output(engine, bad)[0]).toMatchObject({ code: 'ALICE_EMAIL_CONFIG', message: expect.stringMatching(/ALICE_SMTP_URL must be an smtp/) });
    expect(output(engine, bad)[0].message).not.toContain('Hunter2-pw');
    expect(output(engine, noSender)[0]).toMatchObject({ code: 'ALICE_EMAIL_CONFIG', message: expect.stringMatching(/ALICE_MAIL_FROM/) });
    expect(output(engine, withSender)[0].ok?.status).toBe('sent');
    expect(smtp.received.map((m) => m.envelope.from)).toEqual(['ops@example.com']);
  });

  it('lets a workflow send only as an allowed sender: the configured one by default, or allowedFrom addresses and @domains; any other from is a memoized ALICE_VALIDATION, nothing stored or sent', async () => {
    const smtp = await startSmtp();
    const transport = `smtp://127.0.0.1:${smtp.port}`;
    const byDefault = fx.open(catalog({ transport, from: 'Alice <alice@example.com>' }));
    const first = await send(byDefault, [
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'ALICE@example.com' },
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'ceo@example.com' },
    ]);
    const seen = output(byDefault, first);
    expect(seen.map((x) => x.code ?? x.ok?.status)).toEqual(['sent', 'ALICE_VALIDATION']);
    expect(seen[1].message).toMatch(/ceo@example\.com.*not an allowed sender.*alice@example\.com/);
    expect(byDefault.getJournal(first).map((s) => [s.state, s.attempts])).toEqual([['done', 1], ['error', 1]]);
    await byDefault.close();

    const listed = fx.open(catalog({ transport, allowedFrom: ['ops@example.com', '@support.example.com'] }));
    const second = await send(listed, [
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'ops@example.com' },
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'desk@Support.Example.com' },
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'x@evil.support.example.com' },
      { to: 'ada@example.com', subject: 'x', text: 'x', from: 'alice@example.com' },
      { to: 'ada@example.com', subject: 'x', text: 'x' },
    ]);
    expect(output(listed, second).map((x) => x.code ?? x.ok?.status)).toEqual(['sent', 'sent', 'ALICE_VALIDATION', 'ALICE_VALIDATION', 'sent']);
    expect(smtp.received.map((m) => m.envelope.from.toLowerCase())).toEqual(['alice@example.com', 'ops@example.com', 'desk@support.example.com', 'alice@example.com']);
    expect(outbox()).toHaveLength(4);
    expect(() => catalog({ allowedFrom: ['example.com'] })).toThrow(/allowedFrom entry "example\.com"/);
  });

  it('holds a message from any sender when no sender is configured, and refuses to send one', async () => {
    const held = fx.open(catalog({ from: undefined }));
    const runId = await send(held, [{ to: 'ada@example.com', subject: 'x', text: 'x', from: 'anyone@example.com' }]);
    expect(output(held, runId)[0].ok?.status).toBe('held');
    await held.close();
    const smtp = await startSmtp();
    const live = fx.open(catalog({ from: undefined, transport: `smtp://127.0.0.1:${smtp.port}` }));
    const refused = await send(live, [{ to: 'ada@example.com', subject: 'x', text: 'x', from: 'anyone@example.com' }]);
    expect(output(live, refused)[0]).toMatchObject({ code: 'ALICE_VALIDATION', message: expect.stringMatching(/no sender is configured/) });
    expect(smtp.rcptCalls).toBe(0);
    expect(outbox()).toHaveLength(1);
  });

  it('refuses a run without email:send, and a tenant that is not registered', async () => {
    const smtp = await startSmtp();
    const tenants = new TenantDirectory(fx.path);
    const engine = fx.open(emailActions({ store: fx.path, tenants, now: () => fx.clock.now() }, { env: {}, from: 'alice@example.com', transport: `smtp://127.0.0.1:${smtp.port}` }));
    const unauthorized = await send(engine, [{ to: 'ada@example.com', subject: 'x', text: 'x' }], { permissions: ['kv:*'] });
    expect(output(engine, unauthorized)[0].code).toBe('ALICE_UNAUTHORIZED');
    const unknown = await send(engine, [{ to: 'ada@example.com', subject: 'x', text: 'x' }], { tenant: 'initech' });
    expect(output(engine, unknown)[0].code).toBe('ALICE_UNKNOWN_TENANT');
    expect(outbox()).toEqual([]);
    expect(smtp.rcptCalls).toBe(0);
    tenants.close();
  });

  it('finalizes once when the run is over: bodies dropped, envelope kept for audit; journal retention then purges the steps', async () => {
    const smtp = await startSmtp({ rcpt: (a) => (a.startsWith('nobody') ? 550 : null) });
    const [action] = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    let finalized = 0;
    const counted: ActionDefinition = {
      ...action,
      finalize: async (ctx, run) => {
        finalized++;
        await action.finalize?.(ctx, run);
      },
    };
    const engine = fx.open([counted], { retention: '1d' });
    const runId = await send(engine, [
      { to: 'ada@example.com', subject: 'Receipt', text: 'Your receipt', html: '<b>Your receipt</b>' },
      { to: 'nobody@example.com', subject: 'Lost', text: 'Never delivered' },
    ]);
    output(engine, runId);
    expect(finalized).toBe(1);
    expect(engine.getRun(runId).finalizedAt).not.toBeNull();
    const rows = outbox();
    expect(rows.map((r) => [r.status, r.subject, r.text, r.html])).toEqual([
      ['sent', 'Receipt', null, null],
      ['rejected', 'Lost', null, null],
    ]);
    expect(rows[0]).toMatchObject({ message_id: messageIdFor(`${runId}:1`), recipients: JSON.stringify({ to: ['ada@example.com'], cc: [], bcc: [] }), finalized_at: T0, sent_at: T0 });
    expect(engine.getJournal(runId)).toHaveLength(2);

    // finalize is at-least-once: calling it again changes nothing.
    await action.finalize?.(ctxFor(runId), { id: runId, status: 'completed', steps: [1, 2] });
    expect(outbox()).toEqual(rows);

    fx.clock.advance('1d');
    await engine.runUntilIdle();
    expect(engine.getJournal(runId)).toEqual([]);
    expect(finalized).toBe(1);
    expect(outbox()).toEqual(rows);
  });

  it('keeps SMTP credentials out of the store, the log and every error message', async () => {
    const user = 'mailer';
    const pass = 'Sup3r-Secret-pw';
    const wrong = 'Wr0ng-Secret-pw';
    const smtp = await startSmtp({ auth: { user, pass } });
    const down = await closedPort();
    const env: Record<string, string | undefined> = {};
    const engine = fx.open(catalog({ env, retry: { maxAttempts: 1 } }));
    const message = { to: 'ada@example.com', subject: 'x', text: 'x' };

    // The URL's query may set nodemailer options, but not turn its (AUTH-logging) logger on.
    env.ALICE_SMTP_URL = `smtp://${user}:${pass}@127.0.0.1:${smtp.port}/?debug=true&logger=true`;
    const consoleLog = vi.spyOn(console, 'log');
    const ok = await send(engine, [message]);
    expect(consoleLog).not.toHaveBeenCalled();
    consoleLog.mockRestore();
    expect(output(engine, ok)[0].ok?.status).toBe('sent');
    expect(smtp.received).toHaveLength(1);

    // A server that echoes the password it was given in its refusal (AUTH PLAIN or LOGIN).
    env.ALICE_SMTP_URL = `smtp://${user}:${wrong}@127.0.0.1:${smtp.port}`;
    const refused = await send(engine, [message]);
    const authError = output(engine, refused)[0];
    expect(authError.code).toBe('ALICE_EMAIL_UNAVAILABLE');
    expect(authError.message).toMatch(/535 authentication failed for mailer:\*\*\*/);
    expect(authError.message).toMatch(/check the credentials/);

    env.ALICE_SMTP_URL = `smtp://${user}:${pass}@127.0.0.1:${down}`;
    const unreachable = await send(engine, [message]);
    expect(output(engine, unreachable)[0].message).toMatch(new RegExp(`smtp://127\\.0\\.0\\.1:${down} is unavailable`));

    env.ALICE_SMTP_URL = `smtps//${user}:${pass}@127.0.0.1`;
    const malformed = await send(engine, [message]);
    expect(output(engine, malformed)[0].code).toBe('ALICE_EMAIL_CONFIG');

    await engine.close();
    const everything = [fx.bytes().toString('latin1'), JSON.stringify(outbox())];
    for (const text of everything) {
      for (const secret of [pass, wrong, encodeURIComponent(pass), Buffer.from(`\u0000${user}\u0000${wrong}`).toString('base64')]) {
        expect(text.includes(secret)).toBe(false);
      }
    }
  });

  it('runs the DSL example of docs/stdlib/email.md against the catalog', async () => {
    const smtp = await startSmtp();
    const actions = catalog({ transport: `smtp://127.0.0.1:${smtp.port}` });
    const text = `workflow "order-confirmation"
input {
  orderId: string
  customer: string
}

let sent = email.send(to: input.customer, bcc: ["orders@example.com"], subject: "Order {input.orderId} confirmed", text: "Thank you! Order {input.orderId} is on its way.")
return { status: sent.status, messageId: sent.messageId, rejected: sent.rejected }
`;
    const { bundle, diagnostics } = compileDslSource({ ok: true, path: 'order-confirmation.alice', text }, { catalog: catalogOf(actions) });
    expect(diagnostics).toEqual([]);
    const engine = fx.open(actions);
    const wf = engine.deploy(bundle);
    const run = engine.start(wf.id, { input: { orderId: 'A-1', customer: 'ada@example.com' }, permissions: ['email:send'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: { status: 'sent', messageId: messageIdFor(`${run.id}:1`), rejected: [] } });
    expect(smtp.received.map((m) => [m.headers.get('subject'), m.envelope.to])).toEqual([['Order A-1 confirmed', ['ada@example.com', 'orders@example.com']]]);
  });
});
