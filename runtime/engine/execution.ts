import type ivm from 'isolated-vm';
import { isolatedVm } from '../deps.js';
import { createHash, hash } from 'node:crypto';
import { isPending, retryDelay, type ActionDefinition, type Pending, type StepHandle } from '../action.js';
import { pending as makePending } from '../action.js';
import type { Manifest } from '../bundle.js';
import type { Clock } from '../clock.js';
import type { DeliveredEvent } from './engine.js';
import type { RunContext } from '../context.js';
import { hasPermission } from '../context.js';
import { ActionFailure, ErrorCodes, type LimitName } from '../errors.js';
import type { GroupCommit } from '../journal/group-commit.js';
import type { NewLog, Queries } from '../journal/queries.js';
import type { RunRow, StepRow, WorkflowRow } from '../journal/store.js';
import { GuestOp, type GuestConfig, type GuestMessage, type Outcome } from '../sandbox/guest.js';
import type { Limits } from '../sandbox/limits.js';
import type { Lease, SandboxPool } from '../sandbox/pool.js';
import { canonicalJson, canonicalJsonOfParsed, fingerprint } from '../sandbox/shared.js';
import { logData, redact, terminalSafe, type LogKind } from './log.js';
import { matchesEvent } from './events.js';
import { replayJournal } from './replay-journal.js';
import { argumentPolicy, type ArgumentPolicy } from './argument-policy.js';
import { errorSource, logSource, scriptName } from './source-positions.js';

/** What an execution needs from its engine. */
export interface ExecutionHost {
  readonly queries: Queries;
  readonly commit: GroupCommit;
  readonly pool: SandboxPool;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly owner: string;
  readonly catalog: ReadonlyMap<string, ActionDefinition>;
  validate(action: string, args: unknown): string | null;
  /**
   * Called inside the transaction that makes a run terminal, with the catalog actions this
   * execution started (some may have no journal row yet: they still get finalized).
   */
  onTerminal(runId: string, status: 'completed' | 'failed' | 'cancelled', now: number, started: ReadonlyMap<string, ReadonlySet<number>>): void;
  /** An event id no later than the newest event now (cheap; may lag, never leads). */
  eventCursor(): number;
  /** An action attempt of the run began / ended (finalization waits for attempts to end). */
  attemptStarted(runId: string): void;
  attemptEnded(runId: string, action: string, refused: boolean): void;
  /**
   * An attempt's deadline passed while its action's code still runs: the step has its timeout
   * outcome, but the run is not finalized before that code ends (see docs/runtime.md).
   */
  straggler(runId: string, action: string, ended: Promise<void>, timeoutMs: number): void;
  /** The run was executing when its shared isolate ran out of memory. */
  suspect(runId: string): void;
  /** The bundle's module rewritten as a loader script (cached per code hash). */
  workflowScript(workflow: WorkflowRow): string;
  /** Delivers an event an action emits, deduplicated by `key`; `depth` is the emitting run's event depth. */
  emit(tenant: string, type: string, data: unknown, key: string, chain: { depth: number; root: number | null; run?: string }): DeliveredEvent;
  /**
   * Whether inline actions may complete at the call now (`process` durability, and few runs
   * executing: under load, shared group commits cost less than a commit per step).
   */
  inline(): boolean;
  /**
   * How long (ms) to leave a run alone after an execution of it was aborted by an engine error
   * (the store refused a write or could not give back the journal, the host ran out the slice's
   * timer): the first is retried at once, repeated ones later and later, so a run that cannot be
   * executed does not take the engine into a loop.
   */
  abortDelay(runId: string): number;
}

/**
 * Host time (ms) one slice may spend running inline actions and committing their outcomes
 * before further calls take the ordinary path. The slice's CPU timer is set this much longer
 * than the workflow's budget, so host work is never taken for the workflow's own.
 */
const inlineHostMs = 25;

let guestCallDepth = 0;
/** True while an inline action runs inside a workflow's call: nothing may enter a sandbox then. */
export function insideGuestCall(): boolean {
  return guestCallDepth > 0;
}

/** How an execution ended. `aborted`: it lost its isolate or lease; the run will simply re-run. */
export type ExecutionEnd = 'completed' | 'failed' | 'suspended' | 'cancelled' | 'aborted';

type Fault = { reason: 'nondeterministic' | 'resource-limit' | 'error' | 'stuck'; error: Record<string, unknown>; log: { kind: LogKind; data: Record<string, unknown> } };

interface Blocked {
  wakeAt: number | null;
  event: { type: string; match: Record<string, unknown> | null; after: number } | null;
  cancelTimer: (() => void) | null;
}

const builtins = new Set(['sleep', 'waitForEvent']);

/** The fewest journaled steps a suspending run keeps as a journal chunk (see Queries.chunkJournal). */
const chunkSteps = 64;
/** The arguments of every replay slice (one array, not one per journaled step). */
const replayNext: readonly unknown[] = [GuestOp.replayNext];
const replayEnd: readonly unknown[] = [GuestOp.replayEnd];

/** The seed words of a run's PRNG: derived from the run id, which the guest never sees. */
function seedOf(runId: string): [number, number, number, number] {
  const h = createHash('sha256').update('alice-seed:').update(runId).digest();
  return [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)];
}

function errorOutcome(code: string, message: string, action: string, details?: unknown): Outcome {
  return { ok: false, error: details === undefined ? { code, message, action } : { code, message, action, details } };
}

/**
 * One execution of a run: from the moment it is claimed until it completes, fails or suspends.
 * The host drives the isolate synchronously (DESIGN §12): the guest records calls through a
 * synchronous callback, the host runs actions, commits their outcomes, then delivers each
 * outcome with `applySync`, which also drains the guest's microtasks under the CPU limit.
 */
export class Execution {
  private lease: Lease | null = null;
  /** The guest runtime's entry point in this execution's context; null once torn down. */
  private entry: ivm.Reference | null = null;
  private readonly rows = new Map<number, StepRow>();
  private readonly issued = new Set<number>();
  private readonly blocked = new Map<number, Blocked>();
  private queue: Array<[number, string, string]> = [];
  private logs: NewLog[] = [];
  private logCount: number;
  private completions = 0;
  private inFlight = 0;
  private result: { kind: 'done'; output: string } | { kind: 'error'; error: Record<string, unknown> } | null = null;
  private fault: Fault | null = null;
  private ending: ExecutionEnd | null = null;
  private settle!: (end: ExecutionEnd) => void;
  private readonly finished: Promise<ExecutionEnd>;
  private readonly context: RunContext;
  private readonly manifest: Manifest;
  private readonly manifestActions: Set<string>;

  /** Steps of catalog actions this execution started, by action (finalize must hear of them all). */
  readonly startedSteps = new Map<string, Set<number>>();
  /** CPU (ms) left for the live part of this execution; replay is not charged again. */
  private cpuLeft: number;

  constructor(
    private readonly host: ExecutionHost,
    private readonly run: RunRow,
    private readonly workflow: WorkflowRow,
    /** Run alone in a fresh isolate: it was executing when a shared isolate ran out of memory. */
    private readonly dedicated = false,
  ) {
    this.cpuLeft = host.limits.cpuMs;
    this.context = JSON.parse(run.context) as RunContext;
    this.logCount = run.log_count;
    this.manifest = JSON.parse(workflow.manifest) as Manifest;
    this.manifestActions = new Set(this.manifest.actions);
    this.finished = new Promise((resolve) => (this.settle = resolve));
    this.cursorFloor = host.eventCursor();
  }

  /**
   * No wait or attempt this execution starts looks at events at or before this id: the event
   * purge keeps the events after it while the execution lives, since a wait's cursor protects
   * its events only once the wait is stored (an action answering pending can take long).
   */
  readonly cursorFloor: number;

  private manifestFrozen = false;
  /** The manifest actions see; frozen on first use, since most runs' actions never look. */
  private frozenManifest(): Manifest {
    if (!this.manifestFrozen) {
      deepFreeze(this.manifest);
      this.manifestFrozen = true;
    }
    return this.manifest;
  }

  get runId(): string {
    return this.run.id;
  }

