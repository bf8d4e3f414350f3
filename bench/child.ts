/**
 * Runs one figure group in this process and sends its result to the parent over IPC.
 * Run it directly to profile one group:
 *   node --no-node-snapshot --expose-gc --cpu-prof dist/bench/child.js steps [--quick]
 * Without a parent the result is printed to stderr as JSON.
 */
import { checkGroup } from './check.js';
import { dslGroup } from './dsl.js';
import { isGroupName, type GroupName } from './groups.js';
import { kbGroup } from './kb.js';
import type { GroupResult } from './harness.js';
import { latencyGroup } from './latency.js';
import { replayGroup } from './replay.js';
import { sleepingGroup } from './sleeping.js';
import { stdlibGroup } from './stdlib.js';
import { stepsGroup } from './steps.js';
import { throughputGroup } from './throughput.js';

const groups: Record<GroupName, (options: { quick: boolean }) => Promise<GroupResult>> = {
  steps: stepsGroup,
  replay: replayGroup,
  latency: latencyGroup,
  throughput: throughputGroup,
  sleeping: sleepingGroup,
  check: checkGroup,
  dsl: dslGroup,
  kb: kbGroup,
  stdlib: stdlibGroup,
};

const name = process.argv[2] ?? '';
if (!isGroupName(name)) {
  process.stderr.write(`bench child: unknown group ${JSON.stringify(name)}\n`);
  process.exit(2);
}
try {
  const result = await groups[name]({ quick: process.argv.includes('--quick') });
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
