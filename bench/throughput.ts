/**
 * throughput3_c16_runs_s, throughput3_c64_runs_s, throughput3_c64_runs_s_power: completed
 * 3-step runs per second with 16 or 64 runs in flight.
 *
 * The engine's `concurrency` is set to 16 or 64; N runs are started (pending in the store), then
 * one `runUntilIdle()` drains them, keeping `concurrency` executions in flight until fewer remain.
 * The figure is N / drain time, median over repetitions. Starting the runs is timed separately
 * and shown in the table (it is one small write transaction per run).
 */
import type { Durability } from '../runtime/index.js';
import { benchEngine, cpuMs, median, nowMs, round, scratch, type GroupResult, type Note } from './harness.js';

interface Rates {
  drain: number[];
  startUs: number[];
  /** Process CPU (all threads) per completed run during the drain, ms. */
  cpuPerRun: number[];
}

async function measure(durability: Durability, concurrency: number, runs: number, reps: number): Promise<Rates> {
  const s = scratch(`tp-${durability}-${concurrency}`);
  const { engine, wf } = benchEngine(s, durability, { concurrency });
  const drain: number[] = [];
  const startUs: number[] = [];
  const cpuPerRun: number[] = [];
  try {
    for (let rep = -1; rep < reps; rep++) {
      // rep -1 warms up the JIT, statements and the bundle's code cache on a smaller batch.
      const n = rep < 0 ? Math.min(200, runs) : runs;
      const ids: string[] = [];
      const t0 = nowMs();
      for (let i = 0; i < n; i++) ids.push(engine.start(wf.id, { input: { n: 3 }, permissions: ['*'] }).id);
      const t1 = nowMs();
      const c1 = cpuMs();
      await engine.runUntilIdle();
      const t2 = nowMs();
      const c2 = cpuMs();
      const done = engine.listRuns({ status: 'completed', limit: 1_000_000 }).length;
      if (rep < 0) continue;
      if (engine.getRun(ids[ids.length - 1]).status !== 'completed' || engine.getRun(ids[0]).status !== 'completed') {
        throw new Error(`throughput bench: runs did not complete (${done} completed in all)`);
      }
      drain.push(n / ((t2 - t1) / 1000));
      startUs.push(((t1 - t0) / n) * 1000);
      cpuPerRun.push((c2 - c1) / n);
    }
  } finally {
    await engine.close();
    s.dispose();
  }
  return { drain, startUs, cpuPerRun };
}

export async function throughputGroup(options: { quick: boolean }): Promise<GroupResult> {
  const runs = options.quick ? 500 : 1000;
  const reps = options.quick ? 1 : 3;
  const c16 = await measure('process', 16, runs, reps);
  const c64 = await measure('process', 64, runs, reps);
  const c64p = await measure('power', 64, runs, reps);
  const how = `median over ${reps} reps of N / drain time, N = ${runs} pending 3-step runs, one runUntilIdle`;
  const note = (label: string, r: Rates): Note => ({
    label: `throughput: ${label}`,
    text: `process CPU ${round(median(r.cpuPerRun), 3)} ms per run while draining (2 cores ⇒ at most ≈ ${round(2000 / median(r.cpuPerRun), 3)} runs/s); ` +
      `start() ${round(median(r.startUs), 3)} µs per run; with start included ≈ ${round(1 / (1 / median(r.drain) + median(r.startUs) / 1e6), 3)} runs/s`,
  });
  return {
    figures: [
      { name: 'throughput3_c16_runs_s', value: round(median(c16.drain)), unit: 'runs/s', how, samples: c16.drain },
      { name: 'throughput3_c64_runs_s', value: round(median(c64.drain)), unit: 'runs/s', target: { op: '>=', value: 1000 }, how, samples: c64.drain },
      { name: 'throughput3_c64_runs_s_power', value: round(median(c64p.drain)), unit: 'runs/s', how, samples: c64p.drain },
    ],
    notes: [note('c16', c16), note('c64', c64), note('c64 power', c64p)],
  };
}
