import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../ts/facts.js';
import { constantString, skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, SyntaxKind, isArrowFunction, isBreakOrContinueStatement, isBreakStatement, isCallExpression, isClassLike, isElementAccessExpression, isExpression, isExpressionStatement, isFunctionExpression, isIdentifier, isIterationStatement, isLabeledStatement, isPropertyAccessExpression, isReturnStatement, isSwitchStatement, isThrowStatement, isTryStatement } = ts;

const why = 'a step can end the current execution to suspend the run (a sleep, a pending action, a retry, a cancellation), and that signal travels like an exception; code that swallows it would go on as if the step had finished, and other workflow engines lose runs this way';

/** Whether a statement jumps out of `block` (a `break`/`continue` whose target lies outside it). */
function jumpsOut(stmt: ts.BreakOrContinueStatement, block: ts.Block): boolean {
  if (stmt.label !== undefined) {
    for (let p: ts.Node = stmt.parent; p !== block; p = p.parent) if (isLabeledStatement(p) && p.label.text === stmt.label.text) return false;
    return true;
  }
  for (let p: ts.Node = stmt.parent; p !== block; p = p.parent) {
    if (isIterationStatement(p, false)) return false;
    if (isSwitchStatement(p) && isBreakStatement(stmt)) return false;
  }
  return true;
}

/** Visits the statements of a block without entering nested functions or classes. */
function forEachOwn(node: ts.Node, fn: (n: ts.Node) => void): void {
  forEachChild(node, (child) => {
    if (isFunctionLike(child) || isClassLike(child)) return;
    fn(child);
    forEachOwn(child, fn);
  });
}

/**
 * Whether a block throws on some path of its own: a `throw` outside nested functions and outside
 * the `try` block of a nested try/catch that would catch it again.
 */
function throwsOwn(block: ts.Node): boolean {
  let found = false;
  forEachOwn(block, (n) => {
    if (!found && isThrowStatement(n) && !caughtWithin(n, block)) found = true;
  });
  return found;
}

/** Whether a `throw` (or a call that throws) lands in a catch clause of a try statement inside `block`. */
function caughtWithin(stmt: ts.Statement, block: ts.Node): boolean {
  for (let p: ts.Node = stmt; p !== block; p = p.parent) {
    const up = p.parent;
    if (isTryStatement(up) && up.tryBlock === p && up.catchClause !== undefined) return true;
  }
  return false;
}

const handlerHint = 'handle the errors you expect (err instanceof ActionError && err.code === "…") and rethrow the rest, or use try/catch with `throw err`';

