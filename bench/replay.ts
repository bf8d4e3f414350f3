/**
 * replay_us_per_step: what resuming costs per memoized step.
 *
 * A run does 1,000 steps and then sleeps an hour; a second run only sleeps. A ManualClock moves
 * past the hour and each resume (runUntilIdle: claim, load the journal, replay, finish the sleep,
 * complete) is timed on its own. (resume of the 1,000-step run − resume of the 0-step run) /
 * 1,000 is the replay cost per memoized step; the median over repetitions is the figure.
 *
 * Like `step_ms`, it is the steady cost of a long-lived worker: 20 pairs of resumes first, so
 * that V8 has optimized the host's resume path (the journal read, the guest's config) and every
 * isolate of the pool has compiled the guest runtime and the workflow. With 2 pairs, the
 * measured resumes ran partly in code V8 had not optimized yet (docs/benchmarks.md, session 13).
 */
import { ManualClock, type Engine } from '../runtime/index.js';
import { benchEngine, cpuMs, median, nowMs, round, scratch, type GroupResult } from './harness.js';

const STEPS = 1000;

/**
 * Lets pending tasks run, then collects the young generation (node --expose-gc, as `npm run
 * bench` runs it): the fresh 1,000-step run that wrote the journal allocates megabytes, and a
 * scavenge it made due (an allocation failure, or V8's scavenge task at the next turn of the
 * event loop) otherwise often fell inside the timed resume: half of the 1,000-step resumes
 * took one (≈ 1–1.4 ms each), against one in twenty of the 0-step ones. A resume's own garbage
 * costs a later scavenge next to nothing (only survivors are copied).
 */
async function settleYoungGeneration(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  if (typeof gc === 'function') gc({ type: 'minor' });
}

/** Wall and process CPU (ms) of resuming one run whose n steps are journaled. */
async function resumeTime(engine: Engine, clock: ManualClock, wfId: string, n: number): Promise<{ wall: number; cpu: number }> {
  const run = engine.start(wfId, { input: { n, sleep: '1h' }, permissions: ['*'] });
  await engine.runUntilIdle();
  const suspended = engine.getRun(run.id);
  if (suspended.status !== 'suspended') throw new Error(`bench run ${run.id} is ${suspended.status}, expected suspended: ${JSON.stringify(suspended.error)}`);
  await settleYoungGeneration();
  clock.advance('1h');
  const c0 = cpuMs();
  const t0 = nowMs();
  await engine.runUntilIdle();
  const t = { wall: nowMs() - t0, cpu: cpuMs() - c0 };
  const info = engine.getRun(run.id);
  if (info.status !== 'completed') throw new Error(`bench run ${run.id} ended ${info.status}: ${JSON.stringify(info.error)}`);
  return t;
}

export async function replayGroup(options: { quick: boolean }): Promise<GroupResult> {
  const s = scratch('replay');
  const clock = new ManualClock();
  const { engine, wf } = benchEngine(s, 'process', { clock });
  const perStep: number[] = [];
  const long: number[] = [];
  const short: number[] = [];
  const cpuPerStep: number[] = [];
  try {
    const warmup = options.quick ? 5 : 20;
    for (let i = 0; i < warmup; i++) {
      await resumeTime(engine, clock, wf.id, STEPS);
      await resumeTime(engine, clock, wf.id, 0);
    }
    const reps = options.quick ? 5 : 15;
    for (let i = 0; i < reps; i++) {
      const a = await resumeTime(engine, clock, wf.id, STEPS);
      const b = await resumeTime(engine, clock, wf.id, 0);
      long.push(a.wall);
      short.push(b.wall);
      perStep.push(((a.wall - b.wall) / STEPS) * 1000);
      cpuPerStep.push(((a.cpu - b.cpu) / STEPS) * 1000);
    }
  } finally {
    await engine.close();
    s.dispose();
  }
  return {
    figures: [
      {
        name: 'replay_us_per_step', value: round(median(perStep)), unit: 'us', target: { op: '<=', value: 2 },
        how: 'median of (resume of a 1,000-step run − resume of a 0-step run) / 1,000; ManualClock wakes a sleep',
        samples: perStep,
      },
    ],
    notes: [{ label: 'replay: resume wall, 1,000 steps / 0 steps', text: `${round(median(long), 3)} ms / ${round(median(short), 3)} ms median; process CPU ${round(median(cpuPerStep), 3)} µs per replayed step` }],
  };
}
