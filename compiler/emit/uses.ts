import ts from '../ts/typescript.cjs';
import type { FileFacts } from '../ts/facts.js';
import { isAssignmentTarget } from '../ts/references.js';

/** Array methods that read an array without changing it: a literal array used only through them keeps its elements. */
const readingMethods = new Set(['at', 'concat', 'entries', 'every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flat', 'flatMap', 'forEach', 'includes', 'indexOf', 'join', 'keys', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'slice', 'some', 'values', 'length']);

/** How the names of a file are used: what the manifest's value analysis asks about them (compiler/emit/value-sources.ts). */
export interface FileUses {
  symbolOf(id: ts.Identifier): ts.Symbol | undefined;
  referencesOf(sym: ts.Symbol): ts.Identifier[];
  writesOf(sym: ts.Symbol): { assigned: ts.Expression[]; compound: ts.Expression[]; other: boolean };
  memberWritesOf(sym: ts.Symbol): ts.Expression[];
  onlyRead(sym: ts.Symbol): boolean;
  isPassedOn(fn: ts.Node): boolean;
}

/**
 * The uses of a file's names, each answer kept: every reference of a symbol, the values it is
 * assigned, the values written into its members, whether it is only ever read.
 */
export function fileUses(facts: FileFacts): FileUses {
  const { sourceFile: sf, checker } = facts;

  /** The variable an identifier reads (`{ to }` reads the variable `to`, not the property). */
  const symbolOf = (id: ts.Identifier): ts.Symbol | undefined =>
    ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);

  /** Every identifier of the file that refers to `sym`, but its declaration's name. */
  const referencesCache = new Map<ts.Symbol, ts.Identifier[]>();
  const referencesOf = (sym: ts.Symbol): ts.Identifier[] => {
    let found = referencesCache.get(sym);
    if (found !== undefined) return found;
    const list: ts.Identifier[] = [];
    const declNames = new Set((sym.declarations ?? []).map((d) => (d as ts.NamedDeclaration).name));
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        if (!declNames.has(n) && n.text === sym.name && symbolOf(n) === sym) list.push(n);
      } else ts.forEachChild(n, visit);
    };
    visit(sf);
    referencesCache.set(sym, (found = list));
    return found;
  };

  /** Where a variable or parameter is given a value after its declaration. */
  const writesOf = (sym: ts.Symbol): { assigned: ts.Expression[]; compound: ts.Expression[]; other: boolean } => {
    const assigned: ts.Expression[] = [];
    const compound: ts.Expression[] = [];
    let other = false;
    for (const id of referencesOf(sym)) {
      let n: ts.Node = id;
      while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
      const p = n.parent;
      if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) assigned.push(p.right);
      else if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) compound.push(p.right);
      else if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) other = true;
      else if (isDestructuringTarget(n)) other = true;
    }
    return { assigned, compound, other };
  };

  /** The values assigned to members of a variable's object (`x.a = v`, `x[k].b = v`). */
  const memberWritesOf = (sym: ts.Symbol): ts.Expression[] => {
    const list: ts.Expression[] = [];
    for (const id of referencesOf(sym)) {
      let n: ts.Node = id;
      let members = 0;
      for (;;) {
        const p = n.parent;
        if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) n = p;
        else if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n) {
          n = p;
          members++;
        } else break;
      }
      const p = n.parent;
      if (members > 0 && ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) list.push(p.right);
    }
    return list;
  };

  /**
   * Whether a `const` holding an object or array literal is only ever read (its members by
   * name, its elements by index, iterated, or through array methods that do not change it): then
   * its members are the values written in the literal. Anything else (a write, `push`, being
   * passed to a function that could change it) makes its members unknown.
   */
  const onlyReadCache = new Map<ts.Symbol, boolean>();
  const onlyRead = (sym: ts.Symbol): boolean => {
    const known = onlyReadCache.get(sym);
    if (known !== undefined) return known;
    const ok = referencesOf(sym).every((id) => {
      let n: ts.Node = id;
      while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
      const p = n.parent;
      if (ts.isForOfStatement(p) && p.expression === n) return true;
      if (ts.isSpreadElement(p) || ts.isSpreadAssignment(p)) return true;
      // An action gets a copy of its argument (the bridge serializes it).
      if (ts.isCallExpression(p) && p.arguments[0] === n && facts.catalogAction(p.expression) !== undefined) return true;
      if (!(ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) || p.expression !== n) return false;
      // The member read must itself be a read: not written, deleted or changed in place.
      let m: ts.Node = p;
      while (ts.isParenthesizedExpression(m.parent) || ts.isNonNullExpression(m.parent)) m = m.parent;
      const q = m.parent;
      if (ts.isBinaryExpression(q) && q.left === m && q.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && q.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return false;
      if (ts.isDeleteExpression(q) || ((ts.isPrefixUnaryExpression(q) || ts.isPostfixUnaryExpression(q)) && (q.operator === ts.SyntaxKind.PlusPlusToken || q.operator === ts.SyntaxKind.MinusMinusToken))) return false;
      if (isDestructuringTarget(m)) return false;
      // A method of an array literal: only those that leave it as it is.
      if (ts.isPropertyAccessExpression(p) && (checker.isArrayType(checker.getTypeAtLocation(n)) || checker.isTupleType(checker.getTypeAtLocation(n)))) return readingMethods.has(p.name.text);
      return true;
    });
    onlyReadCache.set(sym, ok);
    return ok;
  };

  /** Whether a function is used other than by being called by name (then its parameters may get anything). */
  const isPassedOn = (fn: ts.Node): boolean => {
    // Called through `.call`, `.apply` or a bound copy: those calls' arguments are not its parameters in order.
    if (facts.calledIndirectly(fn)) return true;
    const name = ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) ? fn.name : ts.isVariableDeclaration(fn.parent) ? fn.parent.name : ts.isPropertyAssignment(fn.parent) ? fn.parent.name : undefined;
    if (name === undefined || !ts.isIdentifier(name)) return true;
    const sym = checker.getSymbolAtLocation(name);
    if (sym === undefined) return true;
    return referencesOf(sym).some((id) => {
      let n: ts.Node = id;
      if (ts.isPropertyAccessExpression(n.parent) && n.parent.name === id) n = n.parent;
      while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
      return !((ts.isCallExpression(n.parent) || ts.isNewExpression(n.parent)) && n.parent.expression === n);
    });
  };

  return { symbolOf, referencesOf, writesOf, memberWritesOf, onlyRead, isPassedOn };
}

/**
 * Whether an expression is written to as a target of a destructuring assignment
 * (`[x] = …`, `({ a: x } = …)`) or of `for (x of …)` / `for (x in …)`.
 */
function isDestructuringTarget(node: ts.Node): boolean {
  const p = node.parent;
  return ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === node) || isAssignmentTarget(node);
}

