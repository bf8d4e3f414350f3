import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { compileSource, type CompileResult } from '../../compiler/compile.js';
import { ActionFailure, defineAction, openEngine, type Bundle, type Engine } from '../../runtime/index.js';

/** A small catalog whose actions echo, so runs show what the compiled code passed them. */
const actions = [
  defineAction({ name: 'store.put', input: { type: 'object', properties: { key: { type: 'string' }, value: {} }, required: ['key'] }, output: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] }, run: (a: { key: string }) => ({ key: a.key }) }),
  defineAction({ name: 'store.fail', input: { type: 'object' }, retry: { maxAttempts: 1 }, run: () => { throw new ActionFailure('NOPE', 'refused on purpose'); } }),
  defineAction({ name: 'mail.send', input: { type: 'object', properties: { to: { type: 'string' } }, required: ['to'] }, output: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, run: (a: { to: string }) => ({ id: `m:${a.to}` }) }),
];
const catalog = catalogOf(actions);

function compile(text: string, path = 'flows/test.ts'): CompileResult {
  return compileSource({ ok: true, path, text }, { catalog });
}

function bundleOf(text: string, path?: string): Bundle {
  const { bundle, diagnostics } = compile(text, path);
  expect(diagnostics).toEqual([]);
  return bundle!;
}

let dir: string;
let engine: Engine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'alice-compile-'));
  engine = openEngine({ store: join(dir, 'alice.db'), actions });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(bundle: Bundle, input: unknown) {
  const wf = engine.deploy(bundle);
  const r = engine.start(wf.id, { input, permissions: ['*'] });
  await engine.runUntilIdle();
  return engine.getRun(r.id);
}

