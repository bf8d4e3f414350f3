import { expectPositionals } from '../args.js';
import { globalHelp, type Command } from '../command.js';
import { ExitCode } from '../exit.js';
import { compilerCatalog } from '../workflow-source.js';

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'print the action catalog: for people, for an LLM writing a workflow, or as JSON',
  help: `Usage: alice catalog [--json]

Prints every action a workflow may call (standard actions, the examples' actions and --actions
MODULE): what it does, the permission it needs, and its argument and result types. The text is
meant for people and for the prompt of an LLM that writes a workflow; --json prints the entries
with their JSON Schemas, one per line.

Options:
  --json                one {name, description, permission, input, output} per line

${globalHelp}`,
  options: { json: { type: 'boolean' } },
  async run({ globals, values, positionals, io }) {
    expectPositionals('catalog', positionals, []);
    const catalog = await compilerCatalog(globals);
    if (values.json === true) {
      for (const a of catalog) io.out(JSON.stringify(a));
      return ExitCode.ok;
    }
    const { catalogText } = await import('../../../compiler/catalog-text.js');
    io.out(catalogText(catalog).trimEnd());
    return ExitCode.ok;
  },
};
