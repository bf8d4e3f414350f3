import type Database from 'better-sqlite3';
import { ascending, count, isFingerprintList } from './lists.js';
import type { EventRow, LogRow, SubscriptionRow, RunRow, RunStatus, StepRow, WorkflowRow } from './store.js';

/**
 * A run's journal as one pass over its rows gives it (see `Queries.journalScan`). The list
 * columns are comma-separated, in the order SQLite visited the rows (the key's, seq order, in
 * practice but not by contract): `order` says whether that is completion order.
 */
export interface JournalScan extends JournalBounds {
  /** Of the journaled steps, in the same order as the lists below: completion numbers. */
  order: string;
  seqs: string;
  actions: string;
  /** Fingerprints, 14 characters each, not separated. */
  fps: string;
  times: string;
  inlines: string;
  /**
   * Each step's outcome (JSON), separated by U+001E: JSON text never holds that character raw
   * (control characters are escaped), so the outcomes can be told apart.
   */
  outcomes: string;
  /** Each step's arguments as the call wrote them (JSON), separated by U+001E. */
  texts: string;
  /**
   * Set when the lists were read partly from journal chunks, whose lists were checked when
   * written: whether the outcomes and texts line up with the steps (checked here), and whether
   * the lists are in completion order. Unset, the reader checks both itself.
   */
  lined?: boolean;
  ordered?: boolean;
}

/** The most outcome and argument text one journal chunk copies (see `Queries.chunkJournal`). */
export const maxChunkBytes = 8 * 1024 * 1024;

/** A row of journal_chunks, as `Queries.journalScan` reads it. */
interface ChunkRow extends Omit<JournalScan, 'waiting' | 'lined' | 'ordered'> {
  from_seq: number;
  to_seq: number;
  ordered: number;
  first_completion: number;
}

/** The list columns of `JournalScan`, with the character that separates their items. */
const listSeparators = [['order', ','], ['seqs', ','], ['actions', ','], ['fps', ''], ['times', ','], ['inlines', ','], ['outcomes', '\x1e'], ['texts', '\x1e']] as const;

/**
 * Puts the chunks' steps before the scan's (of the rows after them), as one pass would list them
 * all. The chunks' lists were checked when written, so only the rows' are checked here.
 */
function joinChunks(scan: JournalScan, chunks: readonly ChunkRow[]): void {
  const rest = scan.done;
  scan.lined = rest === 0 || (count(scan.outcomes, '\x1e') === rest - 1 && count(scan.texts, '\x1e') === rest - 1);
  // In completion order when each part is, and each part's first completion follows the last
  // of the part before it.
  let last = -1;
  let ordered = true;
  for (const c of chunks) {
    ordered &&= c.ordered === 1 && c.first_completion > last;
    last = c.completions;
  }
  if (ordered && rest > 0) {
    const comma = scan.order.indexOf(',');
    ordered = Number(comma < 0 ? scan.order : scan.order.slice(0, comma)) > last && ascending(scan.order);
  }
  scan.ordered = ordered;
  const parts = rest > 0 ? [...chunks, scan] : chunks;
  for (const [key, separator] of listSeparators) scan[key] = parts.map((p) => p[key]).join(separator);
  for (const c of chunks) {
    scan.done += c.done;
    scan.sliced += c.sliced;
    scan.completions = Math.max(scan.completions, c.completions);
    scan.lastDone = Math.max(scan.lastDone, c.lastDone);
    scan.logSeq = Math.max(scan.logSeq, c.logSeq);
  }
}

/** The counts and bounds of a run's journal. */
export interface JournalBounds {
  /** The last completion number given to a journaled step (0: none). */
  completions: number;
  /** The last log position taken by a step's own entry (0: none). */
  logSeq: number;
  /** The highest seq of a journaled (completed) step (0: none). */
  lastDone: number;
  /** Journaled (completed) steps. */
  done: number;
  /** Journaled steps whose outcome was not handed back at the call: each gets a slice of its own. */
  sliced: number;
  /** Seqs of the steps still waiting ("" when none). */
  waiting: string;
}

/**
 * A journaled step, in completion order: seq, action, fingerprint (14 characters), finished_at,
 * inline (0/1), outcome (JSON), arguments as the call wrote them (JSON).
 */
export type JournalRow = [number, string, string, number | null, number, string, string];

/** `JournalBounds` of a run's steps, as aggregates over its rows. */
const journalBoundsSql = `coalesce(max(completion) FILTER (WHERE state <> 'waiting'), 0) AS completions, coalesce(max(log_seq), 0) AS logSeq,
  coalesce(max(seq) FILTER (WHERE state <> 'waiting'), 0) AS lastDone,
  count(*) FILTER (WHERE state <> 'waiting') AS done,
  count(*) FILTER (WHERE state <> 'waiting' AND inline IS NOT 1) AS sliced,
  coalesce(group_concat(seq, ',') FILTER (WHERE state = 'waiting'), '') AS waiting`;
