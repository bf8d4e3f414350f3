import type ivm from 'isolated-vm';
import { isolatedVm } from '../deps.js';
import { guestSource, type GuestEntry } from './guest.js';

/** The guest runtime's setup is the engine's own code; this only guards against a wedged isolate. */
const setupTimeoutMs = 10_000;

/** How long the pool is unused before `relax` shrinks it, and then between its halvings. */
export const relaxAfterMs = 10_000;

/** One sandbox context with the guest runtime set up in it, ready for one execution. */
export interface Lease {
  readonly slot: IsolateSlot;
  readonly context: ivm.Context;
  /** The guest runtime's entry point in this context (see guest.ts). */
  readonly entry: ivm.Reference<GuestEntry>;
  /** The isolate is this lease's alone and goes with it. */
  readonly dedicated?: boolean;
}

/** An isolate of the pool. `generation` changes when a dead isolate is replaced. */
export interface IsolateSlot {
  isolate: ivm.Isolate;
  readonly index: number;
  generation: number;
  guest: ivm.Script;
  /** Workflow scripts compiled in this isolate, by code hash (a script runs in any context). */
  readonly scripts: Map<string, ivm.Script>;
}

/**
 * A few isolates with memory limits, shared by all executions of an engine. Every execution
 * gets a fresh context (DESIGN §7); contexts are prepared ahead of time on isolated-vm's own
 * threads so that creating one (≈0.5–0.9 ms) is rarely on the host's thread.
 *
 * Preparing a context holds its isolate's lock, and a guest slice into that isolate waits for
 * the lock: measured, a slice that takes 2–3 µs took up to 1.8 ms (99th percentile) while
 * contexts were being made in its isolate, and none longer while they were made in another.
 * At 64 runs in flight the host's thread spent half its time waiting so. So an isolate is
 * refilled only while no execution holds a context of it, and new executions go to isolates
 * that are not being refilled: executions are served from one isolate until its prepared
 * contexts run out, then from the next, while the ones behind drain and refill. Only when no
 * isolate could serve otherwise is one refilled under its running executions.
 */
export class SandboxPool {
  private readonly slots: IsolateSlot[] = [];
  private readonly ready: Lease[][] = [];
  private readonly warming: number[] = [];
  /**
   * Contexts to keep prepared per isolate: doubles (up to `maxPrewarm`) each time demand outruns
   * it, and halves back towards `prewarm` while the engine is idle (`relax`).
   */
  private readonly want: number[] = [];
  /** Executions holding a context of each isolate (its current generation). */
  private readonly active: number[] = [];
  /** The isolate new executions are served from while it has prepared contexts. */
  private serving = 0;
  /** `performance.now()` of the last `acquire`, and of the last time `relax` shrank the pool. */
  private lastTaken = 0;
  private lastRelaxed = -Infinity;
  private closed = false;

  constructor(
    private readonly heapMiB: number,
    size = 4,
    private readonly prewarm = 4,
    private readonly maxPrewarm = 32,
  ) {
    for (let i = 0; i < size; i++) {
      this.slots.push(this.newSlot(i));
      this.ready.push([]);
      this.warming.push(0);
      this.want.push(prewarm);
      this.active.push(0);
    }
    for (let i = 0; i < size; i++) this.refill(i);
  }

  private newSlot(index: number, generation = 0): IsolateSlot {
    const isolate = new (isolatedVm().Isolate)({ memoryLimit: this.heapMiB });
    const guest = isolate.compileScriptSync(guestSource, { filename: 'alice:guest.js' });
    return { isolate, index, generation, guest, scripts: new Map() };
  }

