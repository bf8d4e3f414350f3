/**
 * The DSL's diagnostic rules: one id per kind of problem, each documented in docs/dsl.md
 * ("Diagnostics"). Ids are stable; messages may improve. Every DSL diagnostic is an error:
 * a program that has one is never compiled.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { Loc } from './ast.js';

export const dslRules = {
  'dsl/syntax': 'The text is not a DSL program: an unexpected character or token, an unclosed string or brace, or a form in the wrong place.',
  'dsl/metadata': 'The header (workflow, description, kind, trigger, hosts, input) is malformed: a bad name or kind, an unknown trigger, a bad host pattern, a repeated line, a match that is not a literal.',
  'dsl/unknown-name': 'A name is used that no let, var, parameter, loop, catch or fn declares, and that is not a standard function.',
  'dsl/unknown-action': 'A call names an action that is not in the action catalog.',
  'dsl/argument': 'A call has a missing, unknown, repeated or misplaced argument (actions take named arguments, functions positional ones).',
  'dsl/type': "A value's type does not fit where it is used: an argument, an operator, a condition, a loop, a duration, a field of a value that may be null.",
  'dsl/unknown-field': 'A field is read from (or written into) a record whose type does not have it.',
  'dsl/recursion': 'Functions call each other in a cycle; recursion is not allowed, so every workflow terminates.',
  'dsl/unreachable': 'A statement can never run: it follows a return or fail, or a catch clause follows one that catches everything.',
  'dsl/assign': 'An assignment to a name that cannot change: a let, a parameter, a loop variable, a caught error, or the input.',
  'dsl/duplicate': 'A name is declared twice where it would be ambiguous: two bindings of one name in scope, two functions, two parameters or two fields of one record.',
  'dsl/parallel': 'A parallel branch does what only sequential code may: return from the workflow, or assign a variable declared outside the parallel block.',
} as const;

export type DslRule = keyof typeof dslRules;

/** Rule descriptors for the formatters (SARIF rule list, docs links). */
export const dslRuleDescriptors: ReadonlyArray<{ id: DslRule; description: string }> = Object.entries(dslRules).map(([id, description]) => ({ id: id as DslRule, description }));

/** Collects diagnostics for one file; passes report through it and never throw. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: string) {}

  report(rule: DslRule, loc: Loc, message: string, hint?: string): void {
    this.diagnostics.push({
      rule,
      severity: 'error',
      file: this.file,
      line: loc.line,
      column: loc.column,
      endLine: loc.endLine,
      endColumn: loc.endColumn,
      message,
      ...(hint !== undefined ? { hint } : {}),
    });
  }
}
