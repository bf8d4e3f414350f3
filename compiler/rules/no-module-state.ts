import ts from '../ts/typescript.cjs';
import { argumentIndex, isFunctionLike, isModuleLevel } from '../ts/facts.js';
import { isConst, skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, getModifiers, getCombinedModifierFlags, findAncestor, ModifierFlags, NodeFlags, SyntaxKind, TypeFlags, isArrayLiteralExpression, isArrowFunction, isBinaryExpression, isBindingElement, isBlock, isCallExpression, isClassDeclaration, isClassLike, isClassStaticBlockDeclaration, isConditionalExpression, isDeleteExpression, isElementAccessExpression, isEnumDeclaration, isExpression, isForOfStatement, isFunctionDeclaration, isFunctionExpression, isGetAccessorDeclaration, isIdentifier, isMethodDeclaration, isModuleDeclaration, isNewExpression, isObjectLiteralExpression, isParameter, isPostfixUnaryExpression, isPrefixUnaryExpression, isPropertyAccessExpression, isPropertyAssignment, isPropertyDeclaration, isRegularExpressionLiteral, isReturnStatement, isSetAccessorDeclaration, isShorthandPropertyAssignment, isSourceFile, isSpreadAssignment, isSpreadElement, isVariableDeclaration, isVariableDeclarationList } = ts;

const why = 'module-level state is not in the journal: the engine evaluates the module again for every execution (and may reuse one module for several runs), so state that a run changes between steps must live inside the workflow function, where replay rebuilds it step by step';

/** Methods that change the array, map or set they are called on. */
const mutatingMethods = new Set([
  'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear', 'next', 'return', 'throw', 'compile',
  'setTime', 'setFullYear', 'setMonth', 'setDate', 'setHours', 'setMinutes', 'setSeconds', 'setMilliseconds',
  'setUTCFullYear', 'setUTCMonth', 'setUTCDate', 'setUTCHours', 'setUTCMinutes', 'setUTCSeconds', 'setUTCMilliseconds',
  // DataView writes into the buffer it views.
  'setInt8', 'setUint8', 'setInt16', 'setUint16', 'setInt32', 'setUint32', 'setFloat32', 'setFloat64', 'setBigInt64', 'setBigUint64',
]);
/** Constructors that make a view sharing the memory of the ArrayBuffer they are given. */
const viewConstructors = new Set([
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView',
]);
/** String methods that run a pattern's exec once when it is not global, moving a sticky pattern's lastIndex. */
const stickyStringMethods = new Set(['replace', 'match']);
/** Library methods that return an element of the collection they are called on (shared, not a copy). */
const elementMethods = new Set(['find', 'findLast', 'at', 'get']);
/** RegExp methods that move `lastIndex` on a global or sticky pattern. */
const regexpStateMethods = new Set(['exec', 'test']);

/** Functions that change the object they are given first. */
const mutators = new Set([
  'Object.defineProperty', 'Object.defineProperties', 'Object.assign', 'Object.setPrototypeOf',
  'Reflect.set', 'Reflect.defineProperty', 'Reflect.deleteProperty', 'Reflect.setPrototypeOf',
]);

const maxDepth = 8;
/** How far moduleRoot follows aliases, parameters and helpers' returns. */
const maxAliasDepth = 64;

/** The function, static block or field whose `this` a `this` keyword is (arrows have none of their own). */
function thisContainer(node: ts.Node): ts.Node | undefined {
  for (let p = node.parent; p !== undefined; p = p.parent) {
    if (isArrowFunction(p)) continue;
    if (isFunctionLike(p) || isClassStaticBlockDeclaration(p) || isPropertyDeclaration(p)) return p;
    if (isSourceFile(p)) return undefined;
  }
  return undefined;
}

/** Calls `fn` with the expression of every `return` of a function body (not of nested functions). */
function forEachReturn(body: ts.Node, fn: (e: ts.Expression) => void): void {
  forEachChild(body, (n) => {
    if (isFunctionLike(n) || isClassLike(n)) return;
    if (isReturnStatement(n) && n.expression !== undefined) fn(n.expression);
    forEachReturn(n, fn);
  });
}

