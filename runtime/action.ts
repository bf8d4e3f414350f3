import type { Manifest } from './bundle.js';
import type { RunContext } from './context.js';
import type { DeliveredEvent } from './engine/engine.js';
import { durationMs } from './sandbox/shared.js';

/** A JSON Schema (draft-07, as the engine's Ajv reads it) for an action's named arguments or result. */
export type JsonSchema = Record<string, unknown>;

/** How a failing action is retried. Delays are ms or duration strings. */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 = never retry. */
  maxAttempts: number;
  initialDelay: number | string;
  /** Each retry waits `backoff` times longer than the one before. */
  backoff: number;
  maxDelay: number | string;
}

export const defaultRetry: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  initialDelay: '1s',
  backoff: 2,
  maxDelay: '1h',
});

/** What a step handle tells an action about the call it is serving. */
export interface StepHandle {
  readonly runId: string;
  /** The step's sequence number in the run (1-based). */
  readonly seq: number;
  /** 1 on the first attempt, 2 on the first retry, … */
  readonly attempt: number;
  /** Stable per run and step: pass it to external systems so a re-executed step is a no-op there. */
  readonly idempotencyKey: string;
  /** Answers "not ready, call me later" (see {@link pending}). */
  pending(options: PendingOptions): Pending;
  /**
   * The workflow's manifest, as its reviewer approved it: its actions, triggers and the hosts
   * it may reach (`http.request` enforces them).
   */
  readonly manifest: Readonly<Manifest>;
  /**
   * Emits an event in the run's tenant: it wakes runs waiting for it and starts subscribed
   * workflows. Exactly once per step: the n-th emit of a step carries the key
   * `<idempotencyKey>#<n>`, so a re-executed step (after a crash) emits nothing new.
   */
  emit(type: string, data?: unknown): DeliveredEvent;
}

/** When to call a pending action again: at a time, when an event arrives, or whichever is first. */
export interface PendingOptions {
  /** Milliseconds since the epoch. */
  retryAt?: number;
  event?: { type: string; match?: Record<string, unknown> };
}

const pendingBrand = Symbol('alice.pending');

/** The one reply that is not memoized: the run suspends until `retryAt` or the event. */
export interface Pending {
  readonly [pendingBrand]: true;
  readonly retryAt: number | null;
  readonly event: { type: string; match: Record<string, unknown> | null } | null;
}

/**
 * Builds a pending answer.
 *
 * @example
 * run: async (args, ctx, step) => (await isReady(args.id)) ? { ok: true } : pending({ retryAt: Date.now() + 60_000 })
 */
export function pending(options: PendingOptions): Pending {
  const retryAt = options.retryAt ?? null;
  const event = options.event ? { type: options.event.type, match: options.event.match ?? null } : null;
  if (retryAt === null && event === null) {
    throw new TypeError('pending() needs a retryAt time, an event, or both');
  }
  if (retryAt !== null && !Number.isFinite(retryAt)) throw new TypeError(`pending() retryAt must be a time in ms, got ${String(retryAt)}`);
  if (event !== null && (typeof event.type !== 'string' || event.type === '')) throw new TypeError('pending() event needs a type');
  return Object.freeze({ [pendingBrand]: true as const, retryAt, event });
}

export function isPending(value: unknown): value is Pending {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[pendingBrand] === true;
}

/** A host action as the catalog holds it. Build one with {@link defineAction}. */
export interface ActionDefinition<Args = any, Result = unknown> {
  /** `namespace.verb`, e.g. `kv.get`. */
  readonly name: string;
  readonly description: string;
  /** Schema of the one argument object, validated host-side before `run`. */
  readonly input: JsonSchema;
  /**
   * Schema of the result, for the compiler only: `alice types` declares the action's result
   * type from it. The host does not validate results against it. `null` = undeclared (`unknown`).
   */
  readonly output: JsonSchema | null;
  /** Permission the run's context must hold (`kv:read`); `null` = none needed. */
  readonly permission: string | null;
  readonly retry: RetryPolicy;
  /**
   * Top-level argument and result fields that are secret: masked in the log, in `getJournal`,
   * in the journal's stored arguments, and before the arguments are hashed (so no digest
   * confirms a guessed secret). A result is journaled whole, because a re-run must hand the
   * workflow exactly what the action returned.
   */
  readonly secret: readonly string[];
  /** Longest one attempt may take before it counts as a (retryable) failure, in ms. */
  readonly timeoutMs: number;
  /**
   * The action answers at once: `run` returns its result (not a promise) after a little work in
   * this process (a read or write of Alice's own store, a computation). The engine may then run
   * it while the workflow's call is still on the stack, commit its outcome there, and hand it
   * back at the call, saving a round trip through the event loop and a bridge crossing per
   * step; a re-run hands it back at the call too, from the journal, without leaving the sandbox.
   * An inline action is called even when the workflow does not await it. A `run` that returns a
   * promise anyway is simply awaited, as for any other action. Only in `process` durability.
   */
  readonly inline: boolean;
  run(args: Args, ctx: RunContext, step: StepHandle): Promise<Result | Pending> | Result | Pending;
  /** Called once (at least once, so it must be idempotent) when a run that used it is over for ever. */
  finalize?(ctx: RunContext, run: FinalizedRun): Promise<void> | void;
}

