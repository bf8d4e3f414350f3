import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, delay, gate, newFixture, until, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('journal write failures (review)', () => {
  it('recovers a run whose step commit failed while another process held the write lock', async () => {
    const g = gate();
    let calls = 0;
    const work = defineAction({
      name: 't.work',
      run: async () => {
        calls++;
        if (calls === 1) await g.promise;
        return 'done';
      },
      finalize: () => {},
    });
    const engine = f.open([work], { busyTimeoutMs: 50 });
    const wf = engine.deploy(bundle('locked', ['t.work'], 'export default async (input, a) => a.t.work({})'));
    const run = engine.start(wf.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    await until(() => calls === 1, 't.work to be called');
    // Another process takes the write lock while the step is running, so its commit fails.
    const other = new Database(f.path, { timeout: 50 });
    other.exec('BEGIN IMMEDIATE');
    g.open();
    await delay(300);
    other.exec('ROLLBACK');
    other.close();
    // The step's outcome is lost (never journaled): the run must be re-run, not stay held.
    const first = await Promise.race([idle.then(() => 'idle' as const), delay(3000)]);
    expect(first).toBe('idle');
    f.clock.advance('2s');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('completed');
  });
});
