/**
 * `npm run bench`: runs each figure group in its own node process (clean heap for the RSS
 * figure, no JIT state shared between groups), then prints one JSON line per figure on stdout,
 * `{"name","value","unit"}`, and a table with targets to stderr. Nothing else goes to stdout
 * (use `npm run -s bench` so that npm's own banner stays off stdout too).
 *
 * Options: --only steps,replay,latency,throughput,sleeping,check,dsl,kb,stdlib   --quick (fewer repetitions)
 *          --cpu-prof-dir DIR (each child writes a .cpuprofile there)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { groupOrder, isGroupName, type GroupName } from './groups.js';
import type { Figure, GroupResult, Note } from './harness.js';
import { formatTable } from './table.js';

interface Options {
  only: GroupName[];
  quick: boolean;
  profDir: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { only: [...groupOrder], quick: false, profDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') options.quick = true;
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',').filter((x) => x !== '');
      const bad = names.filter((n) => !isGroupName(n));
      if (bad.length > 0 || names.length === 0) throw new Error(`--only takes a comma-separated list of ${groupOrder.join(', ')}; got ${argv[i] ?? 'nothing'}`);
      options.only = names as GroupName[];
    } else if (a === '--cpu-prof-dir') options.profDir = argv[++i] ?? null;
    else throw new Error(`unknown option ${a}; options: --only GROUPS, --quick, --cpu-prof-dir DIR`);
  }
  return options;
}

type ChildMessage = { ok: true; result: GroupResult } | { ok: false; error: string };

/** Runs one group in a child node; its stdout is sent to our stderr so stdout stays JSON. */
function runGroup(name: GroupName, options: Options): Promise<GroupResult> {
  const childPath = fileURLToPath(new URL('./child.js', import.meta.url));
  const execArgv = ['--no-node-snapshot', '--expose-gc'];
  if (options.profDir !== null) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  return new Promise((resolve, reject) => {
    const child = fork(childPath, [name, ...(options.quick ? ['--quick'] : [])], { execArgv, stdio: ['ignore', 2, 2, 'ipc'] });
    let message: ChildMessage | null = null;
    child.on('message', (m) => (message = m as ChildMessage));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const m = message as ChildMessage | null;
      if (m?.ok) resolve(m.result);
      else reject(new Error(`bench group ${name} failed (exit ${code ?? signal}): ${m && !m.ok ? m.error : 'no result'}`));
    });
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const figures: Figure[] = [];
  const notes: Note[] = [];
  let failed = false;
  for (const name of options.only) {
    const t0 = performance.now();
    process.stderr.write(`bench: ${name} …\n`);
    try {
      const result = await runGroup(name, options);
      for (const f of result.figures) {
        process.stdout.write(JSON.stringify({ name: f.name, value: f.value, unit: f.unit }) + '\n');
        figures.push(f);
      }
      notes.push(...result.notes);
      process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`${(err as Error).message}\n`);
    }
  }
  process.stderr.write('\n' + formatTable(figures, notes, (performance.now() - started) / 1000) + '\n');
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
