/**
 * DESIGN §7 and §10: a fresh context per execution in pooled isolates; memory and CPU limits
 * that fail only the run that passed them (others on the same engine finish); deterministic
 * Date and Math.random; a JSON-only, size-limited bridge across which no host object, function,
 * getter or prototype crosses; undeclared actions absent from a frozen `actions`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionFailure, defineAction, ErrorCodes, type Engine, type RunInfo } from '../../runtime/index.js';
import { deploy, echoAction, gate, logOf, newEnv, Recorder, settle, T0, until, watchUnhandled, type Env } from '../hostile/harness.js';

let env: Env;
let rec: Recorder;
beforeEach(() => {
  env = newEnv('alice-sandbox-');
  rec = new Recorder();
});
afterEach(() => env.cleanup());

function limitOf(run: RunInfo): { code: unknown; limit: unknown } {
  return { code: run.error?.code, limit: run.error?.limit };
}

/** A well-behaved run: three echo steps with a sleep between; the output proves it ran right. */
const innocentScript = `export default async (input, actions) => {
  const a = await actions.demo.echo({ n: input.n, k: 1 });
  await actions.sleep('1s');
  const b = await actions.demo.echo({ n: input.n, k: 2 });
  return { n: input.n, sum: a.k + b.k };
}`;

/** Starts `count` innocent runs; returns a checker that they all completed correctly, once each. */
function startInnocents(engine: Engine, count: number) {
  const wf = deploy(engine, 'innocent', innocentScript, ['demo.echo']);
  const runs = Array.from({ length: count }, (_, n) => engine.start(wf.id, { input: { n }, permissions: ['*'] }));
  return async () => {
    for (let i = 0; i < 5 && runs.some((r) => engine.getRun(r.id).status === 'suspended'); i++) {
      env.clock.advance('1s');
      expect(await settle(engine)).toBe('idle');
    }
    for (const [n, r] of runs.entries()) {
      const info = engine.getRun(r.id);
      expect(info.error, `innocent run ${n}`).toBeNull();
      expect(info).toMatchObject({ status: 'completed', output: { n, sum: 3 } });
      // A journaled step is never executed again, even when the run lost its isolate.
      const keys = rec.of(r.id).map((e) => e.key);
      expect(keys).toEqual([...new Set(keys)]);
      expect(keys).toHaveLength(2);
    }
  };
}

