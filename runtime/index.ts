/**
 * `alice/runtime`: the durable engine. Open an engine on a store with an action catalog, deploy
 * bundles, start runs, deliver events, and read runs, journals and logs.
 *
 * @example
 * import { openEngine, defineAction } from 'alice/runtime';
 * const echo = defineAction({ name: 'demo.echo', run: async (args) => args });
 * const engine = openEngine({ store: ':memory:', actions: [echo] });
 * const wf = engine.deploy({ script: 'export default async (i, a) => a.demo.echo({ i })', manifest: { name: 'hello', kind: 'user', actions: ['demo.echo'] } });
 * const run = engine.start(wf.id, { input: 1, permissions: ['*'] });
 * await engine.runUntilIdle();
 * engine.getRun(run.id).output; // { i: 1 }
 */
export { Engine, openEngine } from './engine/engine.js';
export { maxEventDepth } from './engine/engine.js';
export type { DeliveredEvent, DeliverOptions, EngineOptions, RefusedStart, RunInfo, StartOptions, StepInfo, Subscription, Worker, WorkflowVersion } from './engine/engine.js';
export type { LogEntry, LogKind } from './engine/log.js';
export { formatLogEntry } from './engine/log.js';
export { defineAction, pending, defaultRetry } from './action.js';
export type { ActionDefinition, ActionSpec, FinalizedRun, JsonSchema, Pending, PendingOptions, RetryPolicy, StepHandle } from './action.js';
export type { RunContext, Trigger, WorkflowKind } from './context.js';
export { validateBundle, computeCodeHash } from './bundle.js';
export type { ActionCallRecord, ArgumentOrigin, Bundle, Manifest, ManifestTrigger } from './bundle.js';
export { ManualClock, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { defaultLimits } from './sandbox/limits.js';
export type { Limits } from './sandbox/limits.js';
export type { Durability, RunStatus } from './journal/store.js';
export { durationMs } from './sandbox/shared.js';
export {
  ActionFailure,
  AliceError,
  BundleError,
  ErrorCodes,
  JournalMismatchError,
  NotFoundError,
  ResourceLimitError,
  RunTerminalError,
  StoreError,
  UsageError,
} from './errors.js';
export type { ErrorCode, LimitName } from './errors.js';
export { hostAllowed, parseHostPattern } from './host-pattern.js';
export type { HostPattern } from './host-pattern.js';
