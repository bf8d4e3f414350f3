import ts from 'typescript';
import { constantString, rootOf } from '../ts/references.js';
import { defineRule } from './rule.js';

const why = 'code made from strings at run time is invisible to the checker and to the capability manifest a reviewer approves';

/** `eval`, the `Function` constructor by any path, `import()` and WebAssembly. */
export default defineRule({
  id: 'no-dynamic-code',
  description: 'eval, the Function constructor (by any path, e.g. fn.constructor) and dynamic import() run code the checker never saw.',
  create: (ctx) => {
    const checker = ctx.checker;
    /** Whether a value is a function or could be one: its `.constructor` is a Function constructor. */
    const mayBeFunction = (expr: ts.Expression, orUntyped = true): boolean => {
      const type = checker.getTypeAtLocation(expr);
      if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return orUntyped;
      const apparent = checker.getApparentType(type);
      if (apparent.getCallSignatures().length > 0 || apparent.getConstructSignatures().length > 0) return true;
      const name = apparent.getSymbol()?.getName();
      return name === 'Function' || name === 'CallableFunction' || name === 'NewableFunction';
    };
    const reportConstructor = (node: ts.Node) =>
      ctx.report(node, `the constructor of a function is the Function constructor (or AsyncFunction's), which compiles strings into code: ${why}.`, 'call the function itself; never reach code through .constructor');
    return {
      reference(ref) {
        if (ref.usage === 'typeof' || ref.usage === 'alias') return;
        const root = rootOf(ref.path);
        if (root === 'eval') ctx.report(ref.node, `eval runs a string as code: ${why}.`, 'write the code out');
        else if (root === 'Function' && ref.usage !== 'read') ctx.report(ref.node, `Function builds functions from strings: ${why}.`, 'write the function out');
        else if (root === 'WebAssembly') ctx.report(ref.node, `WebAssembly compiles and runs binary code: ${why}.`, 'do the work in an action');
      },
      PropertyAccessExpression(node) {
        if (node.name.text === 'constructor' && mayBeFunction(node.expression)) reportConstructor(node);
      },
      ElementAccessExpression(node) {
        const key = constantString(node.argumentExpression, checker);
        if (key === 'constructor' && mayBeFunction(node.expression)) reportConstructor(node);
        else if (key === undefined && mayBeFunction(node.expression, false)) {
          ctx.report(node, `a computed member of a function can be its constructor, the Function constructor: ${why}.`, 'name the member you use');
        }
      },
      CallExpression(node) {
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
          ctx.report(node, `import() loads a module at run time: ${why}.`, 'import what you need from "alice" at the top of the file');
        }
      },
    };
  },
});