/** What `finalize` learns about the run that is over. */
export interface FinalizedRun {
  readonly id: string;
  readonly status: 'completed' | 'failed' | 'cancelled';
  /** Sequence numbers of this action's steps in the run. */
  readonly steps: readonly number[];
}

export interface ActionSpec<Args, Result> {
  name: string;
  description?: string;
  input?: JsonSchema;
  output?: JsonSchema | null;
  permission?: string | null;
  retry?: Partial<RetryPolicy>;
  secret?: readonly string[];
  timeout?: number | string;
  /** See {@link ActionDefinition.inline}. Default false. */
  inline?: boolean;
  run(args: Args, ctx: RunContext, step: StepHandle): Promise<Result | Pending> | Result | Pending;
  finalize?(ctx: RunContext, run: FinalizedRun): Promise<void> | void;
}

const actionName = /^[a-z][A-Za-z0-9_]*(\.[a-z][A-Za-z0-9_]*)+$/;
/** Names of the built-in steps; no catalog namespace may take one. */
export const builtinNames: readonly string[] = ['sleep', 'waitForEvent', 'now', 'random', 'log'];

/**
 * Defines a host action: what goes in, who may call it, what a retry does, what is cleaned up.
 *
 * @example
 * export const kvGet = defineAction({
 *   name: 'kv.get',
 *   input: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
 *   permission: 'kv:read',
 *   run: async ({ key }, ctx) => store.get(ctx.tenant, key) ?? null,
 * });
 */
export function defineAction<Args = any, Result = unknown>(spec: ActionSpec<Args, Result>): ActionDefinition<Args, Result> {
  if (typeof spec.name !== 'string' || !actionName.test(spec.name)) {
    throw new TypeError(`action name ${JSON.stringify(spec.name)} must look like namespace.verb (e.g. kv.get)`);
  }
  const ns = spec.name.split('.')[0];
  if (builtinNames.includes(ns)) throw new TypeError(`action ${spec.name}: namespace ${ns} is a built-in name`);
  if (typeof spec.run !== 'function') throw new TypeError(`action ${spec.name} needs a run function`);
  const retry: RetryPolicy = { ...defaultRetry, ...(spec.retry ?? {}) };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new TypeError(`action ${spec.name}: retry.maxAttempts must be an integer ≥ 1`);
  }
  durationMs(retry.initialDelay);
  durationMs(retry.maxDelay);
  if (typeof retry.backoff !== 'number' || !Number.isFinite(retry.backoff) || retry.backoff < 1) {
    throw new TypeError(`action ${spec.name}: retry.backoff must be a number ≥ 1`);
  }
  if (spec.timeout !== undefined && !(durationMs(spec.timeout) > 0)) {
    throw new TypeError(`action ${spec.name}: timeout must be longer than 0`);
  }
  return Object.freeze({
    name: spec.name,
    description: spec.description ?? '',
    input: spec.input ?? { type: 'object' },
    output: spec.output ?? null,
    permission: spec.permission ?? null,
    retry: Object.freeze(retry),
    secret: Object.freeze([...(spec.secret ?? [])]),
    timeoutMs: durationMs(spec.timeout ?? '5m'),
    inline: spec.inline === true,
    run: spec.run,
    finalize: spec.finalize,
  });
}

/** The delay before retry number `attempt` (1 = the first retry). */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const initial = durationMs(policy.initialDelay);
  const max = durationMs(policy.maxDelay);
  return Math.min(max, Math.round(initial * Math.pow(policy.backoff, attempt - 1)));
}
