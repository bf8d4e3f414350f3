import ts from '../ts/typescript.cjs';
import { hasExport, metadataExport, readMetadata } from '../ts/metadata.js';
import { defaultExportOf, isThisParameter } from '../ts/workflow.js';
import { defineRule } from './rule.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, getModifiers, getCombinedModifierFlags, canHaveModifiers, getDecorators, canHaveDecorators, ModifierFlags, SyntaxKind, isAwaitExpression, isCallExpression, isClassDeclaration, isClassLike, isClassStaticBlockDeclaration, isComputedPropertyName, isExportAssignment, isForOfStatement, isFunctionDeclaration, isFunctionLike, isIdentifier, isInterfaceDeclaration, isModuleDeclaration, isNamedExports, isNewExpression, isPropertyDeclaration, isTypeAliasDeclaration, isVariableStatement } = ts;

/** A workflow module default-exports one async function of its input, and exports nothing else but its metadata. */
export default defineRule({
  id: 'workflow-shape',
  description: 'A workflow module default-exports an async function of one input and may export only its literal `workflow` metadata besides.',
  create: (ctx) => {
    const { facts, checker } = ctx;
    /** A class of the file whose instances' field initializers start steps (`class X { p = kv.get(…) }`), also through its base classes. */
    const fieldsStartSteps = (cls: ts.ClassLikeDeclaration, depth = 0): boolean => {
      if (depth > 8) return false;
      if (cls.members.some((m) => isPropertyDeclaration(m) && !(getCombinedModifierFlags(m) & ModifierFlags.Static) && m.initializer !== undefined && facts.mayStartSteps(m.initializer))) return true;
      const base = cls.heritageClauses?.find((h) => h.token === SyntaxKind.ExtendsKeyword)?.types[0];
      const baseDecl = base !== undefined ? checker.getSymbolAtLocation(base.expression)?.declarations?.find(isClassLike) : undefined;
      return baseDecl !== undefined && baseDecl.getSourceFile() === ctx.sourceFile && fieldsStartSteps(baseDecl, depth + 1);
    };
    /**
     * Whether evaluating this node (not its children) starts a step: a step call, a call of a
     * function of the file that starts steps, and what runs such a function without a call
     * expression: a tagged template, a getter read or setter write, `new` of a class whose field
     * initializers start steps.
     */
    const startsStep = (n: ts.Node): boolean => {
      if (isCallExpression(n)) return facts.isStepCall(n) || facts.callsActionFunction(n);
      if (isNewExpression(n)) {
        if (facts.callsActionFunction(n)) return true;
        const cls = checker.getSymbolAtLocation(n.expression)?.declarations?.find(isClassLike);
        return cls !== undefined && cls.getSourceFile() === ctx.sourceFile && fieldsStartSteps(cls);
      }
      return facts.runsActionFunction(n);
    };
    return {
    SourceFile(sf) {
      const main = defaultExportOf(sf, ctx.checker);
      if (main.kind === 'missing') {
        ctx.report(sf.statements[0] ?? sf, 'a workflow module must `export default async function (input) { … }`: the engine runs the default export.', 'add: export default async function (input: Input) { … }');
      } else if (main.kind === 'not-a-function') {
        ctx.report(main.node, 'the default export must be an async function (declared here, or a const of this file), so the checker can see the code the engine runs.', 'export default async function (input: Input) { … }');
      } else {
        const fn = main.fn;
        if (!(getCombinedModifierFlags(fn) & ModifierFlags.Async)) {
          ctx.report(fn, 'the workflow function must be async: every action call is awaited.', 'add the async keyword');
        }
        const params = fn.parameters.filter((p) => !isThisParameter(p));
        if (params.length > 1) {
          ctx.report(params[1], 'the workflow function takes one parameter, its input; actions come from the "alice" import.', 'remove the extra parameters');
        }
        if (fn.asteriskToken !== undefined) ctx.report(fn, 'the workflow function cannot be a generator.');
        const rest = fn.parameters.find((p) => p.dotDotDotToken !== undefined);
        if (rest !== undefined) ctx.report(rest, 'the workflow function takes one parameter, its input, not a rest parameter: the input schema is made from that parameter\'s type.', 'declare it as (input: Input)');
      }
      for (const p of readMetadata(sf).problems) ctx.report(p.node, p.message, 'export const workflow = { name: "my-flow", description: "…", triggers: [{ type: "manual" }] } satisfies Workflow;');
      for (const stmt of sf.statements) {
        if (isModuleDeclaration(stmt)) {
          // A namespace hides its members from the checker's alias tracking, and `declare
          // global`/`declare module` claim globals and modules the sandbox does not have.
          ctx.report(stmt, 'a workflow module declares no namespaces or ambient modules: its names must be plain module-level declarations the checker can follow, and the sandbox has no globals or modules besides the ES built-ins.', 'use module-level functions and constants');
          continue;
        }
        // Any statement but a declaration of a function or class runs when the module loads.
        if (!isFunctionDeclaration(stmt) && !isClassDeclaration(stmt) && containsTopLevelAwait(stmt)) {
          ctx.report(stmt, 'await at module level runs steps outside the workflow function; keep steps inside it.', 'move this into the workflow function');
        } else {
          // A step started while the module loads (`const p = kv.get(…)`, an IIFE, a static field)
          // runs outside the workflow function, where no input has been checked yet.
          const step = moduleLevelStep(stmt, startsStep);
          if (step !== undefined) ctx.report(step, 'this starts a step while the module loads, outside the workflow function: keep steps inside it, where they run once per call of the workflow in the order the journal records.', 'move this into the workflow function');
        }
        if (!hasExport(stmt) || isExportAssignment(stmt)) continue;
        if (isInterfaceDeclaration(stmt) || isTypeAliasDeclaration(stmt)) continue;
        if (isFunctionDeclaration(stmt) && (getCombinedModifierFlags(stmt) & ModifierFlags.Default)) continue;
        if (isVariableStatement(stmt) && stmt.declarationList.declarations.every((d) => isIdentifier(d.name) && d.name.text === metadataExport)) continue;
        ctx.report(stmt, 'a workflow module exports only its default workflow function and `workflow` metadata: the engine loads nothing else from it.', 'remove the export keyword');
      }
    },
    ExportDeclaration(node) {
      if (node.isTypeOnly || node.moduleSpecifier !== undefined) return;
      // `export { run as default }` names the workflow function (defaultExportOf checks what it is).
      const elements = node.exportClause !== undefined && isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const others = elements?.filter((el) => !el.isTypeOnly && el.name.text !== 'default');
      if (elements !== undefined && others !== undefined && others.length === 0) return;
      ctx.report(node, 'a workflow module exports only its default workflow function and `workflow` metadata: the engine loads nothing else from it.', 'remove this export');
    },
    };
  },
});

