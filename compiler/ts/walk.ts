import ts from './typescript.cjs';
import type { NodeTypes, Reference, RuleVisitors } from '../rules/rule.js';
import type { FileFacts } from './facts.js';
import { isAssignmentTarget, isConst, isOuter, skipOuter, type Usage } from './references.js';

const visitorNames: ReadonlyMap<ts.SyntaxKind, keyof NodeTypes> = new Map<ts.SyntaxKind, keyof NodeTypes>([
  [ts.SyntaxKind.SourceFile, 'SourceFile'],
  [ts.SyntaxKind.ImportDeclaration, 'ImportDeclaration'],
  [ts.SyntaxKind.ImportEqualsDeclaration, 'ImportEqualsDeclaration'],
  [ts.SyntaxKind.ExportDeclaration, 'ExportDeclaration'],
  [ts.SyntaxKind.ExportAssignment, 'ExportAssignment'],
  [ts.SyntaxKind.VariableStatement, 'VariableStatement'],
  [ts.SyntaxKind.FunctionDeclaration, 'FunctionDeclaration'],
  [ts.SyntaxKind.ClassDeclaration, 'ClassDeclaration'],
  [ts.SyntaxKind.CallExpression, 'CallExpression'],
  [ts.SyntaxKind.NewExpression, 'NewExpression'],
  [ts.SyntaxKind.ElementAccessExpression, 'ElementAccessExpression'],
  [ts.SyntaxKind.PropertyAccessExpression, 'PropertyAccessExpression'],
  [ts.SyntaxKind.BinaryExpression, 'BinaryExpression'],
  [ts.SyntaxKind.PrefixUnaryExpression, 'PrefixUnaryExpression'],
  [ts.SyntaxKind.PostfixUnaryExpression, 'PostfixUnaryExpression'],
  [ts.SyntaxKind.DeleteExpression, 'DeleteExpression'],
  [ts.SyntaxKind.TryStatement, 'TryStatement'],
  [ts.SyntaxKind.ExpressionStatement, 'ExpressionStatement'],
  [ts.SyntaxKind.MetaProperty, 'MetaProperty'],
  [ts.SyntaxKind.TemplateExpression, 'TemplateExpression'],
  [ts.SyntaxKind.TaggedTemplateExpression, 'TaggedTemplateExpression'],
  [ts.SyntaxKind.MethodDeclaration, 'MethodDeclaration'],
  [ts.SyntaxKind.PropertyAssignment, 'PropertyAssignment'],
  [ts.SyntaxKind.ObjectBindingPattern, 'ObjectBindingPattern'],
  [ts.SyntaxKind.ForOfStatement, 'ForOfStatement'],
  [ts.SyntaxKind.ForInStatement, 'ForInStatement'],
]);

type AnyVisitor = (node: ts.Node) => void;

/**
 * Walks a file once for all rules: each node goes to the rules that visit its kind, and each
 * reference chain (`Date`, `Date.now`, `globalThis["Da" + "te"]`) is resolved once and handed to
 * every rule's `reference` visitor with how it is used. Type positions are skipped: a type
 * mentions a value without running it.
 */
