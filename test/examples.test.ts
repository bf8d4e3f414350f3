import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleActions, declinedCard } from '../examples/actions.js';
import { catalogOf } from '../compiler/catalog.js';
import { compileFile } from '../compiler/compile.js';
import { compileDslFile } from '../compiler/dsl/index.js';
import { ManualClock, openEngine, type ActionDefinition, type Engine, type RunInfo } from '../runtime/index.js';
import { standardActions } from '../stdlib/index.js';

const examples = join(import.meta.dirname, '..', 'examples');

let dir: string;
let store: string;
let clock: ManualClock;
let engine: Engine;
let fetches: string[];

/** The demo catalog, with pages.fetch counted so tests can prove replay does not re-fetch. */
function catalog(): ActionDefinition[] {
  return [...standardActions({ store }), ...exampleActions({ store })].map((a) =>
    a.name !== 'pages.fetch' ? a : { ...a, run: (args: { url: string }, ctx, step) => (fetches.push(args.url), a.run(args, ctx, step)) },
  );
}

/** Works the run until it is terminal or waits for something other than the clock. */
async function drive(runId: string): Promise<RunInfo> {
  for (;;) {
    await engine.runUntilIdle();
    const info = engine.getRun(runId);
    if (info.status !== 'suspended' || info.wakeAt === null) return info;
    clock.set(Math.max(clock.now(), info.wakeAt));
  }
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(store, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Every example is written twice, in restricted TypeScript and in the DSL, and both versions
 * must do exactly the same: each test below runs once per language.
 */
const languages = [
  { name: 'TypeScript', file: 'workflow.ts', compile: compileFile },
  { name: 'DSL', file: 'workflow.alice', compile: compileDslFile },
] as const;
let language: (typeof languages)[number] = languages[0];

/** Compiles examples/<name>/workflow.<ts|alice> against the demo catalog; it must pass the checker. */
function compileExample(example: string) {
  const { bundle, diagnostics } = language.compile(join(examples, example, language.file), { catalog: catalogOf(catalog()) });
  expect(diagnostics).toEqual([]);
  return bundle!;
}

function start(example: string, input: unknown, tenant = 'default'): string {
  const wf = engine.deploy(compileExample(example));
  return engine.start(wf.id, { input, tenant, permissions: ['*'] }).id;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alice-examples-'));
  store = join(dir, 'alice.db');
  clock = new ManualClock();
  fetches = [];
  engine = openEngine({ store, clock, actions: catalog() });
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(languages)('$name', (lang) => {
  beforeEach(() => {
    language = lang;
  });

  describe('examples/order-flow', () => {
    it('confirms an order after the payment gateway fails once and is retried', async () => {
      const id = start('order-flow', { orderId: 'A-1001', email: 'ann@example.com', items: [{ sku: 'book', qty: 2 }, { sku: 'pen', qty: 1 }] });
      await engine.runUntilIdle();
      // The first charge attempt failed and the retry is scheduled 200 ms later.
      expect(engine.getRun(id)).toMatchObject({ status: 'suspended', wakeAt: clock.now() + 200 });
      const info = await drive(id);
      expect(info.error).toBeNull();
      expect(info.output).toEqual({
        orderId: 'A-1001', status: 'confirmed', total: 2 * 1250 + 120, currency: 'EUR',
        chargeId: expect.stringMatching(/^ch_[0-9a-f]{12}$/), confirmation: expect.stringMatching(/^<[0-9a-f]{32}@alice\.local>$/),
      });
      const journal = engine.getJournal(id);
      expect(journal.map((s) => [s.action, s.state, s.attempts])).toEqual([
        ['inventory.reserve', 'done', 1],
        ['payments.charge', 'done', 2],
        ['email.send', 'done', 1],
      ]);
      const log = engine.getLog(id);
      expect(log.filter((e) => e.kind === 'attempt').map((e) => e.data)).toEqual([
        expect.objectContaining({ action: 'payments.charge', attempt: 1, retryable: true }),
      ]);
      expect(log.some((e) => e.kind === 'retry')).toBe(true);
      // The card number is a secret field: neither the journal nor the log holds it.
      expect(JSON.stringify(journal) + engine.exportLog(id)).not.toContain('4242');
      // No SMTP transport is configured: the stdlib's email.send holds the message in its outbox.
      expect(query('SELECT recipients, subject, status FROM email_outbox')).toEqual([{ recipients: expect.stringContaining('ann@example.com'), subject: 'Order A-1001 confirmed', status: 'held' }]);
      expect(query('SELECT amount FROM example_charges')).toEqual([{ amount: 2620 }]);
      // Finalization dropped the gateway's per-key memo; the ledger stays.
      expect(engine.getRun(id).finalizedAt).not.toBeNull();
      expect(query('SELECT * FROM example_payment_attempts')).toEqual([]);
    });

    it('releases the reserved stock and tells the customer when the card is declined', async () => {
      const id = start('order-flow', { orderId: 'A-1002', card: declinedCard, items: [{ sku: 'lamp', qty: 3 }] });
      const info = await drive(id);
      expect(info.output).toEqual({ orderId: 'A-1002', status: 'payment-failed', reason: 'PAYMENT_DECLINED', released: expect.stringMatching(/^res_/) });
      expect(engine.getJournal(id).map((s) => [s.action, s.state, s.error?.code ?? null])).toEqual([
        ['inventory.reserve', 'done', null],
        ['payments.charge', 'error', 'PAYMENT_DECLINED'],
        ['inventory.release', 'done', null],
        ['email.send', 'done', null],
      ]);
      expect(query('SELECT sku, reserved FROM example_stock')).toEqual([{ sku: 'lamp', reserved: 0 }]);
      expect(query('SELECT subject FROM email_outbox')).toEqual([{ subject: 'Order A-1002: payment failed' }]);
      expect(query('SELECT * FROM example_charges')).toEqual([]);
    });

    it('rejects an order it cannot fill without charging anything', async () => {
      const id = start('order-flow', { orderId: 'A-1003', items: [{ sku: 'unobtainium', qty: 1 }] });
      const info = await drive(id);
      expect(info.output).toMatchObject({ orderId: 'A-1003', status: 'rejected', reason: 'OUT_OF_STOCK' });
      expect(engine.getJournal(id).map((s) => s.action)).toEqual(['inventory.reserve']);
    });
  });

  describe('examples/reminder', () => {
    const input = { invoiceId: 'INV-7', userId: 'u-42', delay: '1h', grace: '3d' };

    it('sleeps, then wakes on the matching payment event and thanks the user', async () => {
      const id = start('reminder', input, 'acme');
      await engine.runUntilIdle();
      expect(engine.getRun(id)).toMatchObject({ status: 'suspended', wakeAt: clock.now() + 3_600_000 });
      clock.advance('1h');
      await engine.runUntilIdle();
      // Now waiting for the payment, at most until the grace period ends.
      expect(engine.getRun(id)).toMatchObject({ status: 'suspended', wakeAt: clock.now() + 3 * 86_400_000 });

      expect(engine.deliverEvent('invoice.paid', { invoiceId: 'INV-8', amount: 1 }, { tenant: 'acme' }).woken).toBe(0);
      expect(engine.deliverEvent('invoice.paid', { invoiceId: 'INV-7', amount: 1 }, { tenant: 'other' }).woken).toBe(0);
      clock.advance('5m');
      expect(engine.deliverEvent('invoice.paid', { invoiceId: 'INV-7', amount: 4200 }, { tenant: 'acme' }).woken).toBe(1);
      await engine.runUntilIdle();
      const info = engine.getRun(id);
      expect(info.output).toEqual({ invoiceId: 'INV-7', status: 'paid', amount: 4200 });
      expect(query('SELECT tenant, channel, recipient, body FROM example_outbox')).toEqual([
        { tenant: 'acme', channel: 'notify', recipient: 'u-42', body: 'Thank you, invoice INV-7 is paid.' },
      ]);
    });

    it('sends a reminder when no payment arrives before the timeout', async () => {
      const id = start('reminder', input);
      await engine.runUntilIdle();
      clock.advance('1h');
      await engine.runUntilIdle();
      clock.advance('3d');
      await engine.runUntilIdle();
      expect(engine.getRun(id).output).toEqual({ invoiceId: 'INV-7', status: 'reminded' });
      expect(engine.getJournal(id).map((s) => [s.action, s.result ?? null])).toEqual([
        ['sleep', null],
        ['waitForEvent', null],
        ['reminders.notify', { notificationId: expect.stringMatching(/^ntf_/) }],
      ]);
    });
  });

  describe('examples/fan-out', () => {
    const urls = Array.from({ length: 8 }, (_, i) => `https://site${i}.example/page`);
    const mirrors = ['https://m1.example/data', 'https://m2.example/data', 'https://m3.example/data'];

    it('aggregates N concurrent fetches and replays the concurrent steps and the race identically', async () => {
      const id = start('fan-out', { urls, mirrors, pause: '1m' });
      await engine.runUntilIdle();
      expect(engine.getRun(id).status).toBe('suspended');
      expect(fetches).toHaveLength(urls.length + mirrors.length);
      const journal = engine.getJournal(id);
      const race = journal.filter((s) => s.seq > urls.length && s.action === 'pages.fetch');
      const winner = race.reduce((a, b) => ((a.completion ?? Infinity) < (b.completion ?? Infinity) ? a : b));
      const seenBeforePause = engine.getLog(id).filter((e) => e.kind === 'log').map((e) => e.data.text);
      expect(seenBeforePause).toEqual([`fastest mirror ${(winner.result as { url: string }).url}`]);

      // After the pause the run is re-run from the top: every fetch replays from the journal.
      clock.advance('1m');
      await engine.runUntilIdle();
      const info = engine.getRun(id);
      expect(info.status).toBe('completed');
      expect(fetches).toHaveLength(urls.length + mirrors.length);
      const results = journal.slice(0, urls.length).map((s) => s.result as { url: string; words: number; title: string });
      expect(info.output).toEqual({
        pages: urls.length,
        words: results.reduce((sum, r) => sum + r.words, 0),
        longest: expect.objectContaining({ words: Math.max(...results.map((r) => r.words)) }),
        titles: results.map((r) => r.title),
        fastestMirror: (winner.result as { url: string }).url,
      });
      expect(engine.getLog(id).filter((e) => e.kind === 'log')).toHaveLength(1);
      // The journal's completion order (out of issue order, as the fetches finished) is unchanged.
      const order = (steps: { seq: number; completion: number | null }[]) => steps.slice(0, urls.length + mirrors.length).map((s) => [s.seq, s.completion]);
      expect(order(engine.getJournal(id))).toEqual(order(journal));
    });

    it('computes the same aggregate for the same input in a fresh run', async () => {
      const a = await drive(start('fan-out', { urls, mirrors }));
      const b = await drive(start('fan-out', { urls, mirrors }));
      const strip = (o: unknown) => ({ ...(o as Record<string, unknown>), fastestMirror: undefined });
      expect(a.status).toBe('completed');
      expect(strip(b.output)).toEqual(strip(a.output));
      expect((a.output as { titles: string[] }).titles[0]).toMatch(/^site0\.example: page [0-9a-f]{6}$/);
    });
  });
});
