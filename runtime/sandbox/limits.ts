import { UsageError } from '../errors.js';

/** Per-engine resource limits (DESIGN §10). Passing one fails the run with `resource-limit`. */
export interface Limits {
  /** Heap of one isolate, in MiB. Runs that share a killed isolate are re-run from the journal. */
  heapMiB: number;
  /** CPU time of one guest slice: the start, or one delivery and the microtasks it drains (ms). */
  cpuMs: number;
  /** Bytes of one value crossing the bridge: arguments, results, input, output, one log line. */
  bridgeBytes: number;
  /** Steps (action calls, sleeps, waits) in one run. */
  stepsPerRun: number;
  /** `log()` lines in one run. */
  logLinesPerRun: number;
  /** Steps issued and not yet settled at once in one run. */
  inFlightPerRun: number;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  heapMiB: 64,
  cpuMs: 1000,
  bridgeBytes: 1024 * 1024,
  stepsPerRun: 10_000,
  logLinesPerRun: 1_000,
  inFlightPerRun: 256,
});

export function resolveLimits(partial: Partial<Limits> | undefined): Limits {
  const limits = { ...defaultLimits, ...(partial ?? {}) };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new UsageError(`limit ${key} must be a positive number, got ${String(value)}`);
    }
  }
  if (limits.heapMiB < 8) throw new UsageError(`limit heapMiB must be at least 8, got ${limits.heapMiB}`);
  return limits;
}