describe('fresh context per execution, pooled isolates', () => {
  it('forgets globals and prototype changes between executions of the same run', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1 });
    const wf = deploy(engine, 'forget', `export default async (input, actions) => {
      const before = { mark: typeof globalThis.__mark, polluted: ({}).__polluted, push: String([].push).includes('native code') };
      // Journaled: if a re-run saw another value, its arguments would differ (non-determinism).
      await actions.demo.echo(before);
      globalThis.__mark = 'set';
      Object.prototype.__polluted = 'yes';
      Array.prototype.push = function () { return -1; };
      await actions.sleep('1h');
      return before;
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    expect(info.output).toEqual({ mark: 'undefined', push: true });
  });

  it('does not share globals or prototypes between two runs executing at once in one isolate', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1 });
    const polluter = deploy(engine, 'polluter', `export default async (input, actions) => {
      globalThis.shared = 'from-polluter';
      Object.prototype.fromPolluter = 'yes';
      JSON.parse = () => 'hijacked';
      await actions.demo.echo({ holding: true });
      await actions.demo.echo({ holding: true });
      return 'done';
    }`, ['demo.echo']);
    const reader = deploy(engine, 'reader', `export default async (input, actions) => {
      await actions.demo.echo({ reading: true });
      return { shared: typeof globalThis.shared, proto: ({}).fromPolluter ?? null, parse: JSON.parse('1') };
    }`, ['demo.echo']);
    const p = engine.start(polluter.id, { permissions: ['*'] });
    const r = engine.start(reader.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(p.id).status).toBe('completed');
    expect(engine.getRun(r.id).output).toEqual({ shared: 'undefined', proto: null, parse: 1 });
  });

  it('runs many more runs than isolates to completion', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 2 });
    const check = startInnocents(engine, 24);
    expect(await settle(engine)).toBe('idle');
    await check();
  });
});

describe('memory limit', () => {
  const hog = `export default async (input, actions) => {
    await actions.demo.echo({ hog: true });
    const keep = [];
    for (;;) keep.push(new Array(64 * 1024).fill(keep.length + 0.5));
  }`;

  it('fails a run that allocates until out of memory with resource-limit heap; the others finish', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { heapMiB: 16 } });
    const check = startInnocents(engine, 4);
    const wf = deploy(engine, 'hog', hog, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    const check2 = startInnocents(engine, 2);
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'heap' });
    expect(info.error?.reason).toBe('resource-limit');
    expect(logOf(engine, run.id, 'limit').map((e) => e.data.limit)).toEqual(['heap']);
    await check();
    await check2();
  });

  it('re-runs, without executing their journaled steps again, the runs that were mid-step in the killed isolate', async () => {
    const g = gate();
    let waiting = 0;
    const hold = defineAction({
      name: 'demo.hold',
      run: async (args: { n: number }, ctx, step) => {
        rec.note('demo.hold', args, ctx, step);
        waiting++;
        await g.promise;
        return { held: args.n };
      },
    });
    const engine = env.open([echoAction(rec), hold], { isolates: 1, limits: { heapMiB: 16 } });
    const holder = deploy(engine, 'holder', `export default async (input, actions) => {
      const a = await actions.demo.echo({ n: input.n });
      const b = await actions.demo.hold({ n: input.n });
      return { a, b };
    }`, ['demo.echo', 'demo.hold']);
    const holders = [0, 1, 2].map((n) => engine.start(holder.id, { input: { n }, permissions: ['*'] }));
    const work = settle(engine);
    await until(() => waiting === 3, 'the holders to reach their held step');
    const h = engine.start(deploy(engine, 'hog', hog, ['demo.echo']).id, { permissions: ['*'] });
    const work2 = settle(engine);
    await until(() => engine.getRun(h.id).status === 'failed', 'the hog to fail');
    g.open();
    expect(await work).toBe('idle');
    expect(await work2).toBe('idle');
    expect(await settle(engine)).toBe('idle');
    expect(limitOf(engine.getRun(h.id))).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'heap' });
    for (const [n, r] of holders.entries()) {
      expect(engine.getRun(r.id)).toMatchObject({ status: 'completed', output: { a: { n }, b: { held: n } } });
      const keys = rec.of(r.id).map((e) => e.key);
      expect(keys.sort()).toEqual([`${r.id}:1`, `${r.id}:2`]);
    }
  });

  it('does not fail an innocent run because another run holds most of the shared heap across an await', async () => {
    const g = gate();
    let held = false;
    const hold = defineAction({
      name: 'demo.hold',
      run: async () => {
        held = true;
        await g.promise;
        return 'released';
      },
    });
    const engine = env.open([echoAction(rec), hold], { isolates: 1, limits: { heapMiB: 16 } });
    const hoarder = deploy(engine, 'hoarder', `export default async (input, actions) => {
      const keep = [];
      for (let k = 0; k < 14; k++) keep.push(new Array(128 * 1024).fill(k + 0.5)); // ~14 MiB kept
      await actions.demo.hold({});
      return keep.length;
    }`, ['demo.hold']);
    const modest = deploy(engine, 'modest', `export default async (input, actions) => {
      await actions.demo.echo({});
      const t = [];
      for (let k = 0; k < 10; k++) t.push(new Array(128 * 1024).fill(k + 0.5)); // ~10 MiB, under the limit
      return t.length;
    }`, ['demo.echo']);
    engine.start(hoarder.id, { permissions: ['*'] });
    const work = settle(engine);
    await until(() => held, 'the hoarder to hold its memory');
    const m = engine.start(modest.id, { permissions: ['*'] });
    const work2 = settle(engine);
    await until(() => !['pending', 'running'].includes(engine.getRun(m.id).status), 'the modest run to end');
    g.open();
    await work;
    await work2;
    expect(await settle(engine)).toBe('idle');
    // The modest run never used more than its limit; the run that did is the one to fail.
    expect(engine.getRun(m.id)).toMatchObject({ status: 'completed', output: 10 });
  });

  it('counts WebAssembly memory against the heap limit', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { heapMiB: 16 } });
    const wf = deploy(engine, 'wasm', `export default async (input, actions) => {
      if (typeof WebAssembly === 'undefined') return { mib: 0 };
      const kept = [];
      let mib = 0;
      try {
        // 8 x 64 MiB, reserved but not touched: cheap for the test machine, but it is memory
        // the host would have to provide the moment the workflow writes to it.
        for (let k = 0; k < 8; k++) { kept.push(new WebAssembly.Memory({ initial: 1024 })); mib += 64; }
      } catch (e) { return { mib, error: String(e) }; }
      return { mib };
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    if (info.status === 'failed') expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'heap' });
    else expect((info.output as { mib: number }).mib).toBeLessThanOrEqual(16);
  });

  it('counts the growth of a resizable ArrayBuffer against the heap limit', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { heapMiB: 16 } });
    const wf = deploy(engine, 'resizable', `export default async () => {
      let mib = 0;
      try {
        // Reserved up front, committed as it grows: grown (not even written) to 1 GiB here.
        const r = new ArrayBuffer(1024, { maxByteLength: 2 ** 31 });
        for (let k = 1; k <= 16; k++) { r.resize(k * 64 * 1024 * 1024); mib = r.byteLength / 1048576; }
      } catch (e) { return { mib, error: e.name }; }
      return { mib };
    }`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    if (info.status === 'failed') expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'heap' });
    else expect((info.output as { mib: number }).mib).toBeLessThanOrEqual(32);
  });

  it('lets a workflow catch a failed ArrayBuffer allocation past the limit without growing the host', async () => {
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { heapMiB: 16 } });
    const wf = deploy(engine, 'buffers', `export default async (input, actions) => {
      const kept = []; let mib = 0;
      try { for (let k = 0; k < 64; k++) { const b = new ArrayBuffer(8 * 1024 * 1024); new Uint8Array(b).fill(1); kept.push(b); mib += 8; } }
      catch (e) { return { mib, error: e.name }; }
      return { mib };
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    if (info.status === 'failed') expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'heap' });
    else expect((info.output as { mib: number }).mib).toBeLessThanOrEqual(32);
  });
});

/** The loop the CPU tests burn with, and how many iterations of it take `ms` on this machine. */
const burn = 'let x = 0; for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003; return x;';
function iterationsFor(ms: number): number {
  const f = new Function('n', burn) as (n: number) => number;
  f(1e6);
  let n = 1e6;
  let took = 0;
  while (took < 20) {
    const t = performance.now();
    f(n);
    took = performance.now() - t;
    if (took < 20) n *= 2;
  }
  return Math.max(1000, Math.round((n / took) * ms));
}

describe('CPU limit', () => {
  it.each([
    ['an endless loop in the body', `export default async (i, a) => { for (;;) {} }`],
    ['an endless loop placed after an await', `export default async (i, a) => { await a.demo.echo({}); for (;;) {} }`],
    ['an endless loop after a sleep, on the re-run', `export default async (i, a) => { await a.sleep('1s'); while (true) {} }`],
    ['an endless loop at module top level', `for (;;) {}\nexport default async () => 1;`],
    ['an endless chain of microtasks', `export default async (i, a) => { await a.demo.echo({}); const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {}); }`],
    ['a catastrophic regular expression', `export default async (i, a) => /^(a+)+$/.test('a'.repeat(40) + 'b')`],
  ])('fails %s with resource-limit cpu while the others finish', async (_what, script) => {
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { cpuMs: 100 } });
    const check = startInnocents(engine, 3);
    const wf = deploy(engine, 'spin', script, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('1s');
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'cpu' });
    await check();
  });

  it('limits the CPU of a whole execution, not only of each slice between two steps (DESIGN §10)', async () => {
    // Work calibrated on this machine to take about a fifth of the limit per slice: no slice
    // passes the limit, but the execution as a whole uses many times the limit.
    const cpuMs = 200;
    const perSlice = iterationsFor(cpuMs / 5);
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { cpuMs } });
    const wf = deploy(engine, 'burner', `const burn = (n) => { ${burn} };
      export default async (input, actions) => {
        for (let k = 0; k < 40; k++) { burn(${perSlice}); await actions.demo.echo({ k }); }
        return 'burned';
      }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine, 30_000)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'cpu' });
  }, 60_000);
});

