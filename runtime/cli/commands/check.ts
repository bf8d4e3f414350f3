import { statSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { OutputFormat } from '../../../compiler/format.js';
import { UsageError } from '../../errors.js';
import { globalHelp, type Command } from '../command.js';
import { ExitCode } from '../exit.js';
import { compilerCatalog, isSourceFile } from '../workflow-source.js';

/** Up to this many files, V8's optimizing compiler is switched off (see below). */
const fewFiles = 8;

export const checkCommand: Command = {
  name: 'check',
  exitWhenDone: true,
  nodeSnapshot: true,
  summary: 'check workflow sources (types and purity rules); the CI linter',
  help: `Usage: alice check FILES_OR_GLOBS... [--format text|json|sarif|github] [--output FILE]

Type-checks restricted-TypeScript workflows against the action catalog and runs every purity
rule (docs/rules/); checks DSL workflows (.alice, docs/dsl.md) the same way. A directory means
every .alice file and every .ts file that imports from "alice" under it; a quoted glob may use
*, **, ? and {a,b}.

Options:
  --format F            text (default: file:line:col  rule  message, grouped, with a summary),
                        json ({"diagnostics":[...],"files":N}), sarif (SARIF 2.1.0, for code
                        scanning), github (annotations for GitHub Actions)
  --output FILE         write the report to FILE instead of stdout

Exit: 0 no errors, 1 errors found, 2 usage error (bad flag, no files).

${globalHelp}

Example:
  alice check 'workflows/**/*.ts' --format sarif --output alice.sarif`,
  options: {
    format: { type: 'string' },
    output: { type: 'string' },
  },
  async run({ globals, values, positionals, io }) {
    const format = (values.format as string | undefined) ?? 'text';
    const { outputFormats } = await import('../../../compiler/format.js');
    if (!(outputFormats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${outputFormats.join(', ')}, got ${JSON.stringify(format)}`);
    if (positionals.length === 0) throw new UsageError('check needs FILES_OR_GLOBS: the workflow files to check (see alice check --help)');
    // A named file the checker cannot read as a workflow (workflow.js, README.md) would be
    // reported as "no problems" without a rule having looked at it: a CI linter must not pass it.
    for (const p of positionals) {
      if (/[*?{]/.test(p) || isSourceFile(p) || !isFile(p)) continue;
      throw new UsageError(`${p}: not a workflow source; alice check reads restricted TypeScript (.ts) and the DSL (.alice)`);
    }
    // The inputs are expanded before TypeScript is loaded (sources.js does not load it).
    const { expandInputs, NoFilesError } = await import('../../../compiler/sources.js');
    let files: string[];
    try {
      files = expandInputs(positionals);
    } catch (err) {
      if (err instanceof NoFilesError) throw new UsageError(err.message);
      throw err;
    }
    // A few files are checked in well under a second, before V8's optimizing compiler would
    // pay off: its background compiles only cost CPU then (≈ 25 % of a one-file check).
    if (files.length <= fewFiles) setFlagsFromString('--no-opt');
    // Only what the inputs need is loaded: a check of .ts files never loads the DSL, and one of
    // .alice files never loads TypeScript.
    const { isDslPath, readSource } = await import('../../../compiler/sources.js');
    const reads = files.map(readSource);
    const dslReads = reads.filter((r) => r.ok && isDslPath(r.path));
    const tsSources = reads.flatMap((r) => (r.ok && !isDslPath(r.path) ? [{ path: r.path, text: r.text }] : []));
    const [{ sortDiagnostics, hasErrors }, { formatDiagnostics }, { dslRuleDescriptors }, catalog] = await Promise.all([
      import('../../../compiler/diagnostic.js'),
      import('../../../compiler/format.js'),
      import('../../../compiler/dsl/rules.js'),
      compilerCatalog(globals),
    ]);
    const diagnostics = reads.flatMap((r) => (r.ok ? [] : [r.diagnostic]));
    if (tsSources.length > 0) {
      const { checkTypeScript } = await import('../../../compiler/ts/check-sources.js');
      diagnostics.push(...checkTypeScript(tsSources, { catalog }));
    }
    if (dslReads.length > 0) {
      const { checkDslSources } = await import('../../../compiler/dsl/compile.js');
      diagnostics.push(...checkDslSources(dslReads, { catalog }));
    }
    // Only SARIF lists the rules; the TypeScript rules' modules load TypeScript.
    const { tsCompilerVersion } = await import('../../../compiler/version.js');
    const tsRules = format === 'sarif' ? await import('../../../compiler/rules/index.js') : null;
    const report = formatDiagnostics(sortDiagnostics(diagnostics), {
      format: format as OutputFormat,
      files: files.length,
      rules: [
        ...(tsRules?.rules ?? []).map((r) => ({ id: tsRules!.ruleName(r), description: r.description, helpUri: `https://github.com/alice-workflows/alice/blob/main/docs/rules/${r.id}.md` })),
        ...dslRuleDescriptors.map((r) => ({ id: r.id, description: r.description, helpUri: 'https://github.com/alice-workflows/alice/blob/main/docs/dsl.md#diagnostics' })),
      ],
      toolVersion: tsCompilerVersion(),
    });
    const output = values.output as string | undefined;
    if (output !== undefined) {
      try {
        writeFileSync(output, report);
      } catch (err) {
        throw new UsageError(`--output ${output}: cannot write (${(err as Error).message})`);
      }
    } else {
      process.stdout.write(report);
    }
    return hasErrors(diagnostics) ? ExitCode.failed : ExitCode.ok;
  },
};

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
