import ts from '../ts/typescript.cjs';
import { isFunctionLike, parameterAt } from '../ts/facts.js';
import { skipOuter } from '../ts/references.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, findAncestor, ObjectFlags, SymbolFlags, SyntaxKind, TypeFlags, isArrayLiteralExpression, isArrowFunction, isAsExpression, isAwaitExpression, isBinaryExpression, isBlock, isCallExpression, isCaseBlock, isComputedPropertyName, isConditionalExpression, isElementAccessExpression, isExpressionStatement, isForInStatement, isForOfStatement, isForStatement, isFunctionExpression, isIdentifier, isMethodDeclaration, isMethodSignature, isNewExpression, isNonNullExpression, isOmittedExpression, isParameter, isParenthesizedExpression, isPropertyAccessExpression, isPropertyAssignment, isReturnStatement, isSatisfiesExpression, isShorthandPropertyAssignment, isSourceFile, isSpreadElement, isStringLiteral, isTaggedTemplateExpression, isVariableDeclaration, isVariableDeclarationList, isVoidExpression, isYieldExpression } = ts;

const why = 'the workflow goes on (and may finish) before the step\'s outcome is journaled, its failure is never seen, and whether it had finished differs between the run and its replays';
const hint = 'await it, return it, or collect the promises and await Promise.all([...])';
const combinators = new Set(['Promise.all', 'Promise.allSettled', 'Promise.race', 'Promise.any']);
const chainMethods = new Set(['then', 'catch', 'finally']);
/** Collection methods that keep what they are given in the collection they are called on. */
const keepers = new Set(['push', 'unshift', 'splice', 'set', 'add']);
/** How many variables, collections and helpers a promise is followed through. */
const maxFollow = 16;
/**
 * Methods the language calls on its own, whose result it coerces or drops: a promise they
 * return is never awaited, wherever the object goes.
 */
