import type { CatalogEntry } from '../catalog.js';
import type { Diagnostic } from '../diagnostic.js';
import { rules as allRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { checkSourceFile } from './check.js';
import { aliceDeclarations } from './declarations.js';
import { workflowInput } from './input.js';
import { createWorkflowProgram, programPath, type SourceText } from './program.js';

/**
 * Checks TypeScript workflow sources with one Program shared by all of them: type errors and
 * every rule. Used by `checkSources` and, without loading the DSL, by `alice check`.
 */
export function checkTypeScript(sources: readonly SourceText[], options: { catalog: readonly CatalogEntry[]; rules?: readonly Rule[] }): Diagnostic[] {
  if (sources.length === 0) return [];
  const diagnostics: Diagnostic[] = [];
  const program = createWorkflowProgram(sources, aliceDeclarations(options.catalog), 'check');
  const files = sources.flatMap((s) => {
    const sf = program.getSourceFile(programPath(s.path));
    return sf === undefined ? [] : [{ sf, display: s.path }];
  });
  // TypeScript checks every file before any rule runs: the program keeps each file's
  // diagnostics, and checkSourceFile finds them there. Checking and the rules' walk interleaved
  // file by file took ≈ 4 % longer for 500 files (docs/benchmarks.md, session 15): V8 keeps
  // each phase's code hot when it runs alone.
  for (const { sf } of files) {
    try {
      if (program.getSyntacticDiagnostics(sf).length === 0) program.getSemanticDiagnostics(sf);
    } catch {
      // A file too deep for TypeScript's checker: checkSourceFile asks again and reports it.
    }
  }
  const checker = program.getTypeChecker();
  for (const { sf, display } of files) {
    diagnostics.push(...checkSourceFile(program, sf, display, options.rules ?? allRules));
    // What compile refuses in the input type, check reports too (not when a caller, such as a
    // rule's tests, asked for some rules only).
    if (options.rules === undefined) diagnostics.push(...workflowInput(checker, sf, display).diagnostics);
  }
  return diagnostics;
}
