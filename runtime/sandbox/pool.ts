import type ivm from 'isolated-vm';
import { isolatedVm } from '../deps.js';
import { guestSource, type GuestEntry } from './guest.js';

/** The guest runtime's setup is the engine's own code; this only guards against a wedged isolate. */
const setupTimeoutMs = 10_000;

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
 * threads so that creating one (≈0.8 ms) is rarely on the step path.
 */
export class SandboxPool {
  private readonly slots: IsolateSlot[] = [];
  private readonly ready: Lease[][] = [];
  private readonly warming: number[] = [];
  /** Contexts to keep prepared per isolate: grows (up to `maxPrewarm`) each time demand outruns it. */
  private readonly want: number[] = [];
  private next = 0;
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
    }
    for (let i = 0; i < size; i++) this.refill(i);
  }

  private newSlot(index: number, generation = 0): IsolateSlot {
    const isolate = new (isolatedVm().Isolate)({ memoryLimit: this.heapMiB });
    const guest = isolate.compileScriptSync(guestSource, { filename: 'alice:guest.js' });
    return { isolate, index, generation, guest, scripts: new Map() };
  }

  /** A fresh context with the guest runtime, round robin over the isolates. */
  acquire(): Lease {
    if (this.closed) throw new Error('sandbox pool is closed');
    const index = this.next;
    this.next = (this.next + 1) % this.slots.length;
    let slot = this.slots[index];
    if (slot.isolate.isDisposed) slot = this.replace(index);
    // A context prepared in another isolate beats making one here, on the host's thread.
    let lease = this.ready[index].pop();
    if (lease === undefined) {
      // Demand outran what this isolate keeps prepared: keep more (a burst of runs then finds
      // contexts made on isolated-vm's threads, not on the host's, which runs everything else).
      this.want[index] = Math.min(this.maxPrewarm, this.want[index] * 2);
      this.refill(index);
      lease = this.ready.find((r, i) => r.length > 0 && !this.slots[i].isolate.isDisposed)?.pop();
    }
    if (lease === undefined) {
      const context = slot.isolate.createContextSync();
      lease = { slot, context, entry: slot.guest.runSync(context, { reference: true, timeout: setupTimeoutMs }) as ivm.Reference<GuestEntry> };
    }
    return lease;
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

  private refill(index: number): void {
    if (this.prewarm <= 0) return;
    const slot = this.slots[index];
    const need = this.want[index] - this.ready[index].length - this.warming[index];
    for (let i = 0; i < need; i++) {
      this.warming[index]++;
      const generation = slot.generation;
      // Both the context and the guest runtime's setup in it (a fifth of the cost) are made on
      // isolated-vm's thread, not on the host's.
      let context: ivm.Context | null = null;
      slot.isolate
        .createContext()
        .then((c) => {
          context = c;
          return slot.guest.run(c, { reference: true, timeout: setupTimeoutMs }) as Promise<ivm.Reference<GuestEntry>>;
        })
        .then((entry) => {
          this.warming[index]--;
          if (this.closed || slot.generation !== generation || slot.isolate.isDisposed || this.slots[index] !== slot) {
            entry.release();
            context?.release();
            return;
          }
          this.ready[index].push({ slot, context: context!, entry });
        })
        .catch(() => {
          this.warming[index]--;
          try {
            context?.release();
          } catch {
            // the isolate is gone with it
          }
        });
    }
  }

  /**
   * Throws away a context after its execution, and prepares a new one for the isolate. Creating
   * a context holds the isolate's lock for ≈1 ms; doing it when an execution ends, rather than
   * when one begins, keeps it off that execution's own step path.
   */
  release(lease: Lease): void {
    try {
      lease.entry.release();
      lease.context.release();
      if (lease.dedicated && !lease.slot.isolate.isDisposed) lease.slot.isolate.dispose();
    } catch {
      // The isolate may already be disposed (memory limit); nothing is left to free.
    }
    if (!lease.dedicated && !this.closed && this.slots[lease.slot.index] === lease.slot) this.refill(lease.slot.index);
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
    const slot = this.newSlot(index, old.generation + 1);
    this.slots[index] = slot;
    this.refill(index);
    return slot;
  }

  /** Whether the isolate a lease came from is still the live one. */
  isAlive(lease: Lease): boolean {
    if (lease.dedicated) return !lease.slot.isolate.isDisposed;
    return !lease.slot.isolate.isDisposed && this.slots[lease.slot.index] === lease.slot;
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
    }
    this.ready.length = 0;
  }
}
