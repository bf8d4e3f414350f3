/**
 * Demo actions for the example bundles: a shop (inventory, payments; its mail goes through the stdlib's email.send), reminders, and a
 * fake web fetch for fan-out. They keep their state in `example_*` tables of the engine's own
 * SQLite file, so every effect can be inspected afterwards, and they never touch the network.
 *
 * Each follows the rule of DESIGN §1: an action whose effect must happen once is idempotent by
 * `step.idempotencyKey`, so a step re-executed after a crash finds its earlier effect.
 *
 * @example
 * const engine = openEngine({ store, actions: [...standardActions({ store }), ...exampleActions({ store })] });
 */
import { createHash } from 'node:crypto';
import { ActionFailure, defineAction, type ActionDefinition, type JsonSchema } from '../runtime/index.js';
import { ActionDatabase } from '../stdlib/database.js';

/** Prices in cents and stock of the demo shop. `unobtainium` is never in stock. */
export const shopCatalog: Readonly<Record<string, { price: number; stock: number }>> = Object.freeze({
  book: { price: 1250, stock: 100 },
  pen: { price: 120, stock: 1000 },
  mug: { price: 850, stock: 50 },
  lamp: { price: 3900, stock: 10 },
  unobtainium: { price: 99900, stock: 0 },
});

/** A card number the demo gateway always declines (Stripe's test number for a decline). */
export const declinedCard = '4000 0000 0000 0002';

