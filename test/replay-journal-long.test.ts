/**
 * A journal of 400,000 steps (stepsPerRun raised by the operator) is read like any other. Found
 * by the session 9 review: the fingerprint list was checked with a regular expression whose
 * starred group V8's backtracking engine runs out of stack on, past ≈ 372,000 fingerprints, so
 * such a run was aborted at every resume, for ever. The check is a loop now.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { replayJournal } from '../runtime/engine/replay-journal.js';
import { Queries } from '../runtime/journal/queries.js';
import { schema } from '../runtime/journal/schema.js';

describe('journal scan of a very long journal', () => {
  it('reads a 400,000-step journal instead of throwing from the fingerprint check', () => {
    const db = new Database(':memory:');
    db.exec(schema);
    const n = 400_000;
    const insert = db.prepare(`INSERT INTO steps (run_id, seq, action, digest, fp, args, state, outcome, completion, attempts, started_at, finished_at, inline)
                               VALUES ('r', ?, 'a.b', 'd', '0123456789abcd', '{}', 'done', '{"ok":true,"value":1}', ?, 1, 0, 0, 0)`);
    db.transaction(() => { for (let i = 1; i <= n; i++) insert.run(i, i); })();
    const q = new Queries(db);
    let journal: ReturnType<typeof replayJournal> | undefined;
    expect(() => { journal = replayJournal(q, 'r', 1 << 20); }).not.toThrow();
    expect(journal?.bounds.done).toBe(n);
  }, 120_000);
});
