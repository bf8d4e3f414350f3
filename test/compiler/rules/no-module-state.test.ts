import noModuleState from '../../../compiler/rules/no-module-state.js';
import { ruleCases } from '../rule-cases.js';

const flow = (body: string) => `export default async function (input: { n: number }) { ${body} }`;

ruleCases(noModuleState, {
  valid: [
    { name: 'a module-level const read in the workflow', code: `import { kv } from "alice";\nconst limits = [1, 2, 3];\n${flow('return limits.map((l) => l * 2);')}` },
    { name: 'a module-level const initialised at top level', code: `import { kv } from "alice";\nconst table: { [k: string]: number } = {};\ntable.a = 3;\n${flow('return table.a;')}` },
    { name: 'local mutable state', code: `import { kv } from "alice";\n${flow('let n = 0; n++; const o = { a: 1 }; o.a = 2;')}` },
    { name: 'instances of a module-level class', code: `import { kv } from "alice";\nclass Counter { n = 0; inc() { this.n++; } }\n${flow('const c = new Counter(); c.inc();')}` },
    { name: 'a copy of a module-level object', code: `import { kv } from "alice";\nconst o = { n: 0 };\n${flow('const copy = { ...o }; copy.n = 1; return copy;')}` },
    { name: 'a value read out of a module-level object', code: `import { kv } from "alice";\nconst limits = { max: 3 };\n${flow('const m = limits.max; let x = m; x++; return x;')}` },
    { name: 'a loop variable inside the workflow', code: `import { log } from "alice";\n${flow('for (let i = 0; i < 3; i++) { log(i); }')}` },
    { name: 'a helper object\'s own set method', code: `import { kv } from "alice";\nconst store = { set(k: string) { return k; } };\n${flow('store.set("a");')}` },
    { name: 'a wrapped snippet keeps its state in the workflow', code: 'const seen = new Set<string>();\nseen.add("a");' },
  ],
  invalid: [
    { name: 'module-level let', code: `import { kv } from "alice";\nlet count = 0;\n${flow('count++;')}`, line: 2, column: 5, message: 'module-level let count' },
    { name: 'module-level var', code: `import { kv } from "alice";\nvar cache = {};\n${flow('')}`, line: 2, column: 5, message: 'module-level var' },
    { name: 'two lets in one statement', code: `import { kv } from "alice";\nlet a = 1, b = 2;\n${flow('')}`, line: 2, column: 5, count: 2 },
    { name: 'var in a module-level block', code: `import { kv } from "alice";\n{ var hidden = 0; }\n${flow('')}`, line: 2, column: 7 },
    { name: 'let in a namespace', code: `import { kv } from "alice";\nnamespace NS { export let x = 1; }\n${flow('')}`, line: 2, column: 27 },
    { name: 'a module-level object written from the workflow', code: `import { kv } from "alice";\nconst cache: { [k: string]: number } = {};\n${flow('cache["a"] = 1;')}`, line: 3, column: 56, message: 'this changes cache' },
    { name: 'a module-level Set changed from the workflow', code: `import { kv } from "alice";\nconst seen = new Set<string>();\n${flow('seen.add("a");')}`, line: 3, column: 56, message: 'add() changes seen' },
    { name: 'a module-level array pushed to from a helper', code: `import { kv } from "alice";\nconst items: number[] = [];\nfunction add(n: number) { items.push(n); }\n${flow('add(1);')}`, line: 3, column: 27 },
    { name: 'sort changes the array in place', code: `import { kv } from "alice";\nconst arr = [3, 1, 2];\n${flow('return arr.sort();')}`, line: 3, column: 63 },
    { name: 'a module-level Map', code: `import { kv } from "alice";\nconst m = new Map<string, number>();\n${flow('m.set("a", 1);')}`, line: 3, column: 56 },
    { name: 'Object.assign onto a module-level object', code: `import { kv } from "alice";\nconst o = { n: 0 };\n${flow('Object.assign(o, { n: 1 });')}`, line: 3, column: 56, message: 'Object.assign() changes o' },
    { name: 'through a module-level alias', code: `import { kv } from "alice";\nconst box = { v: 0 };\nconst alias = box;\n${flow('alias.v = 1;')}`, line: 4, column: 56 },
    { name: 'through a local alias', code: `import { kv } from "alice";\nconst o = { inner: { n: 0 } };\n${flow('const i = o.inner; i.n = 2;')}`, line: 3, column: 75 },
    { name: 'a destructured module-level object', code: `import { kv } from "alice";\nconst { a } = { a: { n: 0 } };\n${flow('a.n = 1;')}`, line: 3, column: 56 },
    { name: 'a static field', code: `import { kv } from "alice";\nclass Counter { static n = 0; static inc() { Counter.n++; } }\n${flow('Counter.inc();')}`, line: 2, column: 46 },
    { name: 'a static field through this', code: `import { kv } from "alice";\nclass Counter { static n = 0; static inc() { this.n++; } }\n${flow('Counter.inc();')}`, line: 2, column: 46 },
    { name: 'a for-of target', code: `import { kv } from "alice";\nconst arr = [1, 2];\n${flow('for (arr[0] of [5]) { log(arr); }')}`, line: 3, column: 61 },
    { name: 'a destructuring assignment', code: `import { kv } from "alice";\nconst o = { n: 0 };\n${flow('[o.n] = [1];')}`, line: 3, column: 56 },
    { name: 'an object destructuring assignment', code: `import { kv } from "alice";\nconst o = { n: 0 };\n${flow('({ a: o.n } = { a: 1 });')}`, line: 3, column: 57 },
    { name: 'a property on a module-level function', code: `import { kv } from "alice";\nfunction f() {}\n${flow('(f as any).x = 1;')}`, line: 3, column: 56 },
    { name: 'a namespace member', code: `import { kv } from "alice";\nnamespace NS { export const o = { x: 1 }; }\n${flow('NS.o.x = 2;')}`, line: 3, column: 56 },
    { name: 'delete from a module-level object', code: `import { kv } from "alice";\nconst o: { n?: number } = { n: 0 };\n${flow('delete o.n;')}`, line: 3, column: 56 },
  ],
});
