import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundle, newFixture, type Fixture } from './fixture.js';

let f: Fixture;
beforeEach(() => {
  f = newFixture();
});
afterEach(async () => {
  await f.cleanup();
});

const bridgeBytes = 4096;

/** Runs a one-file workflow that throws, and returns the stored error. */
async function failWith(script: string): Promise<{ status: string; errorBytes: number }> {
  const engine = f.open([], { limits: { bridgeBytes } });
  const wf = engine.deploy(bundle('thrower', [], script));
  const run = engine.start(wf.id, {});
  await engine.runUntilIdle();
  const info = engine.getRun(run.id);
  const stored = f.sql((db) => (db.prepare('SELECT length(error) AS n FROM runs WHERE id = ?').get(run.id) as { n: number }).n);
  return { status: info.status, errorBytes: stored };
}

describe('guest runtime async escapes (review)', () => {
  it('gives workflow code no WebAssembly, whose async compile resumes outside every CPU limit', async () => {
    // WebAssembly.compile(...).then(loop) resolves as an isolate task that isolated-vm runs when
    // the pool next creates a context asynchronously: outside any applySync timeout, blocking
    // every later slice of that isolate (and Node's thread with it) for ever.
    const engine = f.open([]);
    const wf = engine.deploy(bundle('wasm', [], 'export default async () => typeof WebAssembly'));
    const run = engine.start(wf.id, {});
    await engine.runUntilIdle();
    expect(engine.getRun(run.id).output).toBe('undefined');
  });
});

describe('guest runtime error reports (review)', () => {
  it('keeps a thrown error with an oversized name within the bridge limit', async () => {
    const r = await failWith(`export default async () => { const e = new Error('boom'); e.name = 'N'.repeat(200000); throw e; }`);
    expect(r.status).toBe('failed');
    expect(r.errorBytes).toBeLessThan(2 * bridgeBytes);
  });

  it('keeps a thrown error within the bridge limit even when the workflow patches String.prototype.slice', async () => {
    const r = await failWith(`export default async () => {
      String.prototype.slice = function () { return String(this); };
      throw new Error('x'.repeat(200000));
    }`);
    expect(r.status).toBe('failed');
    expect(r.errorBytes).toBeLessThan(2 * bridgeBytes);
  });
});
