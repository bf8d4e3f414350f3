import ts from './typescript.cjs';
import { aliceModule, declarationsFileName } from './declarations.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { getModifiers, canHaveModifiers, NodeFlags, SymbolFlags, SyntaxKind, TypeFlags, isArrayLiteralExpression, isBinaryExpression, isBindingElement, isClassDeclaration, isComputedPropertyName, isElementAccessExpression, isForInStatement, isForOfStatement, isIdentifier, isImportSpecifier, isInterfaceDeclaration, isNoSubstitutionTemplateLiteral, isNumericLiteral, isObjectBindingPattern, isObjectLiteralExpression, isPropertyAccessExpression, isPropertyAssignment, isShorthandPropertyAssignment, isSourceFile, isSpreadAssignment, isSpreadElement, isStringLiteral, isTemplateExpression, isTypeAliasDeclaration, isTypeNode, isExpressionWithTypeArguments, isVariableDeclaration, isVariableDeclarationList } = ts;

/**
 * What an expression denotes, resolved with the type checker rather than by spelling, so that
 * aliases (`const D = Date`), destructuring (`const { random } = Math`), computed keys
 * (`globalThis["Da" + "te"]`), optional chains and shadowing (a local `random`) all come out
 * right. A path is dotted from a root:
 *
 * - a global of the ES library or an undeclared (host) name: `Date.now`, `Math.random`,
 *   `process.env`, `console.log`; `globalThis.X` is re-rooted to `X`;
 * - a method of a library type reached through a value: `Date#getHours`, `String#localeCompare`;
 * - an import from "alice": `alice:kv.get`, `alice:sleep`;
 * - a key that is not a compile-time constant: the segment `[computed]`.
 *
 * Anything local (parameters, local functions, `let` variables) resolves to `undefined`: the
 * checker makes sure no sensitive value flows into those without being reported at the flow.
 */
export type Path = string;

/** Marks a key that is not a compile-time constant. */
export const computedKey = '[computed]';

/**
 * The root of a path the resolver gave up on: a chain of aliases longer than it follows. Such a
 * name may stand for anything (an action, the clock), so it is not taken for a local value:
 * no-host-globals refuses it.
 */
export const unresolvedRoot = '[unresolved]';

/** How a reference is used where it stands. */
export type Usage =
  | 'call' // the callee of a call or a tagged template
  | 'new' // the target of `new`
  | 'write' // assigned, incremented or deleted
  | 'alias' // the initializer of a `const` (followed through the alias's own uses)
  | 'read' // consumed as data in place: an operand, a condition, `instanceof`'s right side
  | 'typeof' // the operand of `typeof`: only asks what it is
  | 'escape'; // flows somewhere the checker does not follow: an argument, a return, a `let`, a property

/** How many aliases (a `const` or a binding standing for another name) the resolver follows: far beyond hand-written code. */
const maxDepth = 64;

export class ReferenceResolver {
  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** The path an expression denotes, or undefined when it is local or unknown. */
  resolve(expr: ts.Expression, depth = 0): Path | undefined {
    if (depth > maxDepth) return unresolvedRoot;
    const e = skipOuter(expr);
    // The walk and several rules ask about the same names, and must all get the same answer:
    // the first one is kept, also when it is that the chain was too long to follow (which
    // depends on where the first question started). Keeping every answer also makes a long
    // chain of aliases cost linear time, not quadratic.
    if (this.resolved.has(e)) return this.resolved.get(e);
    const path = this.resolveNode(e, depth);
    this.resolved.set(e, path);
    return path;
  }

  private readonly resolved = new Map<ts.Node, Path | undefined>();

