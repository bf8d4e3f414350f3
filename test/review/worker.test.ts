import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction, openEngine, systemClock, type Clock, type Engine } from '../../runtime/index.js';
import { bundle, delay, gate, newFixture, until, type Fixture } from './fixture.js';

let f: Fixture;
let engine: Engine | null = null;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  if (engine !== null) await Promise.race([engine.close(), delay(3000)]);
  engine = null;
  await f.cleanup();
});

describe('worker loop (review)', () => {
  it('waits for a free slot instead of spinning when more runs are due than the concurrency allows', async () => {
    let passes = 0;
    // The wall clock, counting how often the worker loop arms its timer (once per pass).
    const clock: Clock = { now: () => Date.now(), setTimer: (at, fn) => { passes++; return systemClock.setTimer(at, fn); } };
    const g = gate();
    let calls = 0;
    const hold = defineAction({ name: 't.hold', run: async () => { calls++; await g.promise; return 1; } });
    engine = openEngine({ store: f.path, clock, actions: [hold], concurrency: 1, isolates: 1 });
    const wf = engine.deploy(bundle('holder', ['t.hold'], 'export default async (input, a) => a.t.hold({})'));
    engine.start(wf.id, { permissions: ['*'] });
    engine.start(wf.id, { permissions: ['*'] });
    const worker = engine.startWorker({ pollMs: 200 });
    try {
      await until(() => calls === 1, 'the first run to call its action');
      const before = passes;
      await delay(400);
      const during = passes - before;
      // One pass per poll (200 ms) or per finished execution: a handful, not one per event-loop turn.
      expect(during).toBeLessThan(20);
    } finally {
      g.open();
      await worker.stop();
    }
  });
});
