import { randomUUID } from 'node:crypto';
import type { ActionDefinition } from '../action.js';
import { validateBundle, type Bundle, type Manifest } from '../bundle.js';
import { systemClock, type Clock } from '../clock.js';
import type { RunContext, Trigger, WorkflowKind } from '../context.js';
import { AliceError, BundleError, ErrorCodes, NotFoundError, RunTerminalError, StoreError, UsageError } from '../errors.js';
import { GroupCommit } from '../journal/group-commit.js';
import { Queries } from '../journal/queries.js';
import { isTerminal, Store, type Durability, type RunRow, type RunStatus, type StepRow, type SubscriptionRow, type WorkflowRow } from '../journal/store.js';
import { resolveLimits, type Limits } from '../sandbox/limits.js';
import { SandboxPool } from '../sandbox/pool.js';
import { moduleToScript } from '../sandbox/module-script.js';
import { canonicalJson, durationMs } from '../sandbox/shared.js';
import { Execution, insideGuestCall, withDeadline, type ExecutionEnd } from './execution.js';
import { matchesEvent } from './events.js';
import { logData, redact, toLogEntry, type LogEntry } from './log.js';
import { newOwnerId, ownerIsDead } from './owner.js';
import { Validators } from './validation.js';

/**
 * Inline actions complete at the call only while at most this many runs execute: a step then
 * commits alone, which beats the event-loop round trip it saves; with more runs in flight their
 * steps share group commits, which costs less per step than a commit each.
 */
const inlineMaxActive = 2;
/** The least time an action past its deadline is waited for before its run may be finalized. */
const stragglerGraceMinMs = 1000;

/** Runs whose aborts an engine counts at most (see `abortDelay`). */
const maxAbortCounts = 10_000;

/** Options of {@link openEngine}. */
export interface EngineOptions {
  /** SQLite file of the store (created if missing), or `:memory:`. Default `./alice.db`. */
  store?: string;
  /** The action catalog: every action a workflow may declare. */
  actions?: readonly ActionDefinition[];
  limits?: Partial<Limits>;
  /** `process` (default) or `power`; see docs/runtime.md. */
  durability?: Durability;
  /** Injectable time source; tests pass a ManualClock. */
  clock?: Clock;
  /** How long step outcomes are kept after a run is finalized (ms or `"7d"`); 0 purges at once. */
  retention?: number | string;
  /** Runs executing at once in this engine. Default 64. */
  concurrency?: number;
  /** Isolates in the sandbox pool. Default 6 (docs/runtime.md, "The sandbox"). */
  isolates?: number;
  /** Lease on a running run; another worker takes it over when it expires. Default 30 s. */
  leaseMs?: number;
  /** How long to wait for another process's write lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
  /**
   * Let inline actions (see ActionDefinition.inline) complete at the workflow's call, in
   * `process` durability. Default true; false sends every step through the event loop.
   */
  inline?: boolean;
}

/** A deployed workflow version. */
export interface WorkflowVersion {
  /** `name@version` */
  id: string;
  name: string;
  version: number;
  kind: WorkflowKind;
  codeHash: string;
  manifest: Manifest;
  createdAt: number;
}

/** Who starts a run and with what. The engine builds the run's context from it. */
export interface StartOptions {
  input?: unknown;
  tenant?: string;
  user?: { id: string; roles?: string[] };
  /** Default: `["*"]` for system workflows, none for user and agent workflows. */
  permissions?: string[];
  trigger?: Trigger;
  /** When the run must be over (ms since epoch). */
  deadline?: number | null;
}

/** Options of {@link Engine.deliverEvent}. */
export interface DeliverOptions {
  /** Default `default`. */
  tenant?: string;
  /**
   * A deduplication key: a second event with the same key is not stored or delivered again
   * (the first one's id is returned, with `duplicate: true`). Actions pass their step's
   * idempotency key, so a re-executed step emits once.
   */
  key?: string;
  /**
   * Set for events that runs emit (actions' `step.emit`): the emitting run's event depth (0 for
   * a run no event started) and the first event of its chain. Runs the event starts get depth +
   * 1; past {@link maxEventDepth}, or past {@link maxChainRuns} runs in the chain, none is
   * started, and subscriptions made with `fromRuns: false` ignore such events. `run`: the
   * emitting run, when no event started it: all its emits are one chain, counted against the
   * first event it emitted (else each emit would begin a chain of its own, and one run could
   * start `maxChainRuns` runs per event it emits).
   */
  emitted?: { depth: number; root?: number; run?: string };
}

/** How many runs one chain of emitted events may start in all (its width, not only its depth). */
export const maxChainRuns = 1000;

/** Workflow names reserved for Alice's own (system) workflows. */
export const systemNamePrefix = 'alice.';

/**
 * How deep a chain of runs started by events that runs emitted may go. A workflow subscribed to
 * the event it emits would otherwise start runs for ever; the run past the limit is not started
 * and `deliverEvent` reports it in `refused` with `ALICE_RESOURCE_LIMIT`.
 */
export const maxEventDepth = 16;

/** What {@link Engine.deliverEvent} did. */
export interface DeliveredEvent {
  id: number;
  /** Waiting runs that the event woke. */
  woken: number;
  /** Runs that subscribed workflows started for it (see {@link Engine.subscribe}). */
  started: string[];
  /** Subscribed workflows whose trigger matched but that refused the start (e.g. the input schema). */
  refused: RefusedStart[];
  /** The key had been delivered already; nothing was done this time. */
  duplicate: boolean;
}

/** A subscribed workflow that an event did not start, and why. */
export interface RefusedStart {
  workflow: string;
  code: string;
  message: string;
}

/** A workflow that events start (see {@link Engine.subscribe}). */
export interface Subscription {
  workflow: string;
  /** A tenant, or `*` for every tenant. */
  tenant: string;
  user: { id: string; roles: string[] };
  permissions: string[];
  /** Whether events that runs emit (not only events the host delivers) start it. */
  fromRuns: boolean;
  createdAt: number;
  /** The version its events start (`name@version`): the one subscribed, not a later deploy. */
  version: string | null;
}