describe('CPU limit and host work', () => {
  it('charges the host work a workflow makes inside a slice (1 MB log lines), which isolated-vm\'s CPU clock leaves out', async () => {
    // Each round makes the host write 100 log lines of 1 MB (≈ 1 s of host time on this machine) and costs the guest almost nothing.
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { cpuMs: 200 } });
    const wf = deploy(engine, 'host-burner', `export default async (input, actions) => {
        const big = 'x'.repeat(1000000);
        for (let r = 0; r < 8; r++) {
          for (let i = 0; i < 100; i++) actions.log(big);
          await actions.demo.echo({ r });
        }
        return 'done';
      }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine, 60_000)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'cpu' });
  }, 90_000);
});

describe('CPU limit across resumes', () => {
  it('counts replay in the CPU of an execution, so no resume blocks the host longer than the limit (DESIGN §10)', async () => {
    // Each segment computes ~60% of the limit live, then sleeps. Every resume re-runs all the
    // segments before it, synchronously: the n-th resume would keep the host's only thread busy
    // for (n-1) x 60% of the limit. "1 s of CPU per execution (from one delivery to the next
    // suspension)" must bound that too, or a run blocks the host longer with every sleep.
    const cpuMs = 100;
    const perSegment = iterationsFor(cpuMs * 0.6);
    const engine = env.open([echoAction(rec)], { isolates: 1, limits: { cpuMs } });
    const wf = deploy(engine, 'replayer', `const burn = (n) => { ${burn} };
      export default async (input, actions) => {
        for (let k = 0; k < 8; k++) { burn(${perSegment}); await actions.sleep('1s'); }
        return 'done';
      }`, []);
    const run = engine.start(wf.id, {});
    for (let i = 0; i < 10 && engine.getRun(run.id).status !== 'failed' && engine.getRun(run.id).status !== 'completed'; i++) {
      expect(await settle(engine, 30_000)).toBe('idle');
      env.clock.advance('1s');
    }
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    expect(limitOf(info)).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'cpu' });
  }, 60_000);
});

describe('deterministic Date and Math.random', () => {
  const clockScript = `export default async (input, actions) => {
    const sample = () => ({
      now: Date.now(), iso: new Date().toISOString(), str: Date(), ms: new Date().getTime(),
      logical: actions.now(), random: [Math.random(), Math.random(), actions.random()],
    });
    const before = sample();
    // Journaled: a re-run that computed other values would be a non-determinism error.
    await actions.demo.echo(before);
    await actions.sleep('1h');
    return { before, after: sample() };
  }`;

  it('gives Date the run’s logical clock and Math.random a seeded PRNG, identical on every re-run', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'clock', clockScript, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    env.clock.advance('1h');
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    const out = info.output as { before: Record<string, unknown>; after: Record<string, unknown> };
    // The first execution's values (seen by the action) equal the re-run's.
    expect(rec.of(run.id)[0].args).toEqual(out.before);
    expect(out.before).toMatchObject({ now: T0, ms: T0, logical: T0, iso: new Date(T0).toISOString() });
    expect(out.after).toMatchObject({ now: T0 + 3_600_000, logical: T0 + 3_600_000 });
    for (const r of [...(out.before.random as number[]), ...(out.after.random as number[])]) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
    expect(new Set(out.before.random as number[]).size).toBe(3);
  });

  it('seeds each run differently', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'seed', `export default async () => [Math.random(), Math.random()]`, []);
    const a = engine.start(wf.id, {});
    const b = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(a.id).output).not.toEqual(engine.getRun(b.id).output);
  });

  it('does not leak the wall clock through Intl date formatting', async () => {
    const engine = env.open([echoAction(rec)]);
    const wf = deploy(engine, 'intl', `export default async () => {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'full', timeStyle: 'long' });
      const joined = (parts) => parts.map((p) => p.value).join('');
      return { implicit: f.format(), explicit: f.format(Date.now()), parts: joined(f.formatToParts()), explicitParts: joined(f.formatToParts(Date.now())) };
    }`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    const out = engine.getRun(run.id).output as { implicit: string; explicit: string; parts: string; explicitParts: string };
    expect(out.explicit).toContain('January 1, 2026');
    expect(out.implicit).toBe(out.explicit);
    expect(out.parts).toBe(out.explicitParts);
  });
});

describe('the bridge copies JSON only, size-limited', () => {
  const limits = { bridgeBytes: 64 * 1024 };

  it('fails a run whose action arguments are over the limit with resource-limit bridge-bytes', async () => {
    const engine = env.open([echoAction(rec)], { limits });
    const wf = deploy(engine, 'bigargs', `export default async (i, a) => { try { await a.demo.echo({ s: 'x'.repeat(70000) }); } catch (e) { return 'caught ' + e.code; } }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(limitOf(engine.getRun(run.id))).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'bridge-bytes' });
    expect(rec.executions).toHaveLength(0);
  });

  it('counts bytes, not characters: multi-byte arguments over the limit fail the run too', async () => {
    const engine = env.open([echoAction(rec)], { limits });
    const wf = deploy(engine, 'wide', `export default async (i, a) => a.demo.echo({ s: '€'.repeat(30000) })`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(limitOf(engine.getRun(run.id))).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'bridge-bytes' });
    expect(rec.executions).toHaveLength(0);
  });

  it('turns an action result over the limit into a catchable step error', async () => {
    const big = defineAction({ name: 'demo.big', run: () => ({ s: 'y'.repeat(70_000) }) });
    const engine = env.open([big], { limits });
    const wf = deploy(engine, 'bigresult', `export default async (i, a) => { try { await a.demo.big({}); return 'no error'; } catch (e) { return [e.name, e.code]; } }`, ['demo.big']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    expect(engine.getRun(run.id).output).toEqual(['ActionError', ErrorCodes.RESOURCE_LIMIT]);
  });

  it('bounds the size of an action error crossing the bridge', async () => {
    const loud = defineAction({ name: 'demo.loud', run: () => { throw new ActionFailure('LOUD', 'z'.repeat(200_000), { details: { blob: 'w'.repeat(200_000) } }); } });
    const engine = env.open([loud], { limits });
    const wf = deploy(engine, 'loud', `export default async (i, a) => { try { await a.demo.loud({}); } catch (e) { return { code: e.code, size: JSON.stringify({ m: e.message, d: e.details }).length }; } }`, ['demo.loud']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('completed');
    const out = info.output as { code: string; size: number };
    expect(out.code).toBe('LOUD');
    expect(out.size).toBeLessThanOrEqual(limits.bridgeBytes);
  });

  it('fails a step cleanly when an action fails with details that are not JSON', async () => {
    const unhandled = watchUnhandled();
    try {
      const odd = defineAction({ name: 'demo.odd', run: () => { throw new ActionFailure('ODD', 'odd details', { details: { n: 10n } }); } });
      const engine = env.open([odd]);
      const wf = deploy(engine, 'odd', `export default async (i, a) => { try { await a.demo.odd({}); } catch (e) { return e.code; } }`, ['demo.odd']);
      const run = engine.start(wf.id, { permissions: ['*'] });
      expect(await settle(engine)).toBe('idle');
      expect(engine.getRun(run.id)).toMatchObject({ status: 'completed', output: 'ODD' });
    } finally {
      unhandled.stop();
    }
    expect(unhandled.errors.map(String)).toEqual([]);
  });

  it('fails a run whose output is over the limit with resource-limit bridge-bytes', async () => {
    const engine = env.open([echoAction(rec)], { limits });
    const wf = deploy(engine, 'bigout', `export default async () => 'o'.repeat(70000)`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(limitOf(engine.getRun(run.id))).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'bridge-bytes' });
  });

  it('fails a run whose log line is over the limit with resource-limit bridge-bytes', async () => {
    const engine = env.open([echoAction(rec)], { limits });
    const wf = deploy(engine, 'biglog', `export default async (i, a) => { a.log('€'.repeat(30000)); return 1; }`, []);
    const run = engine.start(wf.id, {});
    expect(await settle(engine)).toBe('idle');
    expect(limitOf(engine.getRun(run.id))).toEqual({ code: ErrorCodes.RESOURCE_LIMIT, limit: 'bridge-bytes' });
  });

  it('refuses input and event data over the limit at the API', async () => {
    const engine = env.open([echoAction(rec)], { limits });
    const wf = deploy(engine, 'in', `export default async (i) => i`, []);
    expect(() => engine.start(wf.id, { input: 'i'.repeat(70_000) })).toThrow(expect.objectContaining({ code: ErrorCodes.RESOURCE_LIMIT }));
    expect(() => engine.deliverEvent('big', 'e'.repeat(70_000))).toThrow(expect.objectContaining({ code: ErrorCodes.RESOURCE_LIMIT }));
  });
});

