/**
 * The `check` figures: `alice check` as CI runs it, a new process per invocation, on 2 cores.
 * - `check_one_file_ms`: one ~100-line workflow, start-up included (Node, TypeScript, libs).
 * - `check_500_files_ms`: 500 generated workflows of ~100 lines in one invocation.
 * Each runs the `alice` command itself (runtime/cli/alice, package.json's bin), which starts
 * Node for `check` with its startup snapshot. The first invocation writes the V8 code cache of
 * TypeScript (node_modules/.cache/alice); it is run once untimed, as any CI run after the first
 * finds the cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { catalogOf } from '../compiler/catalog.js';
import { aliceDeclarations } from '../compiler/ts/declarations.js';
import { loadCatalog } from '../runtime/cli/open.js';
import { median, round, scratch, type GroupResult } from './harness.js';
import { generatedWorkflow } from './workflow-gen.js';

// From dist/bench: the launcher is a source file (a shell script), not built.
const launcher = fileURLToPath(new URL('../../runtime/cli/alice', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/lib/tsc.js');

/** Wall and CPU time of one `alice check` process; throws unless every file passed. */
function timeCheck(cwd: string, args: string[]): { wallMs: number } {
  const started = performance.now();
  const r = spawnSync(launcher, ['check', ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`alice check ${args.join(' ')} exited ${r.status}:\n${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
  return { wallMs };
}

export async function checkGroup(options: { quick: boolean }): Promise<GroupResult> {
  const s = scratch('check');
  try {
    const dir = join(s.dir, 'workflows');
    mkdirSync(dir);
    for (let i = 0; i < 500; i++) writeFileSync(join(dir, `w${i}.ts`), generatedWorkflow(i));
    const one = join(dir, 'w0.ts');
    timeCheck(s.dir, [one]); // warm-up: writes the V8 code cache if it is missing

    const oneRuns = options.quick ? 3 : 9;
    const oneMs: number[] = [];
    for (let i = 0; i < oneRuns; i++) oneMs.push(timeCheck(s.dir, [one]).wallMs);

    // The floor: TypeScript's own type check of the same files (tsc --noEmit with the same
    // options and the generated "alice" declarations), which alice check cannot skip. The two
    // alternate, so that the machine's load drifting during the group weighs on both alike.
    writeFileSync(join(dir, 'alice.d.ts'), aliceDeclarations(catalogOf(await loadCatalog({ store: ':memory:', actions: null, tenant: 'default', tenantGiven: false, permissions: ['*'], durability: 'process' }))));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], noEmit: true, skipLibCheck: true }, include: ['*.ts'] }));
    const manyRuns = options.quick ? 1 : 3;
    const manyMs: number[] = [];
    const tscMs: number[] = [];
    for (let i = 0; i < manyRuns; i++) {
      // The directory's alice.d.ts is not a workflow to alice check (a declaration file).
      manyMs.push(timeCheck(s.dir, [dir]).wallMs);
      const started = performance.now();
      const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', timeout: 300_000 });
      if (r.status !== 0) throw new Error(`tsc on the generated workflows failed:\n${r.stdout.slice(0, 2000)}`);
      tscMs.push(performance.now() - started);
    }

    const lines = generatedWorkflow(0).split('\n').length;
    return {
      figures: [
        {
          name: 'check_one_file_ms',
          value: round(median(oneMs)),
          unit: 'ms',
          target: { op: '<=', value: 800 },
          how: `alice check on one ${lines}-line workflow in a new process, wall time, median of ${oneRuns}`,
          samples: oneMs.map((x) => round(x)),
        },
        {
          name: 'check_500_files_ms',
          value: round(median(manyMs)),
          unit: 'ms',
          target: { op: '<=', value: 5000 },
          how: `alice check on a directory of 500 generated ~${lines}-line workflows, one process, wall time, median of ${manyRuns}`,
          samples: manyMs.map((x) => round(x)),
        },
        {
          name: 'tsc_500_files_ms',
          value: round(median(tscMs)),
          unit: 'ms',
          how: `tsc --noEmit alone on the same 500 files (same options, the generated alice.d.ts), wall time, median of ${manyRuns}: the type check alice check includes`,
          samples: tscMs.map((x) => round(x)),
        },
      ],
      notes: [
        { label: 'check: 500 files vs tsc --noEmit alone', text: `${(median(manyMs) / median(tscMs)).toFixed(2)}×` },
        { label: 'check: per file in the 500', text: `${(median(manyMs) / 500).toFixed(1)} ms` },
        { label: 'check: baselines on this machine (issue 4)', text: 'ESLint 9 + typescript-eslint 8 typed: 1.5 s one file, 9.4 s for 500; tsc --noEmit alone: 3.1 s for 500' },
      ],
    };
  } finally {
    s.dispose();
  }
}