function containsTopLevelAwait(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n) || isClassLike(n)) return;
    if (isAwaitExpression(n) || (isForOfStatement(n) && n.awaitModifier !== undefined)) found = true;
    else forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** The first node that starts steps as a module-level statement runs: not inside functions, but inside static class members. */
function moduleLevelStep(node: ts.Node, isStep: (n: ts.Node) => boolean): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined || isFunctionLike(n)) return;
    if (isClassLike(n)) {
      // Decorators and computed member names are evaluated when the class is defined.
      for (const d of getDecorators(n) ?? []) visit(d);
      for (const m of n.members) {
        for (const d of (canHaveDecorators(m) ? getDecorators(m) : undefined) ?? []) visit(d);
        if (m.name !== undefined && isComputedPropertyName(m.name)) visit(m.name);
        const isStatic = isClassStaticBlockDeclaration(m) || (canHaveModifiers(m) && (getModifiers(m) ?? []).some((x) => x.kind === SyntaxKind.StaticKeyword));
        if (isStatic && (isPropertyDeclaration(m) || isClassStaticBlockDeclaration(m))) forEachChild(m, visit);
      }
      for (const h of n.heritageClauses ?? []) visit(h);
      return;
    }
    if (isStep(n)) found = n;
    else forEachChild(n, visit);
  };
  visit(node);
  return found;
}