  private resolveNode(e: ts.Expression, depth: number): Path | undefined {
    if (isIdentifier(e)) return this.resolveIdentifier(e, depth);
    if (isPropertyAccessExpression(e)) return this.member(e.expression, e.name.text, e.name, depth);
    if (isElementAccessExpression(e)) {
      const key = constantString(e.argumentExpression, this.checker);
      return this.member(e.expression, key ?? computedKey, undefined, depth);
    }
    if (isBinaryExpression(e) && e.operatorToken.kind === SyntaxKind.CommaToken) return this.resolve(e.right, depth);
    if (e.kind === SyntaxKind.ThisKeyword) return undefined;
    return undefined;
  }

  private member(object: ts.Expression, name: string, nameNode: ts.MemberName | undefined, depth: number): Path | undefined {
    // Only alias hops count against the depth: a member chain is as deep as the source nests it.
    const base = this.resolve(object, depth);
    if (base === 'globalThis') return name;
    // `Date.prototype.constructor` is `Date` itself: `Date.prototype.constructor.now()` reads the clock.
    if (name === 'constructor' && base !== undefined && base.endsWith('.prototype') && !base.includes('#')) return base.slice(0, -'.prototype'.length);
    if (base !== undefined) return `${base}.${name}`;
    // `d.constructor` with `d: Date` is the global `Date`, reached through a value.
    if (name === 'constructor') {
      const ctor = this.constructorOf(object);
      if (ctor !== undefined) return ctor;
    }
    // A method of a library type reached through a value: `d.getHours()` with `d: Date`, also
    // as `d["getHours"]()`, where there is no name node and the key is looked up on the type.
    const sym = nameNode !== undefined ? this.checker.getSymbolAtLocation(nameNode) : name === computedKey ? undefined : this.propertyOf(object, name);
    const owner = sym !== undefined ? this.libOwner(sym) : undefined;
    return owner !== undefined ? `${owner}#${name}` : undefined;
  }

  /**
   * The global constructor of a value whose type is a library class (`Date` for a `Date`,
   * `Function` for a `Function`), so that `.constructor` of it resolves to that global; undefined
   * for local classes, unions and untyped values (no-dynamic-code reports what those may hide).
   */
  private constructorOf(object: ts.Expression): string | undefined {
    const type = this.checker.getApparentType(this.checker.getTypeAtLocation(object));
    if (type.isUnion() || type.flags & (TypeFlags.Any | TypeFlags.Unknown)) return undefined;
    const sym = type.getSymbol();
    if (sym === undefined || !(sym.declarations ?? []).some((d) => isInterfaceDeclaration(d) && this.program.isSourceFileDefaultLibrary(d.getSourceFile()))) return undefined;
    const value = this.checker.resolveName(sym.name, undefined, SymbolFlags.Value, false);
    return value !== undefined && (value.declarations ?? []).some((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile())) ? sym.name : undefined;
  }

  /** The property `name` of an expression's (apparent) type: `getHours` of a `Date`. */
  private propertyOf(object: ts.Expression, name: string): ts.Symbol | undefined {
    const type = this.checker.getApparentType(this.checker.getTypeAtLocation(object));
    return type.getProperty(name);
  }

  private libOwner(sym: ts.Symbol): string | undefined {
    for (const d of sym.declarations ?? []) {
      if (!this.program.isSourceFileDefaultLibrary(d.getSourceFile())) continue;
      const parent = d.parent;
      if (isInterfaceDeclaration(parent) || isClassDeclaration(parent)) return parent.name?.text;
    }
    return undefined;
  }

