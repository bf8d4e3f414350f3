import { formatLogEntry } from '../../engine/log.js';
import { UsageError } from '../../errors.js';
import type { RunStatus } from '../../index.js';
import { expectPositionals, integerOption } from '../args.js';
import { globalHelp, withEngine, type Command } from '../command.js';
import { ExitCode } from '../exit.js';
import { awaitedEvents, runDetails, runsTable } from '../output.js';

const statuses: readonly RunStatus[] = ['pending', 'running', 'suspended', 'completed', 'failed', 'cancelled'];

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs, newest first',
  help: `Usage: alice runs [--status S] [--workflow W] [--limit N] [--json]

Lists runs, newest first: id, workflow version, status, tenant, creation time and, for a
suspended run, when it wakes. With --tenant, only that tenant's runs.

Options:
  --status S            only runs in status S: ${statuses.join(', ')}
  --workflow W          only runs of workflow W (a name, or name@version)
  --limit N             at most N runs (default 50)
  --json                one JSON object per line (the engine's RunInfo)

${globalHelp}

Example:
  alice runs --status suspended`,
  options: {
    status: { type: 'string' },
    workflow: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ globals, values, positionals, io }) {
    expectPositionals('runs', positionals, []);
    const status = values.status as string | undefined;
    if (status !== undefined && !statuses.includes(status as RunStatus)) {
      throw new UsageError(`--status must be one of ${statuses.join(', ')}, got ${JSON.stringify(status)}`);
    }
    const limit = integerOption('limit', values.limit as string | undefined, 50, 1, 100_000);
    return withEngine(globals, async (engine) => {
      // The engine filters by status and workflow; the tenant filter is applied here, so ask
      // for more rows when it is on.
      let runs = engine.listRuns({ status: status as RunStatus | undefined, workflow: values.workflow as string | undefined, limit: globals.tenantGiven ? 100_000 : limit });
      if (globals.tenantGiven) runs = runs.filter((r) => r.tenant === globals.tenant).slice(0, limit);
      if (values.json === true) {
        for (const r of runs) io.out(JSON.stringify(r));
      } else if (runs.length === 0) {
        io.err('no runs');
      } else {
        for (const line of runsTable(runs)) io.out(line);
      }
      return ExitCode.ok;
    });
  },
};

export const showCommand: Command = {
  name: 'show',
  summary: "show a run: status, output or error, and its journal",
  help: `Usage: alice show RUN [--json]

Shows a run: workflow, status, tenant, times, what a suspended run waits for, its output or
error, and its journal (each step: sequence, action, state, attempts, idempotency key,
outcome).

Options:
  --json                one JSON object {run, journal}

${globalHelp}

Example:
  alice show 3f0c1c9e-8a5e-4a8e-9a51-0d6b1f0a2b7c`,
  options: { json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    const [runId] = expectPositionals('show', positionals, ['RUN']);
    return withEngine(globals, async (engine) => {
      const run = engine.getRun(runId);
      const journal = engine.getJournal(runId);
      if (values.json === true) {
        io.out(JSON.stringify({ run, journal }));
      } else {
        const events = run.status === 'suspended' ? awaitedEvents(engine.getLog(runId)) : [];
        for (const line of runDetails(run, journal, events)) io.out(line);
      }
      return ExitCode.ok;
    });
  },
};

export const logCommand: Command = {
  name: 'log',
  summary: "print a run's log",
  help: `Usage: alice log RUN [--json]

Prints a run's log, oldest first: every state change, step, attempt, retry, wait, refusal,
non-determinism and log() line, with time, step number and duration. Secret fields are
masked.

Options:
  --json                JSON lines: one log entry {id, runId, step, at, kind, durationMs, data} per line

${globalHelp}

Example:
  alice log 3f0c1c9e-8a5e-4a8e-9a51-0d6b1f0a2b7c --json > run.jsonl`,
  options: { json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    const [runId] = expectPositionals('log', positionals, ['RUN']);
    return withEngine(globals, async (engine) => {
      for (const entry of engine.getLog(runId)) io.out(values.json === true ? JSON.stringify(entry) : formatLogEntry(entry));
      return ExitCode.ok;
    });
  },
};
