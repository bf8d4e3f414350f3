/**
 * The Alice DSL front end (docs/dsl.md): `.alice` files compiled to the same bundle ABI as
 * restricted TypeScript. Lexer and parser (chevrotain), CST → AST, checker, lowering with a
 * source map, manifest.
 *
 * @example
 * import { compileDslFile } from './dsl/index.js';
 * const { bundle, diagnostics } = compileDslFile('flows/order.alice', { catalog });
 */
export { checkDslFiles, checkDslSources, compileDslFile, compileDslSource, dslCompilerVersion } from './compile.js';
export type { DslCompileOptions } from './compile.js';
export { parseDsl, DslParser } from './parser.js';
export { dslRuleDescriptors, dslRules } from './rules.js';
export type { DslRule } from './rules.js';
export { stdlib as dslStdlib } from './stdlib.js';
