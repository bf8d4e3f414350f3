import type { CatalogEntry } from '../catalog.js';
import type { Diagnostic } from '../diagnostic.js';
import { rules as allRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { checkSourceFile } from './check.js';
import { aliceDeclarations } from './declarations.js';
import { createWorkflowProgram, programPath, type SourceText } from './program.js';

/**
 * Checks TypeScript workflow sources with one Program shared by all of them: type errors and
 * every rule. Used by `checkSources` and, without loading the DSL, by `alice check`.
 */
export function checkTypeScript(sources: readonly SourceText[], options: { catalog: readonly CatalogEntry[]; rules?: readonly Rule[] }): Diagnostic[] {
  if (sources.length === 0) return [];
  const diagnostics: Diagnostic[] = [];
  const program = createWorkflowProgram(sources, aliceDeclarations(options.catalog), 'check');
  for (const s of sources) {
    const sf = program.getSourceFile(programPath(s.path));
    if (sf === undefined) continue;
    diagnostics.push(...checkSourceFile(program, sf, s.path, options.rules ?? allRules));
  }
  return diagnostics;
}
