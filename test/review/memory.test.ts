import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAction } from '../../runtime/index.js';
import { bundle, newFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

describe('replay memory (review)', () => {
  it('resumes a run whose journal is larger than the isolate heap when every step was within the limits', async () => {
    // Each outcome is within the bridge limit and the workflow keeps none of them; together they
    // are larger than the heap. The first execution is fine; the re-run must be fine too.
    const big = defineAction({ name: 't.big', run: async (args: { i: number }) => 'x'.repeat(900_000) + String(args.i) });
    const engine = f.open([big], { limits: { heapMiB: 16 } });
    const wf = engine.deploy(bundle('big-journal', ['t.big'], `export default async (input, a) => {
      let n = 0;
      for (let k = 0; k < 24; k++) n += (await a.t.big({ i: k })).length;
      await a.sleep('1m');
      return n;
    }`));
    const run = engine.start(wf.id, { permissions: ['*'] });
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).status).toBe('suspended');
    f.clock.advance('1m');
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).error).toBeNull();
    expect(engine.getRun(run.id).status).toBe('completed');
  });
});

describe('heap blame in a shared isolate (review)', () => {
  it('does not fail a small run because another run in the same isolate holds most of the heap', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    const hold = defineAction({ name: 't.hold', run: async () => { holding = true; await held; return 1; } });
    const engine = f.open([hold], { limits: { heapMiB: 32 }, isolates: 1 });
    // The hog keeps ~23 MB of doubles alive across an await: within the 32 MiB limit on its own.
    const hog = engine.deploy(bundle('hog', ['t.hold'], `export default async (input, a) => {
      const keep = [];
      for (let i = 0; i < 22; i++) { const x = new Array(131072); for (let j = 0; j < x.length; j++) x[j] = j + 0.5; keep.push(x); }
      await a.t.hold({});
      return keep.length;
    }`));
    // The small run needs ~17 MB for a moment: also within the limit on its own.
    const small = engine.deploy(bundle('small', [], `export default async () => {
      const tmp = [];
      for (let i = 0; i < 16; i++) { const x = new Array(131072); for (let j = 0; j < x.length; j++) x[j] = j + 0.5; tmp.push(x); }
      return tmp.length;
    }`));
    const h = engine.start(hog.id, { permissions: ['*'] });
    const idle = engine.runUntilIdle();
    for (let i = 0; i < 500 && !holding; i++) await new Promise((r) => setTimeout(r, 5));
    expect(holding).toBe(true);
    const s = engine.start(small.id, {});
    // A second pass executes the small run while the hog is still holding its heap.
    const second = engine.runUntilIdle();
    for (let i = 0; i < 2000 && !['completed', 'failed'].includes(engine.getRun(s.id).status); i++) await new Promise((r) => setTimeout(r, 5));
    release();
    await idle;
    await second;
    await engine.runUntilIdle();
    expect(engine.getRun(s.id).error).toBeNull();
    expect(engine.getRun(s.id).status).toBe('completed');
    expect(engine.getRun(h.id).status).toBe('completed');
  });
});
