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
 * or `export default name` / `export { name as default }` where `name` is a function declaration
 * or a `const` function of the file.
 */
export function defaultExportOf(sf: ts.SourceFile, checker: ts.TypeChecker): DefaultExport {
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && (ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault) {
      return { kind: 'function', fn: stmt, node: stmt };
    }
    if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) {
      const e = skipOuter(stmt.expression);
      if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return { kind: 'function', fn: e, node: stmt };
      const fn = ts.isIdentifier(e) ? functionNamed(e, checker) : undefined;
      return fn !== undefined ? { kind: 'function', fn, node: stmt } : { kind: 'not-a-function', node: stmt.expression };
    }
    const spec = defaultExportSpecifier(stmt);
    if (spec !== undefined) {
      const local = spec.propertyName ?? spec.name;
      const fn = ts.isIdentifier(local) ? functionNamed(local, checker) : undefined;
      return fn !== undefined ? { kind: 'function', fn, node: spec } : { kind: 'not-a-function', node: spec };
    }
  }
  return { kind: 'missing' };
}

/** `run as default` in `export { run as default }` (a local export, not a re-export). */
export function defaultExportSpecifier(stmt: ts.Statement): ts.ExportSpecifier | undefined {
  if (!ts.isExportDeclaration(stmt) || stmt.isTypeOnly || stmt.moduleSpecifier !== undefined || stmt.exportClause === undefined || !ts.isNamedExports(stmt.exportClause)) return undefined;
  return stmt.exportClause.elements.find((el) => !el.isTypeOnly && el.name.text === 'default');
}

/** The function a name of the file stands for: a function declaration or a `const` bound to a function expression. */
function functionNamed(name: ts.Identifier, checker: ts.TypeChecker): WorkflowFunction | undefined {
  let sym = checker.getSymbolAtLocation(name);
  // In `export { run as default }` the name is an export specifier's: its local is the function.
  if (sym !== undefined && sym.flags & ts.SymbolFlags.Alias && ts.isExportSpecifier(name.parent)) sym = checker.getExportSpecifierLocalTargetSymbol(name.parent);
  const decl = sym?.declarations?.[0];
  if (decl !== undefined && ts.isFunctionDeclaration(decl)) return decl;
  if (decl !== undefined && ts.isVariableDeclaration(decl) && isConst(decl) && decl.initializer !== undefined) {
    const init = skipOuter(decl.initializer);
    if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return init;
  }
  return undefined;
}

/** `this: void`: a type for `this`, not a parameter (TypeScript erases it). */
export function isThisParameter(p: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(p.name) && p.name.text === 'this';
}
