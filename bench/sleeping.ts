/**
 * sleeping_run_db_bytes, sleeping_run_rss_bytes: what a suspended run costs at rest.
 *
 * 10,000 runs each call `sleep("1d")` and suspend (ManualClock, so nothing wakes); they are put
 * to sleep in 5 chunks of 2,000. Database bytes: store file plus WAL after a TRUNCATE checkpoint
 * (through a separate connection, as an observer), minus the same measure before the first chunk,
 * divided by 10,000. RSS: resident set after a full GC of Node's heap (node runs with
 * --expose-gc) after each chunk; the figure is the median over chunks of (RSS growth / 2,000),
 * which ignores a chunk in which an isolate's own heap (up to the heap limit, collected only by
 * V8 inside the isolate, not by our GC) happened to swing. The engine is first primed with 2,000 runs that complete, so the isolates' heaps
 * are at their steady state before the first measure. This group runs in its own process so
 * other groups' garbage does not count.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { ManualClock } from '../runtime/index.js';
import { benchEngine, collectGarbage, median, round, scratch, type GroupResult, type Note } from './harness.js';

/** Store file plus WAL after a checkpoint. */
function storeBytes(dbPath: string): number {
  const db = new Database(dbPath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  return size(dbPath) + size(`${dbPath}-wal`);
}

/** Bytes per table and index (dbstat), to say where a sleeping run's bytes go. */
function tableBytes(dbPath: string): Map<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return new Map();
  } finally {
    db.close();
  }
}

function rss(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

export async function sleepingGroup(options: { quick: boolean }): Promise<GroupResult> {
  const chunks = 5;
  const chunk = options.quick ? 400 : 2000;
  const runs = chunks * chunk;

  const s = scratch('sleep');
  const { engine, wf } = benchEngine(s, 'process', { clock: new ManualClock() });
  try {
    // Prime with one chunk of runs that complete (they leave no sleeping state): JIT warm-up,
    // and the isolates' heaps fill with dead contexts up to their steady state, which would
    // otherwise show up as growth in the first chunk.
    for (let i = 0; i < chunk; i++) engine.start(wf.id, { input: { n: 0 }, permissions: ['*'] });
    await engine.runUntilIdle();
    const tablesBefore = tableBytes(s.dbPath);
    const bytes0 = storeBytes(s.dbPath);
    const heap0 = (collectGarbage(), process.memoryUsage().heapUsed);
    const ys = [rss()];
    const t0 = performance.now();
    for (let c = 1; c <= chunks; c++) {
      for (let i = 0; i < chunk; i++) engine.start(wf.id, { input: { n: 0, sleep: '1d' }, permissions: ['*'] });
      await engine.runUntilIdle();
      ys.push(rss());
    }
    const seconds = (performance.now() - t0) / 1000;
    const heapPerRun = (process.memoryUsage().heapUsed - heap0) / runs;
    const asleep = engine.listRuns({ status: 'suspended', limit: runs + 1 }).length;
    if (asleep !== runs) throw new Error(`sleeping bench: ${asleep} of ${runs} runs are suspended`);
    const dbPerRun = (storeBytes(s.dbPath) - bytes0) / runs;
    const parts = [...tableBytes(s.dbPath).entries()]
      .map(([name, b]) => [name, b - (tablesBefore.get(name) ?? 0)] as const)
      .filter(([, d]) => d > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([name, d]) => `${name} ${Math.round(d / runs)}`);
    const chunkSlopes = ys.slice(1).map((y, i) => (y - ys[i]) / chunk);
    const gc = collectGarbage();
    const notes: Note[] = [
      { label: 'sleeping: DB bytes per run by table/index', text: parts.join(', ') || '(dbstat unavailable)' },
      { label: 'sleeping: RSS after each chunk (MiB)', text: ys.map((y) => (y / 1048576).toFixed(1)).join(' → ') + `; Node JS heap growth ${round(heapPerRun, 3)} bytes per run` },
      { label: 'sleeping: time to put the runs to sleep', text: `${round(seconds, 3)} s for ${runs} runs (${round((seconds * 1000) / runs, 3)} ms per run, start + runUntilIdle)` },
    ];
    return {
      figures: [
        {
          name: 'sleeping_run_db_bytes', value: round(dbPerRun), unit: 'bytes', target: { op: '<=', value: 2048 },
          how: `(store + WAL after TRUNCATE checkpoint with ${runs} runs asleep − before) / ${runs}; deterministic, measured once`, samples: [dbPerRun],
        },
        {
          name: 'sleeping_run_rss_bytes', value: round(median(chunkSlopes)), unit: 'bytes',
          how: `median over ${chunks} chunks of (RSS growth after ${gc ? 'a full GC' : 'NO GC: run node with --expose-gc'}) / ${chunk} sleeping runs; isolate heaps swing it`,
          samples: chunkSlopes,
        },
      ],
      notes,
    };
  } finally {
    await engine.close();
    s.dispose();
  }
}
