import ts from '../ts/typescript.cjs';
import { aliceModule } from '../ts/declarations.js';
import { hasExport, metadataExport } from '../ts/metadata.js';
import { absentInputIsUndefined, inputParameter } from '../ts/input.js';
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
 * object the engine passes. `ActionError` is the sandbox's own global. The metadata export
 * becomes a plain constant (the manifest has its value; the code may read it), and exports of
 * types go. Original nodes keep their positions, so TypeScript's source map still points every
 * line at the author's file.
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
    const globals: ts.ParameterDeclaration[] = [];
    const body: ts.Statement[] = [];
    // `export { run as default }` binds `run` live: read it after the module's statements ran,
    // as an ES module would (it may come before `const run = …`).
    let lateDefault: ts.Statement | undefined;
    let directives = true;
    for (const stmt of file.statements) {
      // "use strict" and other prologue directives: the module is strict anyway, and one left at
      // the top of the wrapper's body would be a syntax error next to its default parameters.
      if (directives && ts.isExpressionStatement(stmt) && ts.isStringLiteral(stmt.expression)) continue;
      directives = false;
      if (ts.isImportDeclaration(stmt)) {
        if (ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text === aliceModule) collectImports(stmt, checker, f, bindings, globals);
        continue;
      }
      if (ts.isVariableStatement(stmt) && hasExport(stmt) && stmt.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === metadataExport)) {
        // The manifest has the metadata; the code may still read it, as a plain constant.
        body.push(f.updateVariableStatement(stmt, (ts.getModifiers(stmt) ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword), stmt.declarationList));
        continue;
      }
      if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) continue;
      // `export { run as default }`: the workflow is `run`; other names it exports are refused by the checker.
      const spec = defaultExportSpecifier(stmt);
      if (spec !== undefined) {
        lateDefault = ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(mainName, undefined, undefined, f.createIdentifier((spec.propertyName ?? spec.name).text))], ts.NodeFlags.Const)), stmt);
        continue;
      }
      // Whatever else an export list holds is a type (`export type { T }`, `export {}`).
      if (ts.isExportDeclaration(stmt)) continue;
      if (ts.isExportAssignment(stmt)) {
        body.push(ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(mainName, undefined, undefined, stmt.expression)], ts.NodeFlags.Const)), stmt));
        continue;
      }
      if (ts.isFunctionDeclaration(stmt) && (ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault) {
        // An overload's signature: only the implementation becomes code.
        if (stmt.body === undefined) continue;
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
    if (lateDefault !== undefined) body.push(lateDefault);
    // `input?: T` or `input: T = …`: a run started without input is called without one.
    const param = inputParameter(checker, sf);
    const input = param !== undefined && absentInputIsUndefined(checker, param)
      ? f.createConditionalExpression(f.createStrictEquality(f.createIdentifier(inputName), f.createNull()), undefined, f.createIdentifier('undefined'), undefined, f.createIdentifier(inputName))
      : f.createIdentifier(inputName);
    const run = f.createReturnStatement(f.createCallExpression(f.createIdentifier(mainName), undefined, [input]));
    const wrapper = f.createFunctionDeclaration(
      [f.createModifier(ts.SyntaxKind.ExportKeyword), f.createModifier(ts.SyntaxKind.DefaultKeyword), f.createModifier(ts.SyntaxKind.AsyncKeyword)],
      undefined,
      undefined,
      undefined,
      [f.createParameterDeclaration(undefined, undefined, inputName), f.createParameterDeclaration(undefined, undefined, actionsName), ...globals],
      undefined,
      f.createBlock([...prologue, ...body, run], true),
    );
    return f.updateSourceFile(file, [wrapper]);
  };
}

/**
 * `import { kv, sleep as pause, ActionError as E }` → `const { kv, sleep: pause } = actions$`
 * and a parameter `E = ActionError` (the sandbox global). A default parameter's initializer does
 * not see the body's declarations, so a function of the workflow's own named `ActionError`
 * (hoisted in the body) cannot stand in for it.
 */
function collectImports(stmt: ts.ImportDeclaration, checker: ts.TypeChecker, f: ts.NodeFactory, bindings: ts.BindingElement[], globals: ts.ParameterDeclaration[]): void {
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
      if (local !== imported) globals.push(f.createParameterDeclaration(undefined, undefined, local, undefined, undefined, f.createIdentifier('ActionError')));
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
