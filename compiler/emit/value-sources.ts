/**
 * Where the value of an action argument comes from, for the manifest (compiler/emit/arguments.ts):
 * the literals written in the source that reach it whole, and what else flows in (`input`,
 * `action:<name>`, `computed`). One analysis whose parts recurse into each other (a variable's
 * value is a helper's return, which is a parameter's argument, which is a member of a literal…),
 * so it is kept in one module even though it is longer than most.
 */
import ts from '../ts/typescript.cjs';
import { argumentIndex, isFunctionLike, type FileFacts } from '../ts/facts.js';
import { isConst, skipOuter } from '../ts/references.js';
import type { Literal } from './origin.js';
import { fileUses } from './uses.js';

const maxDepth = 12;
/** How many values a constant template or concatenation is folded into before it counts as computed. */
const maxFolded = 16;

/** Array methods whose callback gets each element as its first parameter. */
const elementCallbacks = new Set(['every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'forEach', 'map', 'some']);

/** An object or array literal a value may be, or some other expression. */
export type Candidate = ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | { other: ts.Expression };

export interface ValueSources {
  /** The sources of a value that flows into a field whole: literals to `lits`, the rest to `acc`. */
  whole(expr: ts.Expression, depth: number, acc: Set<string>, lits: Set<Literal>): void;
  /** The sources of a value computed from others (a spread): `computed` when nothing flows in. */
  part(expr: ts.Expression, depth: number, acc: Set<string>, force?: boolean): void;
  candidatesOf(expr: ts.Expression, depth: number, seen: Set<ts.Node>): Candidate[];
  literalHolder(expr: ts.Expression): ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | undefined;
  propertyKey(name: ts.PropertyName): string | undefined;
  /** A template's text with its constant holes written in. */
  templateText(t: ts.TemplateExpression): string;
  /** The constant text a template or `+` concatenation starts with. */
  prefixOf(expr: ts.Expression): string | undefined;
}

export function isLiteralCandidate(c: Candidate): c is ts.ObjectLiteralExpression | ts.ArrayLiteralExpression {
  return !('other' in c);
}

/**
 * The value analysis of one file. `workflowInput` is the workflow function's parameter: what
 * it binds is `input`.
 */
export function valueSources(facts: FileFacts, workflowInput: ts.ParameterDeclaration | undefined): ValueSources {
  const { sourceFile: sf, checker } = facts;
  const { symbolOf, referencesOf, writesOf, memberWritesOf, onlyRead, isPassedOn } = fileUses(facts);
  const inputSymbol = workflowInput !== undefined && ts.isIdentifier(workflowInput.name) ? checker.getSymbolAtLocation(workflowInput.name) : undefined;
  const inputBindings = new Set<ts.Node>();
  if (workflowInput !== undefined && !ts.isIdentifier(workflowInput.name)) collectBindings(workflowInput.name, inputBindings);

  /** The object or array literal a `const` that is only read holds, if the expression is one. */
  const literalHolder = (expr: ts.Expression): ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | undefined => {
    const e = skipOuter(expr);
    if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return fixedLiteral(e) ? e : undefined;
    if (!ts.isIdentifier(e)) return undefined;
    const sym = symbolOf(e);
    const decl = sym?.valueDeclaration;
    if (sym === undefined || decl === undefined || !ts.isVariableDeclaration(decl) || !isConst(decl) || !ts.isIdentifier(decl.name) || decl.initializer === undefined || decl.getSourceFile() !== sf) return undefined;
    let init = skipOuter(decl.initializer);
    // `Object.freeze({ … })` is the literal, frozen.
    if (ts.isCallExpression(init) && init.arguments.length === 1 && facts.resolver.resolve(init.expression) === 'Object.freeze') init = skipOuter(init.arguments[0]);
    if (!(ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) || !fixedLiteral(init)) return undefined;
    return onlyRead(sym) ? init : undefined;
  };

  /**
   * Whether an object literal's members are the values written in it: not when a method,
   * accessor or `function` can change the object (`set(v) { this.to = v; }`,
   * `use: function (v) { this.to = v; }`), nor when a spread of something else may replace them
   * (`{ to: "ops@…", ...input.extra }`).
   */
  const fixedLiteral = (lit: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression): boolean => {
    if (ts.isArrayLiteralExpression(lit)) return true;
    return lit.properties.every((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return true;
      if (ts.isSpreadAssignment(p)) return literalHolder(p.expression) !== undefined;
      return ts.isPropertyAssignment(p) && !ts.isFunctionExpression(skipOuter(p.initializer));
    });
  };

  /**
   * What an object-valued expression may evaluate to: object or array literals that nothing
   * changes (a literal, a `const` holding one that is only read), or other expressions, followed
   * through either side of `c ? a : b` and through a parameter that is only read to what every
   * call of its function passes (`notify({ to: "x@y.example" })`). Undefined past the depth.
   */
  const candidatesOf = (expr: ts.Expression, depth: number, seen: Set<ts.Node>): Candidate[] => {
    const e = skipOuter(expr);
    if (depth > maxDepth) return [{ other: e }];
    const holder = literalHolder(e);
    if (holder !== undefined) return [holder];
    if (ts.isConditionalExpression(e)) return [...candidatesOf(e.whenTrue, depth + 1, seen), ...candidatesOf(e.whenFalse, depth + 1, seen)];
    if (!ts.isIdentifier(e)) return [{ other: e }];
    const sym = symbolOf(e);
    const decl = sym?.valueDeclaration;
    if (sym === undefined || decl === undefined || !ts.isParameter(decl) || !ts.isIdentifier(decl.name) || decl.dotDotDotToken !== undefined || decl.getSourceFile() !== sf) return [{ other: e }];
    const fn = decl.parent;
    if (seen.has(decl) || !isFunctionLike(fn) || isPassedOn(fn) || !onlyRead(sym) || writesOf(sym).assigned.length > 0) return [{ other: e }];
    seen.add(decl);
    const index = argumentIndex(decl);
    const calls = facts.callSitesOf(fn);
    if (calls.length === 0) return [{ other: e }];
    const out: Candidate[] = [];
    for (const call of calls) {
      const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
      const arg = args[index];
      if (arg === undefined || args.slice(0, index + 1).some(ts.isSpreadElement)) return [{ other: e }];
      out.push(...candidatesOf(arg, depth + 1, seen));
    }
    return out;
  };

  /** The values a member read can be: the literal's property `name` (every property when the key is unknown). */
  const membersOf = (holder: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, name: string | undefined): ts.Expression[] | undefined => {
    if (ts.isArrayLiteralExpression(holder)) {
      if (holder.elements.some(ts.isSpreadElement)) return undefined;
      if (name === 'length') return undefined;
      const index = name !== undefined && /^\d+$/.test(name) ? Number(name) : undefined;
      return index !== undefined ? (holder.elements[index] !== undefined ? [holder.elements[index]] : []) : [...holder.elements];
    }
    // A spread may bring or replace any member (`{ ...DEFAULTS, high: "…" }`): not followed.
    if (holder.properties.some(ts.isSpreadAssignment)) return undefined;
    const values: ts.Expression[] = [];
    for (const p of holder.properties) {
      const key = ts.isPropertyAssignment(p) ? propertyKey(p.name) : ts.isShorthandPropertyAssignment(p) ? p.name.text : undefined;
      if (ts.isPropertyAssignment(p) && (name === undefined || key === undefined || key === name)) values.push(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p) && (name === undefined || key === name)) values.push(p.name);
    }
    return values;
  };

  const propertyKey = (name: ts.PropertyName): string | undefined => {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name)) {
      const values = constants(name.expression, 0);
      return values !== undefined && values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    }
    return undefined;
  };

  /**
   * The expressions a function of the file returns (an arrow's body), and whether it may also
   * return undefined: a bare `return;`, or an end of its body that control can reach.
   */
  const returnsOf = (fn: ts.FunctionLikeDeclaration): { values: ts.Expression[]; orUndefined: boolean } => {
    if (fn.body === undefined) return { values: [], orUndefined: true };
    if (!ts.isBlock(fn.body)) return { values: [fn.body], orUndefined: false };
    const values: ts.Expression[] = [];
    let orUndefined = false;
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n)) {
        if (n.expression !== undefined) values.push(n.expression);
        else orUndefined = true;
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
    // The binder flags a function whose body's end is reachable (not knowing which `switch` is exhaustive).
    if (fn.flags & ts.NodeFlags.HasImplicitReturn) orUndefined = true;
    return { values, orUndefined };
  };

  /**
   * The value of an expression that is a constant, as the finite set of values it can be (a
   * literal, a `const` of one, `c ? "a" : "b"`, a template or concatenation of such), or
   * undefined when anything else flows into it.
   */
  const constants = (expr: ts.Expression, depth: number): Literal[] | undefined => {
    const acc = new Set<string>();
    const lits = new Set<Literal>();
    whole(expr, depth, acc, lits);
    return acc.size === 0 && lits.size > 0 ? [...lits] : undefined;
  };

  /** Every combination of the parts' constant values, joined as `+` and templates do, or undefined past `maxFolded`. */
  const fold = (parts: ts.Expression[], texts: string[] | undefined, depth: number): Literal[] | undefined => {
    let results: Literal[] = [texts?.[0] ?? ''];
    for (const [i, part] of parts.entries()) {
      const values = constants(part, depth + 1);
      if (values === undefined) return undefined;
      const next: Literal[] = [];
      for (const r of results) {
        for (const v of values) {
          const joined = texts !== undefined ? `${String(r)}${String(v)}${texts[i + 1]}` : i === 0 ? v : plus(r, v);
          if (joined === undefined) return undefined;
          next.push(joined);
        }
      }
      if (next.length > maxFolded) return undefined;
      results = [...new Set(next)];
    }
    return results;
  };

  /**
   * The sources of a value that flows into a field whole: literals go to `lits`, everything else
   * to `acc` as `input`, `action:<name>` or `computed`.
   */
  const whole = (expr: ts.Expression, depth: number, acc: Set<string>, lits: Set<Literal>, seen = new Set<ts.Node>()): void => {
    if (depth > maxDepth) {
      acc.add('computed');
      return;
    }
    const e = skipOuter(expr);
    const literal = literalOf(e);
    if (literal !== undefined) {
      lits.add(literal.value);
      return;
    }
    if (ts.isConditionalExpression(e)) {
      // The condition chooses; only the branches flow in.
      whole(e.whenTrue, depth + 1, acc, lits, seen);
      whole(e.whenFalse, depth + 1, acc, lits, seen);
      return;
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
        whole(e.left, depth + 1, acc, lits, seen);
        whole(e.right, depth + 1, acc, lits, seen);
        return;
      }
      if (op === ts.SyntaxKind.CommaToken) return whole(e.right, depth + 1, acc, lits, seen);
      if (op === ts.SyntaxKind.PlusToken) {
        const folded = fold([e.left, e.right], undefined, depth);
        if (folded !== undefined) {
          for (const v of folded) lits.add(v);
          return;
        }
      }
      return part(e, depth, acc);
    }
    if (ts.isTemplateExpression(e)) {
      const folded = fold(e.templateSpans.map((s) => s.expression), [e.head.text, ...e.templateSpans.map((s) => s.literal.text)], depth);
      if (folded !== undefined) for (const v of folded) lits.add(v);
      else part(e, depth, acc);
      return;
    }
    if (ts.isAwaitExpression(e)) {
      const inner = skipOuter(e.expression);
      if (ts.isCallExpression(inner) && (facts.catalogAction(inner.expression) !== undefined || facts.isStepCall(inner))) return part(e, depth, acc);
      return whole(e.expression, depth + 1, acc, lits, seen);
    }
    if (ts.isIdentifier(e)) return wholeName(e, depth, acc, lits, seen);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      // An enum member is its constant value.
      const enumValue = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e)?.valueDeclaration;
      if (enumValue !== undefined && ts.isEnumMember(enumValue)) {
        const v = checker.getConstantValue(enumValue);
        if (v !== undefined) lits.add(v);
        else part(e, depth, acc);
        return;
      }
      // A getter of the file: what it returns.
      const getters = facts.targetsOf(e, true).filter(ts.isGetAccessorDeclaration);
      if (getters.some((g) => replaceable(e, g) || !heldBy(e, g, depth))) return part(e, depth, acc);
      if (getters.length > 0) {
        for (const g of getters) {
          const { values, orUndefined } = returnsOf(g);
          if (orUndefined) acc.add('computed');
          for (const r of values) whole(r, depth + 1, acc, lits, seen);
        }
        return;
      }
      // A member of object or array literals that are only read: the values written there; a
      // member of anything else is computed from it.
      const candidates = candidatesOf(e.expression, depth + 1, new Set());
      if (!candidates.some(isLiteralCandidate)) return part(e, depth, acc);
      const keys = ts.isElementAccessExpression(e) ? constants(e.argumentExpression, depth + 1) : undefined;
      // Each key it may be is looked up on its own: one that finds no member reads undefined.
      const names: Array<string | undefined> = ts.isPropertyAccessExpression(e) ? [e.name.text] : keys !== undefined ? keys.map(String) : [undefined];
      if (ts.isElementAccessExpression(e) && keys === undefined) part(e.argumentExpression, depth, acc, false);
      for (const c of candidates) {
        for (const name of names) {
          const values = isLiteralCandidate(c) ? membersOf(c, name) : undefined;
          if (values === undefined) {
            part(isLiteralCandidate(c) ? e : c.other, depth, acc);
            continue;
          }
          if (values.length === 0) acc.add('computed'); // a member that is not there: undefined
          for (const x of values) whole(x, depth + 1, acc, lits, seen);
        }
      }
      return;
    }
    if (ts.isCallExpression(e)) {
      // A helper of the file: what it returns (its parameters are followed to its calls).
      const helpers = facts.targetsOf(e.expression, true).filter((f) => f.body !== undefined);
      // A method whose result depends on `this` depends on the object it is called on.
      if (helpers.length === 0 || helpers.some(returnsDependOnThis) || helpers.some((f) => replaceable(e.expression, f) || !heldBy(e.expression, f, depth))) return part(e, depth, acc);
      for (const f of helpers) {
        // A helper already followed (called twice, or recursively) adds nothing new.
        if (seen.has(f)) continue;
        seen.add(f);
        const { values, orUndefined } = returnsOf(f);
        // Undefined is no value a field can be given: the field is then left out, or `${…}` writes "undefined".
        if (values.length === 0 || orUndefined) acc.add('computed');
        for (const r of values) whole(r, depth + 1, acc, lits, seen);
      }
      return;
    }
    part(e, depth, acc);
  };

  /**
   * Whether the function a callee names may be another one at run time: held in a variable that
   * is assigned again (`let pick = …; pick = …`), or a member whose name the file writes
   * anywhere (`route.to = …`, `Object.defineProperty(o, "to", …)`) or that a subclass of the
   * file declares again (`class Leak extends Route { override to() … }`). Its returns then say
   * nothing of what the call gives.
   */
  const replaceable = (callee: ts.Expression, f: ts.FunctionLikeDeclaration): boolean => {
    const e = skipOuter(callee);
    if (ts.isIdentifier(e)) {
      const sym = symbolOf(e);
      const decl = sym?.valueDeclaration;
      if (sym !== undefined && decl !== undefined && ts.isVariableDeclaration(decl) && (!isConst(decl) || writesOf(sym).assigned.length > 0)) return true;
    }
    const name = f.name !== undefined ? propertyKey(f.name) : ts.isPropertyAssignment(f.parent) || ts.isPropertyDeclaration(f.parent) ? propertyKey(f.parent.name) : undefined;
    if (name === undefined) return false;
    if (writtenMemberNames().has(name)) return true;
    const owner = ts.isClassLike(f.parent) ? f.parent : ts.isPropertyDeclaration(f.parent) && ts.isClassLike(f.parent.parent) ? f.parent.parent : undefined;
    return owner !== undefined && redeclaredBelow(owner, name);
  };
  /**
   * Whether a member function is surely the one a call through this receiver runs: the checker
   * names a member by the receiver's type, and anything of that shape may stand there at run
   * time (another literal given to a `let`, a subclass, an argument). Trusted only when the
   * receiver is, as written, object literals that nothing changes and that declare it. A
   * plain function called by name is what it names.
   */
  const heldBy = (callee: ts.Expression, f: ts.FunctionLikeDeclaration, depth: number): boolean => {
    const e = skipOuter(callee);
    if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return true;
    const owner = ts.isObjectLiteralExpression(f.parent) ? f.parent : ts.isPropertyAssignment(f.parent) && ts.isObjectLiteralExpression(f.parent.parent) ? f.parent.parent : undefined;
    if (owner === undefined) return false;
    const candidates = candidatesOf(e.expression, depth + 1, new Set());
    return candidates.length > 0 && candidates.every((c) => c === owner);
  };
  let memberNames: Set<string> | undefined;
  /** Names of members the file assigns or defines on some object (by name or constant key). */
  const writtenMemberNames = (): Set<string> => {
    if (memberNames !== undefined) return memberNames;
    const names = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        const t = skipOuter(n.left);
        if (ts.isPropertyAccessExpression(t)) names.add(t.name.text);
        else if (ts.isElementAccessExpression(t)) {
          const keys = constants(t.argumentExpression, 0);
          for (const k of keys ?? []) names.add(String(k));
        }
      } else if (ts.isCallExpression(n) && /^(?:Object|Reflect)\.(?:defineProperty|defineProperties|assign|set)$/.test(facts.resolver.resolve(n.expression) ?? '')) {
        const key = n.arguments[1];
        const keys = key !== undefined ? constants(key, 0) : undefined;
        for (const k of keys ?? []) names.add(String(k));
        // Object.assign / defineProperties: the keys of what is merged in.
        for (const a of n.arguments.slice(1)) {
          const lit = skipOuter(a);
          if (ts.isObjectLiteralExpression(lit)) for (const p of lit.properties) if (p.name !== undefined) { const k = propertyKey(p.name); if (k !== undefined) names.add(k); }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return (memberNames = names);
  };
  /** Whether a class of the file that extends `base` (directly or not) declares a member `name`. */
  const redeclaredBelow = (base: ts.ClassLikeDeclaration, name: string): boolean => {
    const baseSym = base.name !== undefined ? checker.getSymbolAtLocation(base.name) : ts.isVariableDeclaration(base.parent) && ts.isIdentifier(base.parent.name) ? checker.getSymbolAtLocation(base.parent.name) : undefined;
    if (baseSym === undefined) return false;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isClassLike(n) && n !== base && extendsFrom(n, baseSym, 0) && n.members.some((m) => m.name !== undefined && propertyKey(m.name) === name)) found = true;
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return found;
  };
  const extendsFrom = (cls: ts.ClassLikeDeclaration, baseSym: ts.Symbol, depth: number): boolean => {
    if (depth > 8) return false;
    const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (heritage === undefined) return false;
    let sym = checker.getSymbolAtLocation(skipOuter(heritage.expression));
    if (sym !== undefined && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    if (sym === undefined) return false;
    if (sym === baseSym) return true;
    const decl = sym.valueDeclaration;
    const next = decl !== undefined && ts.isClassLike(decl) ? decl : decl !== undefined && ts.isVariableDeclaration(decl) && decl.initializer !== undefined && ts.isClassExpression(skipOuter(decl.initializer)) ? (skipOuter(decl.initializer) as ts.ClassExpression) : undefined;
    return next !== undefined && extendsFrom(next, baseSym, depth + 1);
  };

  /** Whether a method's returns mention `this` (then they depend on the object it is called on). */
  const returnsDependOnThis = (fn: ts.FunctionLikeDeclaration): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (n.kind === ts.SyntaxKind.ThisKeyword) found = true;
      else if (!(isFunctionLike(n) && !ts.isArrowFunction(n))) ts.forEachChild(n, visit);
    };
    if (fn.body !== undefined) visit(fn.body);
    return found;
  };

  /** A name whose value flows whole: the input, a variable (its initializer and every assignment), a parameter (what its calls pass). */
  const wholeName = (id: ts.Identifier, depth: number, acc: Set<string>, lits: Set<Literal>, seen: Set<ts.Node>): void => {
    if (id.text === 'undefined') {
      acc.add('computed');
      return;
    }
    const sym = symbolOf(id);
    if (sym !== undefined && sym === inputSymbol) {
      acc.add('input');
      return;
    }
    const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
    // `var x = "a"; … var x = "b";`: each declaration's initializer is a write.
    if (sym === undefined || decl === undefined || decl.getSourceFile() !== sf || (sym.declarations ?? []).filter(ts.isVariableDeclaration).length > 1) {
      acc.add('computed');
      return;
    }
    if (inputBindings.has(decl)) {
      acc.add('input');
      // `({ to = "ops@corp.example" }: Input)`: the default is sent when the input has none.
      if (ts.isBindingElement(decl) && decl.initializer !== undefined) whole(decl.initializer, depth + 1, acc, lits, seen);
      return;
    }
    if (seen.has(decl)) return;
    seen.add(decl);
    const writes = writesOf(sym);
    for (const a of writes.assigned) whole(a, depth + 1, acc, lits, seen);
    for (const c of writes.compound) part(c, depth + 1, acc, true);
    if (writes.other) acc.add('computed');
    if (ts.isVariableDeclaration(decl)) {
      const loop = decl.parent.parent;
      if (ts.isForOfStatement(loop) && ts.isVariableDeclarationList(decl.parent) && ts.isIdentifier(decl.name)) {
        // A loop variable is each element of what is iterated.
        for (const c of candidatesOf(loop.expression, depth + 1, new Set())) {
          if (isLiteralCandidate(c) && ts.isArrayLiteralExpression(c) && !c.elements.some(ts.isSpreadElement)) for (const el of c.elements) whole(el, depth + 1, acc, lits, seen);
          else part(isLiteralCandidate(c) ? loop.expression : c.other, depth + 1, acc, true);
        }
        return;
      }
      if (decl.initializer !== undefined) whole(decl.initializer, depth + 1, acc, lits, seen);
      else if (writes.assigned.length === 0) acc.add('computed');
      return;
    }
    if (ts.isBindingElement(decl)) {
      // A default applies when the value is missing; the value is a member of what is destructured.
      if (decl.initializer !== undefined) whole(decl.initializer, depth + 1, acc, lits, seen);
      let root: ts.Node = decl;
      while (ts.isBindingElement(root)) root = root.parent.parent;
      if (ts.isParameter(root)) parameterSources(root, depth, acc, lits, seen, false);
      else if (ts.isVariableDeclaration(root) && root.initializer !== undefined) part(root.initializer, depth + 1, acc, true);
      else acc.add('computed');
      return;
    }
    if (ts.isParameter(decl)) {
      parameterSources(decl, depth, acc, lits, seen, true);
      return;
    }
    // A function is no JSON value: the field is left out (an enum is an object of its members).
    if (ts.isEnumDeclaration(decl)) return;
    acc.add('computed');
  };

  /** A helper's parameter carries what its calls in this file pass in that position (its default when they pass nothing). */
  const parameterSources = (param: ts.ParameterDeclaration, depth: number, acc: Set<string>, lits: Set<Literal>, seen: Set<ts.Node>, isWhole: boolean): void => {
    const fn = param.parent;
    const index = argumentIndex(param);
    // A callback written in place for an array method: its first parameter is each element.
    const outer = fn.parent;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isCallExpression(outer) && outer.arguments[0] === fn && ts.isPropertyAccessExpression(skipOuter(outer.expression))) {
      const method = skipOuter(outer.expression) as ts.PropertyAccessExpression;
      const receiver = method.expression;
      if (index === 0 && elementCallbacks.has(method.name.text) && isArrayLike(receiver)) {
        for (const c of candidatesOf(receiver, depth + 1, new Set())) {
          if (isLiteralCandidate(c) && ts.isArrayLiteralExpression(c) && !c.elements.some(ts.isSpreadElement)) {
            for (const el of c.elements) {
              if (isWhole) whole(el, depth + 1, acc, lits, seen);
              else part(el, depth + 1, acc, true);
            }
          } else part(isLiteralCandidate(c) ? receiver : c.other, depth + 1, acc, true);
        }
        return;
      }
    }
    const calls = isFunctionLike(fn) ? facts.callSitesOf(fn) : [];
    // A function handed to another call (a callback) is called where the checker cannot see.
    const knownCalls = calls.length > 0 && !isPassedOn(fn);
    if (!knownCalls) acc.add('computed');
    for (const call of calls) {
      const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
      if (args.slice(0, index + 1).some(ts.isSpreadElement)) {
        acc.add('computed');
        continue;
      }
      const arg = param.dotDotDotToken !== undefined ? undefined : args[index];
      if (param.dotDotDotToken !== undefined) for (const a of args.slice(index)) part(a, depth + 1, acc, true);
      else if (arg !== undefined && isWhole) whole(arg, depth + 1, acc, lits, seen);
      else if (arg !== undefined) part(arg, depth + 1, acc, true);
      // The default also when an argument is given: a value from the input may be undefined.
      if (param.initializer !== undefined) whole(param.initializer, depth + 1, acc, lits, seen);
      else if (arg === undefined && param.dotDotDotToken === undefined) acc.add('computed');
    }
  };

  const isArrayLike = (e: ts.Expression): boolean => {
    const t = checker.getTypeAtLocation(e);
    return checker.isArrayType(t) || checker.isTupleType(t);
  };

  /**
   * The sources of a value computed from other values (a call, a concatenation, a member of
   * something not constant): what flows into it, or `computed` when nothing does. `force`
   * says the caller needs at least one source for this part.
   */
  const part = (expr: ts.Expression, depth: number, acc: Set<string>, force = true): void => {
    const found = new Set<string>();
    sources(expr, depth + 1, found);
    if (found.size === 0 && force) acc.add('computed');
    for (const f of found) acc.add(f);
  };

  /** Sources of a value: 'input', 'action:<name>', 'computed' (a value built by code: its literal parts are not whole values). */
  const sources = (expr: ts.Expression, depth: number, acc: Set<string>): void => {
    if (depth > maxDepth) {
      acc.add('computed');
      return;
    }
    const e = skipOuter(expr);
    if (literalOf(e) !== undefined) return;
    if (ts.isAwaitExpression(e)) {
      const inner = skipOuter(e.expression);
      if (ts.isCallExpression(inner)) {
        const action = facts.catalogAction(inner.expression);
        if (action !== undefined) {
          acc.add(`action:${action}`);
          return;
        }
        if (facts.isStepCall(inner)) {
          acc.add(`action:${facts.calleePath(inner)?.slice('alice:'.length) ?? 'step'}`);
          return;
        }
      }
      sources(e.expression, depth + 1, acc);
      return;
    }
    if (ts.isIdentifier(e)) {
      // What the name may hold, literals included (they only shape the computed value).
      whole(e, depth + 1, acc, new Set());
      return;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      sources(e.expression, depth + 1, acc);
      if (ts.isElementAccessExpression(e)) sources(e.argumentExpression, depth + 1, acc);
      // What is written into the object's members after it was made (`cfg.to = input.to`).
      let root = skipOuter(e.expression);
      while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuter(root.expression);
      const rootSym = ts.isIdentifier(root) ? symbolOf(root) : undefined;
      if (rootSym !== undefined && rootSym.valueDeclaration?.getSourceFile() === sf) for (const v of memberWritesOf(rootSym)) sources(v, depth + 1, acc);
      return;
    }
    if (ts.isCallExpression(e)) {
      const helpers = facts.targetsOf(e.expression, true).filter((f) => f.body !== undefined);
      if (helpers.length > 0) {
        whole(e, depth + 1, acc, new Set());
        return;
      }
      // A pure library call's result comes from its receiver and arguments (`input.email.trim()`).
      if (ts.isPropertyAccessExpression(e.expression)) sources(e.expression.expression, depth + 1, acc);
      for (const a of e.arguments) sources(a, depth + 1, acc);
      if (e.arguments.length === 0 && !ts.isPropertyAccessExpression(e.expression)) acc.add('computed');
      return;
    }
    let any = false;
    ts.forEachChild(e, (child) => {
      if (ts.isExpression(child)) {
        any = true;
        sources(child, depth + 1, acc);
      } else if (ts.isPropertyAssignment(child) || ts.isShorthandPropertyAssignment(child) || ts.isSpreadAssignment(child) || ts.isTemplateSpan(child)) {
        any = true;
        const value = ts.isPropertyAssignment(child) ? child.initializer : ts.isShorthandPropertyAssignment(child) ? child.name : child.expression;
        sources(value, depth + 1, acc);
      }
    });
    if (!any) acc.add('computed');
  };

  /** The text of a value that is one constant. */
  const single = (e: ts.Expression): string | undefined => {
    const values = constants(e, 1);
    return values !== undefined && values.length === 1 ? String(values[0]) : undefined;
  };
  /** A template's text with its constant holes written in: `${base}/orders/${id}` as `https://api.example/orders/${…}`. */
  const templateText = (t: ts.TemplateExpression): string => t.head.text + t.templateSpans.map((span) => (single(span.expression) ?? '${…}') + span.literal.text).join('');
  /** The constant text a template or `+` concatenation starts with (`https://api.example.com/v1/` of `base + "/v1/" + id`). */
  const prefixOf = (expr: ts.Expression): string | undefined => {
    const e = skipOuter(expr);
    const known = single(e);
    if (known !== undefined) return known;
    if (ts.isTemplateExpression(e)) {
      let out = e.head.text;
      for (const span of e.templateSpans) {
        const hole = single(span.expression);
        if (hole === undefined) return out;
        out += hole + span.literal.text;
      }
      return out;
    }
    // Only a concatenation has a prefix: `10 + input.n` and `"page-" + (1 + input.n)`'s inner sum are additions.
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken && (checker.getTypeAtLocation(e).flags & ts.TypeFlags.StringLike) !== 0) {
      const left = prefixOf(e.left);
      if (left === undefined) return undefined;
      return single(e.left) !== undefined ? left + (prefixOf(e.right) ?? '') : left;
    }
    return undefined;
  };

  return { whole: (expr, depth, acc, lits) => whole(expr, depth, acc, lits), part, candidatesOf, literalHolder, propertyKey, templateText, prefixOf };
}

function collectBindings(name: ts.BindingName, into: Set<ts.Node>): void {
  if (ts.isIdentifier(name)) return;
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    into.add(el);
    collectBindings(el.name, into);
  }
}

/** A literal written in the source: strings, numbers (also negative), booleans, null. */
function literalOf(e: ts.Expression): { value: Literal } | undefined {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { value: e.text };
  if (ts.isNumericLiteral(e)) return { value: Number(e.text) };
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return { value: -Number(e.operand.text) };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  return undefined;
}

/** `a + b` of two constants as JavaScript computes it, for strings and numbers only. */
function plus(a: Literal, b: Literal): Literal | undefined {
  if (typeof a === 'string' || typeof b === 'string') return `${String(a)}${String(b)}`;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return undefined;
}