function toSubscription(row: SubscriptionRow): Subscription {
  return { workflow: row.workflow, tenant: row.tenant, user: { id: row.user_id, roles: JSON.parse(row.roles) as string[] }, permissions: JSON.parse(row.permissions) as string[], fromRuns: row.from_runs !== 0, createdAt: row.created_at, version: row.workflow_id };
}

/** A run as the API reports it. */
export interface RunInfo {
  id: string;
  workflowId: string;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: { code: string; message: string; reason: string; [k: string]: unknown } | null;
  tenant: string;
  createdAt: number;
  updatedAt: number;
  /** When a suspended run will be resumed (null: only an event wakes it). */
  wakeAt: number | null;
  finalizedAt: number | null;
}

/** One journaled step. */
export interface StepInfo {
  seq: number;
  action: string;
  /** Arguments with secret fields masked. */
  args: unknown;
  digest: string;
  state: 'done' | 'error' | 'waiting';
  result?: unknown;
  error?: { code: string; message: string; action?: string };
  attempts: number;
  idempotencyKey: string;
  startedAt: number;
  finishedAt: number | null;
  /** Order in which outcomes were delivered (replay follows it). */
  completion: number | null;
  wakeAt: number | null;
}

/** A long-lived worker started by {@link Engine.startWorker}. */
export interface Worker {
  stop(): Promise<void>;
}

function toRunInfo(row: RunRow): RunInfo {
  const ctx = JSON.parse(row.context) as RunContext;
  return {
    id: row.id,
    workflowId: row.workflow_id,
    status: row.status,
    input: JSON.parse(row.input),
    output: row.output === null ? null : JSON.parse(row.output),
    error: row.error === null ? null : JSON.parse(row.error),
    tenant: ctx.tenant,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    wakeAt: row.status === 'running' ? null : row.wake_at,
    finalizedAt: row.finalized_at,
  };
}

function toWorkflowVersion(row: Omit<WorkflowRow, 'script' | 'source_map'>): WorkflowVersion {
  return { id: row.id, name: row.name, version: row.version, kind: row.kind as WorkflowKind, codeHash: row.code_hash, manifest: JSON.parse(row.manifest) as Manifest, createdAt: row.created_at };
}

/**
 * The durable workflow engine. Open one with {@link openEngine}.
 *
 * @example
 * const engine = openEngine({ store: 'alice.db', actions: [kvGet] });
 * const wf = engine.deploy(bundle);
 * const run = engine.start(wf.id, { input: { key: 'a' }, tenant: 'acme', permissions: ['kv:read'] });
 * await engine.runUntilIdle();
 * console.log(engine.getRun(run.id).output);
 */
