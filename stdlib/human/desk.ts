import type Database from 'better-sqlite3';
import { durationMs, type Engine, type JsonSchema, type RunContext } from '../../runtime/index.js';
import { StdCodes } from '../codes.js';
import { ActionDatabase } from '../database.js';
import { jsonValidator } from '../validate.js';

const ddl = `
CREATE TABLE IF NOT EXISTS human_questions (
  key TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  run_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  workflow TEXT NOT NULL,
  asked_for TEXT NOT NULL,
  question TEXT NOT NULL,
  details TEXT,
  schema TEXT,
  assignee TEXT,
  status TEXT NOT NULL,
  answer TEXT,
  answered_by TEXT,
  answered_at INTEGER,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS human_questions_open ON human_questions (tenant, status, created_at);
CREATE INDEX IF NOT EXISTS human_questions_run ON human_questions (run_id);
`;

/** The event that wakes a question's step once it is answered. Reserved: workflows cannot emit it. */
export const answeredEvent = 'alice.human.answered';

/** How long a pending question sleeps between checks when its wake-up event was lost (a crash between answer and event). */
export const recheckMs = 60 * 60 * 1000;

export type QuestionStatus = 'open' | 'answered' | 'expired' | 'closed';

/** A question as the desk lists it. */
export interface Question {
  runId: string;
  step: number;
  tenant: string;
  workflow: string;
  /** The user the run acts for. */
  askedFor: string;
  question: string;
  details: unknown;
  schema: JsonSchema | null;
  assignee: string | null;
  status: QuestionStatus;
  answer: unknown;
  answeredBy: string | null;
  answeredAt: number | null;
  createdAt: number;
  expiresAt: number | null;
}

interface Row {
  key: string;
  tenant: string;
  run_id: string;
  step: number;
  workflow: string;
  asked_for: string;
  question: string;
  details: string | null;
  schema: string | null;
  assignee: string | null;
  status: QuestionStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: number | null;
  created_at: number;
  expires_at: number | null;
}

/** A refused answer: no question, already answered, wrong person, or data the schema refuses. */
export class HumanAnswerError extends Error {
  readonly code = StdCodes.HUMAN_ANSWER;
  constructor(message: string) {
    super(message);
    this.name = 'HumanAnswerError';
  }
}

/** What `human.ask` asks. */
export interface Ask {
  question: string;
  details?: unknown;
  schema?: JsonSchema;
  assignee?: string;
  timeout?: number | string;
}

/**
 * The questions workflows ask people (`human.ask`) and their answers, in the engine's SQLite
 * file. A question is keyed by its step's idempotency key, so re-running the step finds it.
 *
 * @example
 * const desk = new HumanDesk('alice.db');
 * desk.list({ status: 'open' });
 * desk.answer(engine, { runId, step: 3, data: { approved: true }, by: 'maria' });
 */
export class HumanDesk {
  private readonly database: ActionDatabase;

  constructor(path: string) {
    this.database = new ActionDatabase(path, (db) => db.exec(ddl));
  }

  private get db(): Database.Database {
    return this.database.get();
  }

  /** The question of a step: asks it on the first call, reads it on later ones. */
  ask(ctx: RunContext, key: string, step: number, ask: Ask, now: number): Question {
    const existing = this.db.prepare('SELECT * FROM human_questions WHERE key = ?').get(key) as Row | undefined;
    if (existing !== undefined) return toQuestion(existing);
    const expiresAt = ask.timeout === undefined ? null : now + durationMs(ask.timeout);
    this.db
      .prepare(`INSERT INTO human_questions (key, tenant, run_id, step, workflow, asked_for, question, details, schema, assignee, status, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (key) DO NOTHING`)
      .run(key, ctx.tenant, ctx.runId, step, ctx.workflow.id, ctx.user.id, ask.question, ask.details === undefined ? null : JSON.stringify(ask.details), ask.schema === undefined ? null : JSON.stringify(ask.schema), ask.assignee ?? null, now, expiresAt);
    return toQuestion(this.db.prepare('SELECT * FROM human_questions WHERE key = ?').get(key) as Row);
  }

  /** Marks an open question whose time ran out as expired. */
  expire(key: string): void {
    this.db.prepare("UPDATE human_questions SET status = 'expired' WHERE key = ? AND status = 'open'").run(key);
  }