  /** Runs until the run completes, fails, suspends or is aborted. Never throws. */
  execute(): Promise<ExecutionEnd> {
    try {
      this.begin();
    } catch (err) {
      this.abort(`internal error: ${(err as Error).message}`, 'aborted', true);
    }
    this.check();
    return this.finished;
  }

  /** Stops delivering to the guest: the run was cancelled or its lease was lost. */
  abort(reason: string, end: ExecutionEnd = 'aborted', engineError = false): void {
    if (this.ending !== null) return;
    this.ending = end;
    this.abortReason = reason;
    this.engineError = engineError;
    this.teardown();
    // Log lines the workflow wrote before the cancel happened; they are part of its history.
    if (end === 'cancelled') this.salvage(this.takeLogs(), this.logCount);
    // Outcomes of actions still running are valid: journal them before letting the run go, so
    // a re-run does not execute them a second time; and a cancelled run's actions must have
    // finished before their finalize may run.
    this.check();
  }

  private released = false;
  private abortReason = '';
  /**
   * Whether the abort was an engine error, retried with backoff (see `abortDelay`): not an
   * isolate lost (its runs are re-run, alone if suspected), a lease lost (the run is another
   * worker's now) or an engine closing.
   */
  private engineError = false;
  /** Set by the guest's 'unreadable' message: the execution is aborted when the slice ends. */
  private unreadable: string | null = null;

  /** The last position in the run's log this execution has given out (see `stamp`). */
  private logPos = 0;

  /**
   * Gives log entries their positions, in the order they will be written. Only writes that check
   * ownership in their transaction may use them: while this execution owns the run, nothing
   * else writes to its log (a cancel ends the ownership first).
   */
  private stamp(logs: NewLog[]): NewLog[] {
    for (const l of logs) l.seq = ++this.logPos;
    return logs;
  }

  private releaseAfterAbort(): void {
    if (this.released) return;
    this.released = true;
    const now = this.host.clock.now();
    // Written without the ownership check: the store numbers them.
    const logs = this.takeLogs();
    const delay = this.engineError ? this.host.abortDelay(this.run.id) : 0;
    const message = `the run could not be executed: ${this.abortReason.slice(0, 2000)}`;
    this.host.commit
      .enqueue(() => {
        for (const l of logs) this.host.queries.insertLog(l);
        const released = this.host.queries.release(this.run.id, this.host.owner, now + delay, this.logCount, now);
        // Said where the run's history is read, and once on stderr: the run is not failed (what
        // went wrong is the engine's or the store's, and may pass), but it is not left silently.
        // Only while the run is still this worker's to hand back (not after a lost lease).
        if (released && delay > 0) {
          const retryAt = now + delay;
          this.host.queries.insertLog({ runId: this.run.id, step: null, at: now, kind: 'state', durationMs: null, data: logData({ from: 'running', to: 'suspended', reason: 'engine-error', message, retryAt }) });
          process.emitWarning(`alice: run ${this.run.id}: ${terminalSafe(message)}; trying again at ${new Date(retryAt).toISOString()}`);
        }
      })
      .catch(() => {})
      .finally(() => this.settle('aborted'));
  }

  /** An event of the run's tenant arrived: blocked steps waiting for it may proceed. */
  onEvent(type: string): void {
    if (this.ending !== null) return;
    const waits: Array<NonNullable<Blocked['event']>> = [];
    for (const b of this.blocked.values()) if (b.event !== null && b.event.type === type) waits.push(b.event);
    if (waits.length > 1) this.advanceCursors(waits);
    // Over a copy: a step that stays blocked is deleted and set again by `reconsider`, and a
    // Map's iterator visits an entry set again after it began, so iterating the map itself never
    // ended once two waits of the type were blocked and the event matched neither.
    for (const [seq, b] of [...this.blocked]) {
      if (this.blocked.get(seq) === b && b.event !== null && b.event.type === type) this.reconsider(seq);
    }
    this.check();
  }

  /** The highest seq among journaled (completed) steps: their full rows are read on demand. */
  private lastDone = 0;

  /** A step's row: waiting or touched in this execution, else read from the journal. */
  private rowOf(seq: number): StepRow | undefined {
    const row = this.rows.get(seq);
    if (row !== undefined || seq > this.lastDone) return row;
    return this.host.queries.step(this.run.id, seq);
  }