export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly owner = newOwnerId();
  private readonly queries: Queries;
  private readonly commit: GroupCommit;
  private readonly pool: SandboxPool;
  /** Inline actions may complete at the call (see EngineOptions.inline). */
  private readonly inlineSteps: boolean;
  private readonly catalog = new Map<string, ActionDefinition>();
  private readonly validators = new Validators();
  private readonly active = new Map<string, { execution: Execution; done: Promise<ExecutionEnd> }>();
  /**
   * Resolved (and replaced) whenever an execution ends: one promise to wait on, rather than a
   * race over every active execution, which at 64 in flight costs 64 reactions per run.
   */
  private settled = signal();
  private readonly retentionMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private worker: { stop: () => void; wake: () => void } | null = null;
  private lastRecovery = -Infinity;
  private closed = false;
  private closing = false;

  constructor(options: EngineOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.clock = options.clock ?? systemClock;
    this.retentionMs = durationMs(options.retention ?? '7d');
    this.concurrency = options.concurrency ?? 64;
    this.leaseMs = options.leaseMs ?? 30_000;
    for (const a of options.actions ?? []) {
      if (this.catalog.has(a.name)) throw new UsageError(`action ${a.name} is in the catalog twice`);
      this.catalog.set(a.name, a);
      this.validators.add(a.name, a.input);
    }
    this.store = new Store(options.store ?? './alice.db', options.durability ?? 'process', { busyTimeoutMs: options.busyTimeoutMs });
    try {
      this.queries = new Queries(this.store.db);
    } catch (err) {
      // A statement that does not prepare means the tables are not the ones this engine made.
      this.store.close();
      throw new StoreError(this.store.path, `the store's tables do not match this engine's schema (${(err as Error).message}); the file is damaged or was changed by hand. The file was not changed.`, { cause: err });
    }
    this.commit = new GroupCommit(this.store.db);
    this.pool = new SandboxPool(this.limits.heapMiB, options.isolates ?? 6);
    this.inlineSteps = options.inline !== false && this.store.durability === 'process';
    this.finalizable = [...this.catalog.values()].filter((a) => typeof a.finalize === 'function').map((a) => a.name);
  }

  /**
   * Runs a write transaction of the API. A lock held by another process past the busy timeout,
   * or a damaged page, becomes a StoreError that says so; nothing is half-written.
   */
  private write<T>(fn: () => T): T {
    try {
      return this.store.db.transaction(fn).immediate();
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        throw new StoreError(this.store.path, `the database is locked by another process (${(err as Error).message}); nothing was written — retry, or stop the other process`, { cause: err });
      }
      if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
        throw new StoreError(this.store.path, `the file is corrupt (${(err as Error).message}); nothing was written — restore it from a backup`, { cause: err });
      }
      throw err;
    }
  }

  // ---- workflows -------------------------------------------------------------------------

  /** Deploys a bundle. The same name and code hash give back the same version. */
  deploy(input: Bundle | unknown, options: { system?: boolean } = {}): WorkflowVersion {
    const bundle = validateBundle(input);
    const m = bundle.manifest;
    // System workflows run with the system's permissions, and subscriptions start the latest
    // version of a name: a bundle that could take a system name, or the kind, would inherit both.
    if ((m.kind === 'system' || m.name.startsWith(systemNamePrefix)) && options.system !== true) {
      throw new BundleError(`manifest: kind "system" and names starting "${systemNamePrefix}" belong to Alice's own workflows, deployed by Alice (deploy(bundle, { system: true })); deploy this one as kind "user" under another name`, m.kind === 'system' ? 'manifest.kind' : 'manifest.name');
    }
    // Refuse a script that does not parse, imports, or has no default export now, with its position.
    this.workflowScript(m.codeHash, bundle.script, `${m.name}`);
    for (const action of m.actions) {
      if (!this.catalog.has(action)) {
        throw new BundleError(`manifest.actions lists ${action}, which the engine's action catalog does not have (catalog: ${[...this.catalog.keys()].join(', ') || 'empty'})`, 'manifest.actions');
      }
    }
    if (m.inputSchema !== null) {
      try {
        new Validators().add('input', m.inputSchema, true);
      } catch (err) {
        throw new BundleError(`manifest.inputSchema: ${(err as Error).message}`, 'manifest.inputSchema');
      }
    }
    const row = this.write((): WorkflowRow => {
      const existing = this.queries.workflowByHash(m.name, m.codeHash);
      if (existing !== undefined) return existing;
      const version = (this.queries.latestWorkflow(m.name)?.version ?? 0) + 1;
      const row: WorkflowRow = {
        id: `${m.name}@${version}`, name: m.name, version, kind: m.kind, code_hash: m.codeHash, script: bundle.script,
        source_map: bundle.sourceMap ?? null, manifest: JSON.stringify(m), created_at: this.clock.now(),
      };
      this.queries.insertWorkflow(row);
      return row;
    });
    return toWorkflowVersion(row);
  }

  /** A workflow by `name@version`, or the latest version of `name`. */
  getWorkflow(ref: string): WorkflowVersion {
    return toWorkflowVersion(this.resolveWorkflow(ref));
  }

  listWorkflows(): WorkflowVersion[] {
    return this.queries.listWorkflows().map(toWorkflowVersion);
  }

  private resolveWorkflow(ref: string): WorkflowRow {
    const row = ref.includes('@') ? this.queries.workflow(ref) : this.queries.latestWorkflow(ref);
    if (row === undefined) throw new NotFoundError('workflow', ref);
    return row;
  }

  // ---- runs ------------------------------------------------------------------------------

  /** Starts a run. It executes when the engine works (`runUntilIdle` or a worker). */
  start(workflow: string | WorkflowVersion, options: StartOptions = {}): RunInfo {
    const wf = this.resolveWorkflow(typeof workflow === 'string' ? workflow : workflow.id);
    const id = this.write(() => this.insertRun(wf, options));
    this.worker?.wake();
    return this.getRun(id);
  }

  /** Validates a start and writes the run; inside a write transaction. Returns the run id. */
  private insertRun(wf: WorkflowRow, options: StartOptions): string {
    const manifest = JSON.parse(wf.manifest) as Manifest;
    const input = options.input === undefined ? null : options.input;
    let inputText: string;
    try {
      inputText = canonicalJson(input);
    } catch (err) {
      throw new AliceError(ErrorCodes.INVALID_VALUE, `input of ${wf.id} is not JSON: ${(err as Error).message}`);
    }
    if (Buffer.byteLength(inputText) > this.limits.bridgeBytes) {
      throw new AliceError(ErrorCodes.RESOURCE_LIMIT, `input of ${wf.id} is over the ${this.limits.bridgeBytes}-byte limit (limit 'bridge-bytes')`);
    }
    if (manifest.inputSchema !== null) {
      const key = `input:${wf.id}`;
      if (!this.validators.has(key)) this.validators.add(key, manifest.inputSchema, true);
      const problem = this.validators.check(key, input);
      if (problem !== null) throw new AliceError(ErrorCodes.VALIDATION, `input of ${wf.id}: ${problem.replace('the arguments', 'the input')}`);
    }
    const tenant = options.tenant ?? 'default';
    if (typeof tenant !== 'string' || tenant === '') throw new UsageError('tenant must be a non-empty string');
    const now = this.clock.now();
    const id = randomUUID();
    const context: RunContext = {
      runId: id,
      tenant,
      user: { id: options.user?.id ?? 'system', roles: options.user?.roles ?? [] },
      permissions: options.permissions ?? (wf.kind === 'system' ? ['*'] : []),
      workflow: { id: wf.id, name: wf.name, kind: wf.kind as WorkflowKind, version: wf.version, codeHash: wf.code_hash },
      trigger: options.trigger ?? { type: 'api' },
      startedAt: now,
      deadline: options.deadline ?? null,
    };
    if (wf.kind === 'agent' && this.queries.runsOfWorkflow(wf.id) > 0) {
      throw new AliceError(ErrorCodes.RUN_ONCE, `agent workflow ${wf.id} has already run; an agent workflow runs exactly once`);
    }
    this.queries.insertRun({ id, workflow_id: wf.id, input: inputText, context: JSON.stringify(context), created_at: now });
    // An event trigger's `root` is a row id of the store (counted over every tenant's events): kept in the run's context, not shown in its log.
    const { root: _root, ...trigger } = context.trigger as Trigger & { root?: number };
    this.queries.insertLog({ runId: id, step: null, at: now, kind: 'state', durationMs: null, data: logData({ from: null, to: 'pending', workflow: wf.id, tenant, trigger }) });
    return id;
  }

  // ---- event subscriptions -------------------------------------------------------------

  /**
   * Lets events start a workflow: from now on, every event of `tenant` (or of every tenant,
   * with `'*'`) that one of the workflow's event triggers matches starts a run of the version
   * subscribed (`name@version`, or the latest when only the name is given), in the event's
   * tenant, with the event's data as input and this user and these permissions in its context.
   * A version deployed later under the name starts nothing until it is subscribed: the user and
   * permissions were granted to the code that was subscribed. Subscribing again replaces the
   * version, user and permissions.
   *
   * @example
   * engine.subscribe('kb-updater', { tenant: '*' });
   * engine.deliverEvent('kb.document', { id: 'faq', text: '…' }, { tenant: 'acme' }); // starts a run
   */
  subscribe(workflow: string, options: { tenant?: string; user?: { id: string; roles?: string[] }; permissions?: string[]; fromRuns?: boolean } = {}): Subscription {
    const wf = this.resolveWorkflow(workflow);
    const manifest = JSON.parse(wf.manifest) as Manifest;
    if (!manifest.triggers.some((t) => t.type === 'event')) {
      throw new UsageError(`workflow ${wf.name} has no event trigger; add one to its metadata (triggers: [{ type: 'event', event: '…' }]) before subscribing it to events`);
    }
    const tenant = options.tenant ?? 'default';
    if (typeof tenant !== 'string' || tenant === '') throw new UsageError('tenant must be a non-empty string or "*"');
    const row = {
      workflow: wf.name,
      tenant,
      user_id: options.user?.id ?? 'system',
      roles: JSON.stringify(options.user?.roles ?? []),
      permissions: JSON.stringify(options.permissions ?? (wf.kind === 'system' ? ['*'] : [])),
      created_at: this.clock.now(),
      from_runs: options.fromRuns === false ? 0 : 1,
      workflow_id: wf.id,
    };
    this.write(() => this.queries.subscribe(row));
    return toSubscription(row);
  }

  /** Stops events of `tenant` from starting the workflow. true when it was subscribed. */
  unsubscribe(workflow: string, options: { tenant?: string } = {}): boolean {
    // By name, or by the version `listSubscriptions` shows (`name@version`): one subscription per name.
    const name = workflow.includes('@') ? workflow.slice(0, workflow.indexOf('@')) : workflow;
    return this.write(() => this.queries.unsubscribe(name, options.tenant ?? 'default'));
  }

  listSubscriptions(): Subscription[] {
    return this.queries.listSubscriptions().map(toSubscription);
  }

  getRun(id: string): RunInfo {
    const row = this.queries.run(id);
    if (row === undefined) throw new NotFoundError('run', id);
    return toRunInfo(row);
  }

  listRuns(filter: { status?: RunStatus; workflow?: string; limit?: number } = {}): RunInfo[] {
    return this.queries.listRuns(filter).map(toRunInfo);
  }

  /** The run's log, oldest first. */
  getLog(runId: string): LogEntry[] {
    if (this.queries.run(runId) === undefined) throw new NotFoundError('run', runId);
    return this.queries.log(runId).map(toLogEntry);
  }

  /** The log as JSON lines: one run's, or every run's. */
  exportLog(runId?: string): string {
    if (runId !== undefined && this.queries.run(runId) === undefined) throw new NotFoundError('run', runId);
    const rows = runId === undefined ? this.queries.logAll() : this.queries.log(runId);
    let out = '';
    for (const r of rows) out += JSON.stringify(toLogEntry(r)) + '\n';
    return out;
  }

  /** The run's journal: every step with its outcome, attempts and idempotency key. */
  getJournal(runId: string): StepInfo[] {
    if (this.queries.run(runId) === undefined) throw new NotFoundError('run', runId);
    return this.queries.steps(runId).map((r: StepRow) => {
      const outcome = r.outcome === null ? null : (JSON.parse(r.outcome) as { ok: boolean; value?: unknown; error?: StepInfo['error'] });
      const def = this.catalog.get(r.action);
      const info: StepInfo = {
        seq: r.seq, action: r.action, args: JSON.parse(r.args), digest: r.digest, state: r.state, attempts: r.attempts,
        idempotencyKey: `${r.run_id}:${r.seq}`, startedAt: r.started_at, finishedAt: r.finished_at, completion: r.completion, wakeAt: r.wake_at,
      };
      if (outcome?.ok) info.result = redact(outcome.value, def?.secret ?? []);
      else if (outcome) info.error = outcome.error;
      return info;
    });
  }

  /** Cancels a run that is not over. It becomes terminal and is finalized. */
  cancel(runId: string, reason = 'cancelled by user'): RunInfo {
    const now = this.clock.now();
    const refused = this.write(() => {
      const row = this.queries.run(runId);
      if (row === undefined) throw new NotFoundError('run', runId);
      if (isTerminal(row.status)) {
        this.queries.insertLog({ runId, step: null, at: now, kind: 'refusal', durationMs: null, data: logData({ command: 'cancel', status: row.status, message: `cancel refused: the run is ${row.status}` }) });
        return row.status;
      }
      const error = { code: ErrorCodes.CANCELLED, message: reason, reason: 'cancelled' };
      this.queries.finish(runId, 'cancelled', null, JSON.stringify(error), row.log_count, now);
      this.queries.deleteWaits(runId);
      this.queries.insertLog({ runId, step: null, at: now, kind: 'state', durationMs: null, data: logData({ from: row.status, to: 'cancelled', reason }) });
      this.onTerminal(runId, now, this.active.get(runId)?.execution.startedSteps ?? new Map());
      return null;
    });
    if (refused !== null) throw new RunTerminalError(runId, refused, 'cancel');
    this.active.get(runId)?.execution.abort('cancelled', 'cancelled');
    this.worker?.wake();
    return this.getRun(runId);
  }

  /**
   * Delivers an event to the tenant's runs: waits that match it complete, actions pending on
   * it are called again. Returns the event id and how many runs were woken.
   */
  deliverEvent(type: string, data: unknown = null, options: DeliverOptions = {}): DeliveredEvent {
    if (typeof type !== 'string' || type === '') throw new UsageError('an event needs a type');
    const tenant = options.tenant ?? 'default';
    let text: string;
    try {
      text = canonicalJson(data);
    } catch (err) {
      throw new AliceError(ErrorCodes.INVALID_VALUE, `data of event ${type} is not JSON: ${(err as Error).message}`);
    }
    if (Buffer.byteLength(text) > this.limits.bridgeBytes) {
      throw new AliceError(ErrorCodes.RESOURCE_LIMIT, `data of event ${type} is over the ${this.limits.bridgeBytes}-byte limit (limit 'bridge-bytes')`);
    }
    const now = this.clock.now();
    const parsed = JSON.parse(text) as unknown;
    const key = options.key ?? null;
    const result = this.write(() => {
      const inserted = this.queries.insertEvent(tenant, type, text, now, key);
      // The same key again: the event was delivered (and its runs started) the first time.
      if (inserted === null) return { id: (this.queries.eventByKey(tenant, key as string) as { seq: number }).seq, woken: [] as string[], started: [] as string[], refused: [] as RefusedStart[], duplicate: true };
      // What runs and callers see is the event's number in its tenant; the row id (every
      // tenant's events in one sequence) stays on this side, for chains of emitted events.
      const { id: rowId, seq: id } = inserted;
      const woken = new Set<string>();
      for (const w of this.queries.waitsFor(tenant, type)) {
        if (woken.has(w.run_id)) continue;
        if (!matchesEvent(parsed, w.match === null ? null : (JSON.parse(w.match) as Record<string, unknown>))) continue;
        woken.add(w.run_id);
        if (this.queries.wakeRun(w.run_id, now)) {
          this.queries.insertLog({ runId: w.run_id, step: w.seq, at: now, kind: 'event', durationMs: null, data: logData({ eventId: id, type }) });
        }
      }
      const refused: RefusedStart[] = [];
      return { id, woken: [...woken], started: this.startSubscribed(tenant, type, parsed, rowId, id, options.emitted ?? null, refused), refused, duplicate: false };
    });
    for (const runId of result.woken) this.active.get(runId)?.execution.onEvent(type);
    this.worker?.wake();
    return { id: result.id, woken: result.woken.length, started: result.started, refused: result.refused, duplicate: result.duplicate };
  }

  /**
   * Starts the subscribed workflows whose event triggers match, inside the event's
   * transaction: an event is stored together with the runs it starts, or not at all.
   */
  private startSubscribed(tenant: string, type: string, data: unknown, eventRowId: number, eventSeq: number, emitted: NonNullable<DeliverOptions['emitted']> | null, refused: RefusedStart[]): string[] {
    const started: string[] = [];
    const depth = (emitted?.depth ?? 0) + 1;
    // Runs of a chain of emitted events are counted against its first event; the emits of a run
    // no event started, against the first one it emitted (this one is stored already). Looked
    // up only once a subscription fires: finding a run's first emit reads all its emits so far,
    // and a run emitting thousands of events nobody subscribes to must not pay that per emit.
    let chainRoot: number | null | undefined;
    const rootOf = (): number | null =>
      (chainRoot ??= emitted === null ? null : emitted.root ?? (emitted.run !== undefined ? this.queries.firstEmitOf(tenant, emitted.run) : undefined) ?? eventRowId);
    for (const sub of this.queries.subscriptionsFor(tenant)) {
      // Pinned (schema 6): a row without a version (a store edited by hand) starts nothing,
      // rather than whatever was deployed last under the name.
      const wf = sub.workflow_id === null ? undefined : this.queries.workflow(sub.workflow_id);
      if (wf === undefined) continue;
      const manifest = JSON.parse(wf.manifest) as Manifest;
      const fires = manifest.triggers.some((t) => t.type === 'event' && t.event === type && matchesEvent(data, t.match ?? null));
      if (!fires) continue;
      if (emitted !== null && sub.from_runs === 0) {
        refused.push({ workflow: wf.id, code: ErrorCodes.UNAUTHORIZED, message: `${wf.name} is subscribed to ${type} events delivered by the host only, not to events that runs emit` });
        continue;
      }
      const root = rootOf();
      if (root !== null && this.queries.chainRuns(root) >= maxChainRuns) {
        refused.push({ workflow: wf.id, code: ErrorCodes.RESOURCE_LIMIT, message: `the chain of emitted events that began with event ${root} has started ${maxChainRuns} runs (limit 'event-chain-runs'); it starts no more` });
        continue;
      }
      if (depth > maxEventDepth) {
        refused.push({ workflow: wf.id, code: ErrorCodes.RESOURCE_LIMIT, message: `event ${type} was emitted by a chain of ${depth - 1} event-started runs; past ${maxEventDepth} (limit 'event-depth') it starts no more runs` });
        continue;
      }
      try {
        started.push(
          this.insertRun(wf, {
            input: data,
            tenant,
            user: { id: sub.user_id, roles: JSON.parse(sub.roles) as string[] },
            permissions: JSON.parse(sub.permissions) as string[],
            trigger: { type: 'event', event: { id: eventSeq, type }, depth, root: root ?? eventRowId },
          }),
        );
        if (root !== null) this.queries.countChainRun(root);
      } catch (err) {
        // Data its input schema refuses (or an agent workflow that already ran) starts no
        // run of that workflow; the event itself is still delivered to everyone else.
        if (!(err instanceof AliceError)) throw err;
        refused.push({ workflow: wf.id, code: err.code, message: err.message });
      }
    }
    return started;
  }

  // ---- working ---------------------------------------------------------------------------

  /**
   * Executes every run that is due now, and runs finalization and purges that are due, until
   * nothing is left to do at the clock's current time. Runs waiting for later stay suspended.
   */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      if (this.closing) return;
      let claimed: number;
      try {
        claimed = this.pump();
      } catch (err) {
        // The claims are one transaction: nothing was taken. Said as the store's failure (the
        // CLI's exit code for an unavailable store), not as an internal error.
        if (!isSqliteError(err)) throw err;
        throw new StoreError(this.store.path, `could not take the runs that are due (${(err as Error).message}); nothing was changed, and they are taken once the store accepts writes again`, { cause: err });
      }
      if (this.active.size > 0) {
        await this.settled.promise;
        continue;
      }
      const finalized = this.finalizePass();
      await this.finalizeIdle();
      const purged = this.purgePass();
      // Nothing started, finalized or purged: what is left is due later, or held by a live worker.
      if (claimed === 0 && finalized === 0 && purged === 0) return;
    }
  }

  /** Starts a long-lived worker: timers, polling for work from other processes, finalization. */
  startWorker(options: { pollMs?: number } = {}): Worker {
    if (this.worker !== null) throw new UsageError('this engine already has a worker');
    const pollMs = options.pollMs ?? 200;
    let stopped = false;
    let wake: () => void = () => {};
    let cancelTimer: () => void = () => {};
    const loop = (async () => {
      while (!stopped) {
        let progress = 0;
        try {
          progress += this.pump();
          this.queries.renew(this.owner, this.clock.now() + this.leaseMs);
          progress += this.finalizePass();
          progress += this.purgePass();
        } catch (err) {
          if (this.closed) return;
          process.emitWarning(`alice worker: ${(err as Error).message}`);
        }
        // Idle: the sandbox pool gives back what a burst made it keep (after a while; see relax).
        if (progress === 0 && this.active.size === 0) this.pool.relax();
        const now = this.clock.now();
        const next = [this.queries.nextWake(), this.queries.nextFinalize(), this.queries.nextPurge()].filter((x): x is number => x !== null);
        // Work already due that this pass could not take (no free slot, a finalize waiting for
        // its action) must not make the loop spin: then wait for an execution to end or the poll.
        const future = progress > 0 ? next : next.filter((t) => t > now);
        const at = Math.min(now + pollMs, ...future);
        await new Promise<void>((resolve) => {
          wake = resolve;
          cancelTimer = this.clock.setTimer(at, resolve);
          const poll = setTimeout(resolve, pollMs);
          poll.unref?.();
          for (const a of this.active.values()) void a.done.then(() => resolve());
          for (const f of this.finalizing.values()) void f.then(() => resolve());
        });
        cancelTimer();
      }
    })();
    this.worker = { stop: () => { stopped = true; wake(); }, wake: () => wake() };
    return {
      stop: async () => {
        stopped = true;
        wake();
        await loop;
        this.worker = null;
      },
    };
  }

  /** Claims due runs up to the concurrency limit and starts their executions. */
  private pump(): number {
    // An inline action that (through host code) asks for work must not start executions while
    // its own workflow's call is on the stack; the loop that is running will pump again.
    if (this.closing || insideGuestCall()) return 0;
    const now = this.clock.now();
    if (now - this.lastRecovery > 1000 || now < this.lastRecovery) {
      this.lastRecovery = now;
      for (const owner of this.queries.runningOwners()) {
        if (owner !== this.owner && ownerIsDead(owner)) this.queries.expireOwner(owner, now);
      }
      // A run this engine holds without an execution (its release write failed, say under a
      // lock held by another process) would otherwise keep a renewed lease for ever.
      for (const id of this.queries.runningOwnedBy(this.owner)) {
        if (!this.active.has(id)) this.queries.expireRun(id, this.owner, now);
      }
    }
    const room = this.concurrency - this.active.size;
    if (room <= 0) return 0;
    // Only a few rows beyond the free slots: at 64 in flight a slot frees per finished run, and
    // reading the whole in-flight set each time cost more than the claim. Runs of ours that look
    // due (their lease lapsed while they ran) are skipped below; if that is all we read, read on.
    let due = this.queries.dueRuns(now, room + 16);
    if (due.length === room + 16 && due.every((r) => this.active.has(r.id))) due = this.queries.dueRuns(now, room + this.active.size + 16);
    if (due.length === 0) return 0;
    // One transaction for all claims of this pass: in `power` mode that is one fsync, not one per run.
    const claimed = this.store.db.transaction(() => {
      const out: Array<{ row: RunRow; from: RunStatus }> = [];
      for (const r of due) {
        if (this.active.size + out.length >= this.concurrency) break;
        if (this.active.has(r.id)) continue;
        if (r.status === 'running' && !this.claimable(r)) continue;
        const expect = r.status === 'running' ? r.lease_owner : null;
        const row = this.queries.claim(r.id, this.owner, now + this.leaseMs, now, expect);
        if (row === undefined) continue;
        this.queries.insertLog({ runId: r.id, step: null, at: now, kind: 'state', durationMs: null, data: logData({ from: r.status, to: 'running', worker: this.owner }) });
        out.push({ row, from: r.status });
      }
      return out;
    }).immediate();
    for (const c of claimed) this.launch(c.row);
    this.keepLeases();
    return claimed.length;
  }

  private leaseTimer: NodeJS.Timeout | null = null;

  /** Renews this engine's leases while it executes runs, so no other worker takes them over. */
  private keepLeases(): void {
    if (this.leaseTimer !== null || this.active.size === 0) return;
    this.leaseTimer = setInterval(() => {
      if (this.active.size === 0 || this.closed) {
        if (this.leaseTimer !== null) clearInterval(this.leaseTimer);
        this.leaseTimer = null;
        return;
      }
      this.queries.renew(this.owner, this.clock.now() + this.leaseMs);
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.leaseTimer.unref?.();
  }

  private claimable(r: { id: string; status: RunStatus; lease_owner: string | null }): boolean {
    return r.lease_owner !== this.owner || !this.active.has(r.id);
  }

  private readonly workflows = new Map<string, WorkflowRow>();

  private launch(row: RunRow): void {
    const runId = row.id;
    let wf = this.workflows.get(row.workflow_id);
    if (wf === undefined) {
      wf = this.queries.workflow(row.workflow_id);
      if (wf === undefined) return;
      // Workflow versions are immutable, so caching them is safe.
      this.workflows.set(wf.id, wf);
    }
    const execution = new Execution(
      {
        queries: this.queries, commit: this.commit, pool: this.pool, clock: this.clock, limits: this.limits, owner: this.owner, catalog: this.catalog,
        validate: (action, args) => this.validators.check(action, args),
        onTerminal: (id, _status, at, started) => this.onTerminal(id, at, started),
        attemptStarted: (id) => this.attemptStarted(id),
        attemptEnded: (id, action, refused) => this.attemptEnded(id, action, refused),
        straggler: (id, action, late, timeoutMs) => this.straggler(id, action, late, timeoutMs),
        suspect: (id) => this.suspects.add(id),
        eventCursor: () => this.eventCursor(),
        workflowScript: (w) => this.workflowScript(w.code_hash, w.script, w.id),
        emit: (tenant, type, data, key, chain) => this.deliverEvent(type, data, { tenant, key, emitted: { depth: chain.depth, root: chain.root ?? undefined, run: chain.run } }),
        inline: () => this.inlineSteps && this.active.size <= inlineMaxActive,
        abortDelay: (id) => this.abortDelay(id),
      },
      row,
      wf,
      this.suspects.delete(runId),
    );
    // Its first slices run inside execute(), before the run is in `active`.
    this.launching = runId;
    let started: Promise<ExecutionEnd>;
    try {
      started = execution.execute();
    } finally {
      this.launching = null;
    }
    const done = started.then((end) => {
      if (end !== 'aborted' && this.aborts.size > 0) this.aborts.delete(runId);
      return end;
    }).finally(() => {
      this.active.delete(runId);
      if ((this.attempts.get(runId)?.n ?? 0) <= 0) this.attempts.delete(runId);
      const settled = this.settled;
      this.settled = signal();
      settled.resolve();
    });
    this.active.set(runId, { execution, done });
  }

  /**
   * Action attempts running per run; a run is not finalized while one of its actions runs. An
   * executing run keeps its counter at zero between steps (removed when the execution ends):
   * deleting and re-adding a map entry around every step cost more than the counting.
   */
  private readonly attempts = new Map<string, { n: number }>();
  /** The run whose execution `launch` is starting (its first slices run before it is in `active`). */
  private launching: string | null = null;
  /** Runs whose last executions were aborted one after another, and how many times. */
  private readonly aborts = new Map<string, number>();

  /** See `ExecutionHost.abortDelay`: at once, then 1 s, 2 s, 4 s, … up to an hour. */
  private abortDelay(runId: string): number {
    const n = (this.aborts.get(runId) ?? 0) + 1;
    this.aborts.delete(runId);
    this.aborts.set(runId, n);
    // Runs that ended on another worker are never seen again here: keep the most recent only.
    if (this.aborts.size > maxAbortCounts) this.aborts.delete(this.aborts.keys().next().value!);
    return n === 1 ? 0 : Math.min(3_600_000, 1000 * 2 ** Math.min(n - 2, 12));
  }

  /** Runs that were executing when a shared isolate ran out of memory: re-run them alone. */
  private readonly suspects = new Set<string>();

  /**
   * Counts an action whose deadline passed as still running until its code ends, so its
   * finalize cannot overlap it; but not for ever: past ten times its timeout (at least a
   * second) the engine stops waiting for code that may never return.
   */
  private straggler(runId: string, action: string, ended: Promise<void>, timeoutMs: number): void {
    this.attemptStarted(runId);
    let counted = true;
    const end = () => {
      if (!counted) return;
      counted = false;
      clearTimeout(giveUp);
      this.attemptEnded(runId, action, false);
    };
    // Capped where Node's timers overflow (≈ 24.8 days), which would fire at once instead.
    const giveUp = setTimeout(end, Math.min(2 ** 31 - 1, Math.max(stragglerGraceMinMs, 10 * timeoutMs)));
    giveUp.unref?.();
    void ended.then(end);
  }

  private attemptStarted(runId: string): void {
    const running = this.attempts.get(runId);
    if (running === undefined) this.attempts.set(runId, { n: 1 });
    else running.n++;
  }

  private attemptEnded(runId: string, action: string, refused: boolean): void {
    const running = this.attempts.get(runId);
    if (running !== undefined) {
      running.n = Math.max(0, running.n - 1);
      if (running.n === 0 && !this.active.has(runId) && this.launching !== runId) this.attempts.delete(runId);
    }
    // An attempt whose outcome the store refused ran for a run that is already over (cancelled
    // meanwhile, perhaps by another process): its action must still be told, to clean up.
    if (refused && typeof this.catalog.get(action)?.finalize === 'function') {
      const now = this.clock.now();
      this.commit
        .enqueue(() => {
          const row = this.queries.run(runId);
          if (row !== undefined && isTerminal(row.status)) this.queries.insertFinalizeTask(runId, action, now, []);
        })
        .catch((err) => process.emitWarning(`alice: could not queue finalize of ${action} for run ${runId}: ${(err as Error).message}`));
    }
  }

  private readonly finalizable: readonly string[];
  private readonly scripts = new Map<string, string>();

  private workflowScript(codeHash: string, source: string, id: string): string {
    let script = this.scripts.get(codeHash);
    if (script === undefined) {
      script = moduleToScript(source, `${id}.js`);
      this.scripts.set(codeHash, script);
    }
    return script;
  }
  private cursor = { at: -Infinity, id: 0 };

  /**
   * An event id no newer than the newest event (see ExecutionHost): read from the store at most
   * every 50 ms, which is plenty since a lagging cursor only makes a pending action look at a
   * few events it had already seen, never miss one.
   */
  private eventCursor(): number {
    const now = performance.now();
    if (now - this.cursor.at > 50) this.cursor = { at: now, id: this.queries.maxEventId() };
    return this.cursor.id;
  }

  /** Inside the terminal transaction: queue finalize calls, or mark the run finalized now. */
  private onTerminal(runId: string, now: number, started: ReadonlyMap<string, ReadonlySet<number>>): void {
    const finalizable = this.finalizable;
    let queued = finalizable.length === 0 ? 0 : this.queries.insertFinalizeTasks(runId, [...finalizable], now);
    for (const [action, seqs] of started) {
      // Steps still running have no journal row: finalize must hear of them all the same.
      if (finalizable.includes(action)) queued += this.queries.insertFinalizeTask(runId, action, now, [...seqs]);
    }
    if (queued === 0) this.queries.markFinalized(runId, now, now + this.retentionMs);
  }

  /** Finalize calls in progress, by `run action`; a pass never starts one twice. */
  private readonly finalizing = new Map<string, Promise<void>>();

  /**
   * Starts the due `finalize` calls (at least once each, retried with backoff until one
   * succeeds, each bounded by the action's timeout) and returns how many it started. Await
   * `finalizeIdle()` to wait for them.
   */
  private finalizePass(): number {
    let count = 0;
    const now = this.clock.now();
    for (const task of this.queries.finalizeDue(now, 64)) {
      // Its action may still be running for the run (cancelled mid-step): wait for it to end.
      if ((this.attempts.get(task.run_id)?.n ?? 0) > 0) continue;
      const key = `${task.run_id} ${task.action}`;
      if (this.finalizing.has(key)) continue;
      count++;
      const job = this.finalizeOne(task).finally(() => this.finalizing.delete(key));
      this.finalizing.set(key, job);
    }
    return count;
  }

  private async finalizeIdle(): Promise<void> {
    while (this.finalizing.size > 0) await Promise.allSettled([...this.finalizing.values()]);
  }

  private async finalizeOne(task: { run_id: string; action: string; attempts: number; seqs: string | null }): Promise<void> {
    const def = this.catalog.get(task.action);
    const row = this.queries.run(task.run_id);
    if (row === undefined) {
      // The run is gone: nothing is left to tell.
      this.queries.finalizeDone(task.run_id, task.action, this.clock.now());
      return;
    }
    const started = performance.now();
    let error: string | null = null;
    if (def?.finalize !== undefined) {
      const seqs = new Set(this.queries.stepSeqsOf(row.id, task.action));
      for (const n of task.seqs === null ? [] : (JSON.parse(task.seqs) as number[])) seqs.add(Number(n));
      try {
        await withDeadline(
          Promise.resolve().then(() => def.finalize!(JSON.parse(row.context) as RunContext, {
            id: row.id,
            status: row.status as 'completed' | 'failed' | 'cancelled',
            steps: [...seqs].sort((a, b) => a - b),
          })),
          def.timeoutMs,
          `${task.action} finalize`,
        );
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
      }
    }
    const at = this.clock.now();
    const tx = this.store.db.transaction(() => {
      this.queries.insertLog({ runId: row.id, step: null, at, kind: 'finalize', durationMs: performance.now() - started, data: logData({ action: task.action, ok: error === null, attempt: task.attempts + 1, ...(error === null ? {} : { error }) }) });
      if (error === null) {
        this.queries.finalizeDone(row.id, task.action, at);
        if (this.queries.finalizeOpen(row.id) === 0) this.queries.markFinalized(row.id, at, at + this.retentionMs);
      } else {
        this.queries.finalizeFailed(row.id, task.action, at + Math.min(3_600_000, 1000 * 2 ** Math.min(task.attempts, 12)), error);
      }
    });
    if (this.closed) return;
    try {
      tx.immediate();
    } catch (err) {
      // Not recorded (a lock held elsewhere, say): the task stays due and finalize is called
      // again later, which its at-least-once contract allows.
      process.emitWarning(`alice: could not record finalize of ${task.action} for run ${row.id}: ${(err as Error).message}`);
    }
  }

  private lastEventPurge = -Infinity;

  /**
   * Deletes the journal of runs whose retention ended (the log stays), and, at most once a
   * minute, events older than the retention that no waiting step can still match.
   */
  private purgePass(): number {
    const now = this.clock.now();
    try {
      const ids = this.queries.purgeDue(now, 256);
      if (ids.length > 0) this.store.db.transaction(() => ids.forEach((id) => this.queries.purge(id))).immediate();
      if (now - this.lastEventPurge >= 60_000 || now < this.lastEventPurge) {
        let floor = Number.MAX_SAFE_INTEGER;
        for (const { execution } of this.active.values()) floor = Math.min(floor, execution.cursorFloor);
        this.store.db.transaction(() => this.queries.purgeEvents(now - this.retentionMs, floor)).immediate();
        this.lastEventPurge = now;
      }
      return ids.length;
    } catch (err) {
      // Housekeeping waits for a lock another process holds; the next pass does it.
      if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) return 0;
      throw err;
    }
  }

  /** Stops the worker, lets executions in flight settle, and closes the store and isolates. */
  close(): Promise<void> {
    // A second call waits for the same close (the isolates are disposed asynchronously).
    return (this.closePromise ??= this.closeOnce());
  }

  private closePromise: Promise<void> | null = null;

  private async closeOnce(): Promise<void> {
    if (this.closing) return;
    // From here on nothing is claimed or launched: what was running is released for the next engine.
    this.closing = true;
    if (this.worker !== null) this.worker.stop();
    for (const a of this.active.values()) a.execution.abort('engine closing');
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    await Promise.allSettled([...this.finalizing.values()]);
    this.commit.flush();
    this.closed = true;
    if (this.leaseTimer !== null) clearInterval(this.leaseTimer);
    await this.pool.close();
    this.store.close();
  }
}

/** Whether SQLite (better-sqlite3) refused a statement: its errors carry an `SQLITE_…` code. */
function isSqliteError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Opens an engine on a store. See {@link EngineOptions}. */
export function openEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}
