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
});
