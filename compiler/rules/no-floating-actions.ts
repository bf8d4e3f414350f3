import ts from 'typescript';
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
        else if (ts.isConditionalExpression(p) && p.condition !== e) e = p;
        else if (ts.isBinaryExpression(p) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.CommaToken].includes(p.operatorToken.kind) && (p.operatorToken.kind !== ts.SyntaxKind.CommaToken || p.right === e)) e = p;
        else if (ts.isCallExpression(p) && p.arguments.includes(e) && combinators.has(facts.resolver.resolve(p.expression) ?? '')) e = p;
        else return e;
      }
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

    return {
      CallExpression(node) {
        if (facts.isStepCall(node) || facts.callsActionFunction(node)) check(node);
      },
      NewExpression(node) {
        if (facts.callsActionFunction(node)) check(node);
      },
      ExpressionStatement(node) {
        const e = skipOuter(node.expression);
        if (ts.isAwaitExpression(e) || ts.isBinaryExpression(e) || ts.isVoidExpression(e)) return;
        if (ts.isCallExpression(e) && (facts.isStepCall(e) || facts.callsActionFunction(e))) return;
        if (!facts.mayStartSteps(e) || !isPromiseLike(checker.getTypeAtLocation(e))) return;
        // Reported at the inner step call when that one floats too (e.g. kv.get().then(f)).
        if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text)) return;
        ctx.report(node, `the promises of the steps started here are not awaited: ${why}.`, hint);
      },
    };
  },
});
