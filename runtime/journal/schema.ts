/**
 * The store's tables. One SQLite file holds workflows, runs, the journal of steps, events,
 * waits, the log and finalization tasks. The store, not the engine's good manners, keeps
 * terminal runs terminal: triggers refuse any change of state, output or journal once a run is
 * completed, failed or cancelled.
 */
export const schemaVersion = 7;

/**
 * Event subscriptions (see Engine.subscribe): schema 4's table, and with `pinned` schema 6's
 * (the version a subscription starts; a schema-4 table gets it from `migrateFrom5`).
 */
const subscriptionTablesOf = (pinned: boolean) => `
-- Workflows that events start (their manifests' event triggers), per tenant ('*' = every
-- tenant), with the context their runs get.
CREATE TABLE IF NOT EXISTS subscriptions (
  workflow TEXT NOT NULL,
  tenant TEXT NOT NULL,
  user_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  permissions TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- 0: only events delivered by the host (API, CLI) start it, not events that runs emit.
  from_runs INTEGER NOT NULL DEFAULT 1,${pinned ? `
  -- The version its events start (schema 6): the one subscribed, not one deployed later under
  -- the name, since its user and permissions were granted to that code. NULL: none.
  workflow_id TEXT,` : ''}
  PRIMARY KEY (workflow, tenant)
) WITHOUT ROWID;
-- Runs started so far by each chain of events that runs emitted, by the chain's first event.
CREATE TABLE IF NOT EXISTS event_chains (
  root INTEGER PRIMARY KEY,
  runs INTEGER NOT NULL
);
`;

