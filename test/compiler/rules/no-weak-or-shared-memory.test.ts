import noWeakOrSharedMemory from '../../../compiler/rules/no-weak-or-shared-memory.js';
import { ruleCases } from '../rule-cases.js';

ruleCases(noWeakOrSharedMemory, {
  valid: [
    { name: 'WeakMap and WeakSet cannot be observed to lose entries', code: 'const w = new WeakMap<object, number>();\nconst s = new WeakSet<object>();' },
    { name: 'a plain ArrayBuffer', code: 'const b = new ArrayBuffer(8);\nconst v = new Int32Array(b);' },
    'const k = typeof WeakRef;',
    { name: 'instanceof only asks what a value is', code: 'const ok = input.x instanceof SharedArrayBuffer;' },
    { name: 'a local named Atomics', code: 'const Atomics = { load: (a: number[], i: number) => a[i] };\nconst x = Atomics.load([1], 0);' },
    { name: 'WeakRef as a type only', code: 'const f = (r: WeakRef<object> | undefined) => r === undefined;' },
  ],
  invalid: [
    { code: 'const r = new WeakRef({});', line: 1, column: 15, message: 'garbage collector' },
    { code: 'const f = new FinalizationRegistry(() => 1);', line: 1, column: 15 },
    { code: 'const s = new SharedArrayBuffer(8);', line: 1, column: 15, message: 'shared memory' },
    { code: 'const x = Atomics.load(new Int32Array(4), 0);', line: 1, column: 11 },
    { name: 'reported at the alias, not again at its use', code: 'const W = WeakRef;\nconst r = new W({});', line: 1, column: 11 },
    { name: 'destructured', code: 'const { load } = Atomics;\nconst x = load(new Int32Array(4), 0);', line: 1, column: 18 },
    { name: 'computed key on globalThis', code: 'const r = new (globalThis as any)["Weak" + "Ref"]({});', line: 1, column: 15 },
    { name: 'through globalThis', code: 'const r = new globalThis.WeakRef({});', line: 1, column: 15 },
    { name: 'optional chaining', code: 'const x = Atomics?.load(new Int32Array(4), 0);', line: 1, column: 11 },
    { name: 'subclass', code: 'class Ref extends WeakRef<object> {}', line: 1, column: 19 },
    { name: 'passed to a helper', code: 'const make = (C: unknown) => C;\nconst c = make(FinalizationRegistry);', line: 2, column: 16 },
    { name: 'inside a helper function', code: 'function share() { return new SharedArrayBuffer(4); }', line: 1, column: 31 },
  ],
});
