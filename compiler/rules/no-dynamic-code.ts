import ts from '../ts/typescript.cjs';
import { constantString, rootOf } from '../ts/references.js';
import { defineRule } from './rule.js';

/** Reflective reads that take (object, key): with key "constructor" they reach the Function constructor. */
const reflectiveReads = new Set(['Reflect.get', 'Reflect.getOwnPropertyDescriptor', 'Object.getOwnPropertyDescriptor']);

/** Whether an expression is what a call or `new` calls. */
function isCallee(node: ts.Expression): boolean {
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  return (ts.isCallExpression(n.parent) || ts.isNewExpression(n.parent)) && n.parent.expression === n;
}

const why = 'code made from strings at run time is invisible to the checker and to the capability manifest a reviewer approves';

/** `eval`, the `Function` constructor by any path, `import()` and WebAssembly. */
export default defineRule({
  id: 'no-dynamic-code',
  description: 'eval, the Function constructor (by any path, e.g. fn.constructor) and dynamic import() run code the checker never saw.',
  create: (ctx) => {
    const checker = ctx.checker;
    /** Whether a value is a function or could be one: its `.constructor` is a Function constructor. */
    const mayBeFunction = (expr: ts.Expression, orUntyped = true): boolean => mayBeFunctionType(checker.getTypeAtLocation(expr), orUntyped);
    const functionType = (() => {
      const sym = checker.resolveName('Function', undefined, ts.SymbolFlags.Type, false);
      return sym !== undefined ? checker.getDeclaredTypeOfSymbol(sym) : undefined;
    })();
    const mayBeFunctionType = (type: ts.Type, orUntyped: boolean, depth = 0): boolean => {
      if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return orUntyped;
      if (depth > 4) return orUntyped;
      if (type.isUnion() || type.isIntersection()) return type.types.some((t) => mayBeFunctionType(t, orUntyped, depth + 1));
      // A type parameter holds whatever its constraint allows (anything, without one).
      if (type.flags & ts.TypeFlags.TypeParameter) {
        const constraint = checker.getBaseConstraintOfType(type);
        return constraint === undefined || constraint === type ? orUntyped : mayBeFunctionType(constraint, orUntyped, depth + 1);
      }
      const apparent = checker.getApparentType(type);
      if (apparent.getCallSignatures().length > 0 || apparent.getConstructSignatures().length > 0) return true;
      const name = apparent.getSymbol()?.getName();
      if (name === 'Function' || name === 'CallableFunction' || name === 'NewableFunction') return true;
      // `object`, `{}`, `Object` and any other type a function satisfies can hold a function at
      // run time; an instance of a class is taken to be one.
      if (type.flags & ts.TypeFlags.NonPrimitive) return true;
      if (functionType === undefined || !(type.flags & ts.TypeFlags.Object) || (type.getSymbol()?.flags ?? 0) & ts.SymbolFlags.Class) return false;
      return checker.isTypeAssignableTo(functionType, type);
    };
    const reportConstructor = (node: ts.Node) =>
      ctx.report(node, `the constructor of a function is the Function constructor (or AsyncFunction's), which compiles strings into code: ${why}.`, 'call the function itself; never reach code through .constructor');
    return {
      reference(ref) {
        // `fn.name` resolves to `Function#name`, a member of a function value, not the global.
        if (ref.usage === 'typeof' || ref.path.includes('#')) return;
        const root = rootOf(ref.path);
        // `e("…")` after `const e = eval` was reported at the `const`, where eval is named.
        if (ref.alias !== undefined && ['eval', 'Function', 'WebAssembly'].includes(rootOf(ref.alias))) return;
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
        } else if (key === undefined && mayBeFunction(node.expression) && isCallee(node)) {
          // `o[k][k]("code")` with `o: any` and k = "constructor" reaches Function in two steps.
          ctx.report(node, `a computed member of an untyped value, called: it can be the Function constructor (any object's constructor's constructor is): ${why}.`, 'give the value a type and name the member you call');
        }
      },
      ObjectBindingPattern(node) {
        // `const { constructor: F } = fn` takes the constructor as surely as `fn.constructor`.
        const source = checker.getTypeAtLocation(node);
        if (!mayBeFunctionType(source, true)) return;
        for (const el of node.elements) {
          const key = el.propertyName ?? el.name;
          const text = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : ts.isComputedPropertyName(key) ? constantString(key.expression, checker) : undefined;
          if (text === 'constructor' || (text === undefined && el.dotDotDotToken === undefined)) reportConstructor(el);
        }
      },
      CallExpression(node) {
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
          ctx.report(node, `import() loads a module at run time: ${why}.`, 'import what you need from "alice" at the top of the file');
          return;
        }
        // `Reflect.get(fn, "constructor")` and property descriptors are .constructor by another name.
        const callee = ctx.facts.resolver.resolve(node.expression);
        if (callee === 'Object.getOwnPropertyDescriptors' && node.arguments.length > 0 && mayBeFunction(node.arguments[0])) {
          ctx.report(node, `Object.getOwnPropertyDescriptors() of a value that can be a function or its prototype includes its constructor, the Function constructor: ${why}.`, 'name the member you use');
          return;
        }
        if (callee === undefined || !reflectiveReads.has(callee) || node.arguments.length < 2) return;
        const key = constantString(node.arguments[1], checker);
        if ((key === 'constructor' || key === undefined) && mayBeFunction(node.arguments[0])) {
          ctx.report(node, `${callee}(…, ${key === undefined ? 'a computed key' : '"constructor"'}) can read a function's constructor, the Function constructor: ${why}.`, 'name the member you use');
        }
      },
    };
  },
});
