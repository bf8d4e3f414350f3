import type { Engine, RunInfo, RunStatus } from '../../index.js';
import { durationOption, expectPositionals, integerOption } from '../args.js';
import { globalHelp, withEngine, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit.js';
import { changeLine, iso } from '../output.js';

/** How often the worker looks for run status changes to print. */
const watchEveryMs = 250;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'work runs until stopped: due runs, timers, events delivered by other commands',
  help: `Usage: alice worker [--poll DURATION] [--summary DURATION] [--max-runs N]

Runs a long-lived worker on the store: starts due runs, resumes suspended runs when their
time comes or their event arrives (also events delivered by \`alice event\` from another
process), and finalizes finished runs. Prints a line on stdout per run status change and a
summary every --summary. Stops cleanly on SIGINT (Ctrl-C) or SIGTERM: executions in flight
settle and their outcomes are journaled first.

Options:
  --poll DURATION       how often to look for work from other processes (default 200ms)
  --summary DURATION    how often to print a summary line (default 30s)
  --max-runs N          how many recent runs to watch for status lines (default 10000)

${globalHelp}

Example:
  alice worker --store ./alice.db`,
  options: {
    poll: { type: 'string' },
    summary: { type: 'string' },
    'max-runs': { type: 'string' },
  },
  async run({ globals, values, positionals, io }) {
    expectPositionals('worker', positionals, []);
    const pollMs = durationOption('poll', values.poll as string | undefined, '200ms');
    const summaryMs = durationOption('summary', values.summary as string | undefined, '30s');
    const maxRuns = integerOption('max-runs', values['max-runs'] as string | undefined, 10_000, 1, 1_000_000);
    return withEngine(globals, async (engine) => {
      const watcher = new Watcher(engine, maxRuns, io);
      // Take the first look before the worker starts, so that no change it makes is missed.
      watcher.look(false);
      const worker = engine.startWorker({ pollMs: Math.max(1, pollMs) });
      io.out(`alice worker: working store ${globals.store} (pid ${process.pid}); stop with Ctrl-C`);
      watcher.summary();
      const watch = setInterval(() => watcher.look(true), watchEveryMs);
      const summary = setInterval(() => watcher.summary(), Math.max(1000, summaryMs));
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      io.out(`alice worker: ${signal} received, stopping (executions in flight settle first)`);
      clearInterval(watch);
      clearInterval(summary);
      await worker.stop();
      watcher.look(true);
      io.out('alice worker: stopped');
      return ExitCode.ok;
    });
  },
};

/** Diffs run statuses between looks and prints one line per change. */
class Watcher {
  private readonly seen = new Map<string, RunStatus>();
  private readonly changes: Record<'completed' | 'failed' | 'cancelled', number> = { completed: 0, failed: 0, cancelled: 0 };

  constructor(private readonly engine: Engine, private readonly maxRuns: number, private readonly io: Io) {}

  look(print: boolean): void {
    let runs: RunInfo[];
    try {
      runs = this.engine.listRuns({ limit: this.maxRuns });
    } catch (err) {
      this.io.err(`alice worker: cannot list runs: ${(err as Error).message}`);
      return;
    }
    // Oldest first, so lines for several runs read in the order the runs were started.
    for (const run of runs.reverse()) {
      const before = this.seen.get(run.id) ?? null;
      if (before === run.status) continue;
      this.seen.set(run.id, run.status);
      if (!print) continue;
      if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') this.changes[run.status]++;
      this.io.out(changeLine(run, before));
    }
  }

  summary(): void {
    const counts: Record<string, number> = {};
    for (const status of this.seen.values()) counts[status] = (counts[status] ?? 0) + 1;
    const now = ['pending', 'running', 'suspended'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
    const done = Object.entries(this.changes).map(([s, n]) => `${n} ${s}`).join(', ');
    this.io.out(`${iso(Date.now())} alice worker: ${now}; since start ${done}`);
  }
}