  private resolveIdentifier(id: ts.Identifier, depth: number): Path | undefined {
    if (id.text === 'undefined') return undefined;
    const sym = isShorthandPropertyAssignment(id.parent) && id.parent.name === id
      ? this.checker.getShorthandAssignmentValueSymbol(id.parent)
      : this.checker.getSymbolAtLocation(id);
    if (sym === undefined) return id.text; // not declared anywhere: a host global such as `console`
    const decls = sym.declarations ?? [];
    if (decls.length === 0) return sym.name === 'globalThis' ? 'globalThis' : undefined;
    const decl = decls[0];
    if (isImportSpecifier(decl)) {
      const module = decl.parent.parent.parent.moduleSpecifier;
      if (isStringLiteral(module) && module.text === aliceModule) return `alice:${(decl.propertyName ?? decl.name).text}`;
      return undefined;
    }
    if (decls.some((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()))) return sym.name;
    // `declare const process: any` or `declare global { var fetch: … }` only tells the checker
    // that a global exists: at run time the name is the sandbox's global, so it is checked as one.
    if (decls.every((d) => isAmbient(d) && d.getSourceFile().fileName !== declarationsFileName)) return sym.name;
    if (isVariableDeclaration(decl) && isConst(decl) && decl.initializer !== undefined && isIdentifier(decl.name)) {
      return this.resolve(decl.initializer, depth + 1);
    }
    if (isBindingElement(decl)) return this.resolveBinding(decl, depth);
    return undefined;
  }

  /** `const { a: { b } } = X` makes `b` denote `X.a.b`. */
  private resolveBinding(element: ts.BindingElement, depth: number): Path | undefined {
    const keys: string[] = [];
    let node: ts.Node = element;
    while (isBindingElement(node)) {
      const pattern: ts.BindingPattern = node.parent;
      if (!isObjectBindingPattern(pattern)) return undefined;
      if (node.dotDotDotToken === undefined) {
        const key = node.propertyName ?? node.name;
        const text = isIdentifier(key) || isStringLiteral(key) ? key.text : isComputedPropertyName(key) ? constantString(key.expression, this.checker) : undefined;
        keys.unshift(text ?? computedKey);
      }
      node = pattern.parent;
    }
    if (!isVariableDeclaration(node) || !isConst(node) || node.initializer === undefined) return undefined;
    const base = this.resolve(node.initializer, depth + 1);
    if (base === undefined) {
      // `const { getHours } = d` with `d: Date` takes a library method off a value.
      if (keys.length !== 1 || keys[0] === computedKey) return undefined;
      if (keys[0] === 'constructor') return this.constructorOf(node.initializer);
      const sym = this.propertyOf(node.initializer, keys[0]);
      const owner = sym !== undefined ? this.libOwner(sym) : undefined;
      return owner !== undefined ? `${owner}#${keys[0]}` : undefined;
    }
    return keys.reduce((path, key) => (path === 'globalThis' ? key : `${path}.${key}`), base);
  }
}

/**
 * Whether a node is only a type (an annotation, an interface, a type alias): nothing in it runs,
 * so walks that look for what code does skip it. A heritage clause's `extends f(x)` runs.
 */
export function isTypeOnly(node: ts.Node): boolean {
  return (isTypeNode(node) && !isExpressionWithTypeArguments(node)) || isInterfaceDeclaration(node) || isTypeAliasDeclaration(node);
}

/** Parentheses, type assertions and `!` do not change what an expression denotes. */
export function skipOuter(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (outerKinds.has(e.kind)) e = (e as ts.ParenthesizedExpression).expression;
  return e;
}