/** Schema 6's per-tenant event numbers: the last one given out in each tenant (never reused, even once purged). */
const eventCounters = `
CREATE TABLE IF NOT EXISTS event_counters (
  tenant TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Schema 7's journal chunks: a suspended run's journaled steps, a range of seqs at a time, as the
 * lists a resume reads (see `Queries.journalScan`). A resume of a long run read every one of its
 * step rows (≈ 270 bytes each, most of them what replay does not need: the digest, the log
 * entry, the run id); a chunk row holds only the lists, so it reads a few pages instead. Steps
 * are final once journaled, so a chunk never goes stale; a change to a step row inside a chunk's
 * range (only a store edited by hand, or a step that completes after its run was chunked past
 * it) deletes the run's chunks, so the steps stay the one source of truth and a chunk only ever
 * repeats them. A terminal run needs none.
 */
const journalChunks = `
CREATE TABLE IF NOT EXISTS journal_chunks (
  run_id TEXT NOT NULL,
  -- The steps with from_seq <= seq < to_seq, as journalScan lists them, checked when written
  -- (fingerprints without their commas).
  from_seq INTEGER NOT NULL,
  to_seq INTEGER NOT NULL,
  done INTEGER NOT NULL,
  -- 1 when the steps' completion numbers ascend in seq order; the first of them.
  ordered INTEGER NOT NULL,
  first_completion INTEGER NOT NULL,
  completions INTEGER NOT NULL,
  last_done INTEGER NOT NULL,
  log_seq INTEGER NOT NULL,
  sliced INTEGER NOT NULL,
  "order" TEXT NOT NULL,
  seqs TEXT NOT NULL,
  actions TEXT NOT NULL,
  fps TEXT NOT NULL,
  times TEXT NOT NULL,
  inlines TEXT NOT NULL,
  outcomes TEXT NOT NULL,
  texts TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS journal_chunks_run ON journal_chunks (run_id, to_seq);

CREATE TRIGGER IF NOT EXISTS journal_chunks_stale_insert AFTER INSERT ON steps
WHEN NEW.seq < (SELECT max(to_seq) FROM journal_chunks WHERE run_id = NEW.run_id)
BEGIN DELETE FROM journal_chunks WHERE run_id = NEW.run_id; END;

CREATE TRIGGER IF NOT EXISTS journal_chunks_stale_update AFTER UPDATE ON steps
WHEN OLD.seq < (SELECT max(to_seq) FROM journal_chunks WHERE run_id = OLD.run_id)
  OR NEW.seq < (SELECT max(to_seq) FROM journal_chunks WHERE run_id = NEW.run_id)
BEGIN DELETE FROM journal_chunks WHERE run_id IN (OLD.run_id, NEW.run_id); END;

CREATE TRIGGER IF NOT EXISTS journal_chunks_stale_delete AFTER DELETE ON steps
WHEN OLD.seq < (SELECT max(to_seq) FROM journal_chunks WHERE run_id = OLD.run_id)
BEGIN DELETE FROM journal_chunks WHERE run_id = OLD.run_id; END;

CREATE TRIGGER IF NOT EXISTS journal_chunks_terminal AFTER UPDATE OF status ON runs
WHEN NEW.status IN ('completed', 'failed', 'cancelled')
BEGIN DELETE FROM journal_chunks WHERE run_id = NEW.id; END;
`;

export const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS workflows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  script TEXT NOT NULL,
  source_map TEXT,
  manifest TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (name, version),
  UNIQUE (name, code_hash)
);

CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  context TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  wake_at INTEGER,
  lease_owner TEXT,
  log_count INTEGER NOT NULL DEFAULT 0,
  finalized_at INTEGER,
  purge_at INTEGER
);
CREATE INDEX IF NOT EXISTS runs_wake ON runs (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS runs_status ON runs (status, created_at);
CREATE INDEX IF NOT EXISTS runs_purge ON runs (purge_at) WHERE purge_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  digest TEXT NOT NULL,
  fp TEXT NOT NULL,
  args TEXT NOT NULL,
  state TEXT NOT NULL,
  outcome TEXT,
  completion INTEGER,
  attempts INTEGER NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  wake_at INTEGER,
  wait TEXT,
  -- The step's entry in the run's log (position, duration, data), kept in the journal row so
  -- that a step's commit dirties one page, not a journal page and a log page. Purging the
  -- journal moves these entries into the log table. NULL while the step waits.
  log_seq INTEGER,
  duration_ms REAL,
  log_data TEXT,
  -- 1 when the outcome was delivered at the call, inside the slice that issued it (an inline
  -- action, see ActionDefinition.inline); a re-run delivers it there again. NULL otherwise.
  inline INTEGER,
  -- The (masked) arguments as the call wrote them, JSON.stringify's key order, when that is not
  -- the canonical text in args: a re-run compares its call's text with it (or with args).
  call_text TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at INTEGER NOT NULL,
  -- Set when an action emits the event: its step's idempotency key, so a re-executed step
  -- (after a crash between the emit and the journal write) does not emit it twice.
  key TEXT,
  -- The event's number in its tenant (1, 2, …): the id runs and callers see. The row id counts
  -- every tenant's events, so showing it would let a run count the others'.
  seq INTEGER
);
CREATE INDEX IF NOT EXISTS events_type ON events (tenant, type, id);
-- Keys are the tenant's own (schema 6): two tenants may use the same external id.
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (tenant, key) WHERE key IS NOT NULL;
${eventCounters}

${subscriptionTablesOf(true)}
CREATE TABLE IF NOT EXISTS waits (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  match TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS waits_type ON waits (tenant, type);

-- Clustered by run: a run's entries share leaf pages. seq is the entry's position in the run's
-- log, in one sequence with steps.log_seq (the entries of completed steps live in their journal
-- rows until the journal is purged).
CREATE TABLE IF NOT EXISTS log (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  step INTEGER,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  duration_ms REAL,
  data TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS finalize_tasks (
  run_id TEXT NOT NULL,
  action TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  done_at INTEGER,
  last_error TEXT,
  seqs TEXT,
  PRIMARY KEY (run_id, action)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS finalize_due ON finalize_tasks (next_at) WHERE done_at IS NULL;

CREATE TRIGGER IF NOT EXISTS runs_terminal_is_final BEFORE UPDATE ON runs
WHEN OLD.status IN ('completed', 'failed', 'cancelled')
  AND (NEW.status IS NOT OLD.status OR NEW.output IS NOT OLD.output OR NEW.error IS NOT OLD.error
       OR NEW.input IS NOT OLD.input OR NEW.context IS NOT OLD.context OR NEW.workflow_id IS NOT OLD.workflow_id)
BEGIN SELECT RAISE(ABORT, 'ALICE_RUN_TERMINAL: the run is terminal'); END;

CREATE TRIGGER IF NOT EXISTS steps_insert_terminal BEFORE INSERT ON steps
WHEN (SELECT status FROM runs WHERE id = NEW.run_id) IN ('completed', 'failed', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'ALICE_RUN_TERMINAL: the run is terminal'); END;

CREATE TRIGGER IF NOT EXISTS steps_update_terminal BEFORE UPDATE ON steps
WHEN (SELECT status FROM runs WHERE id = NEW.run_id) IN ('completed', 'failed', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'ALICE_RUN_TERMINAL: the run is terminal'); END;

CREATE TRIGGER IF NOT EXISTS steps_done_is_final BEFORE UPDATE ON steps
WHEN OLD.state IN ('done', 'error')
BEGIN SELECT RAISE(ABORT, 'ALICE_STEP_FINAL: a memoized step outcome never changes'); END;
${journalChunks}`;

/**
 * Upgrades a schema-2 store to 3: version 3 only adds the journal row's log entry columns. Rows
 * written by version 2 keep their step entries in the log table (their log_seq stays NULL).
 */
export const migrateFrom2 = `
ALTER TABLE steps ADD COLUMN log_seq INTEGER;
ALTER TABLE steps ADD COLUMN duration_ms REAL;
ALTER TABLE steps ADD COLUMN log_data TEXT;
`;

/** Upgrades a schema-3 store: version 4 adds emitted events' keys and event subscriptions. */
export const migrateFrom3 = `
ALTER TABLE events ADD COLUMN key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (key) WHERE key IS NOT NULL;
${subscriptionTablesOf(false)}`;

/** Upgrades a schema-4 store: version 5 marks steps delivered inline (older rows never were) and keeps the call's own text. */
export const migrateFrom4 = `
ALTER TABLE steps ADD COLUMN inline INTEGER;
ALTER TABLE steps ADD COLUMN call_text TEXT;
`;

/**
 * Upgrades a schema-5 store: version 6 numbers events per tenant, makes event keys unique per
 * tenant (not across tenants) and pins subscriptions. Stored
 * events keep their row id as their number (each tenant's are increasing already), and each
 * tenant's numbering goes on from its highest; each subscription is pinned to the version it
 * started until now (the latest).
 */
export const migrateFrom5 = `
ALTER TABLE events ADD COLUMN seq INTEGER;
UPDATE events SET seq = id;
${eventCounters}
INSERT INTO event_counters (tenant, last) SELECT tenant, max(id) FROM events GROUP BY tenant;
-- A tenant whose events were all purged has no counter: it numbers on from every row id given
-- out so far, never again from 1 (callers and journals may hold its old numbers).
INSERT INTO meta (key, value) SELECT 'event_number_base', coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0);
DROP INDEX IF EXISTS events_key;
CREATE UNIQUE INDEX events_key ON events (tenant, key) WHERE key IS NOT NULL;
ALTER TABLE subscriptions ADD COLUMN workflow_id TEXT;
UPDATE subscriptions SET workflow_id = (SELECT id FROM workflows w WHERE w.name = subscriptions.workflow ORDER BY version DESC LIMIT 1);
`;

/** Upgrades a schema-6 store: version 7 adds journal chunks (runs suspended before have none, and are read row by row as before). */
export const migrateFrom6 = journalChunks;
