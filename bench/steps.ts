/**
 * step_ms, step_ms_power: the engine's overhead per step of a sequential workflow on a fresh run.
 *
 * A 100-step run and a 1-step run of the same workflow are timed start → runUntilIdle returns,
 * interleaved on one warm engine. Their difference divided by 99 is the cost of one more step,
 * with the fixed cost of a run (claim, context, module load, terminal transaction) cancelled
 * out. The figure is the median of those differences over the repetitions.
 */
import type { Durability } from '../runtime/index.js';
import { benchEngine, cpuMs, median, nowMs, round, scratch, type GroupResult } from './harness.js';

/** Wall and process CPU time (ms) of one run, start → runUntilIdle returns. */
async function timeRun(engine: ReturnType<typeof benchEngine>['engine'], wfId: string, n: number): Promise<{ wall: number; cpu: number }> {
  const c0 = cpuMs();
  const t0 = nowMs();
  const run = engine.start(wfId, { input: { n }, permissions: ['*'] });
  await engine.runUntilIdle();
  const wall = nowMs() - t0;
  const cpu = cpuMs() - c0;
  const info = engine.getRun(run.id);
  if (info.status !== 'completed') throw new Error(`bench run ${run.id} ended ${info.status}: ${JSON.stringify(info.error)}`);
  return { wall, cpu };
}

async function measure(durability: Durability, reps: number, warmups: number): Promise<{ perStep: number[]; cpuPerStep: number[]; fixed: number[]; wall100: number[] }> {
  const s = scratch(`steps-${durability}`);
  const { engine, wf } = benchEngine(s, durability);
  try {
    // Warm-up until the host's step path is optimized: prepared statements, the isolate's code
    // cache for the bundle, and V8's JIT, which optimizes the step path's functions only after
    // some thousands of calls. After 3 pairs (300 steps) a step measured ≈ 1.6× its steady
    // cost; after 50 pairs it no longer fell (docs/benchmarks.md, Session 9). A worker is a
    // long-lived process: the steady cost is the one it pays.
    for (let i = 0; i < warmups; i++) {
      await timeRun(engine, wf.id, 100);
      await timeRun(engine, wf.id, 1);
    }
    const perStep: number[] = [];
    const cpuPerStep: number[] = [];
    const fixed: number[] = [];
    const wall100: number[] = [];
    for (let i = 0; i < reps; i++) {
      const long = await timeRun(engine, wf.id, 100);
      const short = await timeRun(engine, wf.id, 1);
      perStep.push((long.wall - short.wall) / 99);
      cpuPerStep.push((long.cpu - short.cpu) / 99);
      fixed.push(short.wall);
      wall100.push(long.wall);
    }
    return { perStep, cpuPerStep, fixed, wall100 };
  } finally {
    await engine.close();
    s.dispose();
  }
}

export async function stepsGroup(options: { quick: boolean }): Promise<GroupResult> {
  const proc = await measure('process', options.quick ? 5 : 25, options.quick ? 10 : 50);
  const power = await measure('power', options.quick ? 3 : 9, options.quick ? 3 : 20);
  const how = 'median over reps of (wall(100-step run) − wall(1-step run)) / 99, start → runUntilIdle, instant action';
  return {
    figures: [
      { name: 'step_ms', value: round(median(proc.perStep)), unit: 'ms', target: { op: '<=', value: 0.06 }, how, samples: proc.perStep },
      { name: 'step_ms_power', value: round(median(power.perStep)), unit: 'ms', how, samples: power.perStep },
    ],
    notes: [
      { label: 'step: 100-step run wall (process)', text: `${round(median(proc.wall100), 3)} ms median; naive wall/100 = ${round(median(proc.wall100) / 100, 3)} ms/step` },
      { label: 'step: 1-step run wall = fixed cost (process)', text: `${round(median(proc.fixed), 3)} ms median` },
      { label: 'step: process CPU per step (process / power)', text: `${round(median(proc.cpuPerStep) * 1000, 3)} µs / ${round(median(power.cpuPerStep) * 1000, 3)} µs (user+system of all threads; less sensitive to other load than wall time)` },
      { label: 'step: 100-step run wall (power)', text: `${round(median(power.wall100), 3)} ms median; 1-step run ${round(median(power.fixed), 3)} ms` },
    ],
  };
}