/** Whether a declaration only describes a value (`declare const x`, or inside `declare global { … }`). */
export function isAmbient(decl: ts.Node): boolean {
  for (let n: ts.Node | undefined = decl; n !== undefined && !isSourceFile(n); n = n.parent) {
    if (canHaveModifiers(n) && (getModifiers(n) ?? []).some((m) => m.kind === SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

export function isConst(decl: ts.VariableDeclaration): boolean {
  return isVariableDeclarationList(decl.parent) && (decl.parent.flags & NodeFlags.Const) !== 0;
}

/**
 * The value of a key that is a compile-time constant: string and number literals, template
 * literals and `+` of constants, and `const` names bound to them (also via the checker's
 * literal types, which covers `as const` and enum members).
 */
export function constantString(expr: ts.Expression, checker: ts.TypeChecker, depth = 0): string | undefined {
  if (depth > maxDepth) return undefined;
  const e = skipOuter(expr);
  if (isStringLiteral(e) || isNoSubstitutionTemplateLiteral(e) || isNumericLiteral(e)) return e.text;
  if (isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const part = constantString(span.expression, checker, depth + 1);
      if (part === undefined) return undefined;
      out += part + span.literal.text;
    }
    return out;
  }
  if (isBinaryExpression(e) && e.operatorToken.kind === SyntaxKind.PlusToken) {
    const l = constantString(e.left, checker, depth + 1);
    const r = l === undefined ? undefined : constantString(e.right, checker, depth + 1);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  const type = checker.getTypeAtLocation(e);
  if (type.isStringLiteral()) return type.value;
  if (type.isNumberLiteral()) return String(type.value);
  // `const k = "constr" + "uctor"` has type string, but its value is still known.
  if (isIdentifier(e)) {
    const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
    if (decl !== undefined && isVariableDeclaration(decl) && isConst(decl) && decl.initializer !== undefined && isIdentifier(decl.name)) {
      return constantString(decl.initializer, checker, depth + 1);
    }
  }
  return undefined;
}

/** Whether a path is `root` or a member of it (`Date.now` and `Date.now.call` are in `Date.now`). */
export function within(path: Path, root: string): boolean {
  return path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}#`);
}

/** The first segment of a path: `Date` for `Date.now.call`, `Date` for `Date#getHours`. */
export function rootOf(path: Path): string {
  const m = /^[^.#]+/.exec(path);
  return m === null ? path : m[0];
}

/**
 * Whether an expression is a target inside a destructuring assignment: `Math.random` in
 * `({ r: Math.random } = o)`, `a.b` in `[a.b] = xs`, `[a.b = 1] = xs` or `for ({ v: a.b } of xs)`,
 * at any depth.
 */
export function isAssignmentTarget(node: ts.Node): boolean {
  let e: ts.Node = node;
  for (let depth = 0; depth < 64; depth++) {
    // From a target, or a nested pattern, to the object or array literal that holds it.
    let p = e.parent;
    if ((isPropertyAssignment(p) && p.initializer === e) || (isShorthandPropertyAssignment(p) && p.name === e) || isSpreadAssignment(p) || isSpreadElement(p)) p = p.parent;
    // A target with a default: `[x = 1] = xs`, `({ a: x = 1 } = o)`.
    else if (isBinaryExpression(p) && p.left === e && p.operatorToken.kind === SyntaxKind.EqualsToken && (isArrayLiteralExpression(p.parent) || isPropertyAssignment(p.parent))) p = isPropertyAssignment(p.parent) ? p.parent.parent : p.parent;
    if (!isObjectLiteralExpression(p) && !isArrayLiteralExpression(p)) return false;
    const q = p.parent;
    if (isBinaryExpression(q) && q.operatorToken.kind === SyntaxKind.EqualsToken && q.left === p) return true;
    if ((isForOfStatement(q) || isForInStatement(q)) && q.initializer === p) return true;
    e = p;
  }
  return false;
}

/**
 * The kinds `isOuter` accepts, as numbers read once: `isParenthesizedExpression` and the
 * others are each a getter of TypeScript's module and then a call, and the rules ask this of
 * nearly every node they look at.
 */
const outerKinds: ReadonlySet<ts.SyntaxKind> = new Set([
  SyntaxKind.ParenthesizedExpression,
  SyntaxKind.AsExpression,
  SyntaxKind.NonNullExpression,
  SyntaxKind.SatisfiesExpression,
  SyntaxKind.TypeAssertionExpression,
]);

/** A wrapper that passes its expression's value on unchanged: parentheses, `as`, `!`, `satisfies`, `<T>`. */
export function isOuter(n: ts.Node): n is ts.ParenthesizedExpression | ts.AsExpression | ts.NonNullExpression | ts.SatisfiesExpression | ts.TypeAssertion {
  return outerKinds.has(n.kind);
}
