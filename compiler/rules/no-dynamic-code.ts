import ts from '../ts/typescript.cjs';
import { constantString, isConst, rootOf, skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, SymbolFlags, SyntaxKind, TypeFlags, isArrayLiteralExpression, isAsExpression, isBinaryExpression, isCallExpression, isClassLike, isComputedPropertyName, isIdentifier, isNewExpression, isNonNullExpression, isNumericLiteral, isObjectLiteralExpression, isParenthesizedExpression, isPropertyAccessExpression, isPropertyAssignment, isSatisfiesExpression, isSpreadAssignment, isSpreadElement, isStringLiteral, isTaggedTemplateExpression, isTypeAssertionExpression, isVariableDeclaration } = ts;

/** Reflective reads that take (object, key): with key "constructor" they reach the Function constructor. */
const reflectiveReads = new Set(['Reflect.get', 'Reflect.getOwnPropertyDescriptor', 'Object.getOwnPropertyDescriptor']);

/** Calls that return a prototype (typed `any`), possibly a function's. */
const prototypeGetters = new Set(['Object.getPrototypeOf', 'Reflect.getPrototypeOf']);

/** Whether an expression is what a call or `new` calls. */
function isCallee(node: ts.Expression): boolean {
  let n: ts.Node = node;
  while (isParenthesizedExpression(n.parent) || isAsExpression(n.parent) || isNonNullExpression(n.parent)) n = n.parent;
  return ((isCallExpression(n.parent) || isNewExpression(n.parent)) && n.parent.expression === n) || (isTaggedTemplateExpression(n.parent) && n.parent.tag === n);
}

const why = 'code made from strings at run time is invisible to the checker and to the capability manifest a reviewer approves';