const implicitlyCalled = new Set(['valueOf', 'toString', 'toJSON', '[Symbol.toPrimitive]']);
const primitive = TypeFlags.StringLike | TypeFlags.NumberLike | TypeFlags.BooleanLike | TypeFlags.BigIntLike | TypeFlags.Null | TypeFlags.Undefined | TypeFlags.Void;

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
        if (isParenthesizedExpression(p) || isAsExpression(p) || isNonNullExpression(p) || isSatisfiesExpression(p)) e = p;
        else if (isPropertyAccessExpression(p) && p.expression === e && chainMethods.has(p.name.text) && isCallExpression(p.parent) && p.parent.expression === p) e = p.parent;
        else if (isArrayLiteralExpression(p) || isSpreadElement(p)) e = p;
        else if (isPropertyAssignment(p) && p.initializer === e) e = p.parent;
        else if (isConditionalExpression(p) && p.condition !== e) e = p;
        else if (isBinaryExpression(p) && [SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken, SyntaxKind.AmpersandAmpersandToken, SyntaxKind.CommaToken].includes(p.operatorToken.kind) && (p.operatorToken.kind !== SyntaxKind.CommaToken || p.right === e)) e = p;
        else if (isCallExpression(p) && p.arguments.includes(e) && combinators.has(facts.resolver.resolve(p.expression) ?? '')) e = p;
        else return e;
      }
    };

    /** The step calls in an expression, not inside nested functions. */
    const directStepCalls = (node: ts.Node): ts.Expression[] => {
      const out: ts.Expression[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isFunctionLike(n)) return;
        if ((isCallExpression(n) && (facts.isStepCall(n) || facts.callsActionFunction(n) || collectsStepPromises(n))) || ((isTaggedTemplateExpression(n) || isPropertyAccessExpression(n) || isElementAccessExpression(n)) && facts.runsActionFunction(n))) out.push(n as ts.Expression);
        forEachChild(n, visit);
      };
      visit(node);
      return out;
    };

    /** Whether a type is a promise or holds promises: an array, a Map, an iterator of them. */
    const carriesPromise = (type: ts.Type, depth = 0): boolean => {
      if (depth > 3) return false;
      if (type.isUnion() || type.isIntersection()) return type.types.some((t) => carriesPromise(t, depth + 1));
      if (isPromiseLike(type)) return true;
      if (!(type.flags & TypeFlags.Object)) return false;
      if ((type as ts.ObjectType).objectFlags & ObjectFlags.Reference) {
        if (checker.getTypeArguments(type as ts.TypeReference).some((t) => carriesPromise(t, depth + 1))) return true;
      }
      // A plain object type (`{ a: Promise<…> }`, `Record<string, Promise<…>>`) holds what its properties do.
      if ((type.getSymbol()?.flags ?? 0) & SymbolFlags.Class) return false;
      const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
      if (index !== undefined && carriesPromise(index, depth + 1)) return true;
      return type.getProperties().some((prop) => {
        const decl = prop.valueDeclaration;
        return decl !== undefined && !isMethodDeclaration(decl) && !isMethodSignature(decl) && carriesPromise(checker.getTypeOfSymbol(prop), depth + 1);
      });
    };

    /** Where a name's value is used: every identifier of the same symbol in `scope`, but the declaration. */
    const usesOf = (name: ts.Identifier, scope: ts.Node): ts.Identifier[] => {
      const sym = checker.getSymbolAtLocation(name);
      const out: ts.Identifier[] = [];
      if (sym === undefined) return out;
      const visit = (n: ts.Node): void => {
        if (isIdentifier(n)) {
          if (n !== name && n.text === name.text && (isShorthandPropertyAssignment(n.parent) ? checker.getShorthandAssignmentValueSymbol(n.parent) : checker.getSymbolAtLocation(n)) === sym) out.push(n);
        } else forEachChild(n, visit);
      };
      visit(scope);
      return out;
    };

    /**
     * Whether the value held by a name is awaited or handed on by one of its uses. `following`
     * holds the names being followed, so that `p = p.then(…)` does not loop.
     */
    const followName = (name: ts.Identifier, scope: ts.Node, depth: number, following: Set<ts.Symbol>): boolean => {
      const sym = checker.getSymbolAtLocation(name);
      if (sym === undefined || following.has(sym)) return false;
      following.add(sym);
      const handled = usesOf(name, scope).some((use) => floating(use, depth + 1, following) === null);
      following.delete(sym);
      return handled;
    };

    /** The scope a declaration's name is visible in. */
    const scopeOf = (decl: ts.Node): ts.Node => {
      if (isParameter(decl)) return decl.parent;
      return findAncestor(decl.parent, (n) => isBlock(n) || isSourceFile(n) || isForOfStatement(n) || isForStatement(n) || isForInStatement(n) || isCaseBlock(n) || isFunctionLike(n)) ?? ctx.sourceFile;
    };

    /** The identifier a write target or receiver is rooted at: `ps` for `ps`, `byKey[k]` or `o.list`. */
    const rootName = (expr: ts.Expression): ts.Identifier | undefined => {
      let e = skipOuter(expr);
      while (isPropertyAccessExpression(e) || isElementAccessExpression(e)) e = skipOuter(e.expression);
      return isIdentifier(e) ? e : undefined;
    };

    /** The names a binding pattern binds. */
    const boundNames = (pattern: ts.BindingName, out: ts.Identifier[] = []): ts.Identifier[] => {
      if (isIdentifier(pattern)) out.push(pattern);
      else for (const el of pattern.elements) if (!isOmittedExpression(el)) boundNames(el.name, out);
      return out;
    };

    /**
     * Whether a promise-valued expression (or a container of promises) ends up awaited or handed
     * on: awaited, returned, yielded, passed to Promise.all, or kept in a variable, array, object or
     * collection one of whose uses is. Anywhere else the promise is dropped: the reason when so.
     */
    const floating = (node: ts.Expression, depth = 0, following = new Set<ts.Symbol>()): string | null => {
      // Past this the promise is not known to be handled, so it is not taken to be.
      if (depth > maxFollow) return `is passed on through more than ${maxFollow} names and helpers, further than the checker follows`;
      const e = outermost(node);
      const p = e.parent;
      if (isAwaitExpression(p) || isReturnStatement(p) || isYieldExpression(p)) return null;
      if (isArrowFunction(p) && p.body === e) return null;
      if (isExpressionStatement(p)) return 'is not awaited';
      if (isVoidExpression(p)) return 'is discarded with void';
      if (isShorthandPropertyAssignment(p)) return floating(p.parent, depth + 1, following);
      if (isVariableDeclaration(p) && p.initializer === e) {
        const names = boundNames(p.name);
        const scope = scopeOf(p);
        const held = isIdentifier(p.name) ? names : names.filter((n) => carriesPromise(checker.getTypeAtLocation(n)));
        const dropped = held.find((n) => !followName(n, scope, depth, following));
        return dropped === undefined ? null : `is stored in ${dropped.text}, which is never awaited`;
      }
      if (isBinaryExpression(p) && p.right === e && p.operatorToken.kind === SyntaxKind.EqualsToken) {
        // `p = kv.get(…)`, `byKey[k] = kv.get(…)`: followed through the variable the target is rooted at.
        const root = rootName(p.left);
        const decl = root !== undefined ? checker.getSymbolAtLocation(root)?.declarations?.[0] : undefined;
        if (root === undefined || decl === undefined || decl.getSourceFile() !== ctx.sourceFile) return 'is stored where the checker cannot follow it';
        return followName(root, scopeOf(decl), depth, following) ? null : `is stored in ${root.text}, which is never awaited`;
      }
      if ((isForOfStatement(p) || isForInStatement(p)) && p.expression === e) {
        if (isForOfStatement(p) && p.awaitModifier !== undefined) return null;
        const init = p.initializer;
        const names = isVariableDeclarationList(init) ? init.declarations.flatMap((d) => boundNames(d.name)) : [];
        return names.some((n) => followName(n, p, depth, following)) ? null : 'is iterated over, but no element is awaited';
      }
      if ((isPropertyAccessExpression(p) || isElementAccessExpression(p)) && p.expression === e) {
        // `pending.x`, `ps[0]`, `m.values()`: the part read (or the method's result) may carry the promise on.
        const call = isCallExpression(p.parent) && p.parent.expression === p ? p.parent : undefined;
        const carrier: ts.Expression = call ?? p;
        if (carriesPromise(checker.getTypeAtLocation(carrier))) return floating(carrier, depth + 1, following);
        return 'is only read, never awaited';
      }
      if ((isCallExpression(p) || isNewExpression(p)) && (p.arguments ?? ts.factory.createNodeArray<ts.Expression>()).includes(e)) return passedTo(p, e, depth, following);
      return 'is used as a value, not awaited';
    };

    /** A promise (or container of them) passed as an argument: kept, awaited or dropped by the callee. */
    const passedTo = (call: ts.CallExpression | ts.NewExpression, arg: ts.Expression, depth: number, following: Set<ts.Symbol>): string | null => {
      const callee = skipOuter(call.expression);
      const name = isPropertyAccessExpression(callee) ? callee.name.text : callee.getText();
      // `ps.push(p)`, `m.set(k, p)`: the collection keeps it, so the collection is followed.
      if (isCallExpression(call) && isPropertyAccessExpression(callee) && keepers.has(callee.name.text)) {
        const root = rootName(callee.expression);
        const decl = root !== undefined ? checker.getSymbolAtLocation(root)?.declarations?.[0] : undefined;
        if (root !== undefined && decl !== undefined && decl.getSourceFile() === ctx.sourceFile) {
          return followName(root, scopeOf(decl), depth, following) ? null : `is kept in ${root.text}, which is never awaited`;
        }
      }
      // A helper of the file: followed through its parameter.
      const index = call.arguments!.indexOf(arg);
      const targets = facts.targetsOf(callee, true).filter((f) => f.body !== undefined);
      if (targets.length > 0) {
        const handled = targets.every((f) => {
          const param = parameterAt(f, index) ?? f.parameters[f.parameters.length - 1];
          if (param === undefined) return false;
          if (param.dotDotDotToken !== undefined || !isIdentifier(param.name)) return true; // not followed
          return followName(param.name, f, depth, following);
        });
        if (!handled) return `is passed to ${name}(), which never awaits it`;
        // An async helper that awaits the promise returns a promise of its own, which must be handled too.
        return carriesPromise(checker.getTypeAtLocation(call)) ? floating(call, depth + 1, following) : null;
      }
      // A library function that returns what it was given (Promise.resolve, Array.from, new Map, Object.values).
      if (carriesPromise(checker.getTypeAtLocation(call))) return floating(call, depth + 1, following);
      return `is passed to ${name}(), which does not await it`;
    };

    /** A step call, a call of a helper that starts steps, or code that runs one implicitly (a tag, a getter): reported when its promise floats. */
    const check = (node: ts.Expression) => {
      const reason = floating(node);
      if (reason === null) return;
      let what: string;
      if (isTaggedTemplateExpression(node)) what = `the tag ${node.tag.getText()} starts steps, and the promise of this tagged template`;
      else if (isPropertyAccessExpression(node) || isElementAccessExpression(node)) what = `reading ${node.getText()} runs a getter that starts steps, and its promise`;
      else if (isCallExpression(node) && facts.isStepCall(node)) what = `the step started by ${node.expression.getText()}()`;
      else if (isCallExpression(node) && !facts.callsActionFunction(node)) {
        const callee = skipOuter(node.expression);
        what = isPropertyAccessExpression(callee) && chainMethods.has(callee.name.text)
          ? `the promise of ${node.expression.getText()}(), whose callback starts steps,`
          : `the array of step promises that ${node.expression.getText()}() makes of what its callback returns`;
      }
      else what = `${(node as ts.CallExpression | ts.NewExpression).expression.getText()}() starts steps, and its promise`;
      ctx.report(node, `${what} ${reason}: ${why}.`, hint);
    };

    /** Whether a function type's calls all return void: what `forEach` makes of its callback. */
    const returnsVoid = (type: ts.Type | undefined): boolean => {
      const signatures = type?.getCallSignatures() ?? [];
      return signatures.length > 0 && signatures.every((sig) => (checker.getReturnTypeOfSignature(sig).flags & TypeFlags.Void) !== 0);
    };

    /**
     * Whether a library function drops what a callback of this type returns: its calls return
     * nothing that holds a promise (`void` for forEach, `unknown` for the tests of filter, some,
     * every and find, `number` for sort). `any` and type parameters may be the promise itself.
     */
    const dropsReturn = (type: ts.Type | undefined): boolean => {
      const signatures = type?.getCallSignatures() ?? [];
      return signatures.length > 0 && signatures.every((sig) => {
        const r = checker.getReturnTypeOfSignature(sig);
        return !(r.flags & (TypeFlags.Any | TypeFlags.TypeParameter)) && !carriesPromise(r);
      });
    };

    /**
     * A call of a library function (not a helper of the file) given a function that starts steps,
     * whose result holds the promises the callback returns: `items.map((k) => kv.get({ k }))`.
     * Its result must be handled like the step calls' own promises.
     */
    const collectsStepPromises = (call: ts.CallExpression): boolean => {
      const callee = skipOuter(call.expression);
      // A chain that starts at a step is reported there; `Promise.resolve().then(() => kv.set(…))` here.
      if (isPropertyAccessExpression(callee) && chainMethods.has(callee.name.text) && chainStartsWithStep(call)) return false;
      if (combinators.has(facts.resolver.resolve(callee) ?? '')) return false;
      if (facts.targetsOf(callee).some((f) => f.body !== undefined)) return false;
      if (!call.arguments.some((a) => !isSpreadElement(a) && facts.namesActionFunction(a))) return false;
      const type = checker.getTypeAtLocation(call);
      return (type.flags & TypeFlags.Any) !== 0 || carriesPromise(type);
    };

    /** A step-starting callback handed to a parameter that returns void: its promise is dropped. */
    const checkCallbacks = (call: ts.CallExpression | ts.NewExpression) => {
      const helpers = facts.targetsOf(skipOuter(call.expression), true).filter((f) => f.body !== undefined);
      (call.arguments ?? []).forEach((arg, index) => {
        // A helper of the file that calls its callback parameter and drops what it returns.
        if (helpers.length === 0 || isSpreadElement(arg) || !facts.namesActionFunction(arg)) return;
        for (const f of helpers) {
          const param = parameterAt(f, index);
          if (param === undefined || param.dotDotDotToken !== undefined || !isIdentifier(param.name)) continue;
          const dropped = usesOf(param.name, f).find((use) => {
            const c = use.parent;
            return isCallExpression(c) && c.expression === use && floating(c) !== null;
          });
          if (dropped !== undefined) {
            ctx.report(arg, `this function starts steps and returns their promise, but ${dropped.text}(…) in ${f.name !== undefined ? f.name.getText() : 'the helper'} drops what it returns, so nothing awaits them: ${why}.`, 'await the callback in the helper: await ' + dropped.text + '(…)');
            return;
          }
        }
      });
      for (const arg of call.arguments ?? []) {
        if (isSpreadElement(arg) || !facts.namesActionFunction(arg)) continue;
        // A helper of the file is followed above; a library function is judged by its declared
        // callback type: one whose result it drops.
        const expected = checker.getContextualType(arg);
        // A function cast into a parameter declared as a primitive (`replace(re, fn as any)` picks
        // the string overload): the library cannot be counting on what it returns.
        // A cast hides what the function returns from the overload chosen (`Reflect.apply(f as any, …)`
        // infers `unknown`): then only a primitive parameter says the result is dropped.
        const cast = skipOuter(arg) !== arg;
        const castIntoValue = cast && expected !== undefined && (expected.flags & primitive) !== 0;
        if (!(helpers.length === 0 ? (cast ? castIntoValue : dropsReturn(expected)) : returnsVoid(expected))) continue;
        // The function itself, not a cast of it (`((m) => email.send(…)) as any`).
        const type = checker.getTypeAtLocation(skipOuter(arg));
        const returnsPromise = type.getCallSignatures().some((sig) => isPromiseLike(checker.getReturnTypeOfSignature(sig)));
        if (!returnsPromise || !facts.namesActionFunction(arg)) continue;
        const callee = isPropertyAccessExpression(call.expression) ? call.expression.name.text : call.expression.getText();
        ctx.report(arg, `this function starts steps and returns their promise, but ${callee}() ignores what its callback returns, so nothing awaits them: ${why}.`, 'use a for … of loop with await, or await Promise.all(items.map(async (x) => …))');
      }
    };

    /** Whether a `.then()/.catch()/.finally()` chain starts at a step call (reported there). */
    const chainStartsWithStep = (call: ts.CallExpression): boolean => {
      let e: ts.Expression = call;
      while (isCallExpression(e) && isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text)) e = skipOuter(e.expression.expression);
      return (isCallExpression(e) && (facts.isStepCall(e) || facts.callsActionFunction(e))) || facts.runsActionFunction(e);
    };

    /** Whether a link of a chain starts steps (reported at that link): its start, or a `.then()` given a step-starting callback. */
    const chainHasStep = (call: ts.CallExpression): boolean => {
      for (let e: ts.Expression = call; isCallExpression(e) && isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text); e = skipOuter(e.expression.expression)) {
        if (collectsStepPromises(e)) return true;
      }
      return chainStartsWithStep(call);
    };

    const checkImplicitMember = (name: ts.PropertyName, fn: ts.Node | undefined) => {
      const key = isComputedPropertyName(name) ? `[${name.expression.getText()}]` : isIdentifier(name) || isStringLiteral(name) ? name.text : undefined;
      if (key === undefined || !implicitlyCalled.has(key) || fn === undefined) return;
      const f = skipOuter(fn as ts.Expression);
      const starts = isMethodDeclaration(fn) ? fn.body !== undefined && facts.mayStartSteps(fn.body) : (isArrowFunction(f) || isFunctionExpression(f)) && facts.namesActionFunction(f);
      if (starts) ctx.report(name, `${key} starts steps, but the language calls it by itself (to turn the object into a primitive or JSON) and never awaits what it returns: ${why}.`, 'give the method another name and call and await it explicitly');
    };

    /** An iterator of the file whose code starts steps: `for (const p of it)` gets step promises from it. */
    const iteratesActionCode = (expr: ts.Expression): boolean => {
      const type = checker.getTypeAtLocation(expr);
      const iterator = type.getProperties().find((p) => p.getName().startsWith('__@iterator@'));
      return (iterator?.declarations ?? []).some((d) => {
        if (d.getSourceFile() !== ctx.sourceFile) return false;
        if (isMethodDeclaration(d)) return d.body !== undefined && facts.mayStartSteps(d.body);
        return isPropertyAssignment(d) && facts.namesActionFunction(d.initializer);
      });
    };

    return {
      CallExpression(node) {
        if (facts.isStepCall(node) || facts.callsActionFunction(node) || collectsStepPromises(node)) check(node);
        checkCallbacks(node);
      },
      NewExpression(node) {
        if (facts.callsActionFunction(node)) check(node);
        checkCallbacks(node);
      },
      TaggedTemplateExpression(node) {
        if (facts.runsActionFunction(node)) check(node);
      },
      PropertyAccessExpression(node) {
        if (facts.runsActionFunction(node) && isPromiseLike(checker.getTypeAtLocation(node))) check(node);
      },
      ElementAccessExpression(node) {
        if (facts.runsActionFunction(node) && isPromiseLike(checker.getTypeAtLocation(node))) check(node);
      },
      MethodDeclaration(node) {
        checkImplicitMember(node.name, node);
      },
      PropertyAssignment(node) {
        checkImplicitMember(node.name, node.initializer);
      },
      ForOfStatement(node) {
        // A generator of the file is a call, followed as such; a hand-written iterator is not.
        if (node.awaitModifier !== undefined || isCallExpression(skipOuter(node.expression)) || !iteratesActionCode(node.expression)) return;
        // Elements that are functions starting steps (thunks) are the loop's to call and await.
        const init = node.initializer;
        const names = isVariableDeclarationList(init) ? init.declarations.flatMap((d) => boundNames(d.name)) : [];
        if (!names.some((n) => carriesPromise(checker.getTypeAtLocation(n)))) return;
        const reason = floating(node.expression);
        if (reason !== null) ctx.report(node.expression, `iterating ${node.expression.getText()} runs an iterator of the file that starts steps, and the promises it yields are not awaited (${reason}): ${why}.`, 'await each element in the loop (await p), or make the iterator async and use for await');
      },
      ExpressionStatement(node) {
        const e = skipOuter(node.expression);
        if (isAwaitExpression(e) || isBinaryExpression(e) || isVoidExpression(e)) return;
        if (isCallExpression(e) && (facts.isStepCall(e) || facts.callsActionFunction(e) || collectsStepPromises(e))) return;
        if (facts.runsActionFunction(e)) return; // reported by its own visitor
        if (!facts.mayStartSteps(e) || !isPromiseLike(checker.getTypeAtLocation(e))) return;
        // Reported at the link that starts steps when a chain has one (kv.get().then(f),
        // Promise.resolve().then(() => kv.set(…))); a chain whose steps start elsewhere is reported here.
        if (isCallExpression(e) && isPropertyAccessExpression(e.expression) && chainMethods.has(e.expression.name.text) && chainHasStep(e)) return;
        // Promise.all([kv.get(…)]) is reported at the step calls whose promises it collects.
        if (isCallExpression(e) && combinators.has(facts.resolver.resolve(e.expression) ?? '') && e.arguments.some((a) => directStepCalls(a).some((c) => outermost(c) === e))) return;
        ctx.report(node, `the promises of the steps started here are not awaited: ${why}.`, hint);
      },
    };
  },
});
