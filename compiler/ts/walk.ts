import ts from 'typescript';
import type { NodeTypes, Reference, RuleVisitors } from '../rules/rule.js';
import type { FileFacts } from './facts.js';
import { isConst, type Usage } from './references.js';

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
        for (const v of referenceVisitors) v(ref);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
}

/** A maximal `a.b[c].d` chain in a value position (its inner links are not visited as chains). */
function isReferenceChain(node: ts.Node): node is ts.Identifier | ts.PropertyAccessExpression | ts.ElementAccessExpression {
  const parent = node.parent;
  if (parent === undefined) return false;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) return false;
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return true;
  if (!ts.isIdentifier(node)) return false;
  return isValueIdentifier(node);
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
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p) || ts.isTypeAssertionExpression(p)) {
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
  return ref('escape');
}
