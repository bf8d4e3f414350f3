// Robustness (issue 5): random programs from the grammar and token-level mutations of valid
// programs never crash the compiler (only diagnostics come out), and every random program that
// compiles terminates when run with instant actions. Seeded, so every failure reproduces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import { compileDslSource, parseDsl } from '../../compiler/dsl/index.js';
import type { CompileResult } from '../../compiler/compile.js';
import { exampleActions } from '../../examples/actions.js';
import { standardActions } from '../../stdlib/index.js';
import { catalog, compile, testEngine, type TestEngine } from './support.js';
import { seededRandom } from '../support/seeded.js';


/** Generates programs from the grammar, mostly well-typed (numbers, booleans, lists of numbers). */
class Generator {
  private names: string[][] = [[]];
  private vars: string[][] = [[]];
  private counter = 0;
  private parallel = 0;
  /** The next block is a parallel block's: its statements are branches. */
  private branchesNext = false;

  constructor(private readonly r: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private visible(): string[] {
    return this.names.flat();
  }
  private fresh(): string {
    return `v${++this.counter}`;
  }

  num(depth: number): string {
    const leaves = [() => String(Math.floor(this.r() * 10)), () => (this.visible().length > 0 ? this.pick(this.visible()) : '1')];
    if (depth <= 0) return this.pick(leaves)();
    const d = depth - 1;
    return this.pick([
      ...leaves,
      () => `${this.num(d)} ${this.pick(['+', '-', '*'])} ${this.num(d)}`,
      () => `(${this.num(d)})`,
      () => `-${this.num(d)}`,
      () => `math.double(n: ${this.num(d)}).n`,
      () => `len(${this.list(d)})`,
      () => `sum(${this.list(d)})`,
      () => `abs(${this.num(d)})`,
      () => `(first(${this.list(d)}) ?? 0)`,
      () => `((${this.list(d)})[0] ?? 0)`,
      () => `len("{${this.num(d)}}")`,
      () => {
        const x = this.fresh();
        return `(race for ${x} in [${this.num(d)}, ${this.num(d)}] => math.double(n: ${x}).n)`;
      },
    ])();
  }

  bool(depth: number): string {
    const d = Math.max(0, depth - 1);
    return this.pick([
      () => this.pick(['true', 'false']),
      () => `${this.num(d)} ${this.pick(['<', '<=', '>', '>=', '==', '!='])} ${this.num(d)}`,
      () => `not ${this.bool(d)}`,
      () => `${this.bool(d)} ${this.pick(['and', 'or'])} ${this.bool(d)}`,
      () => `contains(${this.list(d)}, ${this.num(d)})`,
    ])();
  }

  list(depth: number): string {
    const d = Math.max(0, depth - 1);
    return this.pick([
      () => `[${Array.from({ length: Math.floor(this.r() * 3) }, () => this.num(d)).join(', ')}]`,
      () => `range(${Math.floor(this.r() * 4)})`,
      () => this.loop(d, '', (x) => `${x} + 1`),
      () => this.loop(d, 'parallel ', (x) => `math.double(n: ${x}).n`),
      () => this.loop(d, '', (x) => x, (x) => `${x} > 1`),
      () => `reverse(${this.list(d)})`,
    ])();
  }

  /** A list comprehension in parentheses, with a fresh loop name visible only in its body. */
  private loop(d: number, mode: string, body: (x: string) => string, filter?: (x: string) => string): string {
    const list = this.list(d);
    const x = this.fresh();
    return `(${mode}for ${x} in ${list}${filter !== undefined ? ` where ${filter(x)}` : ''} => ${body(x)})`;
  }

  value(depth: number): string {
    return this.pick([() => this.num(depth), () => `{ a: ${this.num(depth)}, b: [${this.bool(depth)}] }`, () => `"text {${this.num(depth)}}"`, () => this.list(depth)])();
  }

  block(depth: number, indent: string): string {
    this.names.push([]);
    this.vars.push([]);
    const n = 1 + Math.floor(this.r() * 3);
    const out: string[] = [];
    // In a parallel block each branch sees only what was declared before the block.
    const branches = this.branchesNext;
    this.branchesNext = false;
    for (let i = 0; i < n; i++) {
      if (branches) {
        this.names.push([]);
        this.vars.push([]);
      }
      out.push(this.statement(depth, indent + '  '));
      if (branches) {
        this.names.pop();
        this.vars.pop();
      }
    }
    this.names.pop();
    this.vars.pop();
    return `{\n${out.join('\n')}\n${indent}}`;
  }

  statement(depth: number, indent: string): string {
    const d = Math.max(0, depth - 1);
    const e = 2;
    const options: Array<() => string> = [
      () => {
        const name = this.fresh();
        const s = `let ${name} = ${this.num(e)}`;
        this.names[this.names.length - 1].push(name);
        return s;
      },
      () => {
        const name = this.fresh();
        const s = `var ${name} = ${this.num(e)}`;
        this.names[this.names.length - 1].push(name);
        this.vars[this.vars.length - 1].push(name);
        return s;
      },
      () => {
        const vs = this.parallel > 0 ? this.vars[this.vars.length - 1] : this.vars.flat();
        return vs.length > 0 ? `${this.pick(vs)} = ${this.num(e)}` : `log ${this.value(e)}`;
      },
      () => `log ${this.value(e)}, ${this.num(e)}`,
      () => `math.double(n: ${this.num(e)})`,
      () => `mail.send(to: "a@b.c", subject: "n {${this.num(e)}}")`,
    ];
    if (depth > 0) {
      options.push(
        () => `if ${this.bool(e)} ${this.block(d, indent)}${this.chance(0.5) ? ` else ${this.block(d, indent)}` : ''}`,
        () => {
          const list = this.list(e);
          const x = this.fresh();
          this.names.push([x]);
          const s = `for ${x} in ${list} ${this.block(d, indent)}`;
          this.names.pop();
          return s;
        },
        () => `repeat ${Math.floor(this.r() * 3)} times ${this.block(d, indent)}`,
        () => `try ${this.block(d, indent)} catch "E1" as ${this.fresh()} ${this.block(d, indent)}${this.chance(0.5) ? ` catch ${this.block(d, indent)}` : ''}`,
        () => `try { store.fail(code: "${this.pick(['E1', 'E2'])}") } catch "E1" { log "caught" }`,
        () => `do ${this.block(d, indent)}`,
        () => {
          this.parallel++;
          this.branchesNext = true;
          const s = `parallel ${this.block(d, indent)}`;
          this.parallel--;
          return s;
        },
        () => `sleep ${this.pick(['1s', '5m', '0'])}`,
        () => `log wait for event "never" timeout ${this.pick(['1s', '1h'])}`,
      );
      if (this.parallel === 0) options.push(() => `if ${this.bool(e)} { return ${this.value(e)} }`, () => `if ${this.bool(e)} { fail "F{1}", "stop" }`);
    }
    return indent + this.pick(options)();
  }

  program(): string {
    const fns = this.chance(0.3) ? 'fn helper(a: number) {\n  return math.double(n: a).n + 1\n}\n' : '';
    const body = Array.from({ length: 2 + Math.floor(this.r() * 5) }, () => this.statement(2, '')).join('\n');
    return `${fns}${body}\n${fns !== '' ? 'log helper(1)\n' : ''}return ${this.value(1)}\n`;
  }
}

function safeCompile(text: string, cat = catalog): CompileResult {
  try {
    return compileDslSource({ ok: true, path: 'fuzz.alice', text }, { catalog: cat });
  } catch (err) {
    throw new Error(`the compiler crashed (${(err as Error).stack}) on:\n${text}`);
  }
}

let t: TestEngine;
beforeAll(() => {
  t = testEngine();
});
afterAll(async () => {
  await t.dispose();
});

/** Works a run until it is terminal; timers are jumped over on the manual clock. */
async function drive(runId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    await t.engine.runUntilIdle();
    const info = t.engine.getRun(runId);
    if (info.status !== 'suspended') return info.status;
    if (info.wakeAt === null) return 'suspended-forever';
    t.clock.set(Math.max(t.clock.now(), info.wakeAt));
  }
  return 'still-running';
}

