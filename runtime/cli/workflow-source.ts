import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogEntry } from '../../compiler/catalog.js';
import type { Bundle } from '../bundle.js';
import { BundleError, UsageError } from '../errors.js';
import type { GlobalOptions } from './args.js';
import type { Io } from './command.js';

/** Thrown when a source file fails the checker: the diagnostics were printed already. */
export class CheckFailedError extends BundleError {
  constructor(file: string, errors: number) {
    super(`${file}: ${errors} ${errors === 1 ? 'error' : 'errors'} found by the checker; code that fails the checker is never compiled or run`, 'script');
  }
}

/** Whether a path names a workflow source (compiled on the fly) rather than a bundle. */
export function isSourceFile(path: string): boolean {
  return (path.endsWith('.ts') && !path.endsWith('.d.ts')) || path.endsWith('.alice');
}

/** The file a workflow source is compiled from, shown as the source of the bundle. */
export const sourceInDirectory = 'workflow.ts';
/** The DSL source a directory may hold instead; `workflow.ts` wins when both are there. */
export const dslSourceInDirectory = 'workflow.alice';

/**
 * What `alice run PATH` runs: a `.ts` or `.alice` source, or a directory holding `workflow.ts`
 * (else `workflow.alice`) and no `manifest.json` (a source directory, like examples/order-flow),
 * or else a bundle.
 */
export function workflowSourceOf(path: string): string | null {
  if (isSourceFile(path)) return path;
  if (existsSync(join(path, 'manifest.json'))) return null;
  for (const name of [sourceInDirectory, dslSourceInDirectory]) {
    const candidate = join(path, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The catalog as the compiler sees it: the same actions the engine of this command line runs
 * (standard, examples, `--actions`), so a workflow is checked against what will serve it.
 */
export async function compilerCatalog(globals: GlobalOptions): Promise<CatalogEntry[]> {
  // The standard and example actions' entries come prebuilt (compiler/catalog.ts,
  // prebuiltCatalog): a check loads actions only when --actions names a module of them.
  const [{ standardCatalog }, { exampleCatalog }] = await Promise.all([import('../../stdlib/catalog.js'), import('./example-catalog.js')]);
  const byName = new Map([...(await standardCatalog()), ...(await exampleCatalog())].map((e) => [e.name, e]));
  if (globals.actions !== null) {
    const [{ importActions }, { catalogOf }] = await Promise.all([import('./open.js'), import('../../compiler/catalog.js')]);
    for (const e of catalogOf(await importActions(globals.actions, globals.store))) byName.set(e.name, e);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Compiles a workflow source to a bundle, printing its diagnostics (warnings too) on stderr.
 * The compiler is loaded only here: commands on bundles never pay for it, and a .alice file
 * loads only the DSL front end, never TypeScript.
 */
export async function compileWorkflow(path: string, globals: GlobalOptions, io: Io): Promise<Bundle> {
  const [{ readSource }, { formatDiagnostics }, catalog] = await Promise.all([import('../../compiler/sources.js'), import('../../compiler/format.js'), compilerCatalog(globals)]);
  const source = readSource(path);
  if (!source.ok && source.diagnostic.rule === 'alice/unreadable-file') throw new UsageError(source.diagnostic.message);
  let result: { bundle: Bundle | null; diagnostics: import('../../compiler/diagnostic.js').Diagnostic[] };
  let rules: Array<{ id: string; description: string }>;
  let toolVersion: string;
  if (path.endsWith('.alice')) {
    const dsl = await import('../../compiler/dsl/index.js');
    result = dsl.compileDslSource(source, { catalog });
    rules = [...dsl.dslRuleDescriptors];
    toolVersion = dsl.dslCompilerVersion();
  } else {
    const ts = await import('../../compiler/index.js');
    result = ts.compileSource(source, { catalog });
    rules = ts.rules.map((r) => ({ id: ts.ruleName(r), description: r.description }));
    toolVersion = ts.tsCompilerVersion();
  }
  const { bundle, diagnostics } = result;
  if (diagnostics.length > 0) {
    const text = formatDiagnostics(diagnostics, { format: 'text', files: 1, rules, toolVersion });
    for (const line of text.replace(/\n$/, '').split('\n')) io.err(line);
  }
  if (bundle === null) throw new CheckFailedError(path, diagnostics.filter((d) => d.severity === 'error').length);
  return bundle;
}