  private begin(): void {
    const q = this.host.queries;
    const limits = this.host.limits;
    // The guest gets every journaled call up front (to check calls as they are issued) but the
    // outcomes in bounded batches, in completion order, so a long journal never has to fit in
    // the isolate's heap at once.
    const journal = replayJournal(q, this.run.id, Math.max(64 * 1024, Math.floor(limits.heapMiB * 1024 * 1024 / 8)));
    const bounds = journal.bounds;
    // This execution numbers the log entries it writes itself (see `stamp`), after every
    // position already taken: in the log table, or by a step entry kept in its journal row.
    this.logPos = Math.max(q.lastLogSeq(this.run.id), bounds.logSeq);
    this.lastDone = bounds.lastDone;
    this.completions = bounds.completions;
    // Waiting steps (few) are read in full; journaled ones as the guest reads them.
    if (bounds.waiting !== '') {
      const waits: Array<[StepRow, NonNullable<Blocked['event']>]> = [];
      for (const seq of bounds.waiting.split(',')) {
        const row = q.step(this.run.id, Number(seq));
        if (row === undefined) continue;
        this.rows.set(row.seq, row);
        if (row.wait === null) continue;
        this.storedWaits.set(row.seq, row.wait);
        waits.push([row, JSON.parse(row.wait) as NonNullable<Blocked['event']>]);
      }
      // Each wait is re-examined as the re-run re-issues its call; reading the events they
      // wait for once for all of them first leaves each of those looks only the newest events.
      if (waits.length > 1) {
        this.advanceCursors(waits.map(([, w]) => w));
        for (const [row, w] of waits) row.wait = JSON.stringify(w);
      }
    }
    const config: Omit<GuestConfig, 'journal'> = {
      seed: seedOf(this.run.id),
      start: this.context.startedAt,
      logCount: this.logCount,
      maxSteps: limits.stepsPerRun,
      maxBytes: limits.bridgeBytes,
      actions: this.manifest.actions,
      secrets: Object.fromEntries(
        this.manifest.actions.flatMap((a) => {
          const secret = this.host.catalog.get(a)?.secret ?? [];
          return secret.length > 0 ? [[a, [...secret]]] : [];
        }),
      ),
    };
    const configJson = `${JSON.stringify(config).slice(0, -1)},"journal":${journal.json}}`;

    const lease = this.dedicated ? this.host.pool.acquireDedicated() : this.host.pool.acquire();
    this.lease = lease;
    const callback = new (isolatedVm().Callback)((kind: GuestMessage, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
      // The isolate's CPU clock stops while the host answers (see slice): timed here instead.
      const started = performance.now();
      try {
        return this.fromGuest(kind, a, b, c, d);
      } finally {
        this.callbackMs += performance.now() - started;
      }
    });
    const timeout = Math.max(1, Math.ceil(limits.cpuMs));
    try {
      lease.entry.applySync(undefined, [GuestOp.init, callback, configJson], { timeout });
    } catch (err) {
      this.onSliceError(err);
      return;
    }
    this.entry = lease.entry;

    let fn: ivm.Reference;
    try {
      fn = this.loadModule(lease, timeout);
    } catch (err) {
      if (this.ending !== null || this.fault !== null) return;
      if (!this.host.pool.isAlive(lease) || /timed out/.test((err as Error).message)) {
        this.onSliceError(err);
        return;
      }
      this.result = { kind: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, name: 'BundleError', message: `the bundle does not load: ${(err as Error).message}` } };
      return;
    }
    // The guest pulls the journal's outcomes in batches as the re-run needs them (see `feed`).
    this.replay = { units: [journal.feed, journal.inlineFeed] };
    const started = this.slice([GuestOp.start, fn.derefInto(), this.run.input]);
    fn.release();
    if (!started) return;
    // Outcomes delivered inline were handed back at their calls, inside the slices; each other
    // outcome gets a slice of its own, in completion order, as when it first arrived.
    for (let i = 0; i < bounds.sliced; i++) {
      if (!this.slice(replayNext)) return;
    }
    if (bounds.done > 0 && !this.slice(replayEnd)) return;
    this.replay = null;
  }

  /**
   * The journal's outcomes being replayed, as feed units by stream (ordinary steps, inline
   * ones; see `ReplayJournal`).
   */
  private replay: { units: [string[], string[]] } | null = null;

  /**
   * Batch `index` of journaled outcomes of a stream for the guest, in completion order, each
   * with its arguments' text as journaled (a feed unit, see replay-journal.ts); "" past the last.
   * The guest asks by index and counts a batch only once it has read it all: a batch it could
   * not finish (its stack ran out midway) is asked for again, not skipped.
   */
  private feed(stream: unknown, index: unknown): string {
    const units = this.replay?.units[stream === 1 ? 1 : 0];
    return units !== undefined && typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < units.length ? units[index] : '';
  }

  /**
   * The workflow's loader in this context: the bundle's module, rewritten as a script (see
   * module-script.ts), compiled once per isolate. Running it only creates the loader function;
   * the module's own code runs later, inside the guest runtime, under the CPU limit.
   */
  private loadModule(lease: Lease, timeout: number): ivm.Reference {
    const slot = lease.slot;
    let script = slot.scripts.get(this.workflow.code_hash);
    if (script === undefined) {
      script = slot.isolate.compileScriptSync(this.host.workflowScript(this.workflow), { filename: scriptName(this.workflow), lineOffset: -1 });
      slot.scripts.set(this.workflow.code_hash, script);
    }
    return script.runSync(lease.context, { reference: true, timeout }) as ivm.Reference;
  }

  /** Host time (ms) the current slice spent in inline actions (not the workflow's CPU). */
  private hostMs = 0;
  /** Host time (ms) the current slice spent answering the guest's calls, inline actions included. */
  private callbackMs = 0;
  private inSlice = false;
  /** The lease was given up while a slice ran in it; released when the slice returns. */
  private releaseAfterSlice: Lease | null = null;

  /** One synchronous guest slice under the CPU limit; false if the execution cannot go on. */
  private slice(args: readonly unknown[]): boolean {
    const entry = this.entry;
    if (this.ending !== null || entry === null || this.inSlice) return false;
    const budget = this.cpuLeft;
    const isolate = this.lease?.slot.isolate ?? null;
    const cpuBefore = cpuTimeOf(isolate);
    const started = performance.now();
    this.hostMs = 0;
    this.callbackMs = 0;
    this.inSlice = true;
    let failure: unknown = null;
    try {
      entry.applySync(undefined, args as unknown[], { timeout: Math.max(1, Math.ceil(budget + 2 * inlineHostMs)) });
    } catch (err) {
      failure = err ?? new Error('the sandbox failed');
    }
    this.inSlice = false;
    const late = this.releaseAfterSlice;
    if (late !== null) {
      this.releaseAfterSlice = null;
      this.host.pool.release(late);
    }
    // Replay counts too (DESIGN §10: CPU per execution): every execution re-runs the workflow
    // from the start, so this bounds how long any resume can hold the host's thread. The host's
    // own work inside the slice (inline actions, their commits) is not the workflow's.
    const spent = performance.now() - started - this.hostMs;
    if (failure !== null) {
      if (/timed out/i.test((failure as Error)?.message ?? '') && spent < budget && this.ending === null) {
        // The timer ran out while the host worked (a commit that waited on a lock): the
        // workflow is not to blame, and its journal is intact. Run it again.
        this.abort('the sandbox timer ran out during host work', 'aborted', true);
        return false;
      }
      this.onSliceError(failure);
      return false;
    }
    if (this.unreadable !== null) {
      this.abort(`internal error: ${this.unreadable}`, 'aborted', true);
      return false;
    }
    // Charged: the isolate's CPU time in the slice where isolated-vm reports it, which leaves
    // out the time the thread was not running at all (descheduled on a busy machine, or
    // waiting for the isolate's lock while a context was made in it): on a loaded machine the
    // wall time of many short slices added up past a 100 ms limit for a workflow that computes
    // nothing (a hostile-corpus canary). The isolate's clock, and its timer, stop while the
    // host answers a call, so that time is added back, but for inline actions (not the
    // workflow's): a workflow that makes the host write 1 MB log lines spends host time, not
    // its own, and it is charged. Never more than the wall time.
    const cpuAfter = cpuTimeOf(isolate);
    const cpu = cpuBefore !== null && cpuAfter !== null ? Number(cpuAfter - cpuBefore) / 1e6 + Math.max(0, this.callbackMs - this.hostMs) : spent;
    this.cpuLeft -= Math.min(spent, cpu);
    if (this.cpuLeft <= 0) {
      // Over the limit in the slice the workflow returned in, the limit outranks the result: the
      // timer that would have stopped the slice stands still while the host answers the guest
      // (a workflow all of whose steps are inline runs in one slice, logging what it likes).
      if (this.fault === null) this.result = null;
      this.setLimit('cpu', `the workflow used more than ${this.host.limits.cpuMs} ms of CPU in one execution (the re-run of its journal included)`);
    }
    this.drainQueue();
    return this.fault === null && this.ending === null;
  }

  private onSliceError(err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    const lease = this.lease;
    if (lease !== null && !this.host.pool.isAlive(lease)) {
      if (/memory limit/i.test(message) && this.dedicated) {
        this.setLimit('heap', `the run used more than the ${this.host.limits.heapMiB} MiB heap of its isolate`);
      } else if (/memory limit/i.test(message)) {
        // The isolate is shared: the run executing now may be innocent (another run may hold
        // most of the heap across an await). Re-run it alone, where the blame is exact.
        this.host.suspect(this.run.id);
        this.abort('isolate out of memory');
      } else {
        // Another run killed the isolate we shared; our journal is intact, so run again.
        this.abort('isolate lost');
      }
      return;
    }
    if (/timed out/i.test(message)) {
      this.setLimit('cpu', `the workflow used more than ${this.host.limits.cpuMs} ms of CPU in one execution (an endless loop?)`);
      return;
    }
    this.setFault({
      reason: 'error',
      error: { code: ErrorCodes.WORKFLOW_ERROR, name: 'Error', message: `the sandbox failed: ${message}` },
      log: { kind: 'error', data: { message } },
    });
  }

  private setLimit(limit: LimitName, message: string): void {
    this.setFault({
      reason: 'resource-limit',
      error: { code: ErrorCodes.RESOURCE_LIMIT, limit, message: `resource limit '${limit}' exceeded: ${message}` },
      log: { kind: 'limit', data: { limit, message } },
    });
  }

  private setFault(fault: Fault): void {
    if (this.fault !== null) return;
    // A re-run that finished without issuing a journaled call diverged: that outranks its result.
    if (this.result !== null && fault.reason !== 'nondeterministic') return;
    this.result = null;
    this.fault = fault;
  }

  /** The host callback. Runs inside a guest slice: record, never throw, never call back in. */
  private fromGuest(kind: GuestMessage, a: unknown, b: unknown, c: unknown, d: unknown): unknown {
    switch (kind) {
      case 'issue':
        if (typeof a === 'number' && Number.isSafeInteger(a) && a > 0 && typeof b === 'string' && typeof c === 'string') {
          if (this.canInline(b)) return this.issueInline(a, b, c);
          this.queue.push([a, b, c]);
        } else {
          this.setFault({ reason: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, message: 'the sandbox sent a malformed call' }, log: { kind: 'error', data: { message: 'malformed call from the sandbox' } } });
        }
        return;
      case 'nondet': {
        const seq = Number(a);
        const row = this.rowOf(seq);
        this.nondeterministic(seq, row ? this.callOf(row) : null, { action: String(b), args: this.maskedArgs(String(b), d) });
        return;
      }
      case 'feed':
        return this.feed(a, b);
      case 'unreadable':
        // Not the workflow's doing: the execution is aborted after this slice (never inside it).
        this.unreadable ??= `the run's journal could not be read: ${String(a).slice(0, 200)}`;
        return;
      case 'missing': {
        const seq = Number(a);
        const row = this.rowOf(seq);
        this.nondeterministic(seq, row ? this.callOf(row) : { action: String(b) }, null);
        return;
      }
      case 'log': {
        const index = Number(a);
        if (!(index > this.logCount) || typeof b !== 'string') return;
        if (index > this.host.limits.logLinesPerRun) {
          this.setLimit('log-lines', `log line ${index} is over the limit of ${this.host.limits.logLinesPerRun} lines per run`);
          return;
        }
        if (Buffer.byteLength(b) > this.host.limits.bridgeBytes) {
          this.setLimit('bridge-bytes', `log line ${index} is over the ${this.host.limits.bridgeBytes}-byte limit`);
          return;
        }
        this.logCount = index;
        this.logs.push({ runId: this.run.id, step: null, at: this.host.clock.now(), kind: 'log', durationMs: null, data: logData({ index, text: b, ...logSource(this.workflow, c) }) });
        return;
      }
      case 'done':
        if (this.result === null && this.fault === null && typeof a === 'string') {
          if (Buffer.byteLength(a) > this.host.limits.bridgeBytes) {
            this.setLimit('bridge-bytes', `the output is over the ${this.host.limits.bridgeBytes}-byte limit`);
          } else {
            this.result = { kind: 'done', output: a };
          }
        }
        return;
      case 'error':
        if (this.result === null && this.fault === null) {
          let error: Record<string, unknown> = { message: 'the workflow failed' };
          try {
            if (typeof a === 'string' && Buffer.byteLength(a) <= this.host.limits.bridgeBytes) error = JSON.parse(a) as Record<string, unknown>;
          } catch {
            // keep the generic message
          }
          // The guest's describe() is not trusted to bound its fields: cut them here.
          const cut = (v: unknown, n: number) => (typeof v === 'string' ? (v.length > n ? `${v.slice(0, n)}…` : v) : undefined);
          this.result = {
            kind: 'error',
            error: {
              name: cut(error.name, 200) ?? 'Error',
              message: cut(error.message, 8192) ?? '',
              code: cut(error.code, 200) ?? ErrorCodes.WORKFLOW_ERROR,
              // Mapped through the bundle's source map: the frames name the author's file and line.
              ...(typeof error.stack === 'string' ? errorSource(this.workflow, cut(error.stack, 16384)!) : {}),
            },
          };
        }
        return;
      case 'limit':
        this.setLimit(String(a) as LimitName, String(b));
        return;
      default:
        return;
    }
  }

  /** A journaled call as the non-determinism log shows it: action and (masked) arguments. */
  private callOf(row: StepRow): { action: string; args: unknown; digest: string } {
    let args: unknown = row.args;
    try {
      args = JSON.parse(row.args);
    } catch {
      // keep the text
    }
    return { action: row.action, args, digest: row.digest };
  }

  private maskedArgs(action: string, text: unknown): unknown {
    if (typeof text !== 'string') return undefined;
    try {
      const args = JSON.parse(text) as unknown;
      return redact(args, this.manifestActions.has(action) ? this.host.catalog.get(action)?.secret ?? [] : []);
    } catch {
      return undefined;
    }
  }

  private nondeterministic(seq: number, expected: { action: string; args?: unknown; digest?: string } | null, actual: { action: string; args?: unknown } | null): void {
    const show = (c: { action: string } | null) => (c ? c.action : 'no call');
    const message = `step ${seq}: the journal holds ${show(expected)} but the re-run issued ${show(actual)}` +
      (expected && actual && expected.action === actual.action ? ' with different arguments' : '') +
      '; the workflow is not deterministic';
    this.setFault({
      reason: 'nondeterministic',
      error: { code: ErrorCodes.NONDETERMINISTIC, step: seq, expected, actual, message },
      log: { kind: 'nondeterminism', data: { step: seq, expected, actual, message } },
    });
  }

  /** Handles the calls the last slice issued. */
  private drainQueue(): void {
    // Calls the workflow issued in the slice it returned in run too (see `check`): an inline
    // action's call is handled during the slice anyway, and whether an action may be inlined
    // (durability, load) must not decide whether a call the workflow made runs.
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.fault === null && this.ending === null) {
        const batch = this.queue;
        this.queue = [];
        for (const [seq, action, text] of batch) {
          // A call issued after a divergence in the same slice must not run either, nor one
          // issued to an execution that is over (cancelled, or its lease lost, meanwhile).
          if (this.fault !== null || this.ending !== null) break;
          try {
            this.issue(seq, action, text);
          } catch (err) {
            // Whatever a hostile guest sent, the host fails the run rather than itself.
            this.setFault({ reason: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, message: `step ${seq} could not be issued: ${(err as Error)?.message ?? String(err)}` }, log: { kind: 'error', data: { message: 'a call from the sandbox could not be handled' } } });
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Set while `drainQueue` issues a slice's calls (see `check`). */
  private draining = false;

  /** The outcome an inline call completed with, set by `complete` during `issueInline`. */
  private inlined: { seq: number; answer: string | undefined } | null = null;

  /**
   * Whether a call may be handled during the slice that issued it: an inline action, in the
   * `process` durability, with nothing issued before it still waiting for the host (calls are
   * handled in the order they were issued), within this slice's host-time allowance.
   */
  private canInline(action: string): boolean {
    return this.queue.length === 0 && this.fault === null && this.result === null && this.ending === null &&
      this.hostMs < inlineHostMs && this.host.catalog.get(action)?.inline === true && this.manifestActions.has(action) && this.host.inline();
  }

  /**
   * Handles a call while the workflow's call is on the stack. If its outcome is there at once
   * and commits, returns `[time, outcome]` as JSON for the guest to settle the step with;
   * otherwise the step goes on as any other and its outcome arrives in a slice of its own.
   */
  private issueInline(seq: number, action: string, text: string): string | undefined {
    const started = performance.now();
    const linesBefore = this.logLinesMs;
    this.inlined = { seq, answer: undefined };
    guestCallDepth++;
    try {
      this.issue(seq, action, text);
    } catch (err) {
      this.setFault({ reason: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, message: `step ${seq} could not be issued: ${(err as Error)?.message ?? String(err)}` }, log: { kind: 'error', data: { message: 'a call from the sandbox could not be handled' } } });
    } finally {
      guestCallDepth--;
    }
    const answer = this.inlined.answer;
    this.inlined = null;
    // The workflow's log() lines the action's commit wrote with it are the workflow's work.
    this.hostMs += performance.now() - started - (this.logLinesMs - linesBefore);
    return answer;
  }

  private issue(seq: number, action: string, text: string): void {
    if (seq > this.host.limits.stepsPerRun) {
      this.setLimit('steps', `step ${seq} (${action.slice(0, 100)}) is over the limit of ${this.host.limits.stepsPerRun} steps per run`);
      return;
    }
    if (this.issued.has(seq)) {
      this.setFault({ reason: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, message: `step ${seq} was issued twice` }, log: { kind: 'error', data: { message: `step ${seq} issued twice` } } });
      return;
    }
    this.issued.add(seq);
    if (this.issued.size - this.settledCount > this.host.limits.inFlightPerRun) {
      this.setLimit('in-flight', `more than ${this.host.limits.inFlightPerRun} steps in flight at once`);
      return;
    }
    if (Buffer.byteLength(text) > this.host.limits.bridgeBytes) {
      this.setLimit('bridge-bytes', `arguments of step ${seq} (${action}) are over the ${this.host.limits.bridgeBytes}-byte limit`);
      return;
    }
    const def = this.host.catalog.get(action);
    let args: Record<string, unknown>;
    // Arguments that are JSON but not an object (a patched toJSON can do that) are the
    // workflow's mistake, answered like any schema violation; malformed text is not.
    let notAnObject = false;
    let tooDeep = false;
    try {
      tooDeep = jsonDepth(text) > maxDepth;
      const parsed = tooDeep ? {} : (JSON.parse(text) as unknown);
      notAnObject = parsed === null || typeof parsed !== 'object' || Array.isArray(parsed);
      args = notAnObject ? {} : (parsed as Record<string, unknown>);
    } catch (err) {
      // The guest runtime sends canonical JSON objects; anything else means it was tampered with.
      this.setFault({ reason: 'error', error: { code: ErrorCodes.WORKFLOW_ERROR, message: `arguments of step ${seq} (${action.slice(0, 100)}) are malformed: ${(err as Error).message}` }, log: { kind: 'error', data: { message: 'malformed arguments from the sandbox' } } });
      return;
    }
    // Secret fields are masked before hashing: no stored digest may confirm a guessed secret.
    // The journal keeps the canonical form (and its digest), and the call's own text when that
    // differs (JSON.stringify's key order), which a re-run compares its call with first.
    const secret = def !== undefined && this.manifestActions.has(action) ? def.secret : [];
    const redacted = secret.length === 0 ? args : redact(args, secret);
    const masked = tooDeep ? text : canonicalJsonOfParsed(redacted);
    const written = tooDeep || secret.length === 0 ? text : JSON.stringify(redacted);
    const callText = written === masked ? null : written;
    const fp = fingerprint(masked);
    const row = this.rowOf(seq);
    if (row !== undefined) {
      if (row.action !== action || row.fp !== fp || (row.state === 'waiting' && row.digest !== hash('sha256', masked))) {
        this.nondeterministic(seq, this.callOf(row), { action, args: this.maskedArgs(action, text) });
        return;
      }
      if (row.state === 'waiting' && !builtins.has(action)) this.pendingArgs.set(seq, args);
      if (row.state !== 'waiting') {
        // A journaled step reached the host: the guest runtime was bypassed. Deliver the memo.
        this.inFlight++;
        queueMicrotask(() => this.deliver(seq, row.outcome ?? 'null', row.finished_at ?? this.host.clock.now()));
        return;
      }
      this.reconsider(seq);
      return;
    }
    const now = this.host.clock.now();
    const fresh: StepRow = {
      run_id: this.run.id, seq, action, digest: hash('sha256', masked), fp,
      args: masked, call_text: callText, state: 'waiting', outcome: null, completion: null,
      attempts: 0, failures: 0, started_at: now, finished_at: null, wake_at: null, wait: null,
      log_seq: null, duration_ms: null, log_data: null, inline: null,
    };
    this.rows.set(seq, fresh);
    if (tooDeep) {
      this.complete(fresh, errorOutcome(ErrorCodes.INVALID_VALUE, `arguments of ${action} are not JSON the engine accepts: nested deeper than ${maxDepth} levels`, action), 0);
      return;
    }
    const bad = notAnObject ? 'they must be one object of named arguments' : builtins.has(action) ? badBuiltinArgs(action, args) : null;
    if (bad !== null) {
      this.complete(fresh, errorOutcome(ErrorCodes.VALIDATION, `invalid arguments for ${action}: ${bad}`, action), 0);
      return;
    }
    if (action === 'sleep') {
      fresh.wake_at = now + Number(args.ms);
      this.startWait(fresh, null);
      return;
    }
    if (action === 'waitForEvent') {
      const timeoutMs = args.timeoutMs === null ? null : Number(args.timeoutMs);
      fresh.wake_at = timeoutMs === null ? null : now + timeoutMs;
      this.startWait(fresh, { type: String(args.type), match: (args.match as Record<string, unknown> | null) ?? null, after: this.host.queries.maxEventId() });
      return;
    }
    if (def === undefined || !this.manifestActions.has(action)) {
      const reason = def === undefined ? 'the catalog has no such action' : 'the workflow manifest does not declare it';
      this.refuse(fresh, ErrorCodes.UNKNOWN_ACTION, `action ${action} is not available to this workflow: ${reason}`, { action, reason });
      return;
    }
    if (!hasPermission(this.context.permissions, def.permission)) {
      this.refuse(fresh, ErrorCodes.UNAUTHORIZED, `action ${action} needs permission ${def.permission}, which this run does not have`, { action, permission: def.permission });
      return;
    }
    const contradicts = this.argumentPolicyOf(action)?.(args) ?? null;
    if (contradicts !== null) {
      this.refuse(fresh, ErrorCodes.UNAUTHORIZED, `action ${action} refused: ${contradicts}`, { action, reason: 'manifest-arguments' });
      return;
    }
    const invalid = this.host.validate(action, args);
    if (invalid !== null) {
      this.complete(fresh, errorOutcome(ErrorCodes.VALIDATION, `invalid arguments for ${action}: ${invalid}`, action), 0);
      return;
    }
    void this.attempt(fresh, def, args);
  }

  /** Each action's argument policy from the manifest (argument-policy.ts), made on its first call. */
  private readonly argumentPolicies = new Map<string, ArgumentPolicy | null>();

  private argumentPolicyOf(action: string): ArgumentPolicy | null {
    let policy = this.argumentPolicies.get(action);
    if (policy === undefined) {
      const records = this.manifest.arguments;
      policy = argumentPolicy(action, records !== undefined && Object.hasOwn(records, action) ? records[action] : undefined, this.host.catalog.get(action)?.secret ?? []);
      this.argumentPolicies.set(action, policy);
    }
    return policy;
  }

  private refuse(row: StepRow, code: string, message: string, data: Record<string, unknown>): void {
    this.logs.push({ runId: this.run.id, step: row.seq, at: this.host.clock.now(), kind: 'refusal', durationMs: null, data: logData({ ...data, message }) });
    this.complete(row, errorOutcome(code, message, row.action), 0);
  }

  /** Journals the start of a sleep or wait (so re-runs never restart its clock), then checks it. */
  private startWait(row: StepRow, event: Blocked['event']): void {
    row.wait = event === null ? null : JSON.stringify(event);
    // The cursor (`after`) is a row id of the store, counted over every tenant's events: the
    // engine's own bookkeeping, never shown (an event's number is its tenant's; see deliverEvent).
    const logged = event === null ? null : { type: event.type, match: event.match };
    this.logs.push({ runId: row.run_id, step: row.seq, at: row.started_at, kind: 'wait', durationMs: null, data: logData({ action: row.action, until: row.wake_at, event: logged }) });
    this.persistWaiting(row, event);
    this.reconsider(row.seq);
  }

  /** Re-examines a waiting step: complete it, run its action again, or leave it blocked. */
  private reconsider(seq: number): void {
    const row = this.rows.get(seq);
    if (row === undefined || row.state !== 'waiting' || this.ending !== null) return;
    const old = this.blocked.get(seq);
    if (old !== undefined) {
      old.cancelTimer?.();
      this.blocked.delete(seq);
    }
    const now = this.host.clock.now();
    const wait = old?.event ?? (row.wait === null ? null : (JSON.parse(row.wait) as NonNullable<Blocked['event']>));
    const event = wait === null ? null : this.findEvent(wait);
    const due = row.wake_at !== null && now >= row.wake_at;
    if (row.action === 'sleep' || row.action === 'waitForEvent') {
      if (event !== null) return this.complete(row, { ok: true, value: event }, 0);
      if (due) return this.complete(row, { ok: true, value: null }, 0);
      return this.block(row, wait);
    }
    if (!due && event === null) return this.block(row, wait);
    const def = this.host.catalog.get(row.action);
    if (def === undefined) return this.complete(row, errorOutcome(ErrorCodes.UNKNOWN_ACTION, `action ${row.action} is no longer in the catalog`, row.action), 0);
    // Arguments are re-read from the call the re-run just issued (the journal keeps them redacted).
    const args = this.pendingArgs.get(seq);
    if (args === undefined) return this.block(row, wait);
    void this.attempt(row, def, args);
  }

  private readonly pendingArgs = new Map<number, Record<string, unknown>>();

  private block(row: StepRow, wait: Blocked['event']): void {
    const b: Blocked = { wakeAt: row.wake_at, event: wait, cancelTimer: null };
    if (row.wake_at !== null && this.ending === null) {
      b.cancelTimer = this.host.clock.setTimer(row.wake_at, () => {
        if (this.ending === null && this.blocked.get(row.seq) === b) {
          this.reconsider(row.seq);
          this.check();
        }
      });
    }
    this.blocked.set(row.seq, b);
  }

  /**
   * The first event after a wait's cursor that it matches, or null. The cursor moves past the
   * events read that did not match (events never change, so none of them can match later): the
   * next look, in this execution or, once the cursor is stored at suspend, in a later one, reads
   * only newer events. Without that, every resume read the tenant's events from where each wait
   * began, and a run with many waits and a busy tenant held the host's thread for seconds.
   */
  private findEvent(wait: NonNullable<Blocked['event']>): Record<string, unknown> | null {
    for (;;) {
      const rows = this.host.queries.eventsAfter(this.context.tenant, wait.type, wait.after);
      for (const e of rows) {
        const data = JSON.parse(e.data) as unknown;
        // Left just before the match: a step that does not complete now (a pending action
        // called again) finds it first next time.
        if (matchesEvent(data, wait.match)) {
          wait.after = e.id - 1;
          // The event's number in its tenant: its row id would count every tenant's events.
          return { id: e.seq ?? e.id, type: e.type, data, at: e.at };
        }
      }
      if (rows.length > 0) wait.after = rows[rows.length - 1].id;
      if (rows.length < 500) return null;
    }
  }

  /**
   * `findEvent`'s cursor moves for several waits of a run at once, reading and parsing each
   * event once for all the waits of its type: each wait's cursor ends just before its first
   * match, or after the last event read.
   */
  private advanceCursors(waits: ReadonlyArray<NonNullable<Blocked['event']>>): void {
    const byType = new Map<string, Array<NonNullable<Blocked['event']>>>();
    for (const w of waits) {
      const group = byType.get(w.type);
      if (group === undefined) byType.set(w.type, [w]);
      else group.push(w);
    }
    for (const [type, group] of byType) {
      let open = group;
      let after = Math.min(...open.map((w) => w.after));
      while (open.length > 0) {
        const rows = this.host.queries.eventsAfter(this.context.tenant, type, after);
        if (rows.length === 0) break;
        for (const e of rows) {
          let data: unknown = undefined;
          let parsed = false;
          let kept = 0;
          for (const w of open) {
            if (w.after < e.id) {
              if (!parsed) {
                data = JSON.parse(e.data) as unknown;
                parsed = true;
              }
              if (matchesEvent(data, w.match)) {
                w.after = e.id - 1;
                continue;
              }
            }
            open[kept++] = w;
          }
          open.length = kept;
        }
        after = rows[rows.length - 1].id;
        for (const w of open) if (w.after < after) w.after = after;
        if (rows.length < 500) break;
      }
    }
  }

  /** The wait text of each waiting step as the store has it, to store moved cursors at suspend. */
  private readonly storedWaits = new Map<number, string>();

  private settledCount = 0;

  /** Runs one attempt of a catalog action and journals what it answered. */
  private async attempt(row: StepRow, def: ActionDefinition, args: Record<string, unknown>): Promise<void> {
    this.inFlight++;
    this.pendingArgs.set(row.seq, args);
    const seqs = this.startedSteps.get(def.name);
    if (seqs === undefined) this.startedSteps.set(def.name, new Set([row.seq]));
    else seqs.add(row.seq);
    // Taken before the action runs: an event that arrives while it runs must still wake it.
    // (And before the attempt is counted: if reading it failed, the run could never be finalized.)
    const cursor = this.host.eventCursor();
    this.host.attemptStarted(this.run.id);
    const attempt = row.attempts + 1;
    const idempotencyKey = `${this.run.id}:${row.seq}`;
    let emitted = 0;
    const step: StepHandle = {
      runId: this.run.id,
      seq: row.seq,
      attempt,
      idempotencyKey,
      pending: makePending,
      manifest: this.frozenManifest(),
      emit: (type, data = null) => {
        const t = this.context.trigger;
        // A trigger the host built without `root` (a run started by hand "as if" by an event)
        // has only the event's per-tenant number, which is not a row id: its emits are then a
        // chain of their own, counted against the first of them, as for a run no event started.
        const chain = t.type === 'event' ? (typeof t.root === 'number' ? { depth: t.depth ?? 1, root: t.root } : { depth: t.depth ?? 1, root: null, run: this.run.id }) : { depth: 0, root: null, run: this.run.id };
        return this.host.emit(this.context.tenant, type, data, `${idempotencyKey}#${++emitted}`, chain);
      },
    };
    const started = performance.now();
    let value: unknown;
    let failure: unknown = undefined;
    let failed = false;
    try {
      value = def.run(args, this.context, step);
      // Most actions are async; only a promise needs the deadline watch (and an await).
      if (isThenable(value)) value = await withDeadline(value, def.timeoutMs, def.name, (late) => this.host.straggler(this.run.id, def.name, late, def.timeoutMs));
    } catch (err) {
      failed = true;
      failure = err;
    }
    const duration = performance.now() - started;
    const now = this.host.clock.now();
    row.attempts = attempt;
    if (!failed && isPending(value)) {
      this.inFlight--;
      this.host.attemptEnded(this.run.id, def.name, false);
      this.parkPending(row, value as Pending, cursor, duration);
      return;
    }
    if (!failed) {
      let text: string;
      try {
        text = canonicalJson(value === undefined ? null : value);
      } catch (err) {
        return this.complete(row, errorOutcome(ErrorCodes.INVALID_VALUE, `${def.name} returned a value that is not JSON: ${(err as Error).message}`, def.name), duration, def.name);
      }
      if (Buffer.byteLength(text) > this.host.limits.bridgeBytes) {
        return this.complete(row, errorOutcome(ErrorCodes.RESOURCE_LIMIT, `${def.name} returned more than ${this.host.limits.bridgeBytes} bytes (limit 'bridge-bytes')`, def.name), duration, def.name);
      }
      return this.complete(row, { ok: true, value: undefined }, duration, def.name, def.secret, text);
    }
    const retryable = !(failure instanceof ActionFailure) || failure.retryable;
    const code = failure instanceof ActionFailure ? String(failure.code) : ErrorCodes.ACTION_FAILED;
    const message = describeFailure(failure);
    this.logs.push({ runId: this.run.id, step: row.seq, at: now, kind: 'attempt', durationMs: duration, data: logData({ action: def.name, attempt, error: { code, message }, retryable }) });
    row.failures += 1;
    if (retryable && row.failures < def.retry.maxAttempts) {
      this.inFlight--;
      this.host.attemptEnded(this.run.id, def.name, false);
      row.wake_at = now + retryDelay(def.retry, row.failures);
      row.wait = null;
      this.logs.push({ runId: this.run.id, step: row.seq, at: now, kind: 'retry', durationMs: null, data: logData({ action: def.name, attempt: attempt + 1, retryAt: row.wake_at }) });
      this.persistWaiting(row);
      this.block(row, null);
      this.check();
      return;
    }
    const details = failure instanceof ActionFailure ? failure.details : undefined;
    const final = retryable ? `${message} (after ${row.failures} attempt${row.failures === 1 ? "" : "s"})` : message;
    this.complete(row, this.boundedError(code, final, def.name, details), duration, def.name);
  }

  private parkPending(row: StepRow, p: Pending, cursor: number, duration: number): void {
    const now = this.host.clock.now();
    row.wake_at = p.retryAt;
    const wait = p.event === null ? null : { type: p.event.type, match: p.event.match, after: cursor };
    row.wait = wait === null ? null : JSON.stringify(wait);
    this.logs.push({ runId: this.run.id, step: row.seq, at: now, kind: 'pending', durationMs: duration, data: logData({ action: row.action, attempt: row.attempts, retryAt: p.retryAt, event: p.event }) });
    if (wait !== null && this.findEvent(wait) !== null) {
      // The event it waits for is already here: call the action again, but not from inside this
      // call, so that a pending loop can never starve the commits and the other runs.
      row.wake_at = now;
    }
    this.persistWaiting(row, wait);
    this.block(row, wait);
    this.check();
  }

  private persistWaiting(row: StepRow, wait: Blocked['event'] = null): void {
    const snapshot = { ...row };
    if (row.wait !== null) this.storedWaits.set(row.seq, row.wait);
    else this.storedWaits.delete(row.seq);
    const logs = this.stamp(this.takeLogs());
    const tenant = this.context.tenant;
    const logCount = this.logCount;
    this.host.commit
      .enqueue(() => {
        this.assertOwner();
        this.host.queries.upsertStep(snapshot);
        if (wait !== null) this.host.queries.insertWait(row.run_id, row.seq, tenant, wait.type, wait.match === null ? null : JSON.stringify(wait.match));
        else this.host.queries.deleteWait(row.run_id, row.seq);
        this.writeLogs(logs, logCount);
      })
      .catch((err) => {
        this.salvage(logs, logCount);
        this.onCommitError(err);
      });
  }

  /** Inserts log rows; when they hold log() lines, records how many lines the run has logged. */
  private writeLogs(logs: readonly NewLog[], logCount: number): void {
    // Most step commits carry no log rows: no clock read for them.
    if (logs.length === 0) return;
    const started = performance.now();
    let lines = false;
    for (const l of logs) {
      this.host.queries.insertLog(l);
      if (l.kind === 'log') lines = true;
    }
    // Written with the lines themselves, so a run taken over after a crash never logs them twice.
    if (lines) {
      this.host.queries.logCount(this.run.id, logCount);
      this.logLinesMs += performance.now() - started;
    }
  }

  /**
   * Host time (ms) spent writing batches of log rows that held the workflow's log() lines: an
   * inline action's commit writes them, and that part of its time is charged to the workflow.
   */
  private logLinesMs = 0;

  /**
   * A refused commit (the run was cancelled meanwhile, or its lease lost) must not take the
   * workflow's log lines and failed attempts with it: they happened. Written without the owner
   * check; anything else in the refused write is dropped.
   */
  private salvage(logs: readonly NewLog[], logCount: number): void {
    // Written without the ownership check, so the store numbers them, not this execution.
    const keep = logs.filter((l) => l.kind !== 'step').map((l) => ({ ...l, seq: undefined }));
    if (keep.length === 0) return;
    this.host.commit.enqueue(() => this.writeLogs(keep, logCount)).catch(() => {});
  }

  private takeLogs(): NewLog[] {
    const logs = this.logs;
    this.logs = [];
    return logs;
  }

  /** Memoizes a step's outcome, then (after the commit) delivers it to the guest. */
  /**
   * An action's error as a JSON outcome that fits the bridge: details that are not JSON are
   * dropped (with a note), an oversized message is cut.
   */
  private boundedError(code: string, message: string, action: string, details: unknown): Outcome {
    let kept: unknown = undefined;
    let note = '';
    if (details !== undefined) {
      try {
        kept = JSON.parse(canonicalJson(details));
      } catch (err) {
        note = ` (its details were dropped: ${(err as Error).message})`;
      }
    }
    let outcome = errorOutcome(code.slice(0, 200), message + note, action, kept);
    if (Buffer.byteLength(JSON.stringify(outcome)) > Math.min(this.host.limits.bridgeBytes, 64 * 1024)) {
      outcome = errorOutcome(code.slice(0, 200), `${message.slice(0, 4096)}… (error cut to fit the bridge)`, action);
    }
    return outcome;
  }

  /** Memoizes a step's outcome, then (after the commit) delivers it to the guest. */
  /**
   * `valueText`: the canonical JSON of a successful result, when the caller has it; the step
   * path then splices text instead of parsing and re-serializing the value.
   */
  private complete(row: StepRow, outcome: Outcome, duration: number, attempt: string | null = null, secret: readonly string[] = [], valueText?: string): void {
    if (attempt === null) this.inFlight++;
    const b = this.blocked.get(row.seq);
    if (b !== undefined) {
      b.cancelTimer?.();
      this.blocked.delete(row.seq);
    }
    this.pendingArgs.delete(row.seq);
    const now = this.host.clock.now();
    const completion = ++this.completions;
    const outcomeJson = valueText === undefined ? JSON.stringify(outcome) : `{"ok":true,"value":${valueText}}`;
    const wasWaitingEvent = row.wait !== null;
    const logs = this.stamp(this.takeLogs());
    const logCount = this.logCount;
    const attempts = Math.max(row.attempts, 1);
    let data: string;
    if (valueText !== undefined && secret.length === 0 && row.args.length + valueText.length < 60_000) {
      data = `{"action":${JSON.stringify(row.action)},"args":${row.args},"result":${valueText},"attempt":${attempts}}`;
    } else {
      const value = valueText === undefined ? (outcome.ok ? outcome.value : undefined) : JSON.parse(valueText);
      data = logData(outcome.ok
        ? { action: row.action, args: JSON.parse(row.args), result: redact(value, secret), attempt: attempts }
        : { action: row.action, args: JSON.parse(row.args), error: outcome.error, attempt: attempts });
    }
    // The step's log entry rides in its journal row: one row, one page for the commit.
    const done: StepRow = {
      ...row, state: outcome.ok ? 'done' : 'error', outcome: outcomeJson, completion, finished_at: now, wake_at: null, wait: null, attempts,
      log_seq: ++this.logPos, duration_ms: duration, log_data: data,
    };
    this.rows.set(row.seq, done);
    const write = () => {
      this.assertOwner();
      this.writeLogs(logs, logCount);
      this.host.queries.upsertStep(done);
      if (wasWaitingEvent) this.host.queries.deleteWait(row.run_id, row.seq);
    };
    const inlined = this.inlined;
    if (inlined !== null && inlined.seq === row.seq && this.fault === null) {
      done.inline = 1;
      // Committed here and now, so that the guest may see the outcome at its call (DESIGN §11:
      // an outcome is committed before the workflow sees it). If this write fails (a lock,
      // a lost lease), the step takes the ordinary path below and its error handling.
      try {
        this.host.commit.writeNow(write);
        if (attempt !== null) this.host.attemptEnded(this.run.id, attempt, false);
        this.inFlight--;
        this.settledCount++;
        inlined.answer = `[${now},${outcomeJson}]`;
        return;
      } catch {
        done.inline = null;
      }
    }
    this.host.commit
      .enqueue(write)
      .then(
        () => {
          if (attempt !== null) this.host.attemptEnded(this.run.id, attempt, false);
          this.deliver(row.seq, outcomeJson, now);
        },
        (err) => {
          this.inFlight--;
          this.salvage(logs, logCount);
          this.onCommitError(err);
          this.check();
          if (attempt !== null) this.host.attemptEnded(this.run.id, attempt, true);
        },
      );
  }

  private deliver(seq: number, outcomeJson: string, time: number): void {
    this.inFlight--;
    this.settledCount++;
    if (this.ending !== null || this.entry === null) return this.check();
    if (this.fault === null && this.result === null) this.slice([GuestOp.deliver, seq, outcomeJson, time]);
    this.check();
  }

  private ownerChecked = -1;

  private assertOwner(): void {
    // Once per group transaction is enough: nothing else can change the lease inside it.
    if (this.ownerChecked === this.host.commit.generation) return;
    const o = this.host.queries.owner(this.run.id);
    if (o === undefined || o.lease_owner !== this.host.owner || o.status !== 'running') {
      throw Object.assign(new Error(`run ${this.run.id} is no longer owned by this worker (${o?.status ?? 'gone'})`), { leaseLost: true, status: o?.status });
    }
    this.ownerChecked = this.host.commit.generation;
  }

  private onCommitError(err: unknown): void {
    const status = (err as { status?: string }).status;
    if (status === 'cancelled') this.abort('cancelled', 'cancelled');
    else this.abort(`journal write refused: ${(err as Error).message}`, 'aborted', (err as { leaseLost?: boolean }).leaseLost !== true);
  }

  /** Decides whether the execution is over: finished, failed, or blocked on nothing in flight. */
  private check(): void {
    if (this.ending === 'aborted' && this.inFlight === 0) return this.releaseAfterAbort();
    if (this.ending === 'cancelled' && this.inFlight === 0) return this.settle('cancelled');
    if (this.ending !== null) return;
    // Inside a slice (an inline action answered pending or failed at the call) the workflow is
    // still on the stack and may issue more calls; while the calls of a slice are being issued
    // (one answered pending at once), the rest are not yet in flight. Either way the slice's
    // caller decides once it returns.
    if (this.inSlice || this.draining) return;
    if (this.fault !== null) return this.end('failed');
    // Steps the workflow started and did not await run to their end, journaled, before the run
    // ends: whether such a step's action ran must not depend on how fast the workflow returned.
    // Waits (a retry's backoff, a sleep, an event, a pending action) are not waited for.
    if (this.inFlight > 0 || this.queue.length > 0) return;
    if (this.result !== null) return this.end(this.result.kind === 'done' ? 'completed' : 'failed');
    if (this.blocked.size === 0) {
      this.setFault({
        reason: 'stuck',
        error: { code: ErrorCodes.WORKFLOW_ERROR, message: 'the workflow awaits a promise that no step will ever settle (no step is running or waiting)' },
        log: { kind: 'error', data: { message: 'stuck: awaiting a promise no step will settle' } },
      });
      return this.end('failed');
    }
    this.end('suspended');
  }

  private end(kind: 'completed' | 'failed' | 'suspended'): void {
    this.ending = kind;
    this.teardown();
    const q = this.host.queries;
    const now = this.host.clock.now();
    const logs = this.stamp(this.takeLogs());
    const runId = this.run.id;
    const logCount = this.logCount;
    let wake: number | null = null;
    const eventWaits: Array<[number, NonNullable<Blocked['event']>]> = [];
    for (const [seq, b] of this.blocked) {
      if (b.wakeAt !== null && (wake === null || b.wakeAt < wake)) wake = b.wakeAt;
      if (b.event !== null) eventWaits.push([seq, b.event]);
    }
    // Positions are given out now, in the order of the writes, not when the group commits.
    const faultPos = kind !== 'suspended' && (this.fault !== null || this.result?.kind === 'error') ? ++this.logPos : 0;
    const statePos = ++this.logPos;
    const state = (to: string, extra: Record<string, unknown> = {}): NewLog => ({ runId, seq: statePos, step: null, at: now, kind: 'state', durationMs: null, data: logData({ from: 'running', to, ...extra }) });
    this.host.commit
      .enqueue(() => {
        this.assertOwner();
        for (const l of logs) q.insertLog(l);
        if (kind === 'suspended') {
          // An event may have arrived after we looked (another process delivered it): re-check
          // inside this transaction, so the wake-up cannot be lost between look and sleep.
          // Events that woke no wait (they matched none) never reached this execution, so
          // the waits' cursors are moved here, once for all of them, before each looks.
          if (eventWaits.length > 1) this.advanceCursors(eventWaits.map(([, w]) => w));
          const arrived = eventWaits.some(([, w]) => this.findEvent(w) !== null);
          // Cursors moved past events that matched nothing: the next resume starts there.
          for (const [seq, w] of eventWaits) {
            const text = JSON.stringify(w);
            const stored = this.storedWaits.get(seq);
            if (stored !== undefined && stored !== text) q.setWaitCursor(runId, seq, text);
          }
          q.suspend(runId, arrived ? now : wake, logCount, now);
          // The next resume reads the steps journaled so far as a few chunk rows, not one row
          // each (see schema.ts). Fewer than `chunkSteps` steps are not worth a chunk.
          if (this.completions >= chunkSteps) q.chunkJournal(runId, chunkSteps);
          q.insertLog(state('suspended', { wakeAt: arrived ? now : wake, waitingFor: eventWaits.map(([, w]) => w.type) }));
          return;
        }
        if (this.fault !== null) q.insertLog({ runId, seq: faultPos, step: null, at: now, kind: this.fault.log.kind, durationMs: null, data: logData(this.fault.log.data) });
        else if (this.result?.kind === 'error') q.insertLog({ runId, seq: faultPos, step: null, at: now, kind: 'error', durationMs: null, data: logData(this.result.error) });
        const output = this.result?.kind === 'done' ? this.result.output : null;
        const error = this.fault !== null ? { ...this.fault.error, reason: this.fault.reason } : this.result?.kind === 'error' ? { ...this.result.error, reason: 'error' } : null;
        q.finish(runId, kind, output, error === null ? null : JSON.stringify(error), logCount, now);
        q.deleteWaits(runId);
        q.insertLog(state(kind, error === null ? {} : { reason: error.reason }));
        this.host.onTerminal(runId, kind, now, this.startedSteps);
      })
      .then(
        () => this.settle(kind),
        (err) => {
          const status = (err as { status?: string }).status;
          this.salvage(logs, logCount);
          this.ending = null;
          this.abort(String(err), status === 'cancelled' ? 'cancelled' : 'aborted', status !== 'cancelled' && (err as { leaseLost?: boolean }).leaseLost !== true);
        },
      );
  }

  /** Frees the sandbox and timers; safe to call more than once. */
  private teardown(): void {
    for (const b of this.blocked.values()) {
      b.cancelTimer?.();
      b.cancelTimer = null;
    }
    // The entry reference goes with the lease.
    this.entry = null;
    // Not while the guest is on the stack (an inline action ended the run): after the slice.
    if (this.lease !== null) {
      if (this.inSlice) this.releaseAfterSlice = this.lease;
      else this.host.pool.release(this.lease);
    }
    this.lease = null;
  }
}

