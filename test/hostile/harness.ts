/**
 * Shared fixture of the hostile-bundle tests and of the semantics tests for DESIGN §3, §4, §7,
 * §8 and §11: a real SQLite file in a fresh temp dir, real isolated-vm (through the engine), a
 * ManualClock, recording actions, and guards that turn "the host hung" and "the host would have
 * crashed" into ordinary test failures instead of a stuck or killed test process.
 */
import {
  ActionFailure,
  defineAction,
  type ActionDefinition,
  type Engine,
  type RunContext,
  type WorkflowVersion,
} from '../../runtime/index.js';
export { gate, until, logOf, type Gate } from '../support/waiting.js';

export { T0 } from '../support/store.js';
import { newStoreFixture, type StoreFixture } from '../support/store.js';

export type Env = StoreFixture;

export function newEnv(prefix = 'alice-hostile-'): Env {
  return newStoreFixture(prefix);
}

/** A hand-written bundle as DESIGN §10 describes it; the engine adds the code hash. */
export function deploy(engine: Engine, name: string, script: string, actions: string[] = [], kind: 'user' | 'system' | 'agent' = 'user'): WorkflowVersion {
  return engine.deploy({ script, manifest: { name, kind, actions } });
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `runUntilIdle`, bounded in real time. `'stalled'` means the engine was still working at the
 * deadline (a livelock: it re-runs something for ever); the engine is then closed so that it
 * stops burning the CPU the following tests need, and only the store file can be inspected.
 */
export async function settle(engine: Engine, ms = 8_000): Promise<'idle' | 'stalled'> {
  const work = engine.runUntilIdle();
  try {
    await bounded(work, ms);
    return 'idle';
  } catch (err) {
    if (!/did not finish within/.test((err as Error).message)) throw err;
    // A stalled runUntilIdle may never settle (it awaits an execution that never ends).
    work.catch(() => undefined);
    await bounded(engine.close(), 3_000).catch(() => undefined);
    return 'stalled';
  }
}

/**
 * Collects unhandled rejections and uncaught exceptions while a test runs. Node's default for
 * either is to kill the process: for a worker that means every run on it stops.
 */
export function watchUnhandled(): { readonly errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    },
  };
}

/** One call of a host action as the action itself saw it. */
export interface Execution {
  action: string;
  runId: string;
  seq: number;
  key: string;
  tenant: string;
  args: unknown;
}

/** What `finalize` was called with. */
export interface FinalizeCall {
  action: string;
  runId: string;
  status: string;
  steps: readonly number[];
  tenant: string;
}

/**
 * A record kept by the test's own actions: every execution with its idempotency key and
 * context, and every finalize call. It is the external truth the engine's journal is checked
 * against.
 */
export class Recorder {
  readonly executions: Execution[] = [];
  readonly finalized: FinalizeCall[] = [];

  note(action: string, args: unknown, ctx: RunContext, step: { seq: number; idempotencyKey: string }): void {
    this.executions.push({ action, runId: ctx.runId, seq: step.seq, key: step.idempotencyKey, tenant: ctx.tenant, args: structuredClone(args) });
  }

  finalize(action: string) {
    return (ctx: RunContext, run: { id: string; status: string; steps: readonly number[] }) => {
      this.finalized.push({ action, runId: run.id, status: run.status, steps: [...run.steps], tenant: ctx.tenant });
    };
  }

  of(runId: string, action?: string): Execution[] {
    return this.executions.filter((e) => e.runId === runId && (action === undefined || e.action === action));
  }

  finalizedOf(runId: string): FinalizeCall[] {
    return this.finalized.filter((f) => f.runId === runId);
  }
}

/** `demo.echo`: returns its arguments; records every execution. */
export function echoAction(rec: Recorder, name = 'demo.echo'): ActionDefinition {
  return defineAction({
    name,
    permission: null,
    run: (args: Record<string, unknown>, ctx, step) => {
      rec.note(name, args, ctx, step);
      return args;
    },
    finalize: rec.finalize(name),
  });
}

/** An action that always fails for good with a host error (never retried). */
export function failAction(rec: Recorder, name = 'demo.fail'): ActionDefinition {
  return defineAction({
    name,
    run: (args: Record<string, unknown>, ctx, step) => {
      rec.note(name, args, ctx, step);
      throw new ActionFailure('DEMO_FAILED', `demo failure for ${JSON.stringify(args)}`);
    },
    finalize: rec.finalize(name),
  });
}

/**
 * A tiny tenant-scoped store, written the way a careful action author writes one: the tenant
 * comes from the host-only context, never from the arguments.
 */
export function tenantStore(rec: Recorder, data: Map<string, unknown>): ActionDefinition[] {
  const slot = (tenant: string, key: string) => JSON.stringify([tenant, key]);
  return [
    defineAction({
      name: 'store.put',
      permission: 'store:write',
      input: { type: 'object', properties: { key: { type: 'string' }, value: {} }, required: ['key', 'value'], additionalProperties: false },
      run: (args: { key: string; value: unknown }, ctx, step) => {
        rec.note('store.put', args, ctx, step);
        data.set(slot(ctx.tenant, args.key), args.value);
        return { ok: true };
      },
      finalize: rec.finalize('store.put'),
    }),
    defineAction({
      name: 'store.get',
      permission: 'store:read',
      input: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false },
      run: (args: { key: string }, ctx, step) => {
        rec.note('store.get', args, ctx, step);
        return { value: data.has(slot(ctx.tenant, args.key)) ? data.get(slot(ctx.tenant, args.key)) : null };
      },
      finalize: rec.finalize('store.get'),
    }),
  ];
}

/** Every key reachable in a JSON-ish value, flattened to text, for "does X appear anywhere" checks. */
export function textOf(value: unknown): string {
  return JSON.stringify(value) ?? '';
}
