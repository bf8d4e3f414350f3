import ts from './typescript.cjs';
import { isConst, skipOuter } from './references.js';

export type WorkflowFunction = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction;

/** What a module's default export is. */
export type DefaultExport =
  | { kind: 'missing' }
  | { kind: 'not-a-function'; node: ts.Node }
  | { kind: 'function'; fn: WorkflowFunction; node: ts.Node };

/**
 * Finds the workflow function: `export default async function …`, `export default async (…) =>`,
 * or `export default name` where `name` is a function declaration or a `const` function of the file.
 */
export function defaultExportOf(sf: ts.SourceFile, checker: ts.TypeChecker): DefaultExport {
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && (ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault) {
      return { kind: 'function', fn: stmt, node: stmt };
    }
    if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) {
      const e = skipOuter(stmt.expression);
      if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return { kind: 'function', fn: e, node: stmt };
      if (ts.isIdentifier(e)) {
        const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
        if (decl !== undefined && ts.isFunctionDeclaration(decl)) return { kind: 'function', fn: decl, node: stmt };
        if (decl !== undefined && ts.isVariableDeclaration(decl) && isConst(decl) && decl.initializer !== undefined) {
          const init = skipOuter(decl.initializer);
          if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return { kind: 'function', fn: init, node: stmt };
        }
      }
      return { kind: 'not-a-function', node: stmt.expression };
    }
  }
  return { kind: 'missing' };
}
