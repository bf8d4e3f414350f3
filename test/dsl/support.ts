/** Shared pieces of the DSL tests: a small echoing catalog, compile helpers, an engine on a temp SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { catalogOf } from '../../compiler/catalog.js';
import type { CompileResult } from '../../compiler/compile.js';
import { compileDslSource } from '../../compiler/dsl/index.js';
import { ActionFailure, defineAction, ManualClock, openEngine, type Bundle, type Engine, type RunInfo } from '../../runtime/index.js';

/** Actions that answer at once, so runs show what the compiled code passed them. */
export const actions = [
  defineAction({
    name: 'store.put',
    input: { type: 'object', properties: { key: { type: 'string' }, value: {} }, required: ['key'], additionalProperties: false },
    output: { type: 'object', properties: { key: { type: 'string' }, size: { type: 'integer' } }, required: ['key', 'size'] },
    run: (a: { key: string; value?: unknown }) => ({ key: a.key, size: JSON.stringify(a.value ?? null).length }),
  }),
  defineAction({
    name: 'store.fail',
    input: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'], additionalProperties: false },
    retry: { maxAttempts: 1 },
    run: (a: { code: string }) => {
      throw new ActionFailure(a.code, `refused with ${a.code}`);
    },
  }),
  defineAction({
    name: 'mail.send',
    input: { type: 'object', properties: { to: { type: 'string' }, subject: { type: 'string' }, urgent: { type: 'boolean' } }, required: ['to'], additionalProperties: false },
    output: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    run: (a: { to: string }) => ({ id: `m:${a.to}` }),
  }),
  defineAction({
    name: 'math.double',
    input: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false },
    output: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    run: (a: { n: number }) => ({ n: a.n * 2 }),
  }),
  defineAction({ name: 'misc.anything', input: { type: 'object' }, run: (a: unknown) => a }),
];
export const catalog = catalogOf(actions);

export function compile(text: string, path = 'flows/test.alice'): CompileResult {
  return compileDslSource({ ok: true, path, text }, { catalog });
}

export function bundleOf(text: string, path?: string): Bundle {
  const { bundle, diagnostics } = compile(text, path);
  expect(diagnostics).toEqual([]);
  return bundle!;
}

/** `rule line:column` of each diagnostic, the compact form tables compare. */
export function positions(text: string): string[] {
  return compile(text).diagnostics.map((d) => `${d.rule} ${d.line}:${d.column}`);
}

export interface TestEngine {
  engine: Engine;
  clock: ManualClock;
  run(bundle: Bundle, input?: unknown): Promise<RunInfo>;
  dispose(): Promise<void>;
}

export function testEngine(): TestEngine {
  const dir = mkdtempSync(join(tmpdir(), 'alice-dsl-'));
  const clock = new ManualClock();
  const engine = openEngine({ store: join(dir, 'alice.db'), actions, clock });
  return {
    engine,
    clock,
    async run(bundle, input = null) {
      const wf = engine.deploy(bundle);
      const r = engine.start(wf.id, { input, permissions: ['*'] });
      await engine.runUntilIdle();
      return engine.getRun(r.id);
    },
    async dispose() {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