const ddl = `
CREATE TABLE IF NOT EXISTS example_stock (tenant TEXT NOT NULL, sku TEXT NOT NULL, reserved INTEGER NOT NULL, PRIMARY KEY (tenant, sku)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS example_reservations (
  key TEXT PRIMARY KEY, reservation_id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, order_id TEXT NOT NULL,
  lines TEXT NOT NULL, total INTEGER NOT NULL, released INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS example_payment_attempts (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL, charge_id TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS example_charges (
  charge_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, order_id TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS example_outbox (
  key TEXT PRIMARY KEY, tenant TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Short stable ids derived from an idempotency key: the same step always gets the same id. */
function idFrom(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Example actions need little patience: quick retries make them visible in a second. */
const quickRetry = { maxAttempts: 3, initialDelay: '200ms', backoff: 2, maxDelay: '2s' };

const orderId: JsonSchema = { type: 'string', minLength: 1, maxLength: 64 };

interface ReserveArgs {
  orderId: string;
  items: Array<{ sku: string; qty: number }>;
}
interface Reservation {
  reservationId: string;
  lines: Array<{ sku: string; qty: number; unitPrice: number }>;
  total: number;
  currency: 'EUR';
}

/**
 * The demo catalog, bound to a store (the engine's SQLite file, or `:memory:`).
 *
 * @example
 * const actions = exampleActions({ store: 'alice.db' });
 */
export function exampleActions(options: { store: string }): ActionDefinition[] {
  const database = new ActionDatabase(options.store, (db) => db.exec(ddl));
  const db = () => database.get();

  const reserve = defineAction<ReserveArgs, Reservation>({
    name: 'inventory.reserve',
    description: 'Reserves stock for an order; fails with OUT_OF_STOCK or UNKNOWN_SKU.',
    output: {
      type: 'object',
      properties: {
        reservationId: { type: 'string' },
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' }, unitPrice: { type: 'integer' } }, required: ['sku', 'qty', 'unitPrice'] } },
        total: { type: 'integer', description: 'In cents.' },
        currency: { enum: ['EUR', 'USD'] },
      },
      required: ['reservationId', 'lines', 'total', 'currency'],
    },
    input: {
      type: 'object',
      properties: {
        orderId,
        items: {
          type: 'array', minItems: 1, maxItems: 50,
          items: { type: 'object', properties: { sku: { type: 'string', maxLength: 64 }, qty: { type: 'integer', minimum: 1, maximum: 1000 } }, required: ['sku', 'qty'], additionalProperties: false },
        },
      },
      required: ['orderId', 'items'],
      additionalProperties: false,
    },
    permission: 'inventory:write',
    retry: quickRetry,
    // Idempotent by key: a re-executed step finds its reservation instead of reserving twice.
    run: ({ orderId, items }, ctx, step) =>
      db().transaction((): Reservation => {
        const found = db().prepare('SELECT lines, total FROM example_reservations WHERE key = ?').get(step.idempotencyKey) as { lines: string; total: number } | undefined;
        const reservationId = idFrom('res', step.idempotencyKey);
        if (found !== undefined) return { reservationId, lines: JSON.parse(found.lines), total: found.total, currency: 'EUR' };
        const lines = items.map(({ sku, qty }) => {
          const entry = shopCatalog[sku];
          if (entry === undefined) throw new ActionFailure('UNKNOWN_SKU', `no product ${JSON.stringify(sku)} in the shop`, { details: { sku } });
          const reserved = (db().prepare('SELECT reserved FROM example_stock WHERE tenant = ? AND sku = ?').get(ctx.tenant, sku) as { reserved: number } | undefined)?.reserved ?? 0;
          if (reserved + qty > entry.stock) {
            throw new ActionFailure('OUT_OF_STOCK', `only ${entry.stock - reserved} of ${sku} left, ${qty} requested`, { details: { sku, requested: qty, available: entry.stock - reserved } });
          }
          return { sku, qty, unitPrice: entry.price };
        });
        for (const l of lines) {
          db().prepare(`INSERT INTO example_stock (tenant, sku, reserved) VALUES (?, ?, ?)
                        ON CONFLICT (tenant, sku) DO UPDATE SET reserved = reserved + excluded.reserved`).run(ctx.tenant, l.sku, l.qty);
        }
        const total = lines.reduce((sum, l) => sum + l.qty * l.unitPrice, 0);
        db().prepare('INSERT INTO example_reservations (key, reservation_id, tenant, order_id, lines, total) VALUES (?, ?, ?, ?, ?, ?)')
          .run(step.idempotencyKey, reservationId, ctx.tenant, orderId, JSON.stringify(lines), total);
        return { reservationId, lines, total, currency: 'EUR' };
      })(),
  });

  const release = defineAction<{ reservationId: string }, { released: boolean }>({
    name: 'inventory.release',
    description: 'Gives reserved stock back (compensation); releasing twice is a no-op.',
    output: { type: 'object', properties: { released: { type: 'boolean' } }, required: ['released'] },
    input: { type: 'object', properties: { reservationId: { type: 'string', pattern: '^res_[0-9a-f]{12}$' } }, required: ['reservationId'], additionalProperties: false },
    permission: 'inventory:write',
    retry: quickRetry,
    // Idempotent by state: a released reservation stays released, stock is returned once.
    run: ({ reservationId }, ctx) =>
      db().transaction(() => {
        const row = db().prepare('SELECT key, lines, released FROM example_reservations WHERE reservation_id = ? AND tenant = ?').get(reservationId, ctx.tenant) as { key: string; lines: string; released: number } | undefined;
        if (row === undefined) throw new ActionFailure('NO_RESERVATION', `reservation ${reservationId} not found`);
        if (row.released === 1) return { released: false };
        for (const l of JSON.parse(row.lines) as Array<{ sku: string; qty: number }>) {
          db().prepare('UPDATE example_stock SET reserved = reserved - ? WHERE tenant = ? AND sku = ?').run(l.qty, ctx.tenant, l.sku);
        }
        db().prepare('UPDATE example_reservations SET released = 1 WHERE key = ?').run(row.key);
        return { released: true };
      })(),
  });

  const charge = defineAction<{ orderId: string; amount: number; currency: string; card: string }, { chargeId: string; amount: number; currency: string }>({
    name: 'payments.charge',
    description: 'Charges a card. The demo gateway times out on the first attempt of every charge, so retries show.',
    output: { type: 'object', properties: { chargeId: { type: 'string' }, amount: { type: 'integer' }, currency: { enum: ['EUR', 'USD'] } }, required: ['chargeId', 'amount', 'currency'] },
    input: {
      type: 'object',
      properties: { orderId, amount: { type: 'integer', minimum: 1 }, currency: { enum: ['EUR', 'USD'] }, card: { type: 'string', pattern: '^[0-9 ]{12,23}$' } },
      required: ['orderId', 'amount', 'currency', 'card'],
      additionalProperties: false,
    },
    permission: 'payments:charge',
    retry: quickRetry,
    // The card number never reaches the journal or the log.
    secret: ['card'],
    run: ({ orderId, amount, currency, card }, ctx, step) => {
      const key = step.idempotencyKey;
      const seen = db().prepare('SELECT attempts, charge_id FROM example_payment_attempts WHERE key = ?').get(key) as { attempts: number; charge_id: string | null } | undefined;
      // Idempotent by key, as real gateways are: the same key returns the first charge.
      if (seen?.charge_id) return { chargeId: seen.charge_id, amount, currency };
      db().prepare('INSERT INTO example_payment_attempts (key, attempts) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1').run(key);
      if (seen === undefined) throw new Error('payment gateway timed out (the demo gateway always does on the first attempt)');
      if (card.replace(/ /g, '') === declinedCard.replace(/ /g, '')) throw new ActionFailure('PAYMENT_DECLINED', 'the card was declined by the issuer');
      const chargeId = idFrom('ch', key);
      db().transaction(() => {
        db().prepare('INSERT OR IGNORE INTO example_charges (charge_id, tenant, order_id, amount, currency) VALUES (?, ?, ?, ?, ?)').run(chargeId, ctx.tenant, orderId, amount, currency);
        db().prepare('UPDATE example_payment_attempts SET charge_id = ? WHERE key = ?').run(chargeId, key);
      })();
      return { chargeId, amount, currency };
    },
    // Once the run is over for ever its steps never run again, so the per-key attempt records
    // (the gateway's idempotency memo) can go; the charges ledger stays.
    finalize: (_ctx, run) => {
      const del = db().prepare('DELETE FROM example_payment_attempts WHERE key = ?');
      for (const seq of run.steps) del.run(`${run.id}:${seq}`);
    },
  });

  /** Writes one outbox row per idempotency key: a re-executed step sends nothing twice. */
  function send(channel: string, tenant: string, key: string, recipient: string, subject: string, body: string): void {
    db().prepare('INSERT OR IGNORE INTO example_outbox (key, tenant, channel, recipient, subject, body) VALUES (?, ?, ?, ?, ?, ?)').run(key, tenant, channel, recipient, subject, body);
  }

  const notify = defineAction<{ userId: string; message: string }, { notificationId: string }>({
    name: 'reminders.notify',
    description: 'Sends a user a notification (outbox channel "notify"), exactly once per step.',
    output: { type: 'object', properties: { notificationId: { type: 'string' } }, required: ['notificationId'] },
    input: {
      type: 'object',
      properties: { userId: { type: 'string', minLength: 1, maxLength: 64 }, message: { type: 'string', minLength: 1, maxLength: 1000 } },
      required: ['userId', 'message'],
      additionalProperties: false,
    },
    permission: 'reminders:send',
    retry: quickRetry,
    run: ({ userId, message }, ctx, step) => {
      send('notify', ctx.tenant, step.idempotencyKey, userId, 'reminder', message);
      return { notificationId: idFrom('ntf', step.idempotencyKey) };
    },
  });

  const fetchPage = defineAction<{ url: string }, { url: string; title: string; words: number; bytes: number }>({
    name: 'pages.fetch',
    description: 'Fetches a web page (fake: content derived from the URL, after 2-40 ms; no network).',
    output: { type: 'object', properties: { url: { type: 'string' }, title: { type: 'string' }, words: { type: 'integer' }, bytes: { type: 'integer' } }, required: ['url', 'title', 'words', 'bytes'] },
    input: { type: 'object', properties: { url: { type: 'string', pattern: '^https?://', maxLength: 2048 } }, required: ['url'], additionalProperties: false },
    permission: 'pages:read',
    retry: quickRetry,
    // A read: fetching again is harmless, so no idempotency key is needed.
    run: async ({ url }) => {
      const h = createHash('sha256').update(url).digest();
      // Different pages answer after different delays, so concurrent fetches complete out of
      // issue order, as real ones do; replay must still deliver them in the recorded order.
      await new Promise((resolve) => setTimeout(resolve, 2 + (h[0] % 39)));
      const words = 100 + h.readUInt16BE(1) % 4900;
      let host: string;
      try {
        host = new URL(url).hostname;
      } catch {
        throw new ActionFailure('BAD_URL', `${JSON.stringify(url.slice(0, 100))} is not a URL`);
      }
      return { url, title: `${host}: page ${h.toString('hex').slice(0, 6)}`, words, bytes: words * 6 };
    },
  });

  return [reserve, release, charge, notify, fetchPage];
}
