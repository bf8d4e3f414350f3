import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AliceError, BundleError, ErrorCodes, UsageError } from '../../errors.js';
import type { Engine, LogEntry, RunInfo } from '../../index.js';
import { durationOption, expectPositionals, jsonOption } from '../args.js';
import { bundleFileOf, loadBundle } from '../bundle-file.js';
import { globalHelp, withEngine, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit.js';
import { awaitedEvents, progressLine, waitingFor } from '../output.js';
import { terminalSafe, terminalSafeLines } from '../../engine/log.js';
import { compileWorkflow, workflowSourceOf } from '../workflow-source.js';

/** How often progress lines are looked up while the run works. */
const progressEveryMs = 100;
/** How often a run held by another process is looked at again. */
const pollOtherMs = 100;

export const runCommand: Command = {
  name: 'run',
  summary: 'deploy a bundle, start a run, work it until it is done or suspended, print its output',
  help: `Usage: alice run BUNDLE_OR_FILE [--input JSON] [--wait DURATION] [--progress] [--json]

Deploys the bundle (a directory with manifest.json and workflow.js, or a bundle .json file),
or compiles a workflow source (FILE.ts, FILE.alice, or a directory holding workflow.ts or else
workflow.alice; refused with its diagnostics if the checker finds an error) and deploys that, then starts a run with the input, and works it in this process. Prints the run's output JSON on
stdout when it completes.

A run that suspends on a timer due within --wait (retries, short sleeps) is waited for here;
a run that waits for an event, or for longer, is left suspended (exit 3): deliver the event
with \`alice event\`, and finish it with \`alice worker\`.

Options:
  --input JSON          the run's input (default null)
  --wait DURATION       how long to wait here for a suspended run's timer (default 30s)
  --progress            print a line per step on stderr (default: only when stderr is a terminal)
  --json                print {runId, status, output, error, wakeAt, waitingFor} on stdout, whatever the outcome

Exit: 0 completed, 1 failed or cancelled (or a bad bundle), 2 usage, 3 left suspended, 4 store unavailable.

${globalHelp}

Example:
  alice run examples/order-flow --input '{"orderId":"A-1","items":[{"sku":"book","qty":2}]}'`,
  options: {
    input: { type: 'string' },
    wait: { type: 'string' },
    progress: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ globals, values, positionals, io }) {
    const [path] = expectPositionals('run', positionals, ['BUNDLE_OR_FILE']);
    const input = jsonOption('input', values.input as string | undefined, null);
    const waitMs = durationOption('wait', values.wait as string | undefined, '30s');
    const source = workflowSourceOf(path);
    if (source === null) expectBundlePath(path);
    const bundle = source !== null ? await compileWorkflow(source, globals, io) : loadBundle(path);
    return withEngine(globals, async (engine) => {
      let wf;
      try {
        wf = engine.deploy(bundle);
      } catch (err) {
        if (err instanceof BundleError) throw new BundleError(`${bundleFileOf(path, err.field)}: ${err.message}`, err.field);
        throw err;
      }
      let started;
      try {
        started = engine.start(wf.id, { input, tenant: globals.tenant, permissions: globals.permissions, trigger: { type: 'manual', by: 'cli' } });
      } catch (err) {
        // The usual cause of "the input must be object" is a forgotten --input.
        if (values.input === undefined && err instanceof AliceError && err.code === ErrorCodes.VALIDATION) {
          throw new AliceError(err.code, `${err.message}; no --input was given: pass the run's input as JSON, e.g. --input '{"key":"value"}'`);
        }
        throw err;
      }
      const progress = values.progress === true || io.stderrIsTTY ? new Progress(engine, started.id, io) : null;
      progress?.begin();
      let info: RunInfo;
      try {
        info = await work(engine, started.id, waitMs);
      } finally {
        progress?.end();
      }
      return report(engine, info, values.json === true, io);
    });
  },
};