/** `eval`, the `Function` constructor by any path, `import()` and WebAssembly. */
export default defineRule({
  id: 'no-dynamic-code',
  description: 'eval, the Function constructor (by any path, e.g. fn.constructor) and dynamic import() run code the checker never saw.',
  create: (ctx) => {
    const checker = ctx.checker;
    /**
     * Whether a value is a function or could be one: its `.constructor` is a Function constructor.
     * Beyond its type, what its type may hide is followed: the value under a cast
     * (`(() => 0) as unknown as Box`), what a variable of the file is given, and what the calls
     * of a helper of the file pass to its parameter (`get(get, "constructor")` with
     * `function get(o: any, k: string) { return o[k]; }`).
     */
    const mayBeFunction = (expr: ts.Expression, orUntyped = true, depth = 0): boolean => {
      if (mayBeFunctionType(checker.getTypeAtLocation(expr), orUntyped)) return true;
      if (depth > 4) return false;
      const inner = skipOuter(expr);
      if (inner !== expr) return mayBeFunction(inner, orUntyped, depth + 1);
      // A Proxy is as much a function as its target (`new Proxy(() => 0, handler)`, typed any
      // when the handler is).
      if (isNewExpression(inner) && ctx.facts.resolver.resolve(inner.expression) === 'Proxy') {
        const target = inner.arguments?.[0];
        return target !== undefined && !isSpreadElement(target) && mayBeFunction(target, false, depth + 1);
      }
      return isIdentifier(inner) && ctx.facts.findInGiven(inner, givenFunction, (e) => mayBeFunction(e, false, depth + 1) || undefined) === true;
    };
    const givenFunction = new Map<ts.Symbol, true | undefined>();
    const functionType = (() => {
      const sym = checker.resolveName('Function', undefined, SymbolFlags.Type, false);
      return sym !== undefined ? checker.getDeclaredTypeOfSymbol(sym) : undefined;
    })();
    const mayBeFunctionType = (type: ts.Type, orUntyped: boolean, depth = 0): boolean => {
      if (type.flags & (TypeFlags.Any | TypeFlags.Unknown)) return orUntyped;
      if (depth > 4) return orUntyped;
      if (type.isUnion() || type.isIntersection()) return type.types.some((t) => mayBeFunctionType(t, orUntyped, depth + 1));
      // A type parameter holds whatever its constraint allows (anything, without one).
      if (type.flags & TypeFlags.TypeParameter) {
        const constraint = checker.getBaseConstraintOfType(type);
        return constraint === undefined || constraint === type ? orUntyped : mayBeFunctionType(constraint, orUntyped, depth + 1);
      }
      const apparent = checker.getApparentType(type);
      if (apparent.getCallSignatures().length > 0 || apparent.getConstructSignatures().length > 0) return true;
      const name = apparent.getSymbol()?.getName();
      if (name === 'Function' || name === 'CallableFunction' || name === 'NewableFunction') return true;
      // `object`, `{}`, `Object` and any other type a function satisfies can hold a function at
      // run time; an instance of a class is taken to be one.
      if (type.flags & TypeFlags.NonPrimitive) return true;
      if (functionType === undefined || !(type.flags & TypeFlags.Object) || (type.getSymbol()?.flags ?? 0) & SymbolFlags.Class) return false;
      return checker.isTypeAssignableTo(functionType, type);
    };
    /**
     * Whether `.constructor` of a value of this type may be the Function constructor. Types are
     * structural, so beyond what mayBeFunctionType says, any object type may hold a function with
     * extra properties (`const g: { x: number } = Object.assign(() => 0, { x: 1 })`, an array
     * typed the same way, `{ __proto__: fn }`): only primitives, instances of classes, and types
     * that declare a `constructor` of their own (`{ constructor: 1 }`) are known not to.
     */
    const constructorMayBeFunction = (type: ts.Type, depth = 0): boolean => {
      if (type.flags & (TypeFlags.Any | TypeFlags.Unknown)) return true;
      if (depth > 4) return true;
      if (type.isUnion() || type.isIntersection()) return type.types.some((t) => constructorMayBeFunction(t, depth + 1));
      if (type.flags & TypeFlags.TypeParameter) {
        const constraint = checker.getBaseConstraintOfType(type);
        return constraint === undefined || constraint === type ? true : constructorMayBeFunction(constraint, depth + 1);
      }
      if (!(type.flags & (TypeFlags.Object | TypeFlags.NonPrimitive))) return false;
      if (mayBeFunctionType(type, true)) return true;
      // A `constructor` the type declares itself says the value is not a function, unless that
      // constructor can be called (`{ constructor: new (code: string) => … }` is a cast's claim).
      // A class's own `declare ["constructor"]: typeof C` is the typed `this.constructor` idiom.
      const own = checker.getApparentType(type).getProperty('constructor');
      const ownDecls = (own?.declarations ?? []).filter((d) => !ctx.facts.program.isSourceFileDefaultLibrary(d.getSourceFile()));
      if (ownDecls.length > 0) {
        if (ownDecls.every((d) => isClassLike(d.parent))) return false;
        const ctorType = checker.getApparentType(checker.getTypeOfSymbol(own!));
        return ctorType.getCallSignatures().length > 0 || ctorType.getConstructSignatures().length > 0;
      }
      return !((type.getSymbol()?.flags ?? 0) & SymbolFlags.Class);
    };
    /**
     * `Date.prototype` and the like: a built-in's prototype, whose constructor is that built-in
     * (the reference rules see `Date.prototype.constructor` as `Date`, and
     * `Function.prototype.constructor` as `Function`).
     */
    const isGlobalPrototype = (expr: ts.Expression): boolean => {
      const path = ctx.facts.resolver.resolve(expr);
      return path !== undefined && !path.startsWith('alice:') && !path.includes('#') && !path.includes('[') && path.endsWith('.prototype') && path.split('.').length === 2;
    };
    /** A `.constructor` read that is only compared (`x.constructor === Object`) or named (`.name`) runs nothing. */
    const onlyInspected = (read: ts.Expression): boolean => {
      let n: ts.Node = read;
      while (isParenthesizedExpression(n.parent) || isNonNullExpression(n.parent)) n = n.parent;
      const p = n.parent;
      if (isPropertyAccessExpression(p) && p.expression === n && p.name.text === 'name') return true;
      if (isBinaryExpression(p)) {
        const op = p.operatorToken.kind;
        return op === SyntaxKind.EqualsEqualsEqualsToken || op === SyntaxKind.ExclamationEqualsEqualsToken || op === SyntaxKind.EqualsEqualsToken || op === SyntaxKind.ExclamationEqualsToken;
      }
      return false;
    };
    /** Whether a `const` holding this value is called or constructed somewhere in the file. */
    const calledThroughConst = (value: ts.Expression): boolean => {
      let n: ts.Node = value;
      while (isParenthesizedExpression(n.parent) || isAsExpression(n.parent) || isNonNullExpression(n.parent) || isSatisfiesExpression(n.parent) || isTypeAssertionExpression(n.parent)) n = n.parent;
      const decl = n.parent;
      if (!isVariableDeclaration(decl) || decl.initializer !== n || !isIdentifier(decl.name) || !isConst(decl)) return false;
      const sym = checker.getSymbolAtLocation(decl.name);
      let found = false;
      const visit = (x: ts.Node): void => {
        if (found) return;
        if (isIdentifier(x) && x !== decl.name && checker.getSymbolAtLocation(x) === sym) found = isCallee(x) || (isTaggedTemplateExpression(x.parent) && x.parent.tag === x);
        else forEachChild(x, visit);
      };
      visit(ctx.sourceFile);
      return found;
    };
    /** `source` is the type the constructor is read from, when it is not known to be a function's. */
    const reportConstructor = (node: ts.Node, source?: ts.Type) =>
      source !== undefined && !mayBeFunctionType(source, true)
        ? ctx.report(node, `a value of this type may still be a function (types are structural: a function with extra properties satisfies an object type, and a cast can claim any type), and a function's constructor is the Function constructor, which compiles strings into code: ${why}.`, 'read the data you need by name; never reach code through .constructor')
        : ctx.report(node, `the constructor of a function is the Function constructor (or AsyncFunction's), which compiles strings into code: ${why}.`, 'call the function itself; never reach code through .constructor');
    /**
     * Whether a value is a prototype taken at run time (`Object.getPrototypeOf(…)`, also held in a
     * `const`): typed `any`, but it may well be a function's, whose members include the Function
     * constructor.
     */
    const isPrototypeOf = (expr: ts.Expression, depth = 0): boolean => {
      const e = skipOuter(expr);
      if (isCallExpression(e)) return prototypeGetters.has(ctx.facts.resolver.resolve(e.expression) ?? '');
      if (isPropertyAccessExpression(e)) return e.name.text === '__proto__';
      if (!isIdentifier(e) || depth > 8) return false;
      const decl = checker.getSymbolAtLocation(e)?.declarations?.[0];
      return decl !== undefined && isVariableDeclaration(decl) && isConst(decl) && decl.initializer !== undefined && decl.getSourceFile() === ctx.sourceFile && isPrototypeOf(decl.initializer, depth + 1);
    };

    /**
     * `({ constructor: C } = fn)`: a destructuring assignment takes the constructor as surely as a
     * binding pattern. `source` is the type of what the pattern is matched against.
     */
    const checkAssignmentPattern = (pattern: ts.Expression, source: ts.Type | undefined, depth = 0): void => {
      const p = skipOuter(pattern);
      if (depth > 8) return;
      if (isObjectLiteralExpression(p)) {
        for (const prop of p.properties) {
          if (isSpreadAssignment(prop)) continue;
          const name = prop.name;
          const text = isIdentifier(name) || isStringLiteral(name) || isNumericLiteral(name) ? name.text : isComputedPropertyName(name) ? constantString(name.expression, checker) : undefined;
          if (source !== undefined && ((text === 'constructor' && constructorMayBeFunction(source)) || (text === undefined && mayBeFunctionType(source, true)))) {
            reportConstructor(prop, source);
            continue;
          }
          if (isPropertyAssignment(prop)) {
            const target = isBinaryExpression(prop.initializer) && prop.initializer.operatorToken.kind === SyntaxKind.EqualsToken ? prop.initializer.left : prop.initializer;
            const inner = source !== undefined && text !== undefined ? checker.getApparentType(source).getProperty(text) : undefined;
            checkAssignmentPattern(target, inner !== undefined ? checker.getTypeOfSymbol(inner) : undefined, depth + 1);
          }
        }
      } else if (isArrayLiteralExpression(p)) {
        const element = source !== undefined ? checker.getIndexTypeOfType(checker.getApparentType(source), ts.IndexKind.Number) : undefined;
        for (const el of p.elements) {
          const target = isBinaryExpression(el) && el.operatorToken.kind === SyntaxKind.EqualsToken ? el.left : isSpreadElement(el) ? undefined : el;
          if (target !== undefined) checkAssignmentPattern(target, element, depth + 1);
        }
      }
    };

    return {
      BinaryExpression(node) {
        if (node.operatorToken.kind !== SyntaxKind.EqualsToken) return;
        const left = skipOuter(node.left);
        if (isObjectLiteralExpression(left) || isArrayLiteralExpression(left)) checkAssignmentPattern(left, checker.getTypeAtLocation(node.right));
      },
      ForOfStatement(node) {
        const init = node.initializer;
        if (!isObjectLiteralExpression(init) && !isArrayLiteralExpression(init)) return;
        const element = checker.getIndexTypeOfType(checker.getApparentType(checker.getTypeAtLocation(node.expression)), ts.IndexKind.Number);
        checkAssignmentPattern(init, element);
      },
      reference(ref) {
        // `fn.name` resolves to `Function#name`, a member of a function value, not the global.
        if (ref.usage === 'typeof' || ref.path.includes('#')) return;
        // A reflective read is checked where it is called with its (object, key); called another
        // way (`Reflect.get.call(…)`, `.bind`) or handed on (`Reflect.apply(Reflect.get, …)`,
        // `[Reflect.get][0](…)`) its arguments cannot be.
        const reflective = /^((?:Reflect|Object)\.\w+)(?:\.(call|apply|bind))?$/.exec(ref.path);
        if (reflective !== null && (reflectiveReads.has(reflective[1]) || reflective[1] === 'Object.getOwnPropertyDescriptors') && (reflective[2] !== undefined || ref.usage === 'escape')) {
          ctx.report(ref.node, `${reflective[1]} ${reflective[2] !== undefined ? `called through .${reflective[2]}` : 'handed on as a value'} can read a function's constructor, the Function constructor, with arguments the checker cannot see: ${why}.`, 'call it directly with the object and a constant key, or name the member you use');
          return;
        }
        const root = rootOf(ref.path);
        // `e("…")` after `const e = eval` was reported at the `const`, where eval is named.
        if (ref.alias !== undefined && ['eval', 'Function', 'WebAssembly'].includes(rootOf(ref.alias))) return;
        if (root === 'eval') ctx.report(ref.node, `eval runs a string as code: ${why}.`, 'write the code out');
        else if (root === 'Function' && ref.usage !== 'read') ctx.report(ref.node, `Function builds functions from strings: ${why}.`, 'write the function out');
        else if (root === 'WebAssembly') ctx.report(ref.node, `WebAssembly compiles and runs binary code: ${why}.`, 'do the work in an action');
      },
      PropertyAccessExpression(node) {
        if (node.name.text !== 'constructor' || onlyInspected(node) || isGlobalPrototype(node.expression)) return;
        const type = checker.getTypeAtLocation(node.expression);
        if (constructorMayBeFunction(type) || mayBeFunction(node.expression, false)) reportConstructor(node, type);
      },
      ElementAccessExpression(node) {
        const key = constantString(node.argumentExpression, checker);
        const type = checker.getTypeAtLocation(node.expression);
        if (key === 'constructor' && !onlyInspected(node) && !isGlobalPrototype(node.expression) && (constructorMayBeFunction(type) || mayBeFunction(node.expression, false))) reportConstructor(node, type);
        // A symbol key (`f[Symbol.iterator]`) is never the string "constructor".
        else if (key === undefined && !(checker.getTypeAtLocation(node.argumentExpression).flags & TypeFlags.ESSymbolLike) && (mayBeFunction(node.expression, false) || mayBeFunction(skipOuter(node.expression), false) || isPrototypeOf(node.expression))) {
          ctx.report(node, `a computed member of a function can be its constructor, the Function constructor: ${why}.`, 'name the member you use');
        } else if (key === undefined && mayBeFunction(node.expression) && (isCallee(node) || calledThroughConst(node))) {
          // `o[k][k]("code")` with `o: any` and k = "constructor" reaches Function in two steps,
          // also when it is kept in a const first (`const F = o[k][k]; F("code")`).
          ctx.report(node, `a computed member of an untyped value, called: it can be the Function constructor (any object's constructor's constructor is): ${why}.`, 'give the value a type and name the member you call');
        }
      },
      ObjectBindingPattern(node) {
        // `const { constructor: F } = fn` takes the constructor as surely as `fn.constructor`.
        const source = checker.getTypeAtLocation(node);
        for (const el of node.elements) {
          const key = el.propertyName ?? el.name;
          const text = isIdentifier(key) || isStringLiteral(key) ? key.text : isComputedPropertyName(key) ? constantString(key.expression, checker) : undefined;
          if (text === 'constructor' && constructorMayBeFunction(source)) reportConstructor(el, source);
          else if (text === undefined && el.dotDotDotToken === undefined && mayBeFunctionType(source, true)) reportConstructor(el);
        }
      },
      CallExpression(node) {
        if (node.expression.kind === SyntaxKind.ImportKeyword) {
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
        const target = checker.getTypeAtLocation(node.arguments[0]);
        if ((key === 'constructor' && constructorMayBeFunction(target)) || (key === undefined && mayBeFunction(node.arguments[0]))) {
          ctx.report(node, `${callee}(…, ${key === undefined ? 'a computed key' : '"constructor"'}) can read a function's constructor, the Function constructor: ${why}.`, 'name the member you use');
        }
      },
    };
  },
});
