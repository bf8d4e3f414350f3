import ts from '../ts/typescript.cjs';
import { aliceModule } from '../ts/declarations.js';
import { hasExport, metadataExport } from '../ts/metadata.js';
import { defaultExportSpecifier } from '../ts/workflow.js';

/**
 * Rewrites a checked workflow module into the bundle ABI of DESIGN §10:
 *
 * ```js
 * export default async function (input$, actions$) {
 *   const { kv, sleep } = actions$;     // the "alice" imports, bound from the bridged actions
 *   …the module's own statements…        // helpers, constants, the workflow function
 *   return main$(input$);
 * }
 * ```
 *
 * The module body moves inside the function, so each execution evaluates it afresh in its
 * fresh context, and the names the module imports from "alice" are bound from the `actions`
 * object the engine passes. `ActionError` is the sandbox's own global. The metadata export is
 * dropped (it is in the manifest). Original nodes keep their positions, so TypeScript's source
 * map still points every line at the author's file.
 */
export function abiTransformer(checker: ts.TypeChecker, sf: ts.SourceFile): ts.TransformerFactory<ts.SourceFile> {
  const taken = collectIdentifiers(sf);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return name;
  };
  const inputName = fresh('input$');
  const actionsName = fresh('actions$');
  const mainName = fresh('main$');

  return (context) => (file) => {
    const f = context.factory;
    const bindings: ts.BindingElement[] = [];
    const globals: ts.VariableDeclaration[] = [];
    const body: ts.Statement[] = [];
    for (const stmt of file.statements) {
      if (ts.isImportDeclaration(stmt)) {
        if (ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text === aliceModule) collectImports(stmt, checker, f, bindings, globals);
        continue;
      }
      if (ts.isVariableStatement(stmt) && hasExport(stmt) && stmt.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === metadataExport)) continue;
      if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) continue;
      // `export { run as default }`: the workflow is `run`; other names it exports are refused by the checker.
      const spec = defaultExportSpecifier(stmt);
      if (spec !== undefined) {
        body.push(ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(mainName, undefined, undefined, f.createIdentifier((spec.propertyName ?? spec.name).text))], ts.NodeFlags.Const)), stmt));
        continue;
      }
      if (ts.isExportAssignment(stmt)) {
        body.push(ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(mainName, undefined, undefined, stmt.expression)], ts.NodeFlags.Const)), stmt));
        continue;
      }
      if (ts.isFunctionDeclaration(stmt) && (ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault) {
        const name = stmt.name?.text ?? mainName;
        const modifiers = (ts.getModifiers(stmt) ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
        body.push(f.updateFunctionDeclaration(stmt, modifiers, stmt.asteriskToken, f.createIdentifier(name), stmt.typeParameters, stmt.parameters, stmt.type, stmt.body));
        if (name !== mainName) body.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(mainName, undefined, undefined, f.createIdentifier(name))], ts.NodeFlags.Const)));
        continue;
      }
      body.push(stmt);
    }
    const prologue: ts.Statement[] = [];
    if (bindings.length > 0) {
      prologue.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(f.createObjectBindingPattern(bindings), undefined, undefined, f.createIdentifier(actionsName))], ts.NodeFlags.Const)));
    }
    if (globals.length > 0) prologue.push(f.createVariableStatement(undefined, f.createVariableDeclarationList(globals, ts.NodeFlags.Const)));
    const run = f.createReturnStatement(f.createCallExpression(f.createIdentifier(mainName), undefined, [f.createIdentifier(inputName)]));
    const wrapper = f.createFunctionDeclaration(
      [f.createModifier(ts.SyntaxKind.ExportKeyword), f.createModifier(ts.SyntaxKind.DefaultKeyword), f.createModifier(ts.SyntaxKind.AsyncKeyword)],
      undefined,
      undefined,
      undefined,
      [f.createParameterDeclaration(undefined, undefined, inputName), f.createParameterDeclaration(undefined, undefined, actionsName)],
      undefined,
      f.createBlock([...prologue, ...body, run], true),
    );
    return f.updateSourceFile(file, [wrapper]);
  };
}

/** `import { kv, sleep as pause, ActionError as E }` → `const { kv, sleep: pause } = actions$` and `const E = ActionError` (the sandbox global). */
function collectImports(stmt: ts.ImportDeclaration, checker: ts.TypeChecker, f: ts.NodeFactory, bindings: ts.BindingElement[], globals: ts.VariableDeclaration[]): void {
  const clause = stmt.importClause;
  if (clause === undefined || clause.isTypeOnly) return;
  const named = clause.namedBindings;
  if (named === undefined || !ts.isNamedImports(named)) return;
  for (const spec of named.elements) {
    if (spec.isTypeOnly) continue;
    const sym = checker.getSymbolAtLocation(spec.name);
    const target = sym !== undefined && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    if (target === undefined || !(target.flags & ts.SymbolFlags.Value)) continue;
    const imported = (spec.propertyName ?? spec.name).text;
    const local = spec.name.text;
    if (imported === 'ActionError') {
      // The sandbox defines ActionError as a global; a renamed import just aliases it.
      if (local !== imported) globals.push(f.createVariableDeclaration(local, undefined, undefined, f.createIdentifier('ActionError')));
      continue;
    }
    bindings.push(f.createBindingElement(undefined, local === imported ? undefined : imported, local));
  }
}

function collectIdentifiers(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
