import ts from './typescript.cjs';
import type { NodeTypes, Reference, RuleVisitors } from '../rules/rule.js';
import type { FileFacts } from './facts.js';
import { isAssignmentTarget, isConst, isOuter, isTypeOnly, skipOuter, type Usage } from './references.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, SyntaxKind, isBinaryExpression, isBindingElement, isBreakOrContinueStatement, isCallExpression, isCaseClause, isClassElement, isClassExpression, isConditionalExpression, isDeclarationStatement, isDeleteExpression, isDoStatement, isElementAccessExpression, isEnumMember, isExportSpecifier, isExpressionStatement, isForInStatement, isForOfStatement, isForStatement, isFunctionExpression, isIdentifier, isIfStatement, isImportClause, isImportSpecifier, isJsxAttribute, isLabeledStatement, isMetaProperty, isNamespaceExport, isNamespaceImport, isNewExpression, isObjectBindingPattern, isObjectLiteralElementLike, isParameter, isPostfixUnaryExpression, isPrefixUnaryExpression, isPropertyAccessExpression, isQualifiedName, isShorthandPropertyAssignment, isSwitchStatement, isTaggedTemplateExpression, isTemplateSpan, isTypeElement, isTypeOfExpression, isTypeParameterDeclaration, isVariableDeclaration, isVoidExpression, isWhileStatement } = ts;

const visitorNames: ReadonlyMap<ts.SyntaxKind, keyof NodeTypes> = new Map<ts.SyntaxKind, keyof NodeTypes>([
  [SyntaxKind.SourceFile, 'SourceFile'],
  [SyntaxKind.ImportDeclaration, 'ImportDeclaration'],
  [SyntaxKind.ImportEqualsDeclaration, 'ImportEqualsDeclaration'],
  [SyntaxKind.ExportDeclaration, 'ExportDeclaration'],
  [SyntaxKind.ExportAssignment, 'ExportAssignment'],
  [SyntaxKind.VariableStatement, 'VariableStatement'],
  [SyntaxKind.FunctionDeclaration, 'FunctionDeclaration'],
  [SyntaxKind.ClassDeclaration, 'ClassDeclaration'],
  [SyntaxKind.CallExpression, 'CallExpression'],
  [SyntaxKind.NewExpression, 'NewExpression'],
  [SyntaxKind.ElementAccessExpression, 'ElementAccessExpression'],
  [SyntaxKind.PropertyAccessExpression, 'PropertyAccessExpression'],
  [SyntaxKind.BinaryExpression, 'BinaryExpression'],
  [SyntaxKind.PrefixUnaryExpression, 'PrefixUnaryExpression'],
  [SyntaxKind.PostfixUnaryExpression, 'PostfixUnaryExpression'],
  [SyntaxKind.DeleteExpression, 'DeleteExpression'],
  [SyntaxKind.TryStatement, 'TryStatement'],
  [SyntaxKind.ExpressionStatement, 'ExpressionStatement'],
  [SyntaxKind.MetaProperty, 'MetaProperty'],
  [SyntaxKind.TemplateExpression, 'TemplateExpression'],
  [SyntaxKind.TaggedTemplateExpression, 'TaggedTemplateExpression'],
  [SyntaxKind.MethodDeclaration, 'MethodDeclaration'],
  [SyntaxKind.PropertyAssignment, 'PropertyAssignment'],
  [SyntaxKind.ObjectBindingPattern, 'ObjectBindingPattern'],
  [SyntaxKind.ForOfStatement, 'ForOfStatement'],
  [SyntaxKind.ForInStatement, 'ForInStatement'],
]);

/** The kind each visitor name visits. */
const visitorKinds: ReadonlyMap<string, ts.SyntaxKind> = new Map([...visitorNames].map(([kind, name]) => [name, kind]));

type AnyVisitor = (node: ts.Node) => void;

/** A visitor and the index of the rule it belongs to. */
interface Entry<T> {
  rule: number;
  visit: (arg: T) => void;
}

/**
 * Walks a file once for all rules: each node goes to the rules that visit its kind, and each
 * reference chain (`Date`, `Date.now`, `globalThis["Da" + "te"]`) is resolved once and handed to
 * every rule's `reference` visitor with how it is used. Type positions are skipped: a type
 * mentions a value without running it.
 *
 * A rule whose visitor throws is reported once through `onError` (with the node it was visiting)
 * and hears nothing more of this file; the other rules go on. The guard lives here, around each
 * call, rather than in a wrapper per visitor: wrappers cost a closure per rule, visitor and
 * file, and a second megamorphic call on every visited node.
 */
