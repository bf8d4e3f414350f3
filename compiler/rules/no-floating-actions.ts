import ts from '../ts/typescript.cjs';
import { skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'the workflow goes on (and may finish) before the step\'s outcome is journaled, its failure is never seen, and whether it had finished differs between the run and its replays';
const hint = 'await it, return it, or collect the promises and await Promise.all([...])';
const combinators = new Set(['Promise.all', 'Promise.allSettled', 'Promise.race', 'Promise.any']);
const chainMethods = new Set(['then', 'catch', 'finally']);

/** Action calls (and calls of helpers that make them) whose promise is never awaited. */
export default defineRule({
  id: 'no-floating-actions',
  description: 'An action call whose promise is not awaited, returned or passed to Promise.all lets the workflow run on before the step is journaled.',
  create: (ctx) => {
    const { facts, checker } = ctx;

    const isPromiseLike = (type: ts.Type): boolean => {
      if (type.isUnion()) return type.types.some(isPromiseLike);
      const then = type.getProperty('then');
      if (then !== undefined) return true;
      const element = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      return element !== undefined && element !== type && isPromiseLike(element);
    };

    /** Climbs through wrappers that pass a promise on unchanged: parens, .then(), array into Promise.all. */
    const outermost = (node: ts.Expression): ts.Expression => {
      let e: ts.Expression = node;
      for (;;) {
        const p = e.parent;
        if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) e = p;
        else if (ts.isPropertyAccessExpression(p) && p.expression === e && chainMethods.has(p.name.text) && ts.isCallExpression(p.parent) && p.parent.expression === p) e = p.parent;
        else if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) e = p;
        else if (ts.isPropertyAssignment(p) && p.initializer === e) e = p.parent;
        else if (ts.isConditionalExpression(p) && p.condition !== e) e = p;
        else if (ts.isBinaryExpression(p) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.CommaToken].includes(p.operatorToken.kind) && (p.operatorToken.kind !== ts.SyntaxKind.CommaToken || p.right === e)) e = p;
        else if (ts.isCallExpression(p) && p.arguments.includes(e) && combinators.has(facts.resolver.resolve(p.expression) ?? '')) e = p;
        else return e;
      }
    };

    /** The step calls in an expression, not inside nested functions. */
    const directStepCalls = (node: ts.Node): ts.CallExpression[] => {
      const out: ts.CallExpression[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionLike(n)) return;
        if (ts.isCallExpression(n) && (facts.isStepCall(n) || facts.callsActionFunction(n))) out.push(n);
        ts.forEachChild(n, visit);
      };
      visit(node);
      return out;
    };

    /** Whether a promise-valued expression ends up awaited or handed on; the reason when not. */
    const floating = (node: ts.Expression, depth = 0): string | null => {
      const e = outermost(node);
      const p = e.parent;
      if (ts.isExpressionStatement(p)) return 'is not awaited';
      if (ts.isVoidExpression(p)) return 'is discarded with void';
      if (ts.isVariableDeclaration(p) && p.initializer === e && ts.isIdentifier(p.name)) {
        if (depth > 4) return null;
        const sym = checker.getSymbolAtLocation(p.name);
        const scope = ts.findAncestor(p, (n) => ts.isBlock(n) || ts.isSourceFile(n)) ?? ctx.sourceFile;
        let handled = false;
        const visit = (n: ts.Node): void => {
          if (handled) return;
          if (ts.isIdentifier(n) && n !== p.name && n.text === p.name.getText() && checker.getSymbolAtLocation(n) === sym && floating(n, depth + 1) === null) handled = true;
          else ts.forEachChild(n, visit);
        };
        visit(scope);
        return handled ? null : `is stored in ${p.name.text}, which is never awaited`;
      }
      return null;
    };

    const check = (call: ts.CallExpression | ts.NewExpression) => {
      const reason = floating(call);
      if (reason === null) return;
      const what = ts.isCallExpression(call) && facts.isStepCall(call) ? `the step started by ${call.expression.getText()}()` : `${call.expression.getText()}() starts steps, and its promise`;
      ctx.report(call, `${what} ${reason}: ${why}.`, hint);
    };

    /** Whether a function type's calls all return void: what `forEach` makes of its callback. */
    const returnsVoid = (type: ts.Type | undefined): boolean => {
      const signatures = type?.getCallSignatures() ?? [];
      return signatures.length > 0 && signatures.every((sig) => (checker.getReturnTypeOfSignature(sig).flags & ts.TypeFlags.Void) !== 0);
    };

    /** A step-starting callback handed to a parameter that returns void: its promise is dropped. */
    const checkCallbacks = (call: ts.CallExpression | ts.NewExpression) => {
      for (const arg of call.arguments ?? []) {
        if (ts.isSpreadElement(arg) || !returnsVoid(checker.getContextualType(arg))) continue;
        const type = checker.getTypeAtLocation(arg);
        const returnsPromise = type.getCallSignatures().some((sig) => isPromiseLike(checker.getReturnTypeOfSignature(sig)));
        if (!returnsPromise || !facts.namesActionFunction(arg)) continue;
        const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : call.expression.getText();
        ctx.report(arg, `this function starts steps and returns their promise, but ${callee}() ignores what its callback returns, so nothing awaits them: ${why}.`, 'use a for … of loop with await, or await Promise.all(items.map(async (x) => …))');
      }
    };

    /** Whether a `.then()/.catch()/.finally()` chain starts at a step call (reported there). */
    const chainStartsWithStep = (call: ts.CallExpression): boolean => {
      let e: ts.Expression = call;
      while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text)) e = skipOuter(e.expression.expression);
      return ts.isCallExpression(e) && (facts.isStepCall(e) || facts.callsActionFunction(e));
    };

    return {
      CallExpression(node) {
        if (facts.isStepCall(node) || facts.callsActionFunction(node)) check(node);
        checkCallbacks(node);
      },
      NewExpression(node) {
        if (facts.callsActionFunction(node)) check(node);
        checkCallbacks(node);
      },
      ExpressionStatement(node) {
        const e = skipOuter(node.expression);
        if (ts.isAwaitExpression(e) || ts.isBinaryExpression(e) || ts.isVoidExpression(e)) return;
        if (ts.isCallExpression(e) && (facts.isStepCall(e) || facts.callsActionFunction(e))) return;
        if (!facts.mayStartSteps(e) || !isPromiseLike(checker.getTypeAtLocation(e))) return;
        // Reported at the inner step call when the chain starts at one (kv.get().then(f)); a
        // chain that starts elsewhere (Promise.resolve().then(() => kv.set(…))) is reported here.
        if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text) && chainStartsWithStep(e)) return;
        // Promise.all([kv.get(…)]) is reported at the step calls whose promises it collects.
        if (ts.isCallExpression(e) && combinators.has(facts.resolver.resolve(e.expression) ?? '') && e.arguments.some((a) => directStepCalls(a).some((c) => outermost(c) === e))) return;
        ctx.report(node, `the promises of the steps started here are not awaited: ${why}.`, hint);
      },
    };
  },
});
