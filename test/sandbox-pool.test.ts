import { afterEach, describe, expect, it } from 'vitest';
import { relaxAfterMs, SandboxPool, type Lease } from '../runtime/sandbox/pool.js';
import { until } from './support/waiting.js';

// The pool's scheduling (docs/runtime.md, "The sandbox"): a context is made with its isolate's
// lock held, so an isolate is refilled only while none of its contexts is in use, and executions
// are served from one isolate at a time.
describe('sandbox pool', () => {
  let pool: SandboxPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  const settled = (p: SandboxPool) => until(() => p.state().every((s) => s.preparing === 0 && s.ready === s.keep), 'the pool to finish preparing contexts');

  it('serves from one isolate until its prepared contexts run out, and refills it only once none is in use', async () => {
    const p = (pool = new SandboxPool(64, 2, 2));
    await settled(p);
    expect(p.state().map((s) => s.ready)).toEqual([2, 2]);

    const a = p.acquire();
    const b = p.acquire();
    expect(a.slot.index).toBe(b.slot.index);
    const first = a.slot.index;
    const other = 1 - first;
    // Emptied while two executions hold its contexts: not refilled under them.
    expect(p.state()[first]).toMatchObject({ ready: 0, preparing: 0, inUse: 2 });

    const c = p.acquire();
    expect(c.slot.index).toBe(other);

    p.release(a);
    expect(p.state()[first]).toMatchObject({ ready: 0, preparing: 0, inUse: 1 });
    p.release(b);
    // The last context in use is gone: the refill starts at once, off the host's thread.
    expect(p.state()[first]).toMatchObject({ inUse: 0, preparing: 2 });

    // While it is being refilled, new executions go to the isolate that is not.
    const d = p.acquire();
    expect(d.slot.index).toBe(other);
    expect(p.state()[other]).toMatchObject({ ready: 0, inUse: 2, preparing: 0 });

    await until(() => p.state()[first].ready === 2, 'the emptied isolate to be refilled');
    const e = p.acquire();
    expect(e.slot.index).toBe(first);
    for (const l of [c, d, e]) p.release(l);
  });

  it('makes a context on the host thread in the idlest isolate when none is prepared, and keeps more from then on', async () => {
    const p = (pool = new SandboxPool(64, 2, 1));
    await settled(p);
    const leases: Lease[] = [p.acquire(), p.acquire()];
    expect(new Set(leases.map((l) => l.slot.index)).size).toBe(2);
    expect(p.state().every((s) => s.ready === 0)).toBe(true);

    const extra = p.acquire();
    leases.push(extra);
    // A usable context all the same, with the guest runtime set up in it.
    expect(typeof extra.entry.typeof).toBe('string');
    expect(p.state().map((s) => s.keep)).toEqual([2, 2]);
    // The idlest isolate is refilled under its running executions, since no isolate can serve.
    expect(p.state()[extra.slot.index].preparing).toBeGreaterThan(0);
    for (const l of leases) p.release(l);
    await settled(p);
    expect(p.state().map((s) => s.ready)).toEqual([2, 2]);
  });

  it('gives back what a burst made it keep once it has been unused a while, halving the surplus each time', async () => {
    const p = (pool = new SandboxPool(64, 2, 1));
    await settled(p);
    // A burst: more executions at once than the isolates keep prepared (each miss doubles it).
    const t0 = 1_000_000;
    const leases: Lease[] = [];
    for (let i = 0; i < 5; i++) leases.push(p.acquire(t0));
    const burst = p.state()[0].keep;
    expect(burst).toBeGreaterThanOrEqual(8);
    expect(p.state().map((s) => s.keep)).toEqual([burst, burst]);
    // Not while anything runs.
    p.relax(t0 + 10 * relaxAfterMs);
    expect(p.state().map((s) => s.keep)).toEqual([burst, burst]);
    for (const l of leases) p.release(l);
    await settled(p);
    expect(p.state().map((s) => s.ready)).toEqual([burst, burst]);
    // Not right after the burst: a load that comes back soon finds its contexts.
    p.relax(t0 + relaxAfterMs / 2);
    expect(p.state().map((s) => s.keep)).toEqual([burst, burst]);
    const half = 1 + Math.floor((burst - 1) / 2);
    p.relax(t0 + relaxAfterMs);
    expect(p.state().map((s) => ({ keep: s.keep, ready: s.ready }))).toEqual([{ keep: half, ready: half }, { keep: half, ready: half }]);
    // Once per interval, down to what it keeps at rest.
    p.relax(t0 + relaxAfterMs * 1.5);
    expect(p.state().map((s) => s.keep)).toEqual([half, half]);
    for (let k = 2; k <= 8; k++) p.relax(t0 + k * relaxAfterMs);
    expect(p.state().map((s) => ({ keep: s.keep, ready: s.ready }))).toEqual([{ keep: 1, ready: 1 }, { keep: 1, ready: 1 }]);
    // What is left still serves, and a new burst grows it again.
    const again = [p.acquire(), p.acquire(), p.acquire()];
    expect(typeof again[2].entry.typeof).toBe('string');
    expect(p.state().map((s) => s.keep)).toEqual([2, 2]);
    for (const l of again) p.release(l);
  });

  it('replaces a disposed isolate and does not count the dead one\'s executions against it', async () => {
    const p = (pool = new SandboxPool(64, 2, 1));
    await settled(p);
    const a = p.acquire();
    a.slot.isolate.dispose();
    expect(p.isAlive(a)).toBe(false);
    const b = p.acquire();
    expect(p.isAlive(b)).toBe(true);
    p.release(a);
    p.release(b);
    await settled(p);
    expect(p.state().every((s) => s.inUse === 0 && s.ready === 1)).toBe(true);
  });

  it('closes only once the contexts being prepared on isolated-vm\'s threads are done', async () => {
    const p = new SandboxPool(64, 2, 4);
    expect(p.state().some((s) => s.preparing > 0)).toBe(true);
    const lease = p.acquire();
    await p.close();
    expect(p.state().every((s) => s.preparing === 0)).toBe(true);
    expect(lease.slot.isolate.isDisposed).toBe(true);
  });
});