describe('compiling restricted TypeScript to the bundle ABI', () => {
  it('binds renamed imports and ActionError, and runs every form of default export', async () => {
    const forms = [
      'export default async function named(input: { k: string }) { return main(input); }',
      'export default async function (input: { k: string }) { return main(input); }',
      'export default async (input: { k: string }) => main(input);',
      'const flow = async (input: { k: string }) => main(input);\nexport default flow;',
      'async function run(input: { k: string }) { return main(input); }\nexport { run as default };',
    ];
    for (const form of forms) {
      const bundle = bundleOf(`import { store as db, ActionError as Failure, log } from "alice";
async function main(input: { k: string }) {
  const put = await db.put({ key: input.k, value: 1 });
  try {
    await db.fail({});
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    log("failed with", err.code);
    return { key: put.key, code: err.code };
  }
  return null;
}
${form}
`);
      expect(bundle.manifest.actions).toEqual(['store.fail', 'store.put']);
      const info = await run(bundle, { k: 'a' });
      expect(info.error, form).toBeNull();
      expect(info.output).toEqual({ key: 'a', code: 'NOPE' });
    }
  });

  it('avoids the names the file already uses for its wrapper parameters', async () => {
    const bundle = bundleOf(`import { mail } from "alice";
const input$ = "module constant";
const actions$ = 2;
export default async function (input: { to: string }) {
  const main$ = await mail.send({ to: input.to });
  return { sent: main$.id, input$, actions$ };
}
`);
    expect((await run(bundle, { to: 'a@b.c' })).output).toEqual({ sent: 'm:a@b.c', input$: 'module constant', actions$: 2 });
  });

  it('uses the metadata literal, with defaults from the file name', () => {
    const named = bundleOf(`import type { Workflow } from "alice";
export const workflow: Workflow = { name: "renamed", description: "d", kind: "agent", triggers: [{ type: "event", event: "a.b", match: { x: 1 } }, { type: "schedule", cron: "0 9 * * 1" }] };
export default async function () { return 1; }
`);
    expect(named.manifest).toMatchObject({ name: 'renamed', description: 'd', kind: 'agent', triggers: [{ type: 'event', event: 'a.b', match: { x: 1 } }, { type: 'schedule', cron: '0 9 * * 1' }] });
    expect(named.manifest.inputSchema).toBeNull();
    const plain = bundleOf('export default async function () { return 1; }\n', 'flows/daily report.ts');
    expect(plain.manifest).toMatchObject({ name: 'daily-report', kind: 'user', language: 'ts', triggers: [{ type: 'manual' }], actions: [] });
  });

  it('refuses a file that fails the checker, with its diagnostics and no bundle', () => {
    const { bundle, diagnostics } = compile('export default async function (input: { n: number }) { return Math.random() * input.n; }\n');
    expect(bundle).toBeNull();
    expect(diagnostics.map((d) => `${d.rule} ${d.line}:${d.column}`)).toEqual(['alice/no-random 1:63']);
  });

  it('refuses an input type that is not JSON, naming the property', () => {
    const { bundle, diagnostics } = compile('interface Input { when: Date; n: number }\nexport default async function (input: Input) { return input.n; }\n');
    expect(bundle).toBeNull();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ rule: 'alice/workflow-input', line: 1 });
    expect(diagnostics[0].message).toMatch(/input\.when: Date is not JSON/);
  });

  it('gives the same script, manifest and code hash for the same source wherever the file lives', () => {
    const text = 'import { mail } from "alice";\nexport default async function (input: { to: string }) { return mail.send({ to: input.to }); }\n';
    const a = bundleOf(text, '/one/place/flow.ts');
    const b = bundleOf(text, 'another/dir/flow.ts');
    expect(b.script).toBe(a.script);
    expect(b.sourceMap).toBe(a.sourceMap);
    expect(b.manifest).toEqual(a.manifest);
    expect(bundleOf(text.replace('input.to', 'input.to.trim()'), '/one/place/flow.ts').manifest.codeHash).not.toBe(a.manifest.codeHash);
  });

  it('evaluates module-level constants afresh in each execution, so a resumed run sees what the first saw', async () => {
    const bundle = bundleOf(`import { store, sleep } from "alice";
const table = { greeting: "hello" };
export default async function () {
  await store.put({ key: table.greeting, value: 1 });
  await sleep(0);
  return table.greeting;
}
`);
    expect((await run(bundle, null)).output).toBe('hello');
  });

  it('points an error thrown in the workflow, and every log() line, at the .ts line through the source map', async () => {
    const bundle = bundleOf(['import { log, store } from "alice";', '', 'function check(n: number): number {', '  if (n > 2) throw new Error(`too big: ${n}`);', '  return n;', '}', '', 'export default async function (input: { n: number }) {', '  log("checking", input.n);', '  await store.put({ key: "k", value: input.n });', '  log("stored");', '  return check(input.n);', '}', ''].join('\n'), 'flows/boom.ts');
    const info = await run(bundle, { n: 5 });
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ message: 'too big: 5', source: 'boom.ts:4:20' });
    expect(String(info.error?.stack)).toMatch(/at check \(boom\.ts:4:\d+\)/);
    expect(String(info.error?.stack)).toMatch(/boom\.ts:12:\d+/);
    const logs = engine.getLog(info.id).filter((e) => e.kind === 'log').map((e) => e.data);
    expect(logs).toEqual([
      { index: 1, text: 'checking 5', source: 'boom.ts:9:3' },
      { index: 2, text: 'stored', source: 'boom.ts:11:3' },
    ]);
  });
});