export function walkFile(facts: FileFacts, rules: readonly RuleVisitors[], onError: (rule: number, node: ts.Node, err: unknown) => void): void {
  const byKind = new Map<ts.SyntaxKind, Array<Entry<ts.Node>>>();
  const referenceVisitors: Array<Entry<Reference>> = [];
  rules.forEach((r, rule) => {
    // A rule has a few visitors of the 26 kinds: look up the ones it has.
    for (const [name, visit] of Object.entries(r) as Array<[string, AnyVisitor | undefined]>) {
      if (visit === undefined) continue;
      if (name === 'reference') {
        if (r.reference !== undefined) referenceVisitors.push({ rule, visit: r.reference });
        continue;
      }
      const kind = visitorKinds.get(name);
      if (kind === undefined) continue;
      let list = byKind.get(kind);
      if (list === undefined) byKind.set(kind, (list = []));
      list.push({ rule, visit });
    }
  });
  const failed = new Array<boolean>(rules.length).fill(false);
  const dispatch = <T>(list: ReadonlyArray<Entry<T>>, arg: T, node: ts.Node): void => {
    for (const { rule, visit } of list) {
      if (failed[rule]) continue;
      try {
        visit(arg);
      } catch (err) {
        failed[rule] = true;
        onError(rule, node, err);
      }
    }
  };
  const visit = (node: ts.Node): void => {
    if (isTypeOnly(node)) return;
    const list = byKind.get(node.kind);
    if (list !== undefined) dispatch(list, node, node);
    if (referenceVisitors.length > 0 && isReferenceChain(node)) {
      const path = facts.resolver.resolve(node);
      if (path !== undefined) {
        const ref = classify(node, path);
        const alias = aliasPath(facts, node);
        if (alias !== undefined) ref.alias = alias;
        dispatch(referenceVisitors, ref, node);
      }
    }
    forEachChild(node, visit);
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
  while (isOuter(parent) || (isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.CommaToken && parent.right === n)) {
    n = parent;
    parent = n.parent;
  }
  if ((isPropertyAccessExpression(parent) || isElementAccessExpression(parent)) && parent.expression === n) return false;
  if (isPropertyAccessExpression(node) || isElementAccessExpression(node)) return true;
  if (!isIdentifier(node)) return false;
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
    if (isPropertyAccessExpression(e) || isElementAccessExpression(e)) e = skipOuter(e.expression);
    else if (isBinaryExpression(e) && e.operatorToken.kind === SyntaxKind.CommaToken) e = skipOuter(e.right);
    else break;
  }
  if (!isIdentifier(e)) return undefined;
  let decl: ts.Node | undefined = facts.checker.getSymbolAtLocation(e)?.declarations?.[0];
  if (decl === undefined || decl.getSourceFile() !== facts.sourceFile) return undefined;
  while (isBindingElement(decl)) decl = decl.parent.parent;
  if (!isVariableDeclaration(decl) || !isConst(decl) || decl.initializer === undefined) return undefined;
  return facts.resolver.resolve(decl.initializer);
}

/** Whether an identifier stands for a value here, not for a declaration's, property's or label's name. */
function isValueIdentifier(id: ts.Identifier): boolean {
  const p = id.parent;
  if (isShorthandPropertyAssignment(p)) return p.name === id;
  if (isPropertyAccessExpression(p)) return p.expression === id;
  if (isQualifiedName(p) || isLabeledStatement(p) || isBreakOrContinueStatement(p)) return false;
  if (isImportSpecifier(p) || isExportSpecifier(p) || isImportClause(p) || isNamespaceImport(p) || isNamespaceExport(p)) return false;
  if (isBindingElement(p)) return p.initializer === id;
  if (isMetaProperty(p)) return false;
  const named = p as ts.Node & { name?: ts.Node };
  if (named.name === id && (isDeclarationStatement(p) || isVariableDeclaration(p) || isParameter(p) || isClassElement(p) || isTypeElement(p) || isObjectLiteralElementLike(p) || isEnumMember(p) || isFunctionExpression(p) || isClassExpression(p) || isJsxAttribute(p) || isTypeParameterDeclaration(p))) {
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
  if (isCallExpression(p) && p.expression === n) return ref('call', p);
  if (isNewExpression(p) && p.expression === n) return ref('new', p);
  if (isTaggedTemplateExpression(p) && p.tag === n) return ref('call', p);
  if (isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) return ref(p.left === n ? 'write' : 'escape');
    if (op === SyntaxKind.CommaToken) return ref(p.right === n ? 'escape' : 'read');
    if (op === SyntaxKind.BarBarToken || op === SyntaxKind.AmpersandAmpersandToken || op === SyntaxKind.QuestionQuestionToken) return ref('escape');
    return ref('read');
  }
  if (isPrefixUnaryExpression(p) || isPostfixUnaryExpression(p)) {
    const op = p.operator;
    return ref(op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken ? 'write' : 'read');
  }
  if (isDeleteExpression(p)) return ref('write');
  if (isTypeOfExpression(p)) return ref('typeof');
  if (isVoidExpression(p) || isExpressionStatement(p) || isTemplateSpan(p)) return ref('read');
  if (isVariableDeclaration(p) && p.initializer === n) {
    return ref(isConst(p) && (isIdentifier(p.name) || isObjectBindingPattern(p.name)) ? 'alias' : 'escape');
  }
  if (isElementAccessExpression(p) && p.argumentExpression === n) return ref('read');
  if ((isIfStatement(p) || isWhileStatement(p) || isDoStatement(p) || isSwitchStatement(p) || isCaseClause(p)) && p.expression === n) return ref('read');
  if (isForStatement(p) && p.condition === n) return ref('read');
  if (isConditionalExpression(p) && p.condition === n) return ref('read');
  if ((isForInStatement(p) || isForOfStatement(p)) && p.initializer === n) return ref('write');
  if (isAssignmentTarget(n)) return ref('write');
  return ref('escape');
}
