import noDynamicActionAccess from '../../../compiler/rules/no-dynamic-action-access.js';
import { ruleCases } from '../rule-cases.js';

ruleCases(noDynamicActionAccess, {
  valid: [
    'const v = await kv.get({ key: "a" });',
    { name: 'a constant string key', code: 'const v = await kv["get"]({ key: "a" });' },
    { name: 'a key held in a const', code: 'const k = "get";\nconst v = await kv[k]({ key: "a" });' },
    { name: 'optional call', code: 'const v = await kv?.get({ key: "a" });' },
    { name: 'an alias of the namespace', code: 'const ns = kv;\nconst v = await ns.get({ key: "a" });' },
    { name: 'a renamed import', code: 'import { kv as store } from "alice";\nexport default async function (input: { n: number }) { await store.get({ key: "x" }); }' },
    { name: 'typeof only asks what it is', code: 'const t = typeof kv.get;' },
    { name: 'built-ins are not catalog actions', code: 'const f = sleep;\nawait f(10);\nconst t = now();' },
    { name: 'every action by name in a switch', code: 'switch (input.op) {\n  case "get": await kv.get({ key: "a" }); break;\n  case "delete": await kv.delete({ key: "a" }); break;\n}' },
  ],
  invalid: [
    { name: 'a computed action name', code: 'const name = input.name as string;\nconst v = await (kv as any)[name]({ key: "a" });', line: 2, column: 17, message: 'computed action name' },
    { name: 'a union-typed key', code: 'const v = await kv[input.k as "get" | "list"]({ key: "a" });', line: 1, column: 17, message: 'computed action name' },
    { name: 'a computed name through an alias', code: 'const ns = kv;\nconst v = await ns[input.k as "get"]({ key: "a" });', line: 2, column: 17 },
    { name: 'an action in a const', code: 'const f = kv.get;\nconst v = await f({ key: "a" });', line: 2, column: 17, message: 'called through another name (f)' },
    { name: 'an action destructured', code: 'const { get } = kv;\nconst v = await get({ key: "a" });', line: 2, column: 17 },
    { name: '.call', code: 'const v = await kv.get.call(null, { key: "a" });', line: 1, column: 17, message: 'called indirectly (call)' },
    { name: '.bind', code: 'const g = kv.get.bind(null);', line: 1, column: 11, message: 'bind' },
    { name: 'comma expression', code: 'const v = await (0, kv.get)({ key: "a" });', line: 1, column: 21 },
    { name: 'Reflect.apply', code: 'const v = await Reflect.apply(kv.get, null, [{ key: "a" }]);', line: 1, column: 31 },
    { name: 'an action stored in a Map', code: 'const m = new Map([["a", kv.get]]);', line: 1, column: 26, message: 'passed on or stored' },
    { name: 'the namespace passed to a function', code: 'function use(ns: typeof kv) { return ns.get({ key: "a" }); }\nconst v = await use(kv);', line: 2, column: 21, message: 'action namespace kv' },
    { name: 'the namespace in a let', code: 'let n = kv;', line: 1, column: 9 },
    { name: 'the namespace enumerated', code: 'const ks = Object.keys(kv);', line: 1, column: 24 },
    { name: 'inside a helper', code: 'function pick(k: "get" | "list") { return kv[k]; }', line: 1, column: 43 },
  ],
});