export function walkFile(facts: FileFacts, rules: readonly RuleVisitors[]): void {
  const byKind = new Map<ts.SyntaxKind, AnyVisitor[]>();
  const referenceVisitors: Array<(ref: Reference) => void> = [];
  for (const r of rules) {
    for (const [kind, name] of visitorNames) {
      const v = r[name] as AnyVisitor | undefined;
      if (v === undefined) continue;
      let list = byKind.get(kind);
      if (list === undefined) byKind.set(kind, (list = []));
      list.push(v);
    }
    if (r.reference !== undefined) referenceVisitors.push(r.reference);
  }
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    const list = byKind.get(node.kind);
    if (list !== undefined) for (const v of list) v(node);
    if (referenceVisitors.length > 0 && isReferenceChain(node)) {
      const path = facts.resolver.resolve(node);
      if (path !== undefined) {
        const ref = classify(node, path);
        const alias = aliasPath(facts, node);
        if (alias !== undefined) ref.alias = alias;
        for (const v of referenceVisitors) v(ref);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
}

/**
 * A maximal `a.b[c].d` chain in a value position. Its inner links are not visited as chains,
 * also when wrapped in what the resolver looks through: `(Date as any).now`, `(0, Date).now`.
 */
function isReferenceChain(node: ts.Node): node is ts.Identifier | ts.PropertyAccessExpression | ts.ElementAccessExpression {
  if (node.parent === undefined) return false;
  let n: ts.Node = node;
  let parent = n.parent;
  while (isOuter(parent) || (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.CommaToken && parent.right === n)) {
    n = parent;
    parent = n.parent;
  }
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === n) return false;
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return true;
  if (!ts.isIdentifier(node)) return false;
  return isValueIdentifier(node);
}

/**
 * When a chain starts at a local alias (`c` in `c.log` after `const c = console`, or `l` after
 * `const { log: l } = console`), the path of that alias's initializer (`console`): the place
 * the name was written, and reported, by rules that forbid a name outright.
 */
function aliasPath(facts: FileFacts, chain: ts.Expression): string | undefined {
  let e = skipOuter(chain);
  for (;;) {
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
    else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = skipOuter(e.right);
    else break;
  }
  if (!ts.isIdentifier(e)) return undefined;
  let decl: ts.Node | undefined = facts.checker.getSymbolAtLocation(e)?.declarations?.[0];
  if (decl === undefined || decl.getSourceFile() !== facts.sourceFile) return undefined;
  while (ts.isBindingElement(decl)) decl = decl.parent.parent;
  if (!ts.isVariableDeclaration(decl) || !isConst(decl) || decl.initializer === undefined) return undefined;
  return facts.resolver.resolve(decl.initializer);
}

/** Whether an identifier stands for a value here, not for a declaration's, property's or label's name. */
function isValueIdentifier(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isShorthandPropertyAssignment(p)) return p.name === id;
  if (ts.isPropertyAccessExpression(p)) return p.expression === id;
  if (ts.isQualifiedName(p) || ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isNamespaceExport(p)) return false;
  if (ts.isBindingElement(p)) return p.initializer === id;
  if (ts.isMetaProperty(p)) return false;
  const named = p as ts.Node & { name?: ts.Node };
  if (named.name === id && (ts.isDeclarationStatement(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isClassElement(p) || ts.isTypeElement(p) || ts.isObjectLiteralElementLike(p) || ts.isEnumMember(p) || ts.isFunctionExpression(p) || ts.isClassExpression(p) || ts.isJsxAttribute(p) || ts.isTypeParameterDeclaration(p))) {
    return false;
  }
  return true;
}

function classify(node: ts.Expression, path: string): Reference {
  let n: ts.Node = node;
  let p = n.parent;
  while (isOuter(p)) {
    n = p;
    p = p.parent;
  }
  const ref = (usage: Usage, call?: Reference['call']): Reference => ({ node, path, usage, ...(call !== undefined ? { call } : {}) });
  if (ts.isCallExpression(p) && p.expression === n) return ref('call', p);
  if (ts.isNewExpression(p) && p.expression === n) return ref('new', p);
  if (ts.isTaggedTemplateExpression(p) && p.tag === n) return ref('call', p);
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return ref(p.left === n ? 'write' : 'escape');
    if (op === ts.SyntaxKind.CommaToken) return ref(p.right === n ? 'escape' : 'read');
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.QuestionQuestionToken) return ref('escape');
    return ref('read');
  }
  if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) {
    const op = p.operator;
    return ref(op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken ? 'write' : 'read');
  }
  if (ts.isDeleteExpression(p)) return ref('write');
  if (ts.isTypeOfExpression(p)) return ref('typeof');
  if (ts.isVoidExpression(p) || ts.isExpressionStatement(p) || ts.isTemplateSpan(p)) return ref('read');
  if (ts.isVariableDeclaration(p) && p.initializer === n) {
    return ref(isConst(p) && (ts.isIdentifier(p.name) || ts.isObjectBindingPattern(p.name)) ? 'alias' : 'escape');
  }
  if (ts.isElementAccessExpression(p) && p.argumentExpression === n) return ref('read');
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p) || ts.isSwitchStatement(p) || ts.isCaseClause(p)) && p.expression === n) return ref('read');
  if (ts.isForStatement(p) && p.condition === n) return ref('read');
  if (ts.isConditionalExpression(p) && p.condition === n) return ref('read');
  if ((ts.isForInStatement(p) || ts.isForOfStatement(p)) && p.initializer === n) return ref('write');
  if (isAssignmentTarget(n)) return ref('write');
  return ref('escape');
}
