import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { expectPositionals } from '../args.js';
import { globalHelp, type Command } from '../command.js';
import { ExitCode } from '../exit.js';
import { compileWorkflow, isSourceFile } from '../workflow-source.js';

export const compileCommand: Command = {
  name: 'compile',
  exitWhenDone: true,
  nodeSnapshot: true,
  summary: 'check a workflow source and write its bundle (script, source map, manifest)',
  help: `Usage: alice compile FILE -o DIR

Checks FILE (restricted TypeScript, or the DSL for a .alice file) like \`alice check\` and, only if no error is found, writes the bundle to DIR:
  DIR/workflow.js       the script the sandbox runs
  DIR/workflow.js.map   the source map back to FILE (runtime errors and log lines point at FILE)
  DIR/manifest.json     name, kind, triggers, the exact actions used, their literal arguments,
                        the input schema, the code hash and the compiler version
The same source and compiler version always give the same code hash.

Options:
  -o, --out DIR         the bundle directory (created if missing)

Exit: 0 compiled, 1 the checker found errors (nothing written), 2 usage error.

${globalHelp}

Example:
  alice compile examples/order-flow/workflow.ts -o build/order-flow
  alice compile examples/order-flow/workflow.alice -o build/order-flow-dsl`,
  options: {
    out: { type: 'string', short: 'o' },
  },
  async run({ globals, values, positionals, io }) {
    const [file] = expectPositionals('compile', positionals, ['FILE']);
    const out = values.out as string | undefined;
    if (out === undefined || out === '') throw new UsageError('compile needs -o DIR, the directory to write the bundle to');
    if (!isSourceFile(file)) throw new UsageError(`compile takes a workflow source (.ts or .alice), got ${JSON.stringify(file)}`);
    const bundle = await compileWorkflow(file, globals, io);
    // Loaded here, not with the command table: it brings node:crypto, which `alice check` never needs.
    const { defaultScript } = await import('../bundle-file.js');
    try {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, defaultScript), bundle.script);
      if (bundle.sourceMap) writeFileSync(join(out, `${defaultScript}.map`), bundle.sourceMap);
      writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
    } catch (err) {
      throw new UsageError(`-o ${out}: cannot write the bundle (${(err as Error).message})`);
    }
    io.err(`compiled ${file} → ${out} (${bundle.manifest.name}, actions: ${bundle.manifest.actions.join(', ') || 'none'}, code hash ${bundle.manifest.codeHash.slice(0, 12)})`);
    return ExitCode.ok;
  },
};