/**
 * A run's journaled steps (the rows the query chooses) as the lists of `JournalScan`, with its
 * counts: what a resume reads, and what a journal chunk keeps of a range of steps.
 */
const journalListsSql = `count(*) AS done, coalesce(max(completion), 0) AS completions, coalesce(max(seq), 0) AS lastDone,
  coalesce(max(log_seq), 0) AS logSeq, count(*) FILTER (WHERE inline IS NOT 1) AS sliced,
  coalesce(group_concat(ifnull(completion, 0), ','), '') AS "order",
  coalesce(group_concat(seq, ','), '') AS seqs,
  coalesce(group_concat(action, ','), '') AS actions,
  coalesce(group_concat(fp, ','), '') AS fps,
  coalesce(group_concat(ifnull(finished_at, 'null'), ','), '') AS times,
  coalesce(group_concat(inline IS 1, ','), '') AS inlines,
  coalesce(group_concat(ifnull(outcome, 'null'), char(30)), '') AS outcomes,
  coalesce(group_concat(coalesce(call_text, args), char(30)), '') AS texts`;
/** A step's fingerprint as exactly 14 hex digits (anything else, from a store edited by hand, as 14 that match nothing). */
const stepFpSql = `CASE WHEN length(fp) = 14 AND fp NOT GLOB '*[^0-9a-f]*' THEN fp ELSE '--------------' END`;
/** A log row before insertion. */
export interface NewLog {
  runId: string;
  /**
   * Its position in the run's log, when the writer owns the run and numbers its entries itself
   * (an execution); otherwise the next free position is taken inside the transaction.
   */
  seq?: number;
  step: number | null;
  at: number;
  kind: string;
  durationMs: number | null;
  data: string;
}

/**
 * Every statement the engine runs, prepared once. Method names say what they change; the
 * engine composes them inside group-commit transactions.
 */