describe('module forms that compile and must also run (review round 4)', () => {
  const cases: Array<{ name: string; text: string; input: unknown; output: unknown }> = [
    { name: 'export type { U }', text: 'type U = { n: number };\nexport type { U };\nexport default async function main(input: U) { return input.n; }', input: { n: 1 }, output: 1 },
    { name: 'export { type U } and export {}', text: 'type U = { n: number };\nexport { type U };\nexport {};\nexport default async function main(input: U) { return input.n + 1; }', input: { n: 1 }, output: 2 },
    { name: 'an overloaded default export', text: 'export default async function main(input: { n: number }): Promise<number>;\nexport default async function main(input: { n: number }) { return input.n * 3; }', input: { n: 2 }, output: 6 },
    { name: 'code that reads the metadata constant', text: 'import { type Workflow } from "alice";\nexport const workflow = { name: "greeter", description: "Says hi" } satisfies Workflow;\nexport default async function main(input: { who: string }) { return `${workflow.description}: ${input.who}`; }', input: { who: 'x' }, output: 'Says hi: x' },
    { name: 'export { run as default } before run is declared', text: 'export { run as default };\nconst run = async (input: { n: number }) => input.n + 1;', input: { n: 1 }, output: 2 },
    { name: 'a renamed ActionError next to a function of the same name', text: 'import { ActionError as Failure, store } from "alice";\nfunction ActionError(this: unknown) {}\nexport default async function main(input: { k: string }) {\n  void ActionError;\n  try { await store.fail({}); } catch (err) { if (err instanceof Failure) return err.code; throw err; }\n  return "none";\n}', input: { k: 'a' }, output: 'NOPE' },
    { name: 'a renamed ActionError next to a class of the same name', text: 'import { ActionError as Failure, store } from "alice";\nclass ActionError extends Error {}\nexport default async function main(input: { k: string }) {\n  try { await store.fail({}); } catch (err) { if (err instanceof Failure) throw new ActionError(err.code); throw err; }\n  return "none";\n}', input: { k: 'a' }, output: null },
    { name: 'the engine\'s reserved name in a comment and a string', text: '// __alice_def\nexport default async function main(input: { n: number }) { return "__alice_def" + input.n; }', input: { n: 1 }, output: '__alice_def1' },
    { name: 'a this: void annotation', text: 'export default async function main(this: void, input: { n: number }) { return input.n; }', input: { n: 4 }, output: 4 },
    { name: 'a "use strict" directive', text: '"use strict";\nimport { ActionError as E } from "alice";\nexport default async function main(input: { n: number }) { return typeof E; }', input: { n: 1 }, output: 'function' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const info = await run(bundleOf(c.text), c.input);
      if (c.output === null) {
        expect(info.status).toBe('failed');
        expect(info.error).toMatchObject({ message: 'NOPE' });
      } else {
        expect(info.status, JSON.stringify(info.error)).toBe('completed');
        expect(info.output).toEqual(c.output);
      }
    });
  }

  it('keeps only the author\'s frames in the stack of an error thrown before the first await', async () => {
    const info = await run(bundleOf('function check(n: number) {\n  if (n > 0) throw new Error("boom");\n}\nexport default async function main(input: { n: number }) {\n  check(input.n);\n  return 1;\n}', 'flows/thrower.ts'), { n: 1 });
    expect(info.status).toBe('failed');
    const stack = (info.error as { stack?: string }).stack ?? '';
    expect(stack.split('\n')).toEqual(['Error: boom', '    at check (thrower.ts:2:20)', '    at main (thrower.ts:5:3)']);
  });

  it('says in one line why an output is not JSON', async () => {
    const info = await run(bundleOf('export default async function main(input: { n: number }) {\n  const a: { self?: unknown } = {};\n  a.self = a;\n  return a;\n}'), { n: 1 });
    expect(info.status).toBe('failed');
    expect(info.error).toMatchObject({ message: "the workflow's output is not JSON: Converting circular structure to JSON" });
  });

  it('records a default of a destructured input field as a literal the call may send', () => {
    const { bundle } = compile('import { mail } from "alice";\nexport default async function main({ to = "ops@corp.example", nested: { cc = "audit@corp.example" } = {} }: { to?: string; nested?: { cc?: string } }) {\n  await mail.send({ to });\n  await mail.send({ to: cc });\n}');
    expect(bundle!.manifest.arguments?.['mail.send']).toEqual([
      { line: 3, args: { to: { literals: ['ops@corp.example'], from: ['input'] } } },
      { line: 4, args: { to: { literals: ['audit@corp.example'], from: ['input'] } } },
    ]);
  });

  it('calls a workflow whose input is optional without one when a run is started without input', async () => {
    for (const [param, expected] of [['input?: { n: number }', 'absent'], ['input: { n: number } = { n: 7 }', 7], ['input?: { n: number } | null', 'null']] as const) {
      const bundle = bundleOf(`export default async function main(${param}) { return input === undefined ? "absent" : input === null ? "null" : input.n; }`);
      expect(bundle.manifest.inputSchema?.anyOf ?? bundle.manifest.inputSchema?.type).toBeDefined();
      expect((await run(bundle, null)).output, param).toEqual(expected);
      expect((await run(bundle, { n: 2 })).output, param).toEqual(2);
      const wrong = await run(bundle, 'x').catch((err: Error) => err);
      expect(String(wrong), param).toMatch(/the input must be object/);
    }
  });

  it('gives "alice"\'s Json in the input type the schema of any JSON value', () => {
    const { bundle, diagnostics } = compile('import { type Json } from "alice";\nexport default async function main(input: { id: string; payload: Json; list: Json[] }) { return input.id; }');
    expect(diagnostics).toEqual([]);
    expect(bundle!.manifest.inputSchema).toEqual({ type: 'object', properties: { id: { type: 'string' }, payload: {}, list: { type: 'array', items: {} } }, required: ['id', 'payload', 'list'] });
  });
});