  /** Questions, newest first. */
  list(filter: { tenant?: string; status?: QuestionStatus; runId?: string } = {}): Question[] {
    const rows = this.db
      .prepare(`SELECT * FROM human_questions WHERE (@tenant IS NULL OR tenant = @tenant) AND (@status IS NULL OR status = @status)
                AND (@run IS NULL OR run_id = @run) ORDER BY created_at DESC, key LIMIT 1000`)
      .all({ tenant: filter.tenant ?? null, status: filter.status ?? null, run: filter.runId ?? null }) as Row[];
    return rows.map(toQuestion);
  }

  /**
   * Answers a question and wakes its run. The answer must fit the question's schema, and when
   * the question names an assignee, only they may answer. Answering again with the same data
   * (say, after a crash before the run was woken) wakes the run again; other data is refused.
   * With `tenant` (an API serving one tenant's people passes theirs), a question of another
   * tenant is answered as if it did not exist: neither answered nor confirmed.
   */
  answer(engine: Pick<Engine, 'deliverEvent'>, a: { runId: string; step: number; data: unknown; by: string; tenant?: string }, now: number = Date.now()): Question {
    if (typeof a.by !== 'string' || a.by === '') throw new HumanAnswerError('an answer needs the id of the person who gives it');
    const key = `${a.runId}:${a.step}`;
    const row = this.db.prepare('SELECT * FROM human_questions WHERE key = ?').get(key) as Row | undefined;
    if (row === undefined || (a.tenant !== undefined && row.tenant !== a.tenant)) {
      throw new HumanAnswerError(`run ${a.runId} has no question at step ${a.step}${a.tenant === undefined ? '' : ` in tenant ${a.tenant}`}; list open questions with \`alice questions\``);
    }
    const text = JSON.stringify(a.data ?? null);
    if (row.status === 'answered') {
      if (row.answer !== text || row.answered_by !== a.by) {
        throw new HumanAnswerError(`the question of run ${a.runId} step ${a.step} was already answered by ${row.answered_by ?? '?'}; an answer is final`);
      }
    } else {
      if (row.status !== 'open') throw new HumanAnswerError(`the question of run ${a.runId} step ${a.step} is ${row.status}; it can no longer be answered`);
      if (row.assignee !== null && row.assignee !== a.by) {
        throw new HumanAnswerError(`the question of run ${a.runId} step ${a.step} is assigned to ${row.assignee}; ${a.by} may not answer it`);
      }
      if (row.schema !== null) {
        let check: (value: unknown) => string[] | null;
        try {
          check = jsonValidator(JSON.parse(row.schema) as JsonSchema);
        } catch (err) {
          // A question stored before today's schema limits: it cannot be checked, so not answered.
          throw new HumanAnswerError(`the question's schema cannot be used (${(err as Error).message}); the question cannot be answered`);
        }
        const problems = check(a.data ?? null);
        if (problems !== null) throw new HumanAnswerError(`the answer does not fit the question's schema: ${problems.join('; ')}`);
      }
      this.db.prepare("UPDATE human_questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? WHERE key = ? AND status = 'open'").run(text, a.by, now, key);
    }
    engine.deliverEvent(answeredEvent, { key }, { tenant: row.tenant });
    return toQuestion(this.db.prepare('SELECT * FROM human_questions WHERE key = ?').get(key) as Row);
  }

  /** Closes the open questions of a run that is over; answered ones stay for the record. */
  closeRun(runId: string): number {
    return this.db.prepare("UPDATE human_questions SET status = 'closed' WHERE run_id = ? AND status = 'open'").run(runId).changes;
  }

  close(): void {
    this.database.close();
  }
}

function toQuestion(r: Row): Question {
  return {
    runId: r.run_id,
    step: r.step,
    tenant: r.tenant,
    workflow: r.workflow,
    askedFor: r.asked_for,
    question: r.question,
    details: r.details === null ? null : (JSON.parse(r.details) as unknown),
    schema: r.schema === null ? null : (JSON.parse(r.schema) as JsonSchema),
    assignee: r.assignee,
    status: r.status,
    answer: r.answer === null ? null : (JSON.parse(r.answer) as unknown),
    answeredBy: r.answered_by,
    answeredAt: r.answered_at,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}