/** A catch-all without rethrow, or a `return`/`break`/`continue`/`throw` in `finally`, around steps. */
export default defineRule({
  id: 'no-swallowed-suspend',
  description: 'A catch (or .catch() handler, or Promise.allSettled) that never rethrows, or a return/break/continue/throw in finally, around action calls would swallow the engine\'s suspend signal.',
  create: (ctx) => {
    /**
     * Whether a handler passes failures on: it throws on some path of its own, returns (or, as an
     * arrow, is) `Promise.reject(…)`, or calls a function of the file that throws (`fail(err)`).
     */
    const rethrows = (body: ts.Node): boolean => {
      if (throwsOwn(body)) return true;
      const rejects = (e: ts.Expression | undefined): boolean => {
        const x = e !== undefined ? skipOuter(e) : undefined;
        return x !== undefined && isCallExpression(x) && ctx.facts.resolver.resolve(x.expression) === 'Promise.reject';
      };
      if (isExpression(body)) return rejects(body) || neverReturns(body);
      let found = false;
      forEachOwn(body, (n) => {
        if (found) return;
        if (isReturnStatement(n) && rejects(n.expression)) found = true;
        else if (isExpressionStatement(n) && neverReturns(n.expression) && !caughtWithin(n, body)) found = true;
      });
      return found;
    };
    /** A call of a function of the file that throws (`fail(err)`): looked into, not taken on its `never` type, which `return x as never` can fake. */
    const neverReturns = (e: ts.Expression): boolean => {
      const x = skipOuter(e);
      return isCallExpression(x) && ctx.facts.targetsOf(x.expression).some((f) => f.body !== undefined && throwsOwn(f.body));
    };
    return {
      reference(ref) {
        // `Promise.prototype.catch.call(p, h)` and `p.then.call(…)` attach a handler the checker cannot match to its promise.
        const indirect = /^Promise\.prototype\.(then|catch)\b/.test(ref.path) || /^Promise#(then|catch)\./.test(ref.path) || (/^Promise#(then|catch)$/.test(ref.path) && ref.usage !== 'call' && ref.usage !== 'typeof');
        if (indirect) ctx.report(ref.node, `a promise handler attached through ${ref.node.getText()} cannot be matched to the steps it catches: ${why}.`, 'call .then()/.catch() on the promise itself and rethrow what you do not handle');
      },
      CallExpression(node) {
        const callee = node.expression;
        if (ctx.facts.resolver.resolve(callee) === 'Promise.allSettled' && node.arguments.some((a) => ctx.facts.carriesSteps(a))) {
          ctx.report(node, `Promise.allSettled() turns every failure of these steps into a value and never rethrows: ${why}.`, 'await Promise.all(items.map(async (x) => { try { … } catch (err) { if (expected(err)) return …; throw err; } }))');
          return;
        }
        // `kv.get(…).catch(() => null)` and `.then(ok, () => null)` are a catch-all in promise form,
        // also written `p["catch"](…)`.
        const target = skipOuter(callee);
        const method = isPropertyAccessExpression(target) ? target.name.text : isElementAccessExpression(target) ? constantString(target.argumentExpression, ctx.checker) : undefined;
        if (method === undefined || !(isPropertyAccessExpression(target) || isElementAccessExpression(target))) return;
        const handler = method === 'catch' ? node.arguments[0] : method === 'then' ? node.arguments[1] : undefined;
        if (handler === undefined || !ctx.facts.carriesSteps(target.expression)) return;
        const fn = skipOuter(handler);
        if (fn.kind === SyntaxKind.NullKeyword || (isIdentifier(fn) && fn.text === 'undefined')) return;
        // A handler written in place, or a function of the file passed by name, is looked into.
        const bodies = isArrowFunction(fn) || isFunctionExpression(fn) ? [fn] : ctx.facts.targetsOf(fn).filter((f) => f.body !== undefined);
        if (bodies.length === 0) {
          ctx.report(handler, `this .${method}() handler is a function the checker cannot see into, so it cannot tell whether it rethrows the failures of the steps before it: ${why}.`, 'write the handler in place, or as a function of this file, and rethrow what you do not handle');
          return;
        }
        // An expression body cannot throw except through a call, which the checker cannot see into.
        if (!bodies.some((f) => rethrows(f.body!))) {
          ctx.report(handler, `this .${method}() handler takes every failure of the steps before it and never rethrows: ${why}.`, handlerHint);
        }
      },
      TryStatement(node) {
        if (!ctx.facts.carriesSteps(node.tryBlock)) return;
        const clause = node.catchClause;
        if (clause !== undefined && !rethrows(clause.block)) {
          ctx.report(clause.variableDeclaration ?? clause, `this catch catches everything its try block throws and never rethrows: ${why}.`, 'handle the errors you expect (e.g. err instanceof ActionError && err.code === "…") and end the catch with `throw err` for the rest');
        }
        const fin = node.finallyBlock;
        if (fin !== undefined) {
          forEachOwn(fin, (n) => {
            if (isReturnStatement(n)) {
              ctx.report(n, `return in finally replaces whatever the try block was doing, the suspend signal included: ${why}.`, 'return after the try statement instead');
            } else if (isBreakOrContinueStatement(n) && jumpsOut(n, fin)) {
              ctx.report(n, `${isBreakStatement(n) ? 'break' : 'continue'} out of finally discards whatever the try block was doing, the suspend signal included: ${why}.`, 'move it after the try statement');
            } else if (isThrowStatement(n) && !caughtWithin(n, fin)) {
              ctx.report(n, `throw in finally replaces whatever the try block was throwing, the suspend signal included: ${why}.`, 'throw after the try statement, or from a catch that rethrows what it does not handle');
            }
          });
        }
      },
    };
  },
});
