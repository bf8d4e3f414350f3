/**
 * Schema 6 (per-tenant event numbers, pinned subscriptions): creating and upgrading a store
 * stay whole when interrupted or raced, and numbers are never given out twice in a tenant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

let fx: StoreFixture;
afterEach(() => fx.cleanup());

describe('schema 6', () => {
  it('opens a new store whose creation stopped before its version row was written', async () => {
    fx = newStoreFixture('alice-schema6-');
    await fx.open([]).close();
    fx.sql((db) => db.exec("DELETE FROM meta WHERE key = 'schema_version'"));
    const engine = fx.open([]);
    expect(engine.deliverEvent('x', {}).id).toBe(1);
    await engine.close();
  });

  it('does not number a tenant from 1 again after an upgrade when all its events were purged', async () => {
    fx = newStoreFixture('alice-schema6-');
    const first = fx.open([]);
    let seen = 0;
    for (let i = 0; i < 6; i++) seen = first.deliverEvent('x', { i }, { tenant: 't1' }).id;
    await first.close();
    fx.sql((db) => {
      db.exec('ALTER TABLE events DROP COLUMN seq; DROP TABLE event_counters; ALTER TABLE subscriptions DROP COLUMN workflow_id;');
      db.exec('DROP INDEX events_key; CREATE UNIQUE INDEX events_key ON events (key) WHERE key IS NOT NULL;');
      db.prepare("UPDATE meta SET value = '5' WHERE key = 'schema_version'").run();
      db.exec("DELETE FROM events WHERE tenant = 't1'");
    });
    const engine = fx.open([]);
    expect(engine.deliverEvent('x', {}, { tenant: 't1' }).id).toBeGreaterThan(seen);
    // A tenant new since the upgrade numbers on from the same base: no number it is given can
    // be one a caller was given before the upgrade.
    expect(engine.deliverEvent('x', {}, { tenant: 'new' }).id).toBeGreaterThan(seen);
    await engine.close();
  });

  it('starts nothing for a subscription without a version, and unsubscribes by the version listSubscriptions shows', async () => {
    fx = newStoreFixture('alice-schema6-');
    const engine = fx.open([]);
    const wf = engine.deploy({ script: 'export default async (input) => input', manifest: { name: 'on-x', kind: 'user', actions: [], triggers: [{ type: 'event', event: 'x' }] } });
    const sub = engine.subscribe('on-x');
    expect(sub.version).toBe(wf.id);
    fx.sql((db) => db.exec('UPDATE subscriptions SET workflow_id = NULL'));
    expect(engine.deliverEvent('x', {}).started).toEqual([]);
    expect(engine.unsubscribe(wf.id)).toBe(true);
    expect(engine.listSubscriptions()).toEqual([]);
    await Promise.all([engine.close(), engine.close()]);
  });

  it('keeps event keys per tenant: two tenants may deliver the same external id, and each is deduplicated in its own tenant', async () => {
    fx = newStoreFixture('alice-schema6-');
    const engine = fx.open([]);
    const a = engine.deliverEvent('order.paid', { n: 1 }, { tenant: 'acme', key: 'order-1' });
    const b = engine.deliverEvent('order.paid', { n: 2 }, { tenant: 'globex', key: 'order-1' });
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    expect([a.id, b.id]).toEqual([1, 1]);
    expect(engine.deliverEvent('order.paid', { n: 3 }, { tenant: 'globex', key: 'order-1' })).toMatchObject({ id: 1, duplicate: true });
    expect(fx.sql((db) => db.prepare("SELECT tenant FROM events WHERE key = 'order-1' ORDER BY tenant").all())).toEqual([{ tenant: 'acme' }, { tenant: 'globex' }]);
    await engine.close();
  });
});
