import noHostGlobals from '../../../compiler/rules/no-host-globals.js';
import { ruleCases } from '../rule-cases.js';

/** `const a0 = kv; const a1 = a0; …` on one line each, then a call through the last alias. */
function aliasChain(n: number, root: string, use: string): string {
  const lines = [`const a0 = ${root};`];
  for (let i = 1; i < n; i++) lines.push(`const a${i} = a${i - 1};`);
  lines.push(use.replaceAll('LAST', `a${n - 1}`));
  return lines.join('\n');
}

ruleCases(noHostGlobals, {
  valid: [
    'log("hello");',
    'await sleep("1s");',
    { name: 'typeof only asks what a value is', code: 'const k = typeof (globalThis as any).fetch === "function";' },
    { name: 'a local named console', code: 'const console = { log: (s: string) => s };\nconsole.log("x");' },
    { name: 'a parameter named process', code: 'function f(process: { env: string }) { return process.env; }' },
    { name: 'a destructured local named fetch', code: 'const { fetch } = { fetch: (u: string) => u };\nconst r = fetch("x");' },
    { name: 'globalThis in a condition', code: 'if (globalThis) { log("x"); }' },
    { name: 'a pure global through globalThis', code: 'const x = globalThis.Math.max(1, 2);' },
    { name: 'an alias of globalThis used for a pure global', code: 'const G = globalThis;\nconst n = G.JSON.stringify(1);' },
    { name: 'a member chain deeper than the alias limit, on ordinary data', code: `const v = input${'?.n'.repeat(80)};` },
    { name: 'a long chain of aliases of an action namespace, within what the checker follows', code: aliasChain(40, 'kv', 'await LAST.delete({ key: "k" });') },
    { name: 'the http.fetch action', code: 'const r = await http.fetch({ url: "https://example.com" });' },
  ],
  invalid: [
    { name: 'a chain of aliases longer than the checker follows', code: aliasChain(70, 'kv', 'await LAST.delete({ key: "k" });'), line: 7, column: 12, message: 'more than 64 deep' },
    { code: 'console.log("x");', line: 1, column: 1, message: 'console is a host global' },
    { name: 'reported at the alias, not again at its use', code: 'const c = console;\nc.log("x");', line: 1, column: 11 },
    { name: 'destructured', code: 'const { log: l } = console;\nl("x");', line: 1, column: 20 },
    { name: 'destructured from globalThis', code: 'const { ["fe" + "tch"]: ff } = globalThis as any;\nconst r = ff("x");', line: 2, column: 11 },
    { name: 'destructured from globalThis by an unknown key', code: 'const key = input.k as string;\nconst { [key]: ff } = globalThis as any;\nconst r = ff("x");', line: 3, column: 11, message: 'computed member of globalThis' },
    { code: 'setTimeout(() => 1, 10);', line: 1, column: 1, message: 'setTimeout is a host global', hint: 'sleep()' },
    { code: 'queueMicrotask(() => 1);', line: 1, column: 1 },
    { code: 'const b = Buffer.from("x");', line: 1, column: 11 },
    { name: 'reading the environment', code: 'const e = process.env.HOME;', line: 1, column: 11 },
    { code: 'const r = fetch("http://x");', line: 1, column: 11, message: 'fetch is a host global', hint: 'http.fetch' },
    { name: 'through globalThis', code: 'const r = globalThis.fetch("http://x");', line: 1, column: 11 },
    { name: 'computed key from a concatenation', code: 'const r = globalThis["fet" + "ch"]("http://x");', line: 1, column: 11 },
    { name: 'computed key unknown at compile time', code: 'const r = (globalThis as any)[input.k]("x");', line: 1, column: 11, message: 'computed member of globalThis' },
    { name: 'optional chaining with a constant key', code: 'const x = globalThis?.["process"];', line: 1, column: 11 },
    { name: 'globalThis aliased', code: 'const g = globalThis;\nconst r = (g as any).fetch("x");', line: 2, column: 11 },
    { name: 'globalThis passed to Reflect.get', code: 'const x = Reflect.get(globalThis, "fetch");', line: 1, column: 23, message: 'globalThis is passed on' },
    { name: 'globalThis passed to a function', code: 'const x = Object.keys(globalThis);', line: 1, column: 23 },
    { code: 'const r = require("fs");', line: 1, column: 11 },
    { name: 'inside a helper function', code: 'function trace() { console.log("x"); }', line: 1, column: 20 },
    { name: 'inside a class method', code: 'class T { run() { setTimeout(() => 1, 1); } }', line: 1, column: 19 },
    { code: 'const w = new Worker("x");', line: 1, column: 15 },
    { code: 'const ac = new AbortController();', line: 1, column: 16 },
    { code: 'const x = self;', line: 1, column: 11 },
    { name: 'setTimeout with a string is host and code at once', code: 'const f = setTimeout("code", 1);', line: 1, column: 11 },
    {
      name: 'declare makes the checker believe in a global',
      code: 'import { kv } from "alice";\ndeclare const process: { exit(): void };\nexport default async function (input: { n: number }) { process.exit(); }',
      line: 2,
      column: 15,
      count: 2,
      message: 'declare only tells the checker',
    },
    {
      name: 'declare global',
      code: 'import { kv } from "alice";\ndeclare global { var hostBridge: (u: string) => Promise<unknown>; }\nexport default async function (input: { n: number }) { await hostBridge("x"); }',
      line: 2,
      column: 22,
    },
    {
      name: 'declare function',
      code: 'import { kv } from "alice";\ndeclare function fetch(u: string): Promise<unknown>;\nexport default async function (input: { n: number }) { await fetch("x"); }',
      line: 2,
      column: 18,
      count: 2,
    },
  ],
});
