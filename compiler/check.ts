import type { CatalogEntry } from './catalog.js';
import { checkDslSources } from './dsl/compile.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';
import type { Rule } from './rules/rule.js';
import { isDslPath, readSource, type ReadResult } from './sources.js';
import { checkTypeScript } from './ts/check-sources.js';
import type { SourceText } from './ts/program.js';

export interface CheckOptions {
  /** The action catalog workflows are checked against. */
  catalog: readonly CatalogEntry[];
  /** The rules to run (default: all). */
  rules?: readonly Rule[];
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** How many files were checked. */
  files: number;
}

/**
 * Checks workflow files: type errors and every purity rule, with one shared TypeScript program
 * for all the .ts files; .alice files go to the DSL checker (rules `dsl/…`, docs/dsl.md).
 * Problems in the files are diagnostics; this never throws for bad input.
 *
 * @example
 * const { diagnostics } = checkFiles(['flows/a.ts'], { catalog: catalogOf(actions) });
 */
export function checkFiles(paths: readonly string[], options: CheckOptions): CheckResult {
  return checkSources(paths.map(readSource), options);
}

/** Checks sources already read (or the diagnostics of files that could not be). */
export function checkSources(results: readonly ReadResult[], options: CheckOptions): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceText[] = [];
  const dsl: ReadResult[] = [];
  for (const r of results) {
    if (r.ok && isDslPath(r.path)) dsl.push(r);
    else if (r.ok) sources.push({ path: r.path, text: r.text });
    else diagnostics.push(r.diagnostic);
  }
  if (dsl.length > 0) diagnostics.push(...checkDslSources(dsl, { catalog: options.catalog }));
  diagnostics.push(...checkTypeScript(sources, options));
  return { diagnostics: sortDiagnostics(diagnostics), files: results.length };
}