  /** A fresh context with the guest runtime: a prepared one from an isolate not being refilled, if any. */
  acquire(now = performance.now()): Lease {
    if (this.closed) throw new Error('sandbox pool is closed');
    this.lastTaken = now;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i].isolate.isDisposed) this.replace(i);
    }
    let index = this.pick();
    let lease = index >= 0 ? this.ready[index].pop() : undefined;
    if (lease === undefined) {
      // Demand outran what the isolates keep prepared: keep more (a burst of runs then finds
      // contexts made on isolated-vm's threads, not on the host's, which runs everything else),
      // make this one here, in the idlest isolate, and then refill that one even under its
      // running executions (the others as soon as theirs are done).
      for (let i = 0; i < this.slots.length; i++) this.want[i] = Math.min(this.maxPrewarm, this.want[i] * 2);
      index = 0;
      for (let i = 1; i < this.slots.length; i++) if (this.active[i] < this.active[index]) index = i;
      const slot = this.slots[index];
      const context = slot.isolate.createContextSync();
      try {
        lease = { slot, context, entry: slot.guest.runSync(context, { reference: true, timeout: setupTimeoutMs }) as ivm.Reference<GuestEntry> };
      } catch (err) {
        context.release();
        throw err;
      }
      this.refill(index, true);
    }
    this.active[index]++;
    return lease;
  }

  /**
   * The isolate to serve an execution from: the serving one while it has prepared contexts and
   * is not being refilled, else the next such isolate (which becomes the serving one), else one
   * with prepared contexts that is being refilled; -1 when none has any.
   */
  private pick(): number {
    const n = this.slots.length;
    if (this.ready[this.serving].length > 0 && this.warming[this.serving] === 0) return this.serving;
    let fallback = -1;
    for (let k = 1; k <= n; k++) {
      const i = (this.serving + k) % n;
      if (this.ready[i].length === 0) continue;
      if (this.warming[i] === 0) {
        this.serving = i;
        return i;
      }
      if (fallback < 0) fallback = i;
    }
    return fallback;
  }

  /**
   * A context in an isolate of its own, disposed with the lease: for a run suspected of running
   * a shared isolate out of memory, so that a second failure is certainly its own.
   */
  acquireDedicated(): Lease {
    if (this.closed) throw new Error('sandbox pool is closed');
    const slot = this.newSlot(-1);
    const context = slot.isolate.createContextSync();
    const entry = slot.guest.runSync(context, { reference: true, timeout: setupTimeoutMs }) as ivm.Reference<GuestEntry>;
    return { slot, context, entry, dedicated: true };
  }

  /**
   * Prepares contexts for isolate `index` up to what it should keep: only while none of its
   * contexts is in use (see the class comment) unless `force`d, and not while some are already
   * being made (one batch at a time per isolate).
   */
  private refill(index: number, force = false): void {
    const slot = this.slots[index];
    if (this.prewarm <= 0 || this.closed || slot.isolate.isDisposed || this.warming[index] > 0 || (this.active[index] > 0 && !force)) return;
    const need = this.want[index] - this.ready[index].length;
    for (let i = 0; i < need; i++) {
      this.warming[index]++;
      const generation = slot.generation;
      // Both the context and the guest runtime's setup in it (a fifth of the cost) are made on
      // isolated-vm's thread, not on the host's.
      let context: ivm.Context | null = null;
      const prepared = slot.isolate
        .createContext()
        .then((c) => {
          context = c;
          return slot.guest.run(c, { reference: true, timeout: setupTimeoutMs }) as Promise<ivm.Reference<GuestEntry>>;
        })
        .then((entry) => {
          if (this.closed || slot.generation !== generation || slot.isolate.isDisposed || this.slots[index] !== slot) {
            if (this.slots[index] === slot) this.warming[index]--;
            entry.release();
            context?.release();
            return;
          }
          this.ready[index].push({ slot, context: context!, entry });
          // The batch is done: top up if the isolate should keep more by now.
          if (--this.warming[index] === 0) this.refill(index);
        })
        .catch(() => {
          if (this.slots[index] === slot) this.warming[index]--;
          try {
            context?.release();
          } catch {
            // the isolate is gone with it
          }
        });
      this.preparing.add(prepared);
      void prepared.finally(() => this.preparing.delete(prepared));
    }
  }

  /**
   * For an engine with nothing running (the worker calls it on its idle polls): once no context
   * has been taken for `relaxAfterMs`, and then once per `relaxAfterMs`, every isolate keeps half
   * of what it keeps beyond `prewarm` and drops the prepared contexts past that. A burst doubles
   * what the isolates keep, up to `maxPrewarm` each (6 × 32 guest runtimes in the isolates'
   * heaps), and a long-lived worker would otherwise hold them for good; waiting first keeps a
   * load that comes in bursts a few seconds apart from shrinking the pool between them and then
   * making contexts on the host's thread to grow it again. `now`: `performance.now()` (tests).
   */
  relax(now = performance.now()): void {
    if (this.closed || this.active.some((n) => n > 0) || now - this.lastTaken < relaxAfterMs || now - this.lastRelaxed < relaxAfterMs) return;
    this.lastRelaxed = now;
    for (let i = 0; i < this.slots.length; i++) {
      this.want[i] = this.prewarm + Math.floor((this.want[i] - this.prewarm) / 2);
      // Contexts still being made join the prepared ones when done, and go at the next relax.
      while (this.ready[i].length > this.want[i]) {
        const lease = this.ready[i].pop()!;
        try {
          lease.entry.release();
          lease.context.release();
        } catch {
          // its isolate is gone
        }
      }
    }
  }

  /**
   * Throws away a context after its execution; the isolate is refilled once none of its
   * contexts is in use (see the class comment).
   */
  release(lease: Lease): void {
    try {
      lease.entry.release();
      lease.context.release();
      if (lease.dedicated && !lease.slot.isolate.isDisposed) lease.slot.isolate.dispose();
    } catch {
      // The isolate may already be disposed (memory limit); nothing is left to free.
    }
    if (!lease.dedicated && !this.closed && this.slots[lease.slot.index] === lease.slot) {
      const index = lease.slot.index;
      this.active[index] = Math.max(0, this.active[index] - 1);
      this.refill(index);
    }
  }

  /** Replaces a disposed isolate; contexts prepared in it are dropped. */
  replace(index: number): IsolateSlot {
    const old = this.slots[index];
    if (!old.isolate.isDisposed) {
      try {
        old.isolate.dispose();
      } catch {
        // already gone
      }
    }
    this.ready[index] = [];
    // Executions still holding contexts of the dead isolate, and contexts being made in it, do
    // not count against the new one.
    this.active[index] = 0;
    this.warming[index] = 0;
    const slot = this.newSlot(index, old.generation + 1);
    this.slots[index] = slot;
    this.refill(index);
    return slot;
  }

  /** Per isolate: contexts prepared, being prepared, and held by executions (for tests and diagnostics). */
  state(): Array<{ ready: number; preparing: number; inUse: number; keep: number }> {
    return this.slots.map((_, i) => ({ ready: this.ready[i].length, preparing: this.warming[i], inUse: this.active[i], keep: this.want[i] }));
  }

  /** Whether the isolate a lease came from is still the live one. */
  isAlive(lease: Lease): boolean {
    if (lease.dedicated) return !lease.slot.isolate.isDisposed;
    return !lease.slot.isolate.isDisposed && this.slots[lease.slot.index] === lease.slot;
  }

  /**
   * Disposes the isolates once the contexts being prepared on isolated-vm's threads are done:
   * disposing an isolate under such a task, or exiting the process meanwhile, can crash it
   * (seen: a worker that closed its engine and exited died with SIGSEGV).
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.preparing]);
    for (const slot of this.slots) {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
    }
    for (const r of this.ready) r.length = 0;
  }

  /** Preparations under way on isolated-vm's threads (see `close`). */
  private readonly preparing = new Set<Promise<unknown>>();
}
