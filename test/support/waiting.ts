import type { Engine, LogEntry } from '../../runtime/index.js';

/** A promise the test opens by hand, so an action finishes when (and in the order) the test chooses. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits in real time (a few ms at a time) until `pred` holds; fails after 10 s. */
export async function until(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A run's log entries of one kind. */
export function logOf(engine: Engine, runId: string, kind: LogEntry['kind']): LogEntry[] {
  return engine.getLog(runId).filter((e) => e.kind === kind);
}

/** The messages of the process warnings emitted while `fn` runs (and the turn after it). */
export async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const warned: string[] = [];
  const onWarning = (w: Error) => warned.push(w.message);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return warned;
}