describe('random programs from the grammar', () => {
  it('never crash the compiler, mostly compile, and every one that compiles terminates when run', async () => {
    const r = seededRandom(20260105);
    const compiled: string[] = [];
    let total = 0;
    for (let i = 0; i < 300; i++) {
      const text = new Generator(r).program();
      total++;
      const result = safeCompile(text);
      for (const d of result.diagnostics) expect(d.rule, text).toMatch(/^dsl\//);
      if (result.bundle !== null) compiled.push(text);
      else if (process.env.DSL_FUZZ_SHOW) console.log(result.diagnostics.map((d) => `${d.rule} ${d.message}`).slice(0, 2), text);
      else expect(result.diagnostics.length, text).toBeGreaterThan(0);
    }
    // The generator writes mostly valid programs; a low rate would mean it tests nothing.
    expect(compiled.length / total).toBeGreaterThan(0.5);
    if (process.env.DSL_FUZZ_SHOW) console.log(`compiled ${compiled.length} of ${total}`);
    // Run every one on a real engine: each must end (completed or failed, never hang).
    for (const text of compiled) {
      const bundle = compile(text).bundle!;
      const wf = t.engine.deploy(bundle);
      const run = t.engine.start(wf.id, { permissions: ['*'] });
      const status = await drive(run.id);
      expect(['completed', 'failed'], `${status}: ${JSON.stringify(t.engine.getRun(run.id).error)}\n${text}`).toContain(status);
      const error = t.engine.getRun(run.id).error;
      // Failing is allowed (fail, an uncaught E2), but only the ways the program says.
      if (status === 'failed') expect(['E2', 'F1'], `${JSON.stringify(error)}\n${text}`).toContain(error?.code);
    }
  }, 60_000);
});

describe('mutated valid programs', () => {
  it('only ever give diagnostics, never a crash (delete, duplicate and swap tokens)', () => {
    const demo = catalogOf([...standardActions({ store: ':memory:' }), ...exampleActions({ store: ':memory:' })]);
    const examples = ['order-flow', 'reminder', 'fan-out'].map((e) => readFileSync(join(import.meta.dirname, '..', '..', 'examples', e, 'workflow.alice'), 'utf8'));
    const r = seededRandom(7);
    const seeds = [...examples, ...Array.from({ length: 5 }, () => new Generator(r).program())];
    let withDiagnostics = 0;
    for (let i = 0; i < 400; i++) {
      const source = seeds[i % seeds.length];
      const tokens = parseDsl(source).tokens;
      let text = source;
      const ops = 1 + Math.floor(r() * 3);
      for (let k = 0; k < ops; k++) {
        const ts = parseDsl(text).tokens;
        if (ts.length < 2) break;
        const a = ts[Math.floor(r() * ts.length)];
        const b = ts[Math.floor(r() * ts.length)];
        const cut = (tok: typeof a) => [tok.startOffset, (tok.endOffset ?? tok.startOffset) + 1] as const;
        const [as, ae] = cut(a);
        const op = Math.floor(r() * 3);
        if (op === 0) text = text.slice(0, as) + text.slice(ae);
        else if (op === 1) text = text.slice(0, ae) + ' ' + text.slice(as, ae) + text.slice(ae);
        else {
          const [bs, be] = cut(b);
          if (as === bs) continue;
          const [x, y] = as < bs ? [[as, ae], [bs, be]] : [[bs, be], [as, ae]];
          if (x[1] > y[0]) continue;
          text = text.slice(0, x[0]) + text.slice(y[0], y[1]) + text.slice(x[1], y[0]) + text.slice(x[0], x[1]) + text.slice(y[1]);
        }
      }
      void tokens;
      const result = safeCompile(text, [...demo, ...catalog]);
      if (result.bundle === null) {
        withDiagnostics++;
        expect(result.diagnostics.length, text).toBeGreaterThan(0);
      }
      for (const d of result.diagnostics) {
        expect(d.line, text).toBeGreaterThanOrEqual(1);
        expect(d.column, text).toBeGreaterThanOrEqual(1);
        expect(d.message.length, text).toBeGreaterThan(0);
      }
    }
    expect(withDiagnostics).toBeGreaterThan(100);
  }, 60_000);
});
