import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../ts/facts.js';
import { skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'a step can end the current execution to suspend the run (a sleep, a pending action, a retry, a cancellation), and that signal travels like an exception; code that swallows it would go on as if the step had finished, and other workflow engines lose runs this way';

/** Whether a statement jumps out of `block` (a `break`/`continue` whose target lies outside it). */
function jumpsOut(stmt: ts.BreakOrContinueStatement, block: ts.Block): boolean {
  if (stmt.label !== undefined) {
    for (let p: ts.Node = stmt.parent; p !== block; p = p.parent) if (ts.isLabeledStatement(p) && p.label.text === stmt.label.text) return false;
    return true;
  }
  for (let p: ts.Node = stmt.parent; p !== block; p = p.parent) {
    if (ts.isIterationStatement(p, false)) return false;
    if (ts.isSwitchStatement(p) && ts.isBreakStatement(stmt)) return false;
  }
  return true;
}

/** Visits the statements of a block without entering nested functions or classes. */
function forEachOwn(node: ts.Node, fn: (n: ts.Node) => void): void {
  ts.forEachChild(node, (child) => {
    if (isFunctionLike(child) || ts.isClassLike(child)) return;
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
    if (!found && ts.isThrowStatement(n) && !caughtWithin(n, block)) found = true;
  });
  return found;
}

/** Whether a `throw` lands in a catch clause of a try statement inside `block`. */
function caughtWithin(stmt: ts.ThrowStatement, block: ts.Node): boolean {
  for (let p: ts.Node = stmt; p !== block; p = p.parent) {
    const up = p.parent;
    if (ts.isTryStatement(up) && up.tryBlock === p && up.catchClause !== undefined) return true;
  }
  return false;
}

const handlerHint = 'handle the errors you expect (err instanceof ActionError && err.code === "…") and rethrow the rest, or use try/catch with `throw err`';

/** A catch-all without rethrow, or a `return`/`break`/`continue`/`throw` in `finally`, around steps. */
export default defineRule({
  id: 'no-swallowed-suspend',
  description: 'A catch (or .catch() handler, or Promise.allSettled) that never rethrows, or a return/break/continue/throw in finally, around action calls would swallow the engine\'s suspend signal.',
  create: (ctx) => ({
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
      // `kv.get(…).catch(() => null)` and `.then(ok, () => null)` are a catch-all in promise form.
      if (!ts.isPropertyAccessExpression(callee)) return;
      const method = callee.name.text;
      const handler = method === 'catch' ? node.arguments[0] : method === 'then' ? node.arguments[1] : undefined;
      if (handler === undefined || !ctx.facts.carriesSteps(callee.expression)) return;
      const fn = skipOuter(handler);
      if (fn.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(fn) && fn.text === 'undefined')) return;
      // A handler written in place, or a function of the file passed by name, is looked into.
      const bodies = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? [fn] : ctx.facts.targetsOf(fn).filter((f) => f.body !== undefined);
      if (bodies.length === 0) {
        ctx.report(handler, `this .${method}() handler is a function the checker cannot see into, so it cannot tell whether it rethrows the failures of the steps before it: ${why}.`, 'write the handler in place, or as a function of this file, and rethrow what you do not handle');
        return;
      }
      // An expression body cannot throw except through a call, which the checker cannot see into.
      if (!bodies.some((f) => throwsOwn(f.body!))) {
        ctx.report(handler, `this .${method}() handler takes every failure of the steps before it and never rethrows: ${why}.`, handlerHint);
      }
    },
    TryStatement(node) {
      if (!ctx.facts.carriesSteps(node.tryBlock)) return;
      const clause = node.catchClause;
      if (clause !== undefined && !throwsOwn(clause.block)) {
        ctx.report(clause.variableDeclaration ?? clause, `this catch catches everything its try block throws and never rethrows: ${why}.`, 'handle the errors you expect (e.g. err instanceof ActionError && err.code === "…") and end the catch with `throw err` for the rest');
      }
      const fin = node.finallyBlock;
      if (fin !== undefined) {
        forEachOwn(fin, (n) => {
          if (ts.isReturnStatement(n)) {
            ctx.report(n, `return in finally replaces whatever the try block was doing, the suspend signal included: ${why}.`, 'return after the try statement instead');
          } else if (ts.isBreakOrContinueStatement(n) && jumpsOut(n, fin)) {
            ctx.report(n, `${ts.isBreakStatement(n) ? 'break' : 'continue'} out of finally discards whatever the try block was doing, the suspend signal included: ${why}.`, 'move it after the try statement');
          } else if (ts.isThrowStatement(n) && !caughtWithin(n, fin)) {
            ctx.report(n, `throw in finally replaces whatever the try block was throwing, the suspend signal included: ${why}.`, 'throw after the try statement, or from a catch that rethrows what it does not handle');
          }
        });
      }
    },
  }),
});
