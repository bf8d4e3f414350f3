/**
 * Runs one figure group in this process and sends its result to the parent over IPC.
 * Run it directly to profile one group:
 *   node --no-node-snapshot --expose-gc --cpu-prof dist/bench/child.js steps [--quick]
 * Without a parent the result is printed to stderr as JSON.
 */
import { isGroupName, type GroupName } from './groups.js';
import type { GroupResult } from './harness.js';

type Group = (options: { quick: boolean }) => Promise<GroupResult>;

/** Each group's module is loaded only in its own process: no group pays for another's setup. */
const groups: Record<GroupName, () => Promise<Group>> = {
  steps: async () => (await import('./steps.js')).stepsGroup,
  replay: async () => (await import('./replay.js')).replayGroup,
  latency: async () => (await import('./latency.js')).latencyGroup,
  throughput: async () => (await import('./throughput.js')).throughputGroup,
  sleeping: async () => (await import('./sleeping.js')).sleepingGroup,
  check: async () => (await import('./check.js')).checkGroup,
  dsl: async () => (await import('./dsl.js')).dslGroup,
  kb: async () => (await import('./kb.js')).kbGroup,
  stdlib: async () => (await import('./stdlib.js')).stdlibGroup,
};

const name = process.argv[2] ?? '';
if (!isGroupName(name)) {
  process.stderr.write(`bench child: unknown group ${JSON.stringify(name)}\n`);
  process.exit(2);
}
try {
  const result = await (await groups[name]())({ quick: process.argv.includes('--quick') });
  if (process.send) {
    await new Promise<void>((resolve, reject) => process.send!({ ok: true, result }, (err: Error | null) => (err ? reject(err) : resolve())));
  } else {
    process.stderr.write(JSON.stringify(result, null, 2) + '\n');
  }
} catch (err) {
  const message = (err as Error)?.stack ?? String(err);
  if (process.send) process.send({ ok: false, error: message });
  else process.stderr.write(message + '\n');
  process.exitCode = 1;
}
