import { writeFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { expectPositionals } from '../args.js';
import { globalHelp, type Command } from '../command.js';
import { ExitCode } from '../exit.js';
import { compilerCatalog } from '../workflow-source.js';

export const typesCommand: Command = {
  name: 'types',
  exitWhenDone: true,
  nodeSnapshot: true,
  summary: 'write alice.d.ts: the "alice" module declarations of the action catalog, for editors',
  help: `Usage: alice types [-o FILE]

Writes the declarations of the "alice" module that workflows import from, generated from the
action catalog (standard actions, the examples' actions and --actions MODULE): one namespace
per action namespace, each action typed from its input and output schemas, plus sleep,
waitForEvent, now, random, log, ActionError and the Workflow metadata type. Include the file
in your editor's TypeScript project to get completion and the checker's type errors as you type.

Options:
  -o, --out FILE        where to write (default ./alice.d.ts; - for stdout)

${globalHelp}`,
  options: {
    out: { type: 'string', short: 'o' },
  },
  async run({ globals, values, positionals, io }) {
    expectPositionals('types', positionals, []);
    const out = (values.out as string | undefined) ?? 'alice.d.ts';
    const [{ aliceDeclarations }, catalog] = await Promise.all([import('../../../compiler/ts/declarations.js'), compilerCatalog(globals)]);
    const text = aliceDeclarations(catalog);
    if (out === '-') {
      process.stdout.write(text);
      return ExitCode.ok;
    }
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw new UsageError(`-o ${out}: cannot write (${(err as Error).message})`);
    }
    io.err(`wrote ${out} (${catalog.length} actions)`);
    return ExitCode.ok;
  },
};