const maxMs = 8.64e15;
/** Deepest nesting of a value crossing the bridge (the guest's canonicalJson refuses deeper). */
const maxDepth = 200;

/** Nesting depth of JSON text, counted without parsing it (so no recursion can overflow). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Host-side check of built-in step arguments: the guest runtime builds them, but is not trusted. */
function badBuiltinArgs(action: string, args: Record<string, unknown>): string | null {
  const isMs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= maxMs;
  if (action === 'sleep') return isMs(args.ms) ? null : 'ms must be a duration in milliseconds';
  if (typeof args.type !== 'string' || args.type === '' || args.type.length > 200) return 'type must be an event type';
  if (args.match !== null && (typeof args.match !== 'object' || Array.isArray(args.match))) return 'match must be an object or null';
  if (args.timeoutMs !== null && !isMs(args.timeoutMs)) return 'timeoutMs must be a duration in milliseconds or null';
  return null;
}

function describeFailure(failure: unknown): string {
  try {
    if (failure instanceof Error) return String(failure.message);
    return String(failure);
  } catch {
    return 'the action failed with a value that cannot be shown';
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Attempt deadlines share one coarse sweeper instead of a timer per attempt: setting and
 * clearing a timer on every step costs more than the rest of the attempt's bookkeeping.
 */
const deadlines = new Set<{ at: number; fail: () => void }>();
let sweeper: NodeJS.Timeout | null = null;
const sweepMs = 250;

function sweep(): void {
  const now = Date.now();
  for (const d of deadlines) {
    if (d.at <= now) {
      deadlines.delete(d);
      d.fail();
    }
  }
  if (deadlines.size === 0 && sweeper !== null) {
    clearInterval(sweeper);
    sweeper = null;
  }
}

/** isolated-vm's CPU time of an isolate (ns), or null when it is gone or cannot say. */
function cpuTimeOf(isolate: ivm.Isolate | null): bigint | null {
  if (isolate === null) return null;
  try {
    return isolate.isDisposed ? null : isolate.cpuTime;
  } catch {
    return null;
  }
}

export function withDeadline<T>(promise: PromiseLike<T>, ms: number, name: string, onLate?: (ended: Promise<void>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Settles when the action's promise does, whenever that is: what `onLate` waits for. The
    // action's thenable is subscribed to once only (some start their work on every `then`).
    let markEnded!: () => void;
    const ended = new Promise<void>((r) => (markEnded = r));
    const entry = {
      at: Date.now() + ms,
      fail: () => {
        reject(new Error(`${name} did not answer within ${ms} ms`));
        try {
          onLate?.(ended);
        } catch {
          // Bookkeeping of the engine's own; the attempt has its outcome and the sweep goes on.
        }
      },
    };
    deadlines.add(entry);
    if (sweeper === null) {
      sweeper = setInterval(sweep, sweepMs);
      sweeper.unref?.();
    }
    const settle = (ok: boolean, value: unknown) => {
      deadlines.delete(entry);
      markEnded();
      if (ok) resolve(value as T);
      else reject(value);
    };
    try {
      promise.then((v) => settle(true, v), (e: unknown) => settle(false, e));
    } catch (err) {
      settle(false, err);
    }
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
