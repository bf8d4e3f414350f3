import ts from '../ts/typescript.cjs';
import type { FileFacts } from '../ts/facts.js';
import { isConst, skipOuter } from '../ts/references.js';
import type { ActionCallRecord, ArgumentOrigin } from '../../runtime/bundle.js';
import { completeOrigin } from './origin.js';

export type { ActionCallRecord, ArgumentOrigin } from '../../runtime/bundle.js';

const maxDepth = 12;

/**
 * Records every catalog action call of a file with the origin of each argument field.
 * The result goes into the manifest as `arguments: { "email.send": [ { line, args } ] }`.
 */
export function recordActionArguments(facts: FileFacts, workflowInput: ts.ParameterDeclaration | undefined): Record<string, ActionCallRecord[]> {
  const { sourceFile: sf, checker } = facts;
  const out: Record<string, ActionCallRecord[]> = {};
  const inputSymbol = workflowInput !== undefined && ts.isIdentifier(workflowInput.name) ? checker.getSymbolAtLocation(workflowInput.name) : undefined;
  const inputBindings = new Set<ts.Node>();
  if (workflowInput !== undefined && !ts.isIdentifier(workflowInput.name)) collectBindings(workflowInput.name, inputBindings);

  /** Sources of a value: 'input', 'action:<name>', 'computed'. */
  const sources = (expr: ts.Expression, depth: number, acc: Set<string>): void => {
    if (depth > maxDepth) {
      acc.add('computed');
      return;
    }
    const e = skipOuter(expr);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return;
    if (ts.isAwaitExpression(e)) {
      const inner = skipOuter(e.expression);
      if (ts.isCallExpression(inner)) {
        const action = facts.catalogAction(inner.expression);
        if (action !== undefined) {
          acc.add(`action:${action}`);
          return;
        }
        if (facts.isStepCall(inner)) {
          acc.add(`action:${facts.calleePath(inner)?.slice('alice:'.length) ?? 'step'}`);
          return;
        }
      }
      sources(e.expression, depth + 1, acc);
      return;
    }
    if (ts.isIdentifier(e)) {
      const sym = checker.getSymbolAtLocation(e);
      if (sym !== undefined && sym === inputSymbol) {
        acc.add('input');
        return;
      }
      const decl = sym?.declarations?.[0];
      if (decl === undefined) {
        acc.add('computed');
        return;
      }
      if (inputBindings.has(decl)) {
        acc.add('input');
        return;
      }
      if (ts.isVariableDeclaration(decl) && decl.getSourceFile() === sf) {
        if (decl.initializer !== undefined) sources(decl.initializer, depth + 1, acc);
        if (!isConst(decl)) assignmentsTo(sym!, depth, acc);
        return;
      }
      if (ts.isBindingElement(decl)) {
        const root = ts.findAncestor(decl, ts.isVariableDeclaration);
        if (root?.initializer !== undefined) sources(root.initializer, depth + 1, acc);
        else acc.add('computed');
        return;
      }
      if (ts.isFunctionDeclaration(decl) || ts.isEnumMember(decl) || ts.isEnumDeclaration(decl)) return;
      if (ts.isParameter(decl) && ts.isIdentifier(decl.name)) {
        parameterSources(decl, depth, acc);
        return;
      }
      acc.add('computed');
      return;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      sources(e.expression, depth + 1, acc);
      if (ts.isElementAccessExpression(e)) sources(e.argumentExpression, depth + 1, acc);
      return;
    }
    if (ts.isCallExpression(e)) {
      // A pure helper's result comes from its receiver and arguments (`input.email.trim()`).
      if (ts.isPropertyAccessExpression(e.expression)) sources(e.expression.expression, depth + 1, acc);
      for (const a of e.arguments) sources(a, depth + 1, acc);
      if (e.arguments.length === 0 && !ts.isPropertyAccessExpression(e.expression)) acc.add('computed');
      return;
    }
    let any = false;
    ts.forEachChild(e, (child) => {
      if (ts.isExpression(child)) {
        any = true;
        sources(child, depth + 1, acc);
      } else if (ts.isPropertyAssignment(child) || ts.isShorthandPropertyAssignment(child) || ts.isSpreadAssignment(child) || ts.isTemplateSpan(child)) {
        any = true;
        const value = ts.isPropertyAssignment(child) ? child.initializer : ts.isShorthandPropertyAssignment(child) ? child.name : child.expression;
        sources(value, depth + 1, acc);
      }
    });
    if (!any) acc.add('computed');
  };

  /** A helper's parameter carries what its callers in this file pass in that position. */
  const parameterSources = (param: ts.ParameterDeclaration, depth: number, acc: Set<string>): void => {
    const fn = param.parent;
    const index = fn.parameters.indexOf(param);
    const fnSymbol = ts.isFunctionDeclaration(fn) && fn.name !== undefined
      ? checker.getSymbolAtLocation(fn.name)
      : (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)
        ? checker.getSymbolAtLocation(fn.parent.name)
        : undefined;
    if (fnSymbol === undefined) {
      acc.add('computed');
      return;
    }
    let calls = 0;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && checker.getSymbolAtLocation(n.expression) === fnSymbol) {
        calls++;
        const arg = n.arguments[index];
        if (arg !== undefined) sources(arg, depth + 1, acc);
        else if (param.initializer !== undefined) sources(param.initializer, depth + 1, acc);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    if (calls === 0) acc.add('computed');
  };

  const assignmentsTo = (sym: ts.Symbol, depth: number, acc: Set<string>): void => {
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && ts.isIdentifier(n.left) && checker.getSymbolAtLocation(n.left) === sym) {
        sources(n.right, depth + 1, acc);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  };

  const origin = (expr: ts.Expression): ArgumentOrigin => {
    const e = skipOuter(expr);
    const o: ArgumentOrigin = {};
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) o.literal = e.text;
    else if (ts.isNumericLiteral(e)) o.literal = Number(e.text);
    else if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) o.literal = e.kind === ts.SyntaxKind.TrueKeyword;
    else if (e.kind === ts.SyntaxKind.NullKeyword) o.literal = null;
    else if (ts.isTemplateExpression(e)) {
      o.template = e.head.text + e.templateSpans.map((s) => '${…}' + s.literal.text).join('');
      o.prefix = e.head.text;
    } else {
      const prefix = concatPrefix(e);
      if (prefix !== undefined && prefix !== '') o.prefix = prefix;
    }
    return completeOrigin(o, (acc) => sources(e, 0, acc));
  };

  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const action = facts.catalogAction(n.expression);
      if (action !== undefined) {
        const args: Record<string, ArgumentOrigin> = {};
        const arg = n.arguments[0] !== undefined ? skipOuter(n.arguments[0]) : undefined;
        if (arg !== undefined && ts.isObjectLiteralExpression(arg)) {
          for (const p of arg.properties) {
            if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) args[p.name.text] = origin(p.initializer);
            else if (ts.isShorthandPropertyAssignment(p)) args[p.name.text] = origin(p.name);
            else if (ts.isSpreadAssignment(p)) args['...'] = origin(p.expression);
            else args['?'] = { from: ['computed'] };
          }
        } else if (arg !== undefined) {
          args['*'] = origin(arg);
        }
        (out[action] ??= []).push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, args });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function collectBindings(name: ts.BindingName, into: Set<ts.Node>): void {
  if (ts.isIdentifier(name)) return;
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    into.add(el);
    collectBindings(el.name, into);
  }
}

/** The literal start of `"https://api.example.com/v1/" + id`. */
function concatPrefix(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return x.text;
  if (ts.isTemplateExpression(x)) return x.head.text;
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) return concatPrefix(x.left);
  return undefined;
}

