import ts from './typescript.cjs';
import type { Diagnostic } from '../diagnostic.js';
import { ruleName, type Rule, type RuleVisitors } from '../rules/rule.js';
import { FileFacts } from './facts.js';
import { isStackOverflow, tooDeepToParse } from './program.js';
import { walkFile } from './walk.js';

/** TypeScript's "cannot find name" family: when a rule explains the same name, its message is the useful one. */
const unknownNameCodes = new Set([2304, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2662, 2663, 2868]);

/**
 * Checks one workflow file of a program: TypeScript's syntax and type errors, then every rule
 * in one walk. `display` is the path diagnostics name (as the user gave it).
 */
export function checkSourceFile(program: ts.Program, sf: ts.SourceFile, display: string, rules: readonly Rule[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const syntactic = program.getSyntacticDiagnostics(sf);
  for (const d of syntactic) out.push(fromTs(d, sf, display));
  // A file that does not parse still gets its type errors skipped: they would be noise.
  if (syntactic.length > 0) return out;
  const checker = program.getTypeChecker();
  if (tooDeepToParse(program, sf)) return [tooDeep(sf, display, 'TypeScript\'s parser')];
  // Type-check first: the rules then ask the checker about nodes it has already checked in
  // context (cached), instead of making it check them out of order.
  let semantic: readonly ts.Diagnostic[];
  try {
    semantic = program.getSemanticDiagnostics(sf);
  } catch (err) {
    if (!isStackOverflow(err)) throw err;
    return [tooDeep(sf, display, 'TypeScript\'s type checker')];
  }
  const reported = new Set<number>();
  try {
    const facts = new FileFacts(program, checker, sf);
    const visitors: RuleVisitors[] = rules.map((rule) =>
      rule.create({
        checker: facts.checker,
        sourceFile: sf,
        facts,
        report(node, message, hint) {
          const start = node.getStart(sf);
          reported.add(start);
          out.push(at(sf, display, start, node.getEnd(), ruleName(rule), message, hint));
        },
      }),
    );
    // A rule that throws on some code yields one alice/internal-error diagnostic there and
    // stays silent for the rest of the file, so the other rules still run and the file still
    // fails (the checker never passes what it could not check).
    walkFile(facts, visitors, (index, node, err) => out.push(internalError(sf, display, node, `rule ${ruleName(rules[index])} failed on this code (${errorText(err)})`, err)));
  } catch (err) {
    out.push(internalError(sf, display, sf, `the checker failed on this file (${errorText(err)})`, err));
  }
  for (const d of semantic) {
    if (unknownNameCodes.has(d.code) && d.start !== undefined && reported.has(d.start)) continue;
    const diag = fromTs(d, sf, display);
    if (diag !== null) out.push(diag);
  }
  return dedupe(out);
}

/** One diagnostic per rule and span: a chain seen through two aliases is reported once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.rule}:${d.line}:${d.column}:${d.endLine}:${d.endColumn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** An error at a node (the whole file: its start) of a workflow file. */
export function diagnosticAt(sf: ts.SourceFile, file: string, node: ts.Node, rule: string, message: string, hint?: string): Diagnostic {
  return node === sf ? at(sf, file, 0, 0, rule, message, hint) : at(sf, file, node.getStart(sf), node.getEnd(), rule, message, hint);
}

function at(sf: ts.SourceFile, file: string, start: number, end: number, rule: string, message: string, hint?: string): Diagnostic {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(Math.max(end, start));
  return {
    rule,
    severity: 'error',
    file,
    line: s.line + 1,
    column: s.character + 1,
    endLine: e.line + 1,
    endColumn: e.character + 1,
    message,
    ...(hint !== undefined ? { hint } : {}),
  };
}

/** A TypeScript diagnostic of a file as ours (rule `ts<code>`). */
export function fromTs(d: ts.Diagnostic, sf: ts.SourceFile, file: string): Diagnostic {
  const start = d.start ?? 0;
  const diag = at(sf, file, start, start + (d.length ?? 0), `ts${d.code}`, ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (d.category === ts.DiagnosticCategory.Warning) diag.severity = 'warning';
  return diag;
}

/** A file nested deeper than the checker's stack: refused, with what to do about it. */
function tooDeep(sf: ts.SourceFile, file: string, who: string): Diagnostic {
  return diagnosticAt(sf, file, sf, 'alice/too-deep', `the code is nested too deeply for ${who} (hundreds or thousands of levels: parentheses, a long chain of + or ?:, nested calls): the file is refused because it could not be checked`, 'split the expression: give its parts names (const a = …; const b = a + …)');
}

function internalError(sf: ts.SourceFile, file: string, node: ts.Node, what: string, err?: unknown): Diagnostic {
  if (err !== undefined && isStackOverflow(err)) return tooDeep(sf, file, 'the checker');
  return diagnosticAt(sf, file, node, 'alice/internal-error', `${what}: this is a bug in Alice's checker; the file is refused because it could not be checked`, 'report it with the file');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}
