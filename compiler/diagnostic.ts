/**
 * Problems in a user's workflow source are data, not exceptions: every pass returns
 * `Diagnostic[]` and the CLI decides whether to fail (STYLE.md, "Diagnostics as data").
 */

/** `error` fails `alice check` and refuses `alice compile`; `warning` is reported only. */
export type Severity = 'error' | 'warning';

/**
 * One finding at a span of the author's source. `line`/`column` are 1-based and the end is
 * exclusive (the character after the span), as editors and SARIF count.
 *
 * @example
 * { rule: 'alice/no-wall-clock', severity: 'error', file: 'wf.ts', line: 3, column: 13,
 *   endLine: 3, endColumn: 23, message: 'Date.now() reads the wall clock, …', hint: 'use now()' }
 */
export interface Diagnostic {
  /** `alice/<rule>` for purity and language rules, `ts<code>` for TypeScript's own diagnostics. */
  rule: string;
  severity: Severity;
  /** The path as the user gave it (relative paths stay relative). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** How to fix it, when there is a known fix. */
  hint?: string;
}

/** Diagnostics sorted by file, then position, then rule: stable output for humans and diffs. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/** True when any diagnostic is an error (`alice check` exits 1, `alice compile` refuses). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
