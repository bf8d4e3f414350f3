/**
 * Every failure the engine reports is an {@link AliceError} with a stable `code`.
 * Codes live in this one table and are never reused; match on `code`, never on
 * `instanceof` across the isolate bridge (errors there are copies in another realm).
 */
export const ErrorCodes = {
  /** A bundle (script + manifest) is malformed. */
  BUNDLE_INVALID: 'ALICE_BUNDLE_INVALID',
  /** A workflow, run or event was not found. */
  NOT_FOUND: 'ALICE_NOT_FOUND',
  /** The run is terminal; no transition leaves a terminal state. */
  RUN_TERMINAL: 'ALICE_RUN_TERMINAL',
  /** A re-run issued a different call than the journal holds at that step. */
  NONDETERMINISTIC: 'ALICE_NONDETERMINISTIC',
  /** A configured limit (heap, CPU, bridge size, steps, log lines, in-flight steps) was passed. */
  RESOURCE_LIMIT: 'ALICE_RESOURCE_LIMIT',
  /** Action arguments failed the action's input schema. */
  VALIDATION: 'ALICE_VALIDATION',
  /** The run's context lacks the permission an action needs. */
  UNAUTHORIZED: 'ALICE_UNAUTHORIZED',
  /** The workflow called an action its manifest does not declare, or one the catalog lacks. */
  UNKNOWN_ACTION: 'ALICE_UNKNOWN_ACTION',
  /** An action failed (terminal, or after its last retry). */
  ACTION_FAILED: 'ALICE_ACTION_FAILED',
  /** The workflow threw, or returned something that is not JSON. */
  WORKFLOW_ERROR: 'ALICE_WORKFLOW_ERROR',
  /** The run was cancelled by a user command. */
  CANCELLED: 'ALICE_CANCELLED',
  /** The store file is not a database, is corrupt, or is locked by another process. */
  STORE_UNAVAILABLE: 'ALICE_STORE_UNAVAILABLE',
  /** The store file was written by a newer engine. */
  STORE_VERSION: 'ALICE_STORE_VERSION',
  /** A bad argument was given to the embedding API or the CLI. */
  USAGE: 'ALICE_USAGE',
  /** An agent workflow was started a second time. */
  RUN_ONCE: 'ALICE_RUN_ONCE',
  /** A value is not JSON (cycle, BigInt, function) or a duration does not parse. */
  INVALID_VALUE: 'ALICE_INVALID_VALUE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every engine error. `code` is stable; `message` says what, where and what to do. */
export class AliceError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class BundleError extends AliceError {
  constructor(message: string, readonly field?: string) {
    super(ErrorCodes.BUNDLE_INVALID, message);
  }
}

export class NotFoundError extends AliceError {
  constructor(readonly what: 'workflow' | 'run' | 'step' | 'action', readonly id: string) {
    super(ErrorCodes.NOT_FOUND, `${what} ${JSON.stringify(id)} not found`);
  }
}

export class RunTerminalError extends AliceError {
  constructor(readonly runId: string, readonly status: string, attempted: string) {
    super(ErrorCodes.RUN_TERMINAL, `run ${runId} is ${status} (terminal): ${attempted} refused`);
  }
}

/** A replayed call differs from the journal (DBOS's DBOSUnexpectedStepError, Temporal's NDE). */
export class JournalMismatchError extends AliceError {
  constructor(
    readonly runId: string,
    readonly step: number,
    readonly expected: { action: string; digest?: string } | null,
    readonly actual: { action: string; digest?: string } | null,
  ) {
    const show = (c: { action: string } | null) => (c ? c.action : 'no call');
    super(
      ErrorCodes.NONDETERMINISTIC,
      `run ${runId} step ${step}: the journal holds ${show(expected)} but the workflow issued ${show(actual)}; ` +
        'the workflow is not deterministic (it must do the same thing on every re-run)',
    );
  }
}

export type LimitName = 'heap' | 'cpu' | 'bridge-bytes' | 'steps' | 'log-lines' | 'in-flight';

export class ResourceLimitError extends AliceError {
  constructor(readonly limit: LimitName, message: string) {
    super(ErrorCodes.RESOURCE_LIMIT, `resource limit '${limit}' exceeded: ${message}`);
  }
}

export class StoreError extends AliceError {
  constructor(readonly path: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.STORE_UNAVAILABLE, `store ${path}: ${message}`, options);
  }
}

export class UsageError extends AliceError {
  constructor(message: string) {
    super(ErrorCodes.USAGE, message);
  }
}

/**
 * Thrown by an action to fail its step for good: it is memoized at once and thrown into the
 * workflow as an `ActionError` with this `code`. Set `retryable: true` for a transient fault
 * (the engine then retries with backoff, like any other thrown error).
 *
 * @example throw new ActionFailure('KV_TOO_LARGE', 'value over 64 KiB')
 */
export class ActionFailure extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: string,
    message: string,
    options?: { retryable?: boolean; details?: unknown; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActionFailure';
    this.retryable = options?.retryable ?? false;
    this.details = options?.details;
  }
  readonly details: unknown;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