export class Queries {
  private readonly s;

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertWorkflow: p(`INSERT INTO workflows (id, name, version, kind, code_hash, script, source_map, manifest, created_at)
                         VALUES (@id, @name, @version, @kind, @code_hash, @script, @source_map, @manifest, @created_at)`),
      workflow: p('SELECT * FROM workflows WHERE id = ?'),
      workflowByHash: p('SELECT * FROM workflows WHERE name = ? AND code_hash = ?'),
      latestWorkflow: p('SELECT * FROM workflows WHERE name = ? ORDER BY version DESC LIMIT 1'),
      listWorkflows: p('SELECT id, name, version, kind, code_hash, manifest, created_at FROM workflows ORDER BY name, version'),
      insertRun: p(`INSERT INTO runs (id, workflow_id, status, input, context, created_at, updated_at, wake_at)
                    VALUES (@id, @workflow_id, 'pending', @input, @context, @created_at, @created_at, @created_at)`),
      run: p('SELECT * FROM runs WHERE id = ?'),
      runsOfWorkflow: p('SELECT count(*) AS n FROM runs WHERE workflow_id = ?'),
      listRuns: p(`SELECT * FROM runs WHERE (@status IS NULL OR status = @status) AND (@workflow IS NULL OR workflow_id = @workflow OR workflow_id LIKE @workflow || '@%')
                   ORDER BY created_at DESC, id LIMIT @limit`),
      dueRuns: p('SELECT id, status, lease_owner FROM runs WHERE wake_at <= ? ORDER BY wake_at LIMIT ?'),
      nextWake: p('SELECT min(wake_at) AS at FROM runs WHERE wake_at IS NOT NULL'),
      runningOwners: p("SELECT DISTINCT lease_owner FROM runs WHERE status = 'running' AND lease_owner IS NOT NULL"),
      expireOwner: p("UPDATE runs SET wake_at = ? WHERE status = 'running' AND lease_owner = ?"),
      runningOwnedBy: p("SELECT id FROM runs WHERE status = 'running' AND lease_owner = ?"),
      expireRun: p("UPDATE runs SET wake_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ?"),
      claim: p(`UPDATE runs SET status = 'running', lease_owner = @owner, wake_at = @lease, updated_at = @now
                WHERE id = @id AND wake_at <= @now AND status IN ('pending', 'suspended', 'running') AND lease_owner IS @expectOwner
                RETURNING *`),
      renew: p("UPDATE runs SET wake_at = ? WHERE lease_owner = ? AND status = 'running'"),
      owner: p('SELECT status, lease_owner FROM runs WHERE id = ?'),
      suspend: p(`UPDATE runs SET status = 'suspended', wake_at = @wake, lease_owner = NULL, log_count = @logCount, updated_at = @now
                  WHERE id = @id`),
      logCount: p('UPDATE runs SET log_count = max(log_count, ?) WHERE id = ?'),
      release: p(`UPDATE runs SET status = 'suspended', wake_at = @wake, lease_owner = NULL, log_count = max(log_count, @logCount), updated_at = @now
                  WHERE id = @id AND lease_owner = @owner AND status = 'running'`),
      insertFinalizeTask: p(`INSERT INTO finalize_tasks (run_id, action, next_at, seqs) VALUES (@run, @action, @now, @seqs)
                             ON CONFLICT (run_id, action) DO UPDATE SET seqs = (SELECT json_group_array(value) FROM (
                               SELECT value FROM json_each(coalesce(finalize_tasks.seqs, '[]')) UNION SELECT value FROM json_each(excluded.seqs)))`),
      finish: p(`UPDATE runs SET status = @status, output = @output, error = @error, wake_at = NULL, lease_owner = NULL,
                 log_count = @logCount, updated_at = @now WHERE id = @id`),
      wakeRun: p("UPDATE runs SET wake_at = ? WHERE id = ? AND status = 'suspended' AND (wake_at IS NULL OR wake_at > ?)"),
      steps: p('SELECT * FROM steps WHERE run_id = ? ORDER BY seq'),
      // Replay reads every journaled step, so these are its hot loop. SQLite writes the guest's
      // texts itself, in one pass with no sort: better-sqlite3 pays per value it hands to
      // JavaScript (ten columns of a thousand rows cost 1 ms, these few strings a fifth of that),
      // and ordered aggregates sort once each. Missing values keep their place in every list.
      // The journaled rows are chosen once, by WHERE, and the few waiting ones by a second pass:
      // a FILTER on every aggregate, and a GLOB checking each fingerprint, cost as much again
      // as the pass itself (fingerprints are checked in JavaScript, `journalScan` below).
      journalScan: p(`SELECT ${journalListsSql},
                        (SELECT coalesce(group_concat(seq, ','), '') || ' ' || coalesce(max(log_seq), 0) FROM steps WHERE run_id = @run AND seq >= @from AND state = 'waiting') AS waiting
                      FROM steps WHERE run_id = @run AND seq >= @from AND state <> 'waiting'`),
      // A suspended run's chunks (see schema.ts), in seq order.
      journalChunks: p(`SELECT from_seq, to_seq, done, ordered, first_completion, completions, last_done AS lastDone, log_seq AS logSeq, sliced, "order", seqs, actions, fps, times, inlines, outcomes, texts
                        FROM journal_chunks WHERE run_id = ? ORDER BY to_seq`),
      // Where the next chunk starts, and where it must end: before the first step still waiting.
      // (The first waiting step by key order, which stops there: a step waiting early in a long
      // run, for an event, must not make every suspension read all the rows after it.)
      chunkRange: p(`SELECT "from", coalesce((SELECT seq FROM steps WHERE run_id = @run AND seq >= "from" AND state = 'waiting' ORDER BY seq LIMIT 1),
                                               (SELECT max(seq) + 1 FROM steps WHERE run_id = @run), 0) AS "to"
                     FROM (SELECT coalesce(max(to_seq), 0) AS "from" FROM journal_chunks WHERE run_id = @run)`),
      journalRange: p(`SELECT ${journalListsSql} FROM steps WHERE run_id = @run AND seq >= @from AND seq < @to AND state <> 'waiting'`),
      rangeBytes: p(`SELECT coalesce(sum(length(outcome) + length(coalesce(call_text, args))), 0) AS n FROM steps WHERE run_id = @run AND seq >= @from AND seq < @to`),
      insertChunk: p(`INSERT INTO journal_chunks (run_id, from_seq, to_seq, done, ordered, first_completion, completions, last_done, log_seq, sliced, "order", seqs, actions, fps, times, inlines, outcomes, texts)
                      VALUES (@run, @from, @to, @done, @ordered, @first, @completions, @lastDone, @logSeq, @sliced, @order, @seqs, @actions, @fps, @times, @inlines, @outcomes, @texts)`),
      // The scan's counts alone: when its lists would not fit in one string (see replay-journal.ts).
      journalBounds: p(`SELECT ${journalBoundsSql} FROM steps WHERE run_id = ?`),
      // The same, row by row in completion order: for runs whose steps completed out of seq order.
      journalRows: p(`SELECT seq, action, ${stepFpSql}, finished_at, inline IS 1, ifnull(outcome, 'null'), coalesce(call_text, args)
                      FROM steps WHERE run_id = ? AND state <> 'waiting' ORDER BY completion, seq`).raw(true),
      step: p('SELECT * FROM steps WHERE run_id = ? AND seq = ?'),
      // Positional parameters: binding twenty named ones from an object cost more than the insert.
      upsertStep: p(`INSERT INTO steps (run_id, seq, action, digest, fp, args, state, outcome, completion, attempts, failures, started_at, finished_at, wake_at, wait, log_seq, duration_ms, log_data, inline, call_text)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (run_id, seq) DO UPDATE SET state = excluded.state, outcome = excluded.outcome, completion = excluded.completion,
                       attempts = excluded.attempts, failures = excluded.failures, finished_at = excluded.finished_at, wake_at = excluded.wake_at, wait = excluded.wait,
                       log_seq = excluded.log_seq, duration_ms = excluded.duration_ms, log_data = excluded.log_data, inline = excluded.inline`),
      // Only the cursor moves (see Execution.findEvent); a step that is no longer waiting is not touched.
      setWaitCursor: p("UPDATE steps SET wait = ? WHERE run_id = ? AND seq = ? AND state = 'waiting'"),
      insertWait: p('INSERT OR REPLACE INTO waits (run_id, seq, tenant, type, match) VALUES (?, ?, ?, ?, ?)'),
      deleteWait: p('DELETE FROM waits WHERE run_id = ? AND seq = ?'),
      deleteWaits: p('DELETE FROM waits WHERE run_id = ?'),
      waitsFor: p('SELECT run_id, seq, match FROM waits WHERE tenant = ? AND type = ?'),
      insertEvent: p(`INSERT INTO events (tenant, type, data, at, key, seq) VALUES (?, ?, ?, ?, ?, coalesce((SELECT last FROM event_counters WHERE tenant = ?), (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'event_number_base'), 0) + 1)
                       ON CONFLICT (tenant, key) WHERE key IS NOT NULL DO NOTHING RETURNING id, seq`),
      countEvent: p('INSERT INTO event_counters (tenant, last) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET last = excluded.last'),
      eventByKey: p('SELECT id, coalesce(seq, id) AS seq FROM events WHERE tenant = ? AND key = ?'),
      subscribe: p(`INSERT INTO subscriptions (workflow, tenant, user_id, roles, permissions, created_at, from_runs, workflow_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (workflow, tenant) DO UPDATE SET user_id = excluded.user_id, roles = excluded.roles, permissions = excluded.permissions,
                      from_runs = excluded.from_runs, workflow_id = excluded.workflow_id`),
      chainRuns: p('SELECT runs FROM event_chains WHERE root = ?'),
      // Emits are keyed `<run id>:<seq>#<n>` (the step's idempotency key): a range of the key index.
      firstEmitOf: p('SELECT min(id) AS id FROM events WHERE tenant = ? AND key >= ? AND key < ?'),
      countChainRun: p('INSERT INTO event_chains (root, runs) VALUES (?, 1) ON CONFLICT (root) DO UPDATE SET runs = runs + 1'),
      unsubscribe: p('DELETE FROM subscriptions WHERE workflow = ? AND tenant = ?'),
      subscriptionsFor: p("SELECT * FROM subscriptions WHERE tenant = ? OR tenant = '*' ORDER BY workflow, tenant"),
      listSubscriptions: p('SELECT * FROM subscriptions ORDER BY workflow, tenant'),
      eventsAfter: p('SELECT * FROM events WHERE tenant = ? AND type = ? AND id > ? ORDER BY id LIMIT 500'),
      maxEventId: p("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) AS id"),
      // The next position after both the log's entries and those kept in journal rows (a
      // chunk knows its steps' last one: reading every row of a long run cost as much as a resume).
      insertLog: p(`INSERT INTO log (run_id, seq, step, at, kind, duration_ms, data)
                     VALUES (@run, max((SELECT coalesce(max(seq), 0) FROM log WHERE run_id = @run),
                                       (SELECT coalesce(max(log_seq), 0) FROM journal_chunks WHERE run_id = @run),
                                       (SELECT coalesce(max(log_seq), 0) FROM steps WHERE run_id = @run
                                          AND seq >= (SELECT coalesce(max(to_seq), 0) FROM journal_chunks WHERE run_id = @run))) + 1,
                             @step, @at, @kind, @duration, @data)`),
      insertLogAt: p(`INSERT INTO log (run_id, seq, step, at, kind, duration_ms, data)
                      VALUES (@run, @seq, @step, @at, @kind, @duration, @data)`),
      lastLogSeq: p('SELECT coalesce(max(seq), 0) AS n FROM log WHERE run_id = ?'),
      // A run's log: its log rows and the entries of its completed steps, numbered 1, 2, … in
      // order (a write refused after the cancel of a run can leave a gap in the stored positions).
      log: p(`SELECT run_id, row_number() OVER (ORDER BY seq) AS seq, step, at, kind, duration_ms, data FROM (
                SELECT run_id, seq, step, at, kind, duration_ms, data FROM log WHERE run_id = @run
                UNION ALL
                SELECT run_id, log_seq, seq, finished_at, 'step', duration_ms, log_data FROM steps WHERE run_id = @run AND log_seq IS NOT NULL)
              ORDER BY seq`),
      logAll: p(`SELECT run_id, row_number() OVER (PARTITION BY run_id ORDER BY seq) AS seq, step, at, kind, duration_ms, data FROM (
                   SELECT run_id, seq, step, at, kind, duration_ms, data FROM log
                   UNION ALL
                   SELECT run_id, log_seq, seq, finished_at, 'step', duration_ms, log_data FROM steps WHERE log_seq IS NOT NULL)
                 ORDER BY at, run_id, seq`),
      insertFinalizeTasks: p(`INSERT OR IGNORE INTO finalize_tasks (run_id, action, next_at)
                              SELECT DISTINCT run_id, action, ? FROM steps WHERE run_id = ? AND action IN (SELECT value FROM json_each(?))`),
      finalizeDue: p('SELECT * FROM finalize_tasks WHERE done_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?'),
      finalizeDone: p('UPDATE finalize_tasks SET done_at = ?, attempts = attempts + 1, last_error = NULL WHERE run_id = ? AND action = ?'),
      finalizeFailed: p('UPDATE finalize_tasks SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE run_id = ? AND action = ?'),
      finalizeOpen: p('SELECT count(*) AS n FROM finalize_tasks WHERE run_id = ? AND done_at IS NULL'),
      markFinalized: p('UPDATE runs SET finalized_at = ?, purge_at = ? WHERE id = ? AND finalized_at IS NULL'),
      stepSeqsOf: p('SELECT seq FROM steps WHERE run_id = ? AND action = ? ORDER BY seq'),
      purgeDue: p('SELECT id FROM runs WHERE purge_at <= ? LIMIT ?'),
      keepStepLog: p(`INSERT INTO log (run_id, seq, step, at, kind, duration_ms, data)
                      SELECT run_id, log_seq, seq, finished_at, 'step', duration_ms, log_data FROM steps WHERE run_id = ? AND log_seq IS NOT NULL`),
      purgeSteps: p('DELETE FROM steps WHERE run_id = ?'),
      purged: p('UPDATE runs SET purge_at = NULL WHERE id = ?'),
      nextFinalize: p('SELECT min(next_at) AS at FROM finalize_tasks WHERE done_at IS NULL'),
      // Through `waits`, which holds only the event waits that are still live (a wait that ends
      // and a run that becomes terminal drop theirs): not a scan of the journal, and the step of
      // a cancelled run can no longer pin old events for ever.
      // CROSS JOIN keeps the (small) waits table outside: left to itself, SQLite walked every
      // journal row of the store for each wait, once a minute.
      oldestWaitCursor: p("SELECT min(json_extract(s.wait, '$.after')) AS id FROM waits w CROSS JOIN steps s ON s.run_id = w.run_id AND s.seq = w.seq WHERE s.wait IS NOT NULL"),
      purgeEvents: p('DELETE FROM events WHERE id <= ? AND at <= ?'),
      // A chain's count goes with its first event: counting resumes from 0 for a chain that
      // outlives the retention of its first event.
      purgeChains: p('DELETE FROM event_chains WHERE root < (SELECT coalesce(min(id), 9007199254740991) FROM events)'),
      nextPurge: p('SELECT min(purge_at) AS at FROM runs WHERE purge_at IS NOT NULL'),
    };
  }

  insertWorkflow(row: WorkflowRow): void {
    this.s.insertWorkflow.run(row);
  }
  workflow(id: string): WorkflowRow | undefined {
    return this.s.workflow.get(id) as WorkflowRow | undefined;
  }
  workflowByHash(name: string, hash: string): WorkflowRow | undefined {
    return this.s.workflowByHash.get(name, hash) as WorkflowRow | undefined;
  }
  latestWorkflow(name: string): WorkflowRow | undefined {
    return this.s.latestWorkflow.get(name) as WorkflowRow | undefined;
  }
  listWorkflows(): Omit<WorkflowRow, 'script' | 'source_map'>[] {
    return this.s.listWorkflows.all() as Omit<WorkflowRow, 'script' | 'source_map'>[];
  }
  insertRun(row: { id: string; workflow_id: string; input: string; context: string; created_at: number }): void {
    this.s.insertRun.run(row);
  }
  run(id: string): RunRow | undefined {
    return this.s.run.get(id) as RunRow | undefined;
  }
  runsOfWorkflow(workflowId: string): number {
    return (this.s.runsOfWorkflow.get(workflowId) as { n: number }).n;
  }
  listRuns(filter: { status?: RunStatus | null; workflow?: string | null; limit?: number }): RunRow[] {
    return this.s.listRuns.all({ status: filter.status ?? null, workflow: filter.workflow ?? null, limit: filter.limit ?? 100 }) as RunRow[];
  }
  dueRuns(now: number, limit: number): Array<{ id: string; status: RunStatus; lease_owner: string | null }> {
    return this.s.dueRuns.all(now, limit) as Array<{ id: string; status: RunStatus; lease_owner: string | null }>;
  }
  nextWake(): number | null {
    return (this.s.nextWake.get() as { at: number | null }).at;
  }
  runningOwners(): string[] {
    return (this.s.runningOwners.all() as { lease_owner: string }[]).map((r) => r.lease_owner);
  }
  expireOwner(owner: string, now: number): void {
    this.s.expireOwner.run(now, owner);
  }
  runningOwnedBy(owner: string): string[] {
    return (this.s.runningOwnedBy.all(owner) as { id: string }[]).map((r) => r.id);
  }
  expireRun(id: string, owner: string, now: number): void {
    this.s.expireRun.run(now, id, owner);
  }
  /** Takes the run if it is still due and unowned (or owned by `expectOwner`); its row, or undefined. */
  claim(id: string, owner: string, lease: number, now: number, expectOwner: string | null): RunRow | undefined {
    return this.s.claim.get({ id, owner, lease, now, expectOwner }) as RunRow | undefined;
  }
  renew(owner: string, lease: number): void {
    this.s.renew.run(lease, owner);
  }
  owner(id: string): { status: RunStatus; lease_owner: string | null } | undefined {
    return this.s.owner.get(id) as { status: RunStatus; lease_owner: string | null } | undefined;
  }
  suspend(id: string, wake: number | null, logCount: number, now: number): void {
    this.s.suspend.run({ id, wake, logCount, now });
  }
  /** Records that the run's log() lines up to `count` are in the log. */
  logCount(id: string, count: number): void {
    this.s.logCount.run(count, id);
  }
  /** Hands a run this owner executes back as suspended; false if it no longer held it. */
  release(id: string, owner: string, wake: number, logCount: number, now: number): boolean {
    return this.s.release.run({ id, owner, wake, logCount, now }).changes === 1;
  }
  /** Queues a finalize call, remembering step seqs that may have no journal row (still running). */
  insertFinalizeTask(runId: string, action: string, now: number, seqs: readonly number[]): number {
    return this.s.insertFinalizeTask.run({ run: runId, action, now, seqs: JSON.stringify(seqs) }).changes;
  }
  finish(id: string, status: RunStatus, output: string | null, error: string | null, logCount: number, now: number): void {
    this.s.finish.run({ id, status, output, error, logCount, now });
  }
  wakeRun(id: string, at: number): boolean {
    return this.s.wakeRun.run(at, id, at).changes === 1;
  }
  steps(runId: string): StepRow[] {
    return this.s.steps.all(runId) as StepRow[];
  }
  /**
   * A run's journal (see `JournalScan`): its chunks (see schema.ts), then one pass over the rows
   * after them. The lists are those one pass over every row gives: chunks hold ranges of seqs,
   * in order, and are joined to the rest as SQLite would have joined the rows.
   */
  journalScan(runId: string): JournalScan {
    let chunks = this.s.journalChunks.all(runId) as ChunkRow[];
    let from = 0;
    for (const c of chunks) {
      // Ranges that do not follow each other (a chunk table edited by hand): the rows alone.
      if (c.from_seq !== from || c.to_seq <= from || c.done <= 0 || c.fps.length !== 14 * c.done) {
        chunks = [];
        from = 0;
        break;
      }
      from = c.to_seq;
    }
    const scan = this.s.journalScan.get({ run: runId, from }) as JournalScan;
    // "seqs maxLogSeq" of the waiting steps (see the statement).
    const space = scan.waiting.indexOf(' ');
    scan.logSeq = Math.max(scan.logSeq, Number(scan.waiting.slice(space + 1)));
    scan.waiting = scan.waiting.slice(0, space);
    // Fingerprints as the list promises, 14 hex digits each; a store edited by hand may have
    // others (or none, which group_concat skips): then a list of the wrong length, which
    // sends the reader to the row-by-row path, where each bad one is replaced.
    scan.fps = scan.done === 0 ? '' : isFingerprintList(scan.fps, scan.done) ? scan.fps.replaceAll(',', '') : '-';
    if (chunks.length > 0) joinChunks(scan, chunks);
    return scan;
  }
  /**
   * Keeps the run's journaled steps not in a chunk yet, up to the first one still waiting, as a
   * chunk of their own when there are at least `minSteps` (see schema.ts). For a suspending run:
   * its next resume reads them from there. Lists a resume would not take as they are (a step
   * row edited by hand) make no chunk: those steps are read row by row.
   */
  chunkJournal(runId: string, minSteps: number): boolean {
    const range = this.s.chunkRange.get({ run: runId }) as { from: number; to: number };
    if (range.to - range.from < minSteps) return false;
    const at = { run: runId, from: range.from, to: range.to };
    // Big outcomes are read at about the speed of their bytes either way: a copy of them would
    // only double the store (and could outgrow one SQLite string, 1 GB).
    if ((this.s.rangeBytes.get(at) as { n: number }).n > maxChunkBytes) return false;
    // A chunk is only ever a copy: whatever goes wrong writing it (a list too long for one
    // string) undoes it alone, never the suspension it rides on.
    try {
      return this.db.transaction(() => {
        const lists = this.s.journalRange.get(at) as Omit<JournalScan, 'waiting'>;
        const n = lists.done;
        if (n < minSteps || !isFingerprintList(lists.fps, n) || count(lists.outcomes, '\x1e') !== n - 1 || count(lists.texts, '\x1e') !== n - 1) return false;
        const comma = lists.order.indexOf(',');
        return this.s.insertChunk.run({
          ...lists, ...at, fps: lists.fps.replaceAll(',', ''),
          ordered: ascending(lists.order) ? 1 : 0, first: Number(comma < 0 ? lists.order : lists.order.slice(0, comma)),
        }).changes === 1;
      })();
    } catch {
      return false;
    }
  }
  /** `journalScan`'s counts, without its lists. */
  journalBounds(runId: string): JournalBounds {
    return this.s.journalBounds.get(runId) as JournalBounds;
  }
  /** A run's journaled (completed) steps, one row each, in completion order. */
  journalRows(runId: string): JournalRow[] {
    return this.s.journalRows.all(runId) as JournalRow[];
  }
  step(runId: string, seq: number): StepRow | undefined {
    return this.s.step.get(runId, seq) as StepRow | undefined;
  }
  upsertStep(row: StepRow): void {
    const r = row;
    this.s.upsertStep.run(r.run_id, r.seq, r.action, r.digest, r.fp, r.args, r.state, r.outcome, r.completion, r.attempts, r.failures, r.started_at, r.finished_at,
      r.wake_at, r.wait, r.log_seq, r.duration_ms, r.log_data, r.inline ?? null, r.call_text ?? null);
  }
  insertWait(runId: string, seq: number, tenant: string, type: string, match: string | null): void {
    this.s.insertWait.run(runId, seq, tenant, type, match);
  }
  deleteWait(runId: string, seq: number): void {
    this.s.deleteWait.run(runId, seq);
  }
  deleteWaits(runId: string): void {
    this.s.deleteWaits.run(runId);
  }
  waitsFor(tenant: string, type: string): Array<{ run_id: string; seq: number; match: string | null }> {
    return this.s.waitsFor.all(tenant, type) as Array<{ run_id: string; seq: number; match: string | null }>;
  }
  /**
   * Stores an event: its row id and its number in its tenant (the next one), or null when an
   * event with this key exists already. Call inside a write transaction (the number is read and
   * counted in two statements).
   */
  insertEvent(tenant: string, type: string, data: string, at: number, key: string | null = null): { id: number; seq: number } | null {
    const row = this.s.insertEvent.get(tenant, type, data, at, key, tenant) as { id: number; seq: number } | undefined;
    if (row === undefined) return null;
    this.s.countEvent.run(tenant, row.seq);
    return row;
  }
  /** The tenant's event stored under `key` (keys are each tenant's own). */
  eventByKey(tenant: string, key: string): { id: number; seq: number } | undefined {
    return this.s.eventByKey.get(tenant, key) as { id: number; seq: number } | undefined;
  }
  subscribe(row: SubscriptionRow): void {
    this.s.subscribe.run(row.workflow, row.tenant, row.user_id, row.roles, row.permissions, row.created_at, row.from_runs, row.workflow_id);
  }
  /** The first event a run emitted (through its actions' `step.emit`), if any is still stored. */
  firstEmitOf(tenant: string, runId: string): number | undefined {
    return (this.s.firstEmitOf.get(tenant, `${runId}:`, `${runId};`) as { id: number | null }).id ?? undefined;
  }
  /** Runs started so far by the chain of emitted events that began with event `root`. */
  chainRuns(root: number): number {
    return (this.s.chainRuns.get(root) as { runs: number } | undefined)?.runs ?? 0;
  }
  countChainRun(root: number): void {
    this.s.countChainRun.run(root);
  }
  unsubscribe(workflow: string, tenant: string): boolean {
    return this.s.unsubscribe.run(workflow, tenant).changes > 0;
  }
  /** Subscriptions that an event of this tenant reaches: the tenant's own and the '*' ones. */
  subscriptionsFor(tenant: string): SubscriptionRow[] {
    return this.s.subscriptionsFor.all(tenant) as SubscriptionRow[];
  }
  listSubscriptions(): SubscriptionRow[] {
    return this.s.listSubscriptions.all() as SubscriptionRow[];
  }
  /** Stores a waiting step's wait with its cursor moved (the same wait otherwise). */
  setWaitCursor(runId: string, seq: number, wait: string): void {
    this.s.setWaitCursor.run(wait, runId, seq);
  }

  eventsAfter(tenant: string, type: string, after: number): EventRow[] {
    return this.s.eventsAfter.all(tenant, type, after) as EventRow[];
  }
  maxEventId(): number {
    return (this.s.maxEventId.get() as { id: number }).id;
  }
  insertLog(l: NewLog): void {
    const row = { run: l.runId, step: l.step, at: l.at, kind: l.kind, duration: l.durationMs, data: l.data };
    if (l.seq === undefined) this.s.insertLog.run(row);
    else this.s.insertLogAt.run({ ...row, seq: l.seq });
  }
  /** The highest position of the run's log table (entries kept in journal rows aside). */
  lastLogSeq(runId: string): number {
    return (this.s.lastLogSeq.get(runId) as { n: number }).n;
  }
  log(runId: string): LogRow[] {
    return this.s.log.all({ run: runId }) as LogRow[];
  }
  /** Every run's log, oldest first, without loading it all at once. */
  logAll(): IterableIterator<LogRow> {
    return this.s.logAll.iterate() as IterableIterator<LogRow>;
  }
  insertFinalizeTasks(runId: string, actions: string[], now: number): number {
    return this.s.insertFinalizeTasks.run(now, runId, JSON.stringify(actions)).changes;
  }
  finalizeDue(now: number, limit: number): Array<{ run_id: string; action: string; attempts: number; seqs: string | null }> {
    return this.s.finalizeDue.all(now, limit) as Array<{ run_id: string; action: string; attempts: number; seqs: string | null }>;
  }
  finalizeDone(runId: string, action: string, now: number): void {
    this.s.finalizeDone.run(now, runId, action);
  }
  finalizeFailed(runId: string, action: string, nextAt: number, error: string): void {
    this.s.finalizeFailed.run(nextAt, error, runId, action);
  }
  finalizeOpen(runId: string): number {
    return (this.s.finalizeOpen.get(runId) as { n: number }).n;
  }
  markFinalized(runId: string, now: number, purgeAt: number): void {
    this.s.markFinalized.run(now, purgeAt, runId);
  }
  stepSeqsOf(runId: string, action: string): number[] {
    return (this.s.stepSeqsOf.all(runId, action) as { seq: number }[]).map((r) => r.seq);
  }
  purgeDue(now: number, limit: number): string[] {
    return (this.s.purgeDue.all(now, limit) as { id: string }[]).map((r) => r.id);
  }
  /** Drops a run's journal; the entries of its steps stay in the log (moved to the log table). */
  purge(runId: string): void {
    this.s.keepStepLog.run(runId);
    this.s.purgeSteps.run(runId);
    this.s.purged.run(runId);
  }
  /**
   * Deletes events no wait can match any more: older than `before`, and not after the cursor of
   * any step still waiting (a wait only ever matches events after its cursor) nor after `floor`
   * (what executions under way may still look at; see `Execution.cursorFloor`).
   */
  purgeEvents(before: number, floor = Number.MAX_SAFE_INTEGER): number {
    const oldest = (this.s.oldestWaitCursor.get() as { id: number | null }).id;
    const upTo = Math.min(oldest === null ? Number.MAX_SAFE_INTEGER : oldest, floor);
    const purged = this.s.purgeEvents.run(upTo, before).changes;
    if (purged > 0) this.s.purgeChains.run();
    return purged;
  }
  nextFinalize(): number | null {
    return (this.s.nextFinalize.get() as { at: number | null }).at;
  }
  nextPurge(): number | null {
    return (this.s.nextPurge.get() as { at: number | null }).at;
  }
}
