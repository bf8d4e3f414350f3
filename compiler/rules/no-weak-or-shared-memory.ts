import { rootOf } from '../ts/references.js';
import { defineRule } from './rule.js';

const banned: Readonly<Record<string, string>> = {
  WeakRef: 'WeakRef observes the garbage collector, which runs at other moments on every replay',
  FinalizationRegistry: 'FinalizationRegistry callbacks run when the garbage collector decides, which differs on every replay',
  SharedArrayBuffer: 'shared memory can be changed by another thread between two reads, so a replay could read other values',
  Atomics: 'Atomics exist for shared memory and blocking waits, which a replay cannot reproduce',
};

/** Garbage-collector observers and shared memory make a run depend on timing. */
export default defineRule({
  id: 'no-weak-or-shared-memory',
  description: 'WeakRef, FinalizationRegistry, SharedArrayBuffer and Atomics depend on GC timing or other threads, so a replay could differ.',
  create: (ctx) => ({
    reference(ref) {
      // `typeof WeakRef` and `x instanceof SharedArrayBuffer` only ask what a value is.
      if (ref.usage === 'typeof' || ref.usage === 'read') return;
      const root = rootOf(ref.path);
      if (!Object.hasOwn(banned, root)) return;
      // `new W()` after `const W = WeakRef` was reported at the `const`, where WeakRef is named.
      if (ref.alias !== undefined && Object.hasOwn(banned, rootOf(ref.alias))) return;
      ctx.report(ref.node, `${banned[root]}: a workflow must do the same thing every time it is re-run.`, root === 'WeakRef' || root === 'FinalizationRegistry' ? 'hold plain references' : 'use plain arrays and ArrayBuffer');
    },
  }),
});