/** Whether a name is a method declared by the ES library (not a helper object's own method). */
function isLibMethodOf(checker: ts.TypeChecker, program: ts.Program, name: ts.MemberName): boolean {
  return (checker.getSymbolAtLocation(name)?.declarations ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/** Module-level `let`/`var`, and changes to module-level objects from inside functions. */
export default defineRule({
  id: 'no-module-state',
  description: 'Module-level let/var and objects changed from functions are state outside the journal; keep mutable state inside the workflow function.',
  create: (ctx) => {
    const checker = ctx.checker;
    const isLibMethod = (name: ts.MemberName): boolean => isLibMethodOf(checker, ctx.facts.program, name);

    /** Whether a method changes its own object (`this.n++`, `this.items.push(…)`), also through other methods. */
    const writesThis = (fn: ts.Node, depth = 0): boolean => {
      if (depth > maxDepth || !isFunctionLike(fn) || fn.body === undefined) return false;
      const thisRooted = (t: ts.Expression): boolean => {
        let x = skipOuter(t);
        while (isPropertyAccessExpression(x) || isElementAccessExpression(x)) x = skipOuter(x.expression);
        return x.kind === SyntaxKind.ThisKeyword;
      };
      let found = false;
      const visit = (n: ts.Node): void => {
        if (found || (n !== fn && isFunctionLike(n) && !isArrowFunction(n)) || isClassLike(n)) return;
        let target: ts.Expression | undefined;
        if (isBinaryExpression(n) && n.operatorToken.kind >= SyntaxKind.FirstAssignment && n.operatorToken.kind <= SyntaxKind.LastAssignment) target = n.left;
        else if ((isPrefixUnaryExpression(n) || isPostfixUnaryExpression(n)) && (n.operator === SyntaxKind.PlusPlusToken || n.operator === SyntaxKind.MinusMinusToken)) target = n.operand;
        else if (isDeleteExpression(n)) target = n.expression;
        if (target !== undefined && (isPropertyAccessExpression(skipOuter(target)) || isElementAccessExpression(skipOuter(target))) && thisRooted(target)) found = true;
        else if (isCallExpression(n) && isPropertyAccessExpression(n.expression) && thisRooted(n.expression.expression)) {
          const callee = n.expression;
          if (mutatingMethods.has(callee.name.text) && isLibMethod(callee.name) && !(skipOuter(callee.expression).kind === SyntaxKind.ThisKeyword)) found = true;
          else if (skipOuter(callee.expression).kind === SyntaxKind.ThisKeyword && ctx.facts.targetsOf(callee).some((m) => writesThis(m, depth + 1))) found = true;
        }
        if (!found) forEachChild(n, visit);
      };
      forEachChild(fn.body, visit);
      return found;
    };

    /**
     * The module-level declaration whose object graph the object `target` evaluates to is part
     * of, if any: `cache`, `cache.items[k]`, also through local aliases (`const i = cache.items`,
     * `let r = rows`), destructuring, for-of variables, helpers' returns and parameters, and `this`
     * in a static method of a module-level class. `after` counts the member accesses applied to
     * `target` on the way to the object asked about: a fresh array or object literal (`[...rows]`,
     * `{ xs: items }`) is a new object itself, and only what is read out of it (`[...rows][0]`,
     * `{ xs: items }.xs`) is shared with the module-level objects it was built from.
     */
    const moduleRoot = (target: ts.Expression, depth = 0, after = 0, seen = new Set<ts.Node>()): { name: string } | undefined => {
      // Cycles (a recursive helper passing its parameter on) end at `seen`; the depth only bounds
      // very long chains of aliases, which are followed well beyond what code writes by hand.
      if (depth > maxAliasDepth) return undefined;
      let e = skipOuter(target);
      let reach = after;
      while (isPropertyAccessExpression(e) || isElementAccessExpression(e)) {
        e = skipOuter(e.expression);
        reach++;
      }
      // `(input.b ? rows : mine).push(1)` and `(cached ?? rows)` may be either side.
      if (isConditionalExpression(e)) return moduleRoot(e.whenTrue, depth + 1, reach, seen) ?? moduleRoot(e.whenFalse, depth + 1, reach, seen);
      if (isBinaryExpression(e) && [SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken, SyntaxKind.AmpersandAmpersandToken].includes(e.operatorToken.kind)) {
        return moduleRoot(e.left, depth + 1, reach, seen) ?? moduleRoot(e.right, depth + 1, reach, seen);
      }
      if (isObjectLiteralExpression(e) || isArrayLiteralExpression(e)) {
        if (reach === 0) return undefined; // the literal itself is a new object
        // `{ xs: items }.xs` and `[...rows][0]` are module-level objects (or their elements).
        for (const el of isObjectLiteralExpression(e) ? e.properties : e.elements) {
          const value = isPropertyAssignment(el) ? el.initializer : isShorthandPropertyAssignment(el) ? el.name : isSpreadElement(el) || isSpreadAssignment(el) ? el.expression : isExpression(el) ? el : undefined;
          const root = value !== undefined ? moduleRoot(value, depth + 1, isSpreadElement(el) ? reach : reach - 1, seen) : undefined;
          if (root !== undefined) return root;
        }
        return undefined;
      }
      if (isNewExpression(e)) {
        // `new Uint8Array(buf)`, `new DataView(bytes.buffer)`: a view of a buffer writes into it.
        const ctor = ctx.facts.resolver.resolve(e.expression);
        const source = e.arguments?.[0];
        if (ctor === undefined || !viewConstructors.has(ctor) || source === undefined || isSpreadElement(source)) return undefined;
        const sourceType = checker.getTypeAtLocation(source);
        const isBuffer = (sourceType.getSymbol()?.getName() ?? '').endsWith('ArrayBuffer') || (sourceType.flags & TypeFlags.Any) !== 0;
        return isBuffer ? moduleRoot(source, depth + 1, Math.max(reach, 1), seen) : undefined;
      }
      if (isCallExpression(e)) {
        // `rows.find(…)` is an element of rows; `items()` of a helper that returns a module-level object is that object.
        const callee = skipOuter(e.expression);
        const path = ctx.facts.resolver.resolve(callee);
        // A new array of the object's values: the array is fresh, its elements are shared.
        if ((path === 'Object.values' || path === 'Object.entries' || path === 'Array.from') && e.arguments.length > 0) return reach === 0 ? undefined : moduleRoot(e.arguments[0], depth + 1, reach, seen);
        if (isPropertyAccessExpression(callee) && elementMethods.has(callee.name.text) && isLibMethod(callee.name)) return moduleRoot(callee.expression, depth + 1, reach + 1, seen);
        for (const fn of ctx.facts.targetsOf(callee)) {
          if (fn.body === undefined || seen.has(fn)) continue;
          seen.add(fn);
          const returned: ts.Expression[] = [];
          if (!isBlock(fn.body)) returned.push(fn.body);
          else forEachReturn(fn.body, (r) => returned.push(r));
          for (const r of returned) {
            const root = moduleRoot(r, depth + 1, reach, seen);
            if (root !== undefined) return root;
          }
        }
        return undefined;
      }
      if (e.kind === SyntaxKind.ThisKeyword) {
        const container = thisContainer(e);
        if (container === undefined) return undefined;
        // A method of a module-level object literal: `this` is that object.
        if (isObjectLiteralExpression(container.parent) && (isMethodDeclaration(container) || isGetAccessorDeclaration(container) || isSetAccessorDeclaration(container))) {
          const holder = container.parent.parent;
          return isVariableDeclaration(holder) && isIdentifier(holder.name) && isModuleLevel(holder) ? { name: holder.name.text } : undefined;
        }
        const staticMember = (isMethodDeclaration(container) || isGetAccessorDeclaration(container) || isSetAccessorDeclaration(container) || isClassStaticBlockDeclaration(container) || isPropertyDeclaration(container)) &&
          (isClassStaticBlockDeclaration(container) || (getCombinedModifierFlags(container) & ModifierFlags.Static) !== 0);
        const cls = container.parent;
        return staticMember && isClassDeclaration(cls) && cls.name !== undefined && isModuleLevel(cls) ? { name: cls.name.text } : undefined;
      }
      if (!isIdentifier(e)) return undefined;
      const sym = checker.getSymbolAtLocation(e);
      const decl = sym?.declarations?.[0];
      if (sym === undefined || decl === undefined || decl.getSourceFile() !== ctx.sourceFile) return undefined;
      // A parameter: what the calls of its function in this file pass (`add(items)` with `function add(xs) { xs.push(1) }`).
      if (isParameter(decl) && isIdentifier(decl.name) && isFunctionLike(decl.parent)) {
        const fn = decl.parent;
        if (seen.has(decl)) return undefined;
        seen.add(decl);
        if (ctx.facts.calledIndirectly(fn)) return undefined;
        const index = argumentIndex(decl);
        for (const call of ctx.facts.callSitesOf(fn)) {
          const arg = (call.arguments ?? [])[index];
          const root = arg !== undefined && !isSpreadElement(arg) ? moduleRoot(arg, depth + 1, reach, seen) : undefined;
          if (root !== undefined) return root;
        }
        return undefined;
      }
      const declared = isVariableDeclaration(decl) || isFunctionDeclaration(decl) || isClassDeclaration(decl) || isBindingElement(decl) || isEnumDeclaration(decl) || isModuleDeclaration(decl);
      if (!declared) return undefined;
      if (isModuleLevel(decl)) return { name: e.text };
      // A local variable that is only another name for (a part of) a module-level object, also
      // destructured (`const { m } = state`: one access in) or as the variable of a for-of over it
      // (an element: one access in).
      let holder: ts.Node = decl;
      let inner = reach;
      while (isBindingElement(holder)) {
        holder = holder.parent.parent;
        inner++;
      }
      if (isVariableDeclaration(holder) && isForOfStatement(holder.parent.parent) && holder.parent.parent.initializer === holder.parent) return moduleRoot(holder.parent.parent.expression, depth + 1, inner + 1, seen);
      if (!isVariableDeclaration(holder) || seen.has(holder)) return undefined;
      seen.add(holder);
      // A `let` may be given a module-level object by its initializer or any later assignment.
      const values = holder.initializer !== undefined ? [holder.initializer] : [];
      if (!isConst(holder) && isIdentifier(holder.name)) values.push(...ctx.facts.assignedValues(sym));
      for (const v of values) {
        const root = moduleRoot(v, depth + 1, inner, seen);
        if (root !== undefined) return root;
      }
      return undefined;
    };

    /**
     * Whether a node runs when a function is called. A static block is not a function: it runs
     * once, when its class is defined, so in a module-level class it is initialisation at module
     * load like a top-level statement (and in a class inside a function, that function counts).
     */
    const insideFunction = (node: ts.Node): boolean => {
      for (let p = node.parent; p !== undefined; p = p.parent) if (isFunctionLike(p)) return true;
      return false;
    };
    const report = (node: ts.Node, name: string, verb = 'this changes') =>
      ctx.report(node, `${verb} ${name}, which is declared at module level: ${why}.`, `declare ${name} inside the workflow function and pass it to helpers`);
    /** A write to `target`, which may be a destructuring pattern (`[o.n] = …`, `({ a: o.x } = …)`). */
    const checkWrite = (node: ts.Node, target: ts.Expression): void => {
      const t = skipOuter(target);
      if (isArrayLiteralExpression(t)) {
        for (const el of t.elements) checkWrite(node, isSpreadElement(el) ? el.expression : el);
        return;
      }
      if (isObjectLiteralExpression(t)) {
        for (const p of t.properties) {
          if (isPropertyAssignment(p)) checkWrite(node, p.initializer);
          else if (isSpreadAssignment(p)) checkWrite(node, p.expression);
        }
        return;
      }
      if (isBinaryExpression(t) && t.operatorToken.kind === SyntaxKind.EqualsToken) {
        checkWrite(node, t.left); // a default value: `[o.n = 1] = …`
        return;
      }
      if (!(isPropertyAccessExpression(t) || isElementAccessExpression(t)) || !insideFunction(node)) return;
      // The object changed is the one the property is written on.
      const root = moduleRoot(t.expression);
      if (root !== undefined) report(node, root.name);
    };
    const checkLoopTarget = (node: ts.ForOfStatement | ts.ForInStatement) => {
      if (!isVariableDeclarationList(node.initializer)) checkWrite(node.initializer, node.initializer);
    };
    /** `re` when it names a module-level `const re = /…/g` (or `y`; with `stickyOnly`, `y` without `g`). */
    const statefulRegExp = (expr: ts.Expression, stickyOnly = false): string | undefined => {
      const e = skipOuter(expr);
      if (!isIdentifier(e)) return undefined;
      const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
      if (decl === undefined || !isVariableDeclaration(decl) || !isModuleLevel(decl) || decl.initializer === undefined) return undefined;
      const init = skipOuter(decl.initializer);
      if (!isRegularExpressionLiteral(init)) return undefined;
      const flags = init.text.slice(init.text.lastIndexOf('/') + 1);
      if (stickyOnly) return flags.includes('y') && !flags.includes('g') ? e.text : undefined;
      return /[gy]/.test(flags) ? e.text : undefined;
    };

    /**
     * A module-level `const next = makeCounter()` (or an IIFE) whose function returns closures
     * that change its own `let`s: the state lives at module level, only hidden in a closure.
     */
    const closureState = (decl: ts.VariableDeclaration): { fn: string; variable: string } | undefined => {
      if (decl.initializer === undefined) return undefined;
      const init = skipOuter(decl.initializer);
      if (!isCallExpression(init) && !isNewExpression(init)) return undefined;
      const callee = skipOuter(init.expression);
      let fn: ts.Node | undefined;
      if (isFunctionLike(callee)) fn = callee;
      else if (isIdentifier(callee)) {
        const target = checker.getSymbolAtLocation(callee)?.declarations?.[0];
        if (target !== undefined && target.getSourceFile() === ctx.sourceFile) {
          if (isFunctionLike(target)) fn = target;
          else if (isVariableDeclaration(target) && target.initializer !== undefined && isFunctionLike(skipOuter(target.initializer))) fn = skipOuter(target.initializer);
        }
      }
      if (fn === undefined || !isFunctionLike(fn) || fn.body === undefined) return undefined;
      const outer = fn;
      let found: string | undefined;
      const visit = (n: ts.Node, inClosure: boolean): void => {
        if (found !== undefined) return;
        const nested = inClosure || (n !== outer && isFunctionLike(n));
        let target: ts.Expression | undefined;
        if (isBinaryExpression(n) && n.operatorToken.kind >= SyntaxKind.FirstAssignment && n.operatorToken.kind <= SyntaxKind.LastAssignment) target = n.left;
        else if ((isPrefixUnaryExpression(n) || isPostfixUnaryExpression(n)) && (n.operator === SyntaxKind.PlusPlusToken || n.operator === SyntaxKind.MinusMinusToken)) target = n.operand;
        if (nested && target !== undefined) {
          const t = skipOuter(target);
          const d = isIdentifier(t) ? checker.getSymbolAtLocation(t)?.declarations?.[0] : undefined;
          // A variable or parameter of the factory itself, changed by a closure it made.
          if (d !== undefined && (isVariableDeclaration(d) || isParameter(d)) && findAncestor(d, isFunctionLike) === outer) found = (t as ts.Identifier).text;
        }
        forEachChild(n, (c) => visit(c, nested));
      };
      forEachChild(outer.body!, (c) => visit(c, false));
      if (found === undefined) return undefined;
      return { fn: isIdentifier(callee) ? callee.text : 'the function called here', variable: found };
    };

    return {
      VariableStatement(node) {
        // Module level means not inside a function: a block or a namespace at module level too.
        if (!isModuleLevel(node)) return;
        const flags = node.declarationList.flags;
        if (flags & NodeFlags.Const) {
          for (const d of node.declarationList.declarations) {
            const hidden = closureState(d);
            if (hidden !== undefined) {
              ctx.report(d.name, `${d.name.getText()} holds closures that change ${hidden.variable}, a variable of ${hidden.fn}: that is module-level mutable state, only hidden in a closure; ${why}.`, `call ${hidden.fn}() inside the workflow function instead`);
            }
          }
        }
        if (flags & (NodeFlags.Const | NodeFlags.Using | NodeFlags.AwaitUsing)) return;
        if ((getModifiers(node) ?? []).some((m) => m.kind === SyntaxKind.DeclareKeyword)) return; // no-host-globals
        const kw = flags & NodeFlags.Let ? 'let' : 'var';
        for (const d of node.declarationList.declarations) {
          ctx.report(d.name, `module-level ${kw} ${d.name.getText()} is mutable state outside the journal: ${why}.`, `use const for constants, or move the variable into the workflow function`);
        }
      },
      BinaryExpression(node) {
        const op = node.operatorToken.kind;
        if (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) checkWrite(node, node.left);
      },
      PrefixUnaryExpression(node) {
        if (node.operator === SyntaxKind.PlusPlusToken || node.operator === SyntaxKind.MinusMinusToken) checkWrite(node, node.operand);
      },
      PostfixUnaryExpression(node) {
        checkWrite(node, node.operand);
      },
      DeleteExpression(node) {
        checkWrite(node, node.expression);
      },
      ForOfStatement: checkLoopTarget,
      ForInStatement: checkLoopTarget,
      CallExpression(node) {
        if (!insideFunction(node)) return;
        const path = ctx.facts.resolver.resolve(node.expression);
        if (path !== undefined && mutators.has(path) && node.arguments.length > 0) {
          const root = moduleRoot(node.arguments[0]);
          if (root !== undefined) report(node, root.name, `${path}() changes`);
          return;
        }
        // `Array.prototype.push.call(items, 1)`, `push.call(items, 1)` after `const { push } = items`,
        // `Reflect.apply(Array.prototype.push, items, [1])`: a mutating method run on a module-level object.
        const viaProto = path !== undefined ? /^[A-Za-z]+(?:\.prototype\.|#)([A-Za-z]+)\.(call|apply|bind)$/.exec(path) : null;
        const applied = path === 'Reflect.apply' && node.arguments.length > 1 ? /^[A-Za-z]+(?:\.prototype\.|#)([A-Za-z]+)$/.exec(ctx.facts.resolver.resolve(node.arguments[0]) ?? '') : null;
        const viaMethod = viaProto ?? applied;
        if (viaMethod !== null && mutatingMethods.has(viaMethod[1]) && node.arguments.length > 0) {
          const root = moduleRoot(node.arguments[applied !== null ? 1 : 0]);
          if (root !== undefined) report(node, root.name, `${viaMethod[1]}() changes`);
          return;
        }
        const callee = skipOuter(node.expression);
        // `shared.inc.call(shared)`, `shared.inc.bind(shared)`: a method of a local class that changes `this`, run on a module-level instance.
        if (isPropertyAccessExpression(callee) && ['call', 'apply', 'bind'].includes(callee.name.text) && node.arguments.length > 0 && isPropertyAccessExpression(skipOuter(callee.expression))) {
          const m = skipOuter(callee.expression) as ts.PropertyAccessExpression;
          if (ctx.facts.targetsOf(m).some((f) => (isMethodDeclaration(f) || isFunctionExpression(f) || isArrowFunction(f)) && writesThis(f))) {
            const root = moduleRoot(node.arguments[0]);
            if (root !== undefined) {
              ctx.report(node, `${m.name.text}() changes the object it is run on, ${root.name}, which is declared at module level: ${why}.`, `create ${root.name} inside the workflow function and pass it to helpers`);
              return;
            }
          }
        }
        // `shared.inc()` on a module-level instance whose method changes `this`.
        // (Static methods and object literals' methods are reported where they write: their `this` is known there.)
        const instanceMethod = (m: ts.Node): boolean => (isMethodDeclaration(m) || isSetAccessorDeclaration(m) || isGetAccessorDeclaration(m)) && isClassLike(m.parent) && !(getCombinedModifierFlags(m) & ModifierFlags.Static);
        if (isPropertyAccessExpression(callee) && ctx.facts.targetsOf(callee, true).some((m) => instanceMethod(m) && writesThis(m))) {
          const root = moduleRoot(callee.expression);
          if (root !== undefined) {
            ctx.report(node, `${callee.name.text}() changes the object it is called on, ${root.name}, which is declared at module level: ${why}.`, `create ${root.name} inside the workflow function and pass it to helpers`);
            return;
          }
        }
        // `s.replace(re, …)` and `s.match(re)` run a non-global pattern's exec once, which moves
        // a sticky pattern's lastIndex (a global one is reset to 0 when they finish).
        if (isPropertyAccessExpression(callee) && stickyStringMethods.has(callee.name.text) && node.arguments.length > 0 && isLibMethod(callee.name)) {
          const pattern = statefulRegExp(node.arguments[0], true);
          if (pattern !== undefined) {
            ctx.report(node, `${callee.name.text}() with ${pattern}, a module-level sticky pattern, moves its lastIndex, which the next call starts from: ${why}.`, 'create the pattern inside the function, or drop the y flag');
            return;
          }
        }
        if (isPropertyAccessExpression(callee) && regexpStateMethods.has(callee.name.text)) {
          const pattern = statefulRegExp(callee.expression);
          if (pattern !== undefined) {
            ctx.report(node, `${callee.name.text}() on ${pattern}, a module-level pattern with the g or y flag, moves its lastIndex, which the next call starts from: ${why}.`, 'create the pattern inside the function, or drop the g/y flag and use matchAll()');
          }
          return;
        }
        if (!isPropertyAccessExpression(callee) || !mutatingMethods.has(callee.name.text)) return;
        // Only the built-in collections' own methods: a helper object's `set()` is its business.
        const method = checker.getSymbolAtLocation(callee.name);
        if (!(method?.declarations ?? []).some((d) => ctx.facts.program.isSourceFileDefaultLibrary(d.getSourceFile()))) return;
        const root = moduleRoot(callee.expression);
        if (root !== undefined) {
          ctx.report(node, `${callee.name.text}() changes ${root.name}, which is declared at module level: ${why}.`, `declare ${root.name} inside the workflow function, or build a new value instead of changing it`);
        }
      },
    };
  },
});
