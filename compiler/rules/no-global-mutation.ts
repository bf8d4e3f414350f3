import ts from '../ts/typescript.cjs';
import { constantString, skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { SymbolFlags, SyntaxKind, isArrayLiteralExpression, isAsExpression, isBinaryExpression, isCallExpression, isElementAccessExpression, isIdentifier, isObjectLiteralExpression, isParenthesizedExpression, isPropertyAccessExpression, isPropertyAssignment, isSpreadAssignment, isSpreadElement } = ts;

const why = 'the sandbox\'s globals are shared by all the code of the run and are rebuilt for each execution; a workflow that patches them makes other code (and every replay) behave in ways the checker cannot see';

/** Functions that change the object they are given first. */
const mutators = new Set([
  'Object.defineProperty', 'Object.defineProperties', 'Object.assign', 'Object.setPrototypeOf', 'Object.freeze', 'Object.seal', 'Object.preventExtensions',
  'Reflect.set', 'Reflect.defineProperty', 'Reflect.deleteProperty', 'Reflect.setPrototypeOf', 'Reflect.preventExtensions',
]);

/** Calls that return a prototype: a built-in one unless the checker knows better. */
const prototypeGetters = new Set(['Object.getPrototypeOf', 'Reflect.getPrototypeOf']);

const maxDepth = 8;

/** A global path (not a local value's member, not an "alice" import). */
function isGlobal(path: string | undefined): path is string {
  return path !== undefined && !path.startsWith('alice:') && !path.includes('#');
}

/** Assigning to, deleting from or redefining globals and built-in prototypes. */
export default defineRule({
  id: 'no-global-mutation',
  description: 'Assigning to globalThis, to built-ins or to their prototypes changes the sandbox for all code of the run; keep state in local variables.',
  create: (ctx) => {
    const { resolver } = ctx.facts;

    /**
     * What a write target reaches that is shared by the whole sandbox, beyond a resolved global
     * path: a prototype reached through `__proto__` or `Object.getPrototypeOf(…)` (of an array,
     * an error, any value: all built-in), also through a local `const`.
     */
    const reachesPrototype = (target: ts.Expression, depth = 0): string | undefined => {
      if (depth > maxDepth) return undefined;
      let e = skipOuter(target);
      for (;;) {
        if (isPropertyAccessExpression(e) && e.name.text === '__proto__') return '__proto__';
        if (isElementAccessExpression(e) && constantString(e.argumentExpression, ctx.checker) === '__proto__') return '__proto__';
        // `({}).constructor.prototype`, `"".constructor.prototype`: a built-in's prototype reached
        // through a value's constructor (a class of the file's own is no-module-state's business).
        if (memberName(e) === 'prototype' && isConstructorRead(skipOuter((e as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression))) return '.constructor.prototype';
        if (isPropertyAccessExpression(e) || isElementAccessExpression(e)) e = skipOuter(e.expression);
        else break;
      }
      if (isCallExpression(e)) {
        // Also through `.call`/`.apply`: `Object.getPrototypeOf.call(null, {})`.
        const callee = resolver.resolve(e.expression)?.replace(/\.(?:call|apply)$/, '');
        return callee !== undefined && prototypeGetters.has(callee) ? `${callee}(…)` : undefined;
      }
      // A variable's initializer and later assignments; a helper's parameter, what its calls
      // pass (`put(Object.getPrototypeOf([]), "x", 1)` with `function put(o: any, …) { o[k] = v; }`).
      return isIdentifier(e) ? ctx.facts.findInGiven(e, given, (v) => reachesPrototype(v, depth + 1)) : undefined;
    };
    const given = new Map<ts.Symbol, string | undefined>();

    /** The name a member access reads, when it is written or a constant. */
    const memberName = (e: ts.Expression): string | undefined =>
      isPropertyAccessExpression(e) ? e.name.text : isElementAccessExpression(e) ? constantString(e.argumentExpression, ctx.checker) : undefined;

    /** `x.constructor` (or `x["constructor"]`) of anything but an instance of a class of this file. */
    const isConstructorRead = (e: ts.Expression): boolean => {
      if (memberName(e) !== 'constructor') return false;
      const receiver = (e as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression;
      const cls = ctx.checker.getTypeAtLocation(receiver).getSymbol();
      return !(cls !== undefined && cls.flags & SymbolFlags.Class && (cls.declarations ?? []).some((d) => d.getSourceFile() === ctx.sourceFile));
    };


    /** The first argument of `Object.defineProperty(…)` and the like: reported at the call. */
    const isMutatorTarget = (node: ts.Expression): boolean => {
      let n: ts.Node = node;
      while (isParenthesizedExpression(n.parent) || isAsExpression(n.parent)) n = n.parent;
      const call = n.parent;
      return isCallExpression(call) && call.arguments[0] === n && mutators.has(resolver.resolve(call.expression) ?? '');
    };

    const checkWrite = (node: ts.Node, target: ts.Expression) => {
      const t = skipOuter(target);
      if (!(isPropertyAccessExpression(t) || isElementAccessExpression(t))) return;
      if (isGlobal(resolver.resolve(t))) return; // reported as a reference
      const proto = reachesPrototype(t);
      if (proto !== undefined) ctx.report(node, `this changes a built-in prototype (reached through ${proto}), which every object of its kind shares: ${why}.`, 'keep the value in a local variable');
    };

    /**
     * The targets of a destructuring assignment (`({ r: Math.random } = o)`, `[a.b] = xs`): each
     * is written. A target with a default (`[Date.now = f] = []`) is an assignment of its own,
     * which the walk already sees as a write.
     */
    const checkPattern = (node: ts.Node, pattern: ts.Expression, depth = 0): void => {
      const p = skipOuter(pattern);
      if (depth > maxDepth) return;
      const leaves: ts.Expression[] = [];
      if (isObjectLiteralExpression(p)) {
        for (const prop of p.properties) {
          if (isPropertyAssignment(prop)) leaves.push(prop.initializer);
          else if (isSpreadAssignment(prop)) leaves.push(prop.expression);
        }
      } else if (isArrayLiteralExpression(p)) {
        for (const el of p.elements) leaves.push(isSpreadElement(el) ? el.expression : el);
      }
      for (const leaf of leaves) {
        const t = skipOuter(leaf);
        if (isBinaryExpression(t) && t.operatorToken.kind === SyntaxKind.EqualsToken) continue;
        if (isObjectLiteralExpression(t) || isArrayLiteralExpression(t)) {
          checkPattern(node, t, depth + 1);
          continue;
        }
        if (!(isPropertyAccessExpression(t) || isElementAccessExpression(t))) continue;
        const path = resolver.resolve(t);
        if (isGlobal(path)) ctx.report(t, `this destructuring assignment changes the global ${path.replace(/\.\[computed\]/g, '[…]')}: ${why}.`, 'keep the value in a local variable');
        else checkWrite(t, t);
      }
    };

    return {
      ForOfStatement(node) {
        if (isObjectLiteralExpression(node.initializer) || isArrayLiteralExpression(node.initializer)) checkPattern(node, node.initializer);
      },
      reference(ref) {
        if (ref.usage === 'write' && isGlobal(ref.path)) {
          ctx.report(ref.node, `this changes the global ${ref.path.replace(/\.\[computed\]/g, '[…]')}: ${why}.`, 'keep the value in a local variable');
        } else if (ref.usage === 'escape' && isGlobal(ref.path) && /\.prototype$/.test(ref.path) && !isMutatorTarget(ref.node)) {
          ctx.report(ref.node, `${ref.path} is passed on as a value, where the checker cannot see whether it is changed: ${why}.`, 'call its methods directly (Array.prototype.slice.call(…)) instead of handing the prototype around');
        }
      },
      BinaryExpression(node) {
        const op = node.operatorToken.kind;
        if (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) checkWrite(node, node.left);
        if (op === SyntaxKind.EqualsToken) checkPattern(node, node.left);
      },
      DeleteExpression(node) {
        checkWrite(node, node.expression);
      },
      CallExpression(node) {
        const callee = resolver.resolve(node.expression);
        if (callee === undefined || !mutators.has(callee) || node.arguments.length === 0) return;
        const target = resolver.resolve(node.arguments[0]);
        if (isGlobal(target)) {
          ctx.report(node, `${callee}(${target}, …) changes a global: ${why}.`, 'work on a copy in a local variable');
          return;
        }
        const proto = reachesPrototype(node.arguments[0]);
        if (proto !== undefined) ctx.report(node, `${callee}() here changes a built-in prototype (reached through ${proto}): ${why}.`, 'work on a copy in a local variable');
      },
    };
  },
});
