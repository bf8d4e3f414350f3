import { expectPositionals, jsonOption } from '../args.js';
import { globalHelp, withEngine, type Command } from '../command.js';
import { ExitCode } from '../exit.js';

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a run that is not over',
  help: `Usage: alice cancel RUN [--reason TEXT]

Cancels a pending, running or suspended run: it becomes cancelled (terminal) and is
finalized. Cancelling a run that is already completed, failed or cancelled is refused
(exit 1) and the refusal is logged.

Options:
  --reason TEXT         why (recorded in the run's error and log; default "cancelled by user")

${globalHelp}

Example:
  alice cancel 3f0c1c9e-8a5e-4a8e-9a51-0d6b1f0a2b7c --reason "customer left"`,
  options: { reason: { type: 'string' } },
  async run({ globals, values, positionals, io }) {
    const [runId] = expectPositionals('cancel', positionals, ['RUN']);
    return withEngine(globals, async (engine) => {
      const run = engine.cancel(runId, (values.reason as string | undefined) ?? 'cancelled by user');
      io.out(`run ${run.id} cancelled`);
      return ExitCode.ok;
    });
  },
};

export const eventCommand: Command = {
  name: 'event',
  summary: "deliver an event to a tenant's runs",
  help: `Usage: alice event TYPE [--data JSON] [--tenant T] [--json]

Delivers an event of TYPE with the data to the tenant's runs: every waitForEvent of that
type whose match the data satisfies completes with the event, and actions pending on it are
called again. Suspended runs it wakes are resumed by a worker (\`alice worker\`, which may
run in another process).

Options:
  --data JSON           the event's data (default null)
  --json                print {id, woken} on stdout

${globalHelp}

Example:
  alice event invoice.paid --data '{"invoiceId":"INV-7","amount":4200}'`,
  options: { data: { type: 'string' }, json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    const [type] = expectPositionals('event', positionals, ['TYPE']);
    const data = jsonOption('data', values.data as string | undefined, null);
    return withEngine(globals, async (engine) => {
      const result = engine.deliverEvent(type, data, { tenant: globals.tenant });
      if (values.json === true) io.out(JSON.stringify(result));
      else io.out(`event ${result.id} (${type}) delivered to tenant ${globals.tenant}: woke ${result.woken} run${result.woken === 1 ? '' : 's'}`);
      return ExitCode.ok;
    });
  },
};
