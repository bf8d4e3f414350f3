import ts from '../ts/typescript.cjs';
import { isFunctionLike } from '../ts/facts.js';
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

/** A catch-all without rethrow, or a `return`/`break`/`continue` in `finally`, around steps. */
export default defineRule({
  id: 'no-swallowed-suspend',
  description: 'A catch (or .catch() handler) that never rethrows, or a return/break/continue in finally, around action calls would swallow the engine\'s suspend signal.',
  create: (ctx) => ({
    CallExpression(node) {
      // `kv.get(…).catch(() => null)` and `.then(ok, () => null)` are a catch-all in promise form.
      const callee = node.expression;
      if (!ts.isPropertyAccessExpression(callee)) return;
      const method = callee.name.text;
      const handler = method === 'catch' ? node.arguments[0] : method === 'then' ? node.arguments[1] : undefined;
      if (handler === undefined || !ctx.facts.mayStartSteps(callee.expression)) return;
      const fn = handler;
      if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
      let rethrows = false;
      forEachOwn(fn.body, (n) => {
        if (ts.isThrowStatement(n)) rethrows = true;
      });
      // An expression body cannot throw except through a call, which the checker cannot see into.
      if (!rethrows) {
        ctx.report(handler, `this .${method}() handler takes every failure of the steps before it and never rethrows: ${why}.`, 'handle the errors you expect (err instanceof ActionError && err.code === "…") and rethrow the rest, or use try/catch with `throw err`');
      }
    },
    TryStatement(node) {
      if (!ctx.facts.mayStartSteps(node.tryBlock)) return;
      const clause = node.catchClause;
      if (clause !== undefined) {
        let rethrows = false;
        forEachOwn(clause.block, (n) => {
          if (ts.isThrowStatement(n)) rethrows = true;
        });
        if (!rethrows) {
          ctx.report(clause.variableDeclaration ?? clause, `this catch catches everything its try block throws and never rethrows: ${why}.`, 'handle the errors you expect (e.g. err instanceof ActionError && err.code === "…") and end the catch with `throw err` for the rest');
        }
      }
      const fin = node.finallyBlock;
      if (fin !== undefined) {
        forEachOwn(fin, (n) => {
          if (ts.isReturnStatement(n)) {
            ctx.report(n, `return in finally replaces whatever the try block was doing, the suspend signal included: ${why}.`, 'return after the try statement instead');
          } else if (ts.isBreakOrContinueStatement(n) && jumpsOut(n, fin)) {
            ctx.report(n, `${ts.isBreakStatement(n) ? 'break' : 'continue'} out of finally discards whatever the try block was doing, the suspend signal included: ${why}.`, 'move it after the try statement');
          }
        });
      }
    },
  }),
});
