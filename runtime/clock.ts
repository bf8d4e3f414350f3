import { durationMs } from './sandbox/shared.js';

/**
 * The engine's source of time. Injectable so that a test of `sleep("7d")` advances a manual
 * clock instead of waiting a week.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once when `now()` reaches `at`; returns a function that cancels it. */
  setTimer(at: number, fn: () => void): () => void;
}

/** The wall clock with real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    // setTimeout takes at most 2^31-1 ms; longer waits are re-armed by the scheduler's poll.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    const handle = setTimeout(fn, delay);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

/**
 * A clock that moves only when told. Timers fire synchronously inside `advance`/`set`.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.advance('7d');
 */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  constructor(private current = 1_767_225_600_000) {}

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): () => void {
    const id = ++this.ids;
    this.timers.push({ at, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves the clock forward by a number of ms or a duration string such as `"7d"`. */
  advance(by: number | string): void {
    this.set(this.current + durationMs(by));
  }

  set(at: number): void {
    if (at < this.current) throw new RangeError(`a ManualClock cannot go back from ${this.current} to ${at}`);
    this.current = at;
    const due = this.timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > at);
    for (const t of due) t.fn();
  }
}
