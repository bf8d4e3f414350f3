/**
 * latency3_p50_ms, latency3_p99_ms: start → done of a 3-step workflow, one run at a time.
 *
 * Each sample is `start()` then `runUntilIdle()` until it returns with the run completed, on a
 * warm engine in `process` durability with the system clock. Percentiles are over all samples
 * after warm-up; repeated batches give the spread.
 */
import { benchEngine, cpuMs, median, nowMs, percentile, round, scratch, type GroupResult } from './harness.js';

export async function latencyGroup(options: { quick: boolean }): Promise<GroupResult> {
  const s = scratch('latency');
  const { engine, wf } = benchEngine(s, 'process');
  const samples: number[] = [];
  const batchP50: number[] = [];
  const batchP99: number[] = [];
  let cpuPerRun = NaN;
  try {
    const time = async (): Promise<number> => {
      const t0 = nowMs();
      const run = engine.start(wf.id, { input: { n: 3 }, permissions: ['*'] });
      await engine.runUntilIdle();
      const t = nowMs() - t0;
      if (engine.getRun(run.id).status !== 'completed') throw new Error(`bench run ${run.id} did not complete`);
      return t;
    };
    for (let i = 0; i < 100; i++) await time();
    const c0 = cpuMs();
    const batches = options.quick ? 1 : 3;
    for (let b = 0; b < batches; b++) {
      const batch: number[] = [];
      for (let i = 0; i < 300; i++) batch.push(await time());
      batchP50.push(percentile(batch, 50));
      batchP99.push(percentile(batch, 99));
      samples.push(...batch);
    }
    cpuPerRun = (cpuMs() - c0) / samples.length;
  } finally {
    await engine.close();
    s.dispose();
  }
  const how = `${samples.length} sequential runs after 100 warm-up, start → runUntilIdle returns (process)`;
  return {
    figures: [
      { name: 'latency3_p50_ms', value: round(percentile(samples, 50)), unit: 'ms', target: { op: '<=', value: 2 }, how, samples: batchP50 },
      { name: 'latency3_p99_ms', value: round(percentile(samples, 99)), unit: 'ms', how, samples: batchP99 },
    ],
    notes: [{ label: 'latency: min / mean', text: `${round(Math.min(...samples), 3)} ms / ${round(samples.reduce((a, b) => a + b, 0) / samples.length, 3)} ms; batch p50 median ${round(median(batchP50), 3)} ms; process CPU ${round(cpuPerRun, 3)} ms per run` }],
  };
}