describe('no host object, function, getter or prototype crosses', () => {
  class Account {
    secret = 'kept';
    constructor(readonly id: string) {}
    get computed(): string {
      return `computed-${this.id}`;
    }
    method(): string {
      return 'host method';
    }
  }

  it('delivers action results with getters, functions, class instances and host types as plain JSON', async () => {
    const weird = defineAction({
      name: 'demo.weird',
      run: () => ({
        account: new Account('a1'),
        fn: () => 'host function',
        date: new Date(T0),
        map: new Map([['k', 'v']]),
        nested: { arr: [new Account('a2'), () => 1, undefined], buf: Buffer.from('hi') },
        get lazy() {
          return 'evaluated host-side';
        },
      }),
    });
    const engine = env.open([weird]);
    const wf = deploy(engine, 'inspect', `export default async (i, a) => {
      const r = await a.demo.weird({});
      const report = { plain: true, functions: 0, accessors: 0, foreignProtos: 0 };
      const walk = (v) => {
        if (typeof v === 'function') { report.functions++; return; }
        if (v === null || typeof v !== 'object') return;
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== Array.prototype) report.foreignProtos++;
        for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
          if (d.get || d.set) report.accessors++;
          else walk(d.value);
        }
      };
      walk(r);
      report.plain = report.functions + report.accessors + report.foreignProtos === 0;
      return { report, r, ctor: r.account.constructor === Object, canEscape: (() => { try { return r.constructor.constructor('return typeof process')(); } catch (e) { return e instanceof EvalError ? 'no code from strings' : String(e); } })() };
    }`, ['demo.weird']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const out = engine.getRun(run.id).output as { report: Record<string, unknown>; r: Record<string, unknown>; ctor: boolean; canEscape: string };
    expect(out.report).toEqual({ plain: true, functions: 0, accessors: 0, foreignProtos: 0 });
    expect(out.ctor).toBe(true);
    // Code from strings is refused in the sandbox; were it not, it must not see the host.
    expect(out.canEscape).toBe('no code from strings');
    expect(out.r).toEqual({
      account: { id: 'a1', secret: 'kept' },
      date: new Date(T0).toISOString(),
      map: {},
      nested: { arr: [{ id: 'a2', secret: 'kept' }, null, null], buf: { type: 'Buffer', data: [104, 105] } },
      lazy: 'evaluated host-side',
    });
  });

  it('throws host failures into the workflow as its own ActionError with plain data only', async () => {
    const hostile = defineAction({
      name: 'demo.throws',
      run: (_args, ctx) => {
        const err = new ActionFailure('HOST_FAILED', 'host failure', { details: { account: new Account('d1'), fn: () => 1 } });
        Object.assign(err, { ctx, hostFn: () => 'host', hostObj: new Account('x') });
        throw err;
      },
    });
    const engine = env.open([hostile]);
    const wf = deploy(engine, 'errs', `export default async (i, a) => {
      try { await a.demo.throws({}); } catch (e) {
        return {
          own: Object.getOwnPropertyNames(e).sort(),
          proto: Object.getPrototypeOf(e) === ActionError.prototype,
          isError: e instanceof Error,
          name: e.name, code: e.code, action: e.action, details: e.details,
          detailsPlain: Object.getPrototypeOf(e.details.account) === Object.prototype,
        };
      }
    }`, ['demo.throws']);
    const run = engine.start(wf.id, { permissions: ['*'], tenant: 'tenant-xx1' });
    expect(await settle(engine)).toBe('idle');
    const out = engine.getRun(run.id).output as Record<string, unknown>;
    expect(out).toEqual({
      own: ['action', 'code', 'details', 'message', 'name', 'stack'],
      proto: true,
      isError: true,
      name: 'ActionError',
      code: 'HOST_FAILED',
      action: 'demo.throws',
      details: { account: { id: 'd1', secret: 'kept' } },
      detailsPlain: true,
    });
    expect(JSON.stringify(out)).not.toContain('tenant-xx1');
  });
});

describe('undeclared actions are absent; actions is frozen', () => {
  it('hides every undeclared action under every spelling and refuses changes to actions', async () => {
    const admin = defineAction({ name: 'admin.nuke', run: (_a, ctx) => { rec.note('admin.nuke', {}, ctx, { seq: 0, idempotencyKey: '' }); return 'nuked'; } });
    const kvget = defineAction({ name: 'kv.get', run: (_a, ctx) => { rec.note('kv.get', {}, ctx, { seq: 0, idempotencyKey: '' }); return 'read'; } });
    const engine = env.open([echoAction(rec), admin, kvget]);
    const wf = deploy(engine, 'spell', `export default async (input, actions) => {
      Object.prototype.admin = { nuke: () => 'from prototype' };
      Object.prototype['kv.get'] = () => 'from prototype';
      const probes = {
        typeofAdmin: typeof actions.admin,
        bracket: typeof actions['admin'],
        dotted: typeof actions['admin.nuke'],
        kvDotted: typeof actions['kv.get'],
        kv: typeof actions.kv,
        inOp: 'admin' in actions,
        hasOwn: Object.prototype.hasOwnProperty.call(actions, 'admin'),
        keys: Object.keys(actions).sort(),
        ownKeys: Reflect.ownKeys(actions).map(String).sort(),
        names: Object.getOwnPropertyNames(actions).sort(),
        demoKeys: Reflect.ownKeys(actions.demo).map(String),
        forIn: (() => { const k = []; for (const x in actions) k.push(x); return k.sort(); })(),
        proto: Object.getPrototypeOf(actions),
        demoProto: Object.getPrototypeOf(actions.demo),
        dunder: typeof actions.__proto__,
        ctor: typeof actions.constructor,
        getter: typeof Reflect.get(actions, 'admin', {}),
        json: JSON.stringify(actions),
        frozen: Object.isFrozen(actions) && Object.isFrozen(actions.demo),
      };
      const attempts = [
        () => { actions.admin = { nuke: () => 1 }; },
        () => { Object.defineProperty(actions, 'admin', { value: 1 }); },
        () => { Object.setPrototypeOf(actions, { admin: 1 }); },
        () => { actions.demo.echo = () => 'replaced'; },
        () => { delete actions.demo; },
        () => { actions.demo.admin = 1; },
      ];
      probes.refused = attempts.map((f) => { try { f(); return 'allowed'; } catch (e) { return e.name; } });
      probes.stillAbsent = typeof actions.admin;
      probes.echoStillWorks = (await actions.demo.echo({ ok: 1 })).ok;
      return probes;
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.error).toBeNull();
    const builtins = ['demo', 'log', 'now', 'random', 'sleep', 'waitForEvent'];
    expect(info.output).toEqual({
      typeofAdmin: 'undefined', bracket: 'undefined', dotted: 'undefined', kvDotted: 'undefined', kv: 'undefined',
      inOp: false, hasOwn: false, keys: builtins, ownKeys: builtins, names: builtins, demoKeys: ['echo'], forIn: builtins,
      proto: null, demoProto: null, dunder: 'undefined', ctor: 'undefined', getter: 'undefined',
      json: '{"demo":{}}', frozen: true,
      refused: Array(6).fill('TypeError'), stillAbsent: 'undefined', echoStillWorks: 1,
    });
    expect(rec.executions.map((e) => e.action)).toEqual(['demo.echo']);
  });
});
