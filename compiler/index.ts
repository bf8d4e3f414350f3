/**
 * `alice/compiler`: the two front ends, restricted TypeScript and the Alice DSL (`.alice`,
 * docs/dsl.md). Checks workflow files (types and purity
 * rules) and compiles them to bundles the runtime deploys; generates the `"alice"` declarations
 * from an action catalog; formats diagnostics for people and CI.
 *
 * @example
 * import { catalogOf, checkFiles, compileFile, formatDiagnostics } from 'alice/compiler';
 * const catalog = catalogOf(standardActions({ store: 'alice.db' }));
 * const { diagnostics, files } = checkFiles(['flows/order.ts'], { catalog });
 * const { bundle } = compileFile('flows/order.ts', { catalog });
 */
export { catalogOf } from './catalog.js';
export { catalogText } from './catalog-text.js';
export type { CatalogEntry } from './catalog.js';
export { checkFiles, checkSources } from './check.js';
export type { CheckOptions, CheckResult } from './check.js';
export { compileFile, compileSource } from './compile.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { hasErrors, sortDiagnostics } from './diagnostic.js';
export { checkDslFiles, checkDslSources, compileDslFile, compileDslSource, dslCompilerVersion, dslRuleDescriptors, dslRules, parseDsl } from './dsl/index.js';
export type { DslCompileOptions, DslRule } from './dsl/index.js';
export type { Diagnostic, Severity } from './diagnostic.js';
export { formatDiagnostics } from './format.js';
export type { OutputFormat } from './format.js';
export { rules } from './rules/index.js';
export { defineRule, ruleName } from './rules/rule.js';
export type { Reference, Rule, RuleContext, RuleVisitors } from './rules/rule.js';
export { expandInputs, isDslPath, NoFilesError, readSource } from './sources.js';
export { aliceDeclarations } from './ts/declarations.js';
export { tsCompilerVersion } from './version.js';
