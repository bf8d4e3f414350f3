import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AliceError, ErrorCodes, openEngine } from '../../runtime/index.js';
import { newFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('store layout versions (review)', () => {
  it('opens a schema-version-1 store whose log table has the earlier layout, or refuses it with a typed store error', async () => {
    // The layout of the log table that stores marked schema_version 1 had before commit 448b300.
    const first = openEngine({ store: f.path, clock: f.clock });
    await first.close();
    f.sql((db) => {
      db.exec(`DROP TABLE log;
        CREATE TABLE log (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, step INTEGER, at INTEGER NOT NULL,
                          kind TEXT NOT NULL, duration_ms REAL, data TEXT NOT NULL);
        CREATE INDEX log_run ON log (run_id, id);`);
      db.pragma('wal_checkpoint(TRUNCATE)');
    });
    let error: unknown = null;
    try {
      const again = openEngine({ store: f.path, clock: f.clock });
      await again.close();
    } catch (err) {
      error = err;
    }
    if (error !== null) {
      expect(error).toBeInstanceOf(AliceError);
      expect([ErrorCodes.STORE_VERSION, ErrorCodes.STORE_UNAVAILABLE]).toContain((error as AliceError).code);
    }
  });
});
