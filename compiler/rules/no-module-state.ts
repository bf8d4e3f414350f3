import ts from 'typescript';
import { isFunctionLike, isModuleLevel } from '../ts/facts.js';
import { skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'module-level state is not in the journal: the engine evaluates the module again for every execution (and may reuse one module for several runs), so state that a run changes between steps must live inside the workflow function, where replay rebuilds it step by step';

/** Methods that change the array, map or set they are called on. */
const mutatingMethods = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);

/** Module-level `let`/`var`, and changes to module-level objects from inside functions. */
export default defineRule({
  id: 'no-module-state',
  description: 'Module-level let/var and objects changed from functions are state outside the journal; keep mutable state inside the workflow function.',
  create: (ctx) => {
    const checker = ctx.checker;
    /** The module-level declaration a chain like `cache.items[k]` is rooted at, if any. */
    const moduleRoot = (target: ts.Expression): { name: string } | undefined => {
      let e = skipOuter(target);
      while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
      if (!ts.isIdentifier(e)) return undefined;
      const sym = checker.getSymbolAtLocation(e);
      const decl = sym?.declarations?.[0];
      if (decl === undefined || decl.getSourceFile() !== ctx.sourceFile) return undefined;
      if (!(ts.isVariableDeclaration(decl) || ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isBindingElement(decl))) return undefined;
      return isModuleLevel(decl) ? { name: e.text } : undefined;
    };
    const insideFunction = (node: ts.Node): boolean => {
      for (let p = node.parent; p !== undefined; p = p.parent) if (isFunctionLike(p) || ts.isClassStaticBlockDeclaration(p)) return true;
      return false;
    };
    const checkWrite = (node: ts.Node, target: ts.Expression) => {
      const t = skipOuter(target);
      if (!(ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) || !insideFunction(node)) return;
      const root = moduleRoot(t);
      if (root !== undefined) ctx.report(node, `this changes ${root.name}, which is declared at module level: ${why}.`, `declare ${root.name} inside the workflow function and pass it to helpers`);
    };
    return {
      VariableStatement(node) {
        if (!ts.isSourceFile(node.parent)) return;
        const flags = node.declarationList.flags;
        if (flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) return;
        const kw = flags & ts.NodeFlags.Let ? 'let' : 'var';
        for (const d of node.declarationList.declarations) {
          ctx.report(d.name, `module-level ${kw} ${d.name.getText()} is mutable state outside the journal: ${why}.`, `use const for constants, or move the variable into the workflow function`);
        }
      },
      BinaryExpression(node) {
        const op = node.operatorToken.kind;
        if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) checkWrite(node, node.left);
      },
      PrefixUnaryExpression(node) {
        if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) checkWrite(node, node.operand);
      },
      PostfixUnaryExpression(node) {
        checkWrite(node, node.operand);
      },
      DeleteExpression(node) {
        checkWrite(node, node.expression);
      },
      CallExpression(node) {
        const callee = skipOuter(node.expression);
        if (!ts.isPropertyAccessExpression(callee) || !mutatingMethods.has(callee.name.text) || !insideFunction(node)) return;
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