/**
 * A path that is neither a workflow source nor a bundle is a usage error (exit 2), as a missing
 * source file is: the command line names nothing to run.
 */
function expectBundlePath(path: string): void {
  const what = 'alice run takes a workflow source (.ts, .alice), a directory holding workflow.ts or workflow.alice, or a bundle (a directory with manifest.json, or a .json file)';
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${path}: no such file or directory; ${what}`);
    return; // loadBundle says what else is wrong with it
  }
  if (isDir && !existsSync(join(path, 'manifest.json'))) throw new UsageError(`${path}: the directory holds no manifest.json, workflow.ts or workflow.alice; ${what}`);
}

/** Works the run until it is terminal, or suspended past the wait horizon or on an event only. */
export async function work(engine: Engine, runId: string, waitMs: number): Promise<RunInfo> {
  const horizon = Date.now() + waitMs;
  for (;;) {
    await engine.runUntilIdle();
    const info = engine.getRun(runId);
    switch (info.status) {
      case 'completed':
      case 'failed':
      case 'cancelled':
        return info;
      case 'suspended':
        if (info.wakeAt === null || info.wakeAt > horizon) return info;
        await sleep(Math.max(0, info.wakeAt - engine.clock.now()));
        break;
      case 'pending':
      case 'running':
        // Another process (a worker) holds the run; its outcome will show up in the store.
        await sleep(pollOtherMs);
        break;
    }
  }
}

export function report(engine: Engine, info: RunInfo, json: boolean, raw: Io): ExitCode {
  // Output, errors and event types are the workflow's text (the process's io escapes them too).
  const io: Io = { ...raw, out: (line) => raw.out(terminalSafeLines(line)), err: (line) => raw.err(terminalSafeLines(line)) };
  const events = info.status === 'suspended' ? awaitedEvents(engine.getLog(info.id)) : [];
  if (json) {
    io.out(JSON.stringify({ runId: info.id, workflow: info.workflowId, status: info.status, output: info.output, error: info.error, wakeAt: info.wakeAt, waitingFor: events }));
  }
  switch (info.status) {
    case 'completed':
      if (!json) io.out(JSON.stringify(info.output, null, 2));
      return ExitCode.ok;
    case 'failed':
    case 'cancelled':
      io.err(terminalSafe(`alice: run ${info.id} ${info.status}: ${info.error?.code ?? ''}: ${info.error?.message ?? ''}${typeof info.error?.source === 'string' ? ` at ${info.error.source}` : ''} (see alice log ${info.id})`));
      return ExitCode.failed;
    default: {
      // A question to a person is answered with `alice answer`, which checks the answer against
      // the question's schema and assignee; the event under it is not the way in.
      const asked = engine.getJournal(info.id).find((s) => s.action === 'human.ask' && s.state === 'waiting');
      const hint = asked !== undefined
        ? `answer it with \`alice answer ${info.id} ${asked.seq} --data JSON\` (\`alice questions\` shows the question) and `
        : events.length > 0 ? `deliver the event with \`alice event ${events[0]} --data JSON\` and ` : '';
      io.err(terminalSafe(`alice: run ${info.id} is ${info.status}, waiting for ${waitingFor(info, events)}; ${hint}finish it with \`alice worker\``));
      return ExitCode.suspended;
    }
  }
}

/** Prints the run's new log entries as progress lines on stderr while the run works. */
class Progress {
  private lastId = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly engine: Engine, private readonly runId: string, private readonly io: Io) {}

  begin(): void {
    this.timer = setInterval(() => this.flush(), progressEveryMs);
  }

  end(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }

  private flush(): void {
    let entries: LogEntry[];
    try {
      entries = this.engine.getLog(this.runId);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.id <= this.lastId) continue;
      this.lastId = e.id;
      const line = progressLine(e);
      if (line !== null) this.io.err(line);
    }
  }
}
