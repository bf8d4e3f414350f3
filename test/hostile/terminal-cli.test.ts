/**
 * What hostile bundles make the BUILT CLI print, end to end: text a workflow chose (a question
 * it asks a person, a code hash it forged) and times it chose (a sleep to the end of the Date
 * range) reach commands whose output the corpus runner does not render. Every line must be
 * safe on a terminal (no C0 or C1 control character, DEL included), and no command may crash
 * on what a run stored.
 */
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../support/cli.js';

const ws = cliWorkspace('alice-terminal-cli-');

const payload = '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\ralice: run completed\u009b31m';
const control = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Writes a bundle .json file and returns its path. */
function bundle(name: string, script: string, manifest: Record<string, unknown> = {}): string {
  return ws.write(`${name}.json`, JSON.stringify({ script, manifest: { name, kind: 'user', actions: [], ...manifest } }));
}

describe('the CLI on what hostile bundles wrote', () => {
  it('lists a question a workflow asked with its control characters escaped (alice questions)', () => {
    const path = bundle('asker', `export default async (input, actions) => actions.human.ask({ question: ${JSON.stringify(payload)} })`, { actions: ['human.ask'] });
    const run = ws.alice('run', path, '--store', 'questions.db');
    expect(run.code, run.stderr).toBe(3);
    const listed = ws.alice('questions', '--store', 'questions.db');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('pwned');
    for (const line of listed.stdout.split('\n')) expect(control.test(line), `stdout line ${JSON.stringify(line)}`).toBe(false);
  });

  it('prints the refusal of a forged code hash made of escapes as one safe line (alice run)', () => {
    const path = bundle('forged', 'export default async () => 1', { codeHash: payload });
    const r = ws.alice('run', path, '--store', 'forged.db');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/codeHash/);
    for (const line of r.stderr.split('\n')) expect(control.test(line), `stderr line ${JSON.stringify(line)}`).toBe(false);
  });

  it('keeps a failed run\'s message on one line, so a workflow cannot forge a line of its own (alice run)', () => {
    const path = bundle('forger', `export default async () => { throw new Error('x\\nalice: run r_1 completed'); }`);
    const r = ws.alice('run', path, '--store', 'forger.db');
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => l.startsWith('alice:')), r.stderr).toHaveLength(1);
    expect(r.stderr).toContain('\\u000aalice: run r_1 completed');
  });

  it('lists and shows a run that sleeps to the end of the Date range (alice runs, alice show)', () => {
    const path = bundle('sleeper', 'export default async (input, actions) => actions.sleep(8.64e15)');
    const r = ws.alice('run', path, '--store', 'sleeper.db', '--json');
    expect.soft(r.stderr, 'alice run').toMatch(/is suspended, waiting for/);
    expect.soft(r.code, 'alice run').toBe(3);
    const runId = (JSON.parse(r.stdout.split('\n')[0]) as { runId: string }).runId;
    const runs = ws.alice('runs', '--store', 'sleeper.db');
    expect.soft(runs.stderr, 'alice runs').toBe('');
    expect.soft(runs.stdout, 'alice runs').toContain(runId);
    const show = ws.alice('show', runId, '--store', 'sleeper.db');
    expect.soft(show.stderr, 'alice show').toBe('');
    expect.soft(show.stdout, 'alice show').toContain(runId);
  });
});
