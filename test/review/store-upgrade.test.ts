import { afterEach, describe, expect, it } from 'vitest';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

let fx: StoreFixture;
afterEach(() => fx.cleanup());

const waiter = { script: `export default async (i, a) => (await a.waitForEvent('go')).data`, manifest: { name: 'waiter', kind: 'user' as const, actions: [] } };
const starter = { script: `export default async (input) => input`, manifest: { name: 'on-go', kind: 'user' as const, actions: [], triggers: [{ type: 'event' as const, event: 'go' }] } };

/** Turns the fixture's fresh store back into the layout an older schema had. */
function downgrade(to: 2 | 3 | 4 | 5 | 6): void {
  fx.sql((db) => {
    db.exec(`DROP TABLE journal_chunks; DROP TRIGGER journal_chunks_stale_insert; DROP TRIGGER journal_chunks_stale_update;
      DROP TRIGGER journal_chunks_stale_delete; DROP TRIGGER journal_chunks_terminal;`);
    if (to === 6) return void db.prepare("UPDATE meta SET value = '6' WHERE key = 'schema_version'").run();
    db.exec(`ALTER TABLE events DROP COLUMN seq; DROP TABLE event_counters; ALTER TABLE subscriptions DROP COLUMN workflow_id;
      DROP INDEX events_key; CREATE UNIQUE INDEX events_key ON events (key) WHERE key IS NOT NULL;`);
    if (to < 5) db.exec(`ALTER TABLE steps DROP COLUMN inline; ALTER TABLE steps DROP COLUMN call_text;`);
    if (to < 4) db.exec(`DROP INDEX events_key; ALTER TABLE events DROP COLUMN key; DROP TABLE subscriptions; DROP TABLE event_chains;`);
    if (to === 2) db.exec(`ALTER TABLE steps DROP COLUMN log_seq; ALTER TABLE steps DROP COLUMN duration_ms; ALTER TABLE steps DROP COLUMN log_data;`);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(to));
  });
}

describe('store upgrades', () => {
  it.each([2, 3, 4, 5, 6] as const)('upgrades a schema-%i store in place, keeping its runs and events, and then takes keyed events and subscriptions', async (from) => {
    fx = newStoreFixture('alice-upgrade-');
    const first = fx.open([]);
    const w = first.start(first.deploy(waiter).id);
    await first.runUntilIdle();
    await first.close();
    downgrade(from);
    if (from === 2) {
      // A schema-2 store has no step-entry columns: its steps must not be touched by the upgrade.
      expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM pragma_table_info('steps') WHERE name = 'log_seq'").get())).toEqual({ n: 0 });
    }

    const engine = fx.open([]);
    expect(fx.sql((db) => db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get())).toEqual({ value: '7' });
    expect(fx.sql((db) => db.prepare("SELECT count(*) AS n FROM pragma_table_info('steps') WHERE name = 'inline'").get())).toEqual({ n: 1 });
    expect(engine.getRun(w.id).status).toBe('suspended');
    engine.deploy(starter);
    engine.subscribe('on-go');
    const e = engine.deliverEvent('go', { n: 1 }, { key: 'k' });
    expect(e).toMatchObject({ woken: 1, started: [expect.any(String)], duplicate: false });
    expect(engine.deliverEvent('go', { n: 1 }, { key: 'k' }).duplicate).toBe(true);
    await engine.runUntilIdle();
    expect(engine.getRun(w.id)).toMatchObject({ status: 'completed', output: { n: 1 } });
    expect(engine.getRun(e.started[0])).toMatchObject({ status: 'completed', output: { n: 1 } });
  });
});
