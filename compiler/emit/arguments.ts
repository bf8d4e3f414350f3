import ts from '../ts/typescript.cjs';
import type { FileFacts } from '../ts/facts.js';
import { skipOuter } from '../ts/references.js';
import { heldToSource, type ActionCallRecord, type ArgumentOrigin } from '../../runtime/bundle.js';
import { completeOrigin, type Literal } from './origin.js';
import { isLiteralCandidate, valueSources } from './value-sources.js';

export type { ActionCallRecord, ArgumentOrigin } from '../../runtime/bundle.js';

const maxDepth = 12;

/** What an argument field may be: whole values (`expr`), or what an unknown spread after it may put there. */
type Contribution = { kind: 'value'; expr: ts.Expression } | { kind: 'computed' } | { kind: 'spread'; expr: ts.Expression };

/**
 * Records every catalog action call of a file with the origin of each argument field.
 * The result goes into the manifest as `arguments: { "email.send": [ { line, args } ] }`.
 *
 * A reviewer must see every value a field can take that is written in the source: a field is
 * followed through what passes its value on whole (`const`/`let` variables and every assignment
 * to them, `c ? a : b`, `a || b`, `a ?? b`, helpers' returns and parameters, getters, members of
 * constant object and array literals, enum members, spreads of object literals), and every
 * literal reached that way is listed (`literal` when it is the only value, else `literals`),
 * next to what else flows in (`from`). A value built by code (a call, a concatenation that does
 * not fold to constants) is `computed` unless the input or a step's result flows into it.
 */
export function recordActionArguments(facts: FileFacts, workflowInput: ts.ParameterDeclaration | undefined): Record<string, ActionCallRecord[]> {
  const { sourceFile: sf } = facts;
  const out: Record<string, ActionCallRecord[]> = {};
  const { whole, part, candidatesOf, literalHolder, propertyKey, templateText, prefixOf } = valueSources(facts, workflowInput);

  /**
   * Whether a value put in a field may be undefined (JSON then leaves the field out), by its type
   * where it is written: `let p: string | undefined` assigned on some paths only, a `switch`
   * without a default, `any`. The analysis of where values come from follows writes, not paths.
   */
  const mayBeUndefined = (c: Contribution): boolean => {
    if (c.kind !== 'value') return false;
    const type = facts.checker.getTypeAtLocation(c.expr);
    const parts = type.isUnion() ? type.types : [type];
    return parts.some((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0);
  };

  /** A field's origin from what may be put in it. */
  const originOf = (contributions: Contribution[]): ArgumentOrigin => {
    const acc = new Set<string>();
    const lits = new Set<Literal>();
    for (const c of contributions) {
      if (c.kind === 'value') whole(c.expr, 0, acc, lits);
      else if (c.kind === 'spread') part(c.expr, 0, acc, true);
      else acc.add('computed');
    }
    const o: ArgumentOrigin = {};
    const only = contributions.length === 1 && contributions[0].kind === 'value' ? skipOuter(contributions[0].expr) : undefined;
    if (acc.size === 0 && lits.size === 1) o.literal = [...lits][0];
    else if (only !== undefined && ts.isTemplateExpression(only)) {
      o.template = templateText(only);
      const prefix = prefixOf(only);
      if (prefix !== undefined && prefix !== '') o.prefix = prefix;
    } else if (only !== undefined) {
      const prefix = prefixOf(only);
      if (prefix !== undefined && prefix !== '') o.prefix = prefix;
    }
    if (o.literal === undefined && lits.size > 0) o.literals = sortLiterals([...lits]);
    return completeOrigin(o, (into) => {
      for (const a of acc) into.add(a);
    });
  };

  /**
   * The fields an argument object may have, each with what may be put in it, in the order
   * JavaScript applies them: later properties replace earlier ones, a spread of an object
   * literal adds its properties, a spread of anything else may replace every field before it.
   * Undefined when the argument is not (a constant holding) an object literal.
   */
  const fieldsOf = (expr: ts.Expression, depth: number, fields: Map<string, Contribution[]>, spreads: ts.Expression[], optional: Set<string>): boolean => {
    if (depth > maxDepth) return false;
    const e = skipOuter(expr);
    const literal = ts.isObjectLiteralExpression(e) ? e : literalHolder(e);
    if (literal === undefined || !ts.isObjectLiteralExpression(literal)) {
      // Several object literals it may be (`c ? {…} : {…}`, a helper's parameter): each field may
      // come from any, and a field that not all of them write may be left out.
      const candidates = candidatesOf(e, depth + 1, new Set());
      if (!candidates.every((c) => isLiteralCandidate(c) && ts.isObjectLiteralExpression(c))) return false;
      const merged = new Map<string, Contribution[]>();
      const written: Array<Set<string>> = [];
      const mayLack = new Set<string>();
      for (const c of candidates) {
        const own = new Map<string, Contribution[]>([...fields].map(([k, v]) => [k, [...v]]));
        const ownOptional = new Set(optional);
        if (!fieldsOf(c as ts.ObjectLiteralExpression, depth + 1, own, spreads, ownOptional)) return false;
        for (const [k, v] of own) merged.set(k, [...new Set([...(merged.get(k) ?? []), ...v])]);
        written.push(new Set(own.keys()));
        for (const k of ownOptional) mayLack.add(k);
      }
      for (const [k, v] of merged) {
        fields.set(k, v);
        if (mayLack.has(k) || written.some((keys) => !keys.has(k))) optional.add(k);
        else optional.delete(k); // every candidate writes it, whatever came before
      }
      return true;
    }
    for (const p of literal.properties) {
      if (ts.isSpreadAssignment(p)) {
        if (fieldsOf(p.expression, depth + 1, fields, spreads, optional)) continue;
        for (const list of fields.values()) list.push({ kind: 'spread', expr: p.expression });
        spreads.push(p.expression);
        continue;
      }
      const key = p.name !== undefined ? propertyKey(p.name) : undefined;
      if (key === undefined) {
        // A key only known at run time may be any field, also one written before it.
        const value: Contribution = ts.isPropertyAssignment(p) ? { kind: 'value', expr: p.initializer } : { kind: 'computed' };
        for (const list of fields.values()) list.push(value);
        // The marker always says something flows in (the key is computed), also when the value
        // is a literal: `'?': { literal: "x" }` would read as a field really named `?`.
        fields.set('?', [...(fields.get('?') ?? []), value, { kind: 'computed' }]);
        continue;
      }
      // Written here whatever came before: the field is there (or computed: see originOf).
      optional.delete(key);
      if (ts.isPropertyAssignment(p)) fields.set(key, [{ kind: 'value', expr: p.initializer }]);
      else if (ts.isShorthandPropertyAssignment(p)) fields.set(key, [{ kind: 'value', expr: p.name }]);
      else fields.set(key, [{ kind: 'computed' }]); // a method or accessor: what JSON makes of it is code
    }
    return true;
  };

  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const action = facts.catalogAction(n.expression);
      if (action !== undefined) {
        const args: Record<string, ArgumentOrigin> = {};
        const arg = n.arguments[0];
        const fields = new Map<string, Contribution[]>();
        const spreads: ts.Expression[] = [];
        const optional = new Set<string>();
        if (arg !== undefined && !ts.isSpreadElement(arg) && fieldsOf(arg, 0, fields, spreads, optional)) {
          for (const [key, list] of fields) {
            const o = (args[key] = originOf(list));
            // Said only where it changes what a reviewer reads: a value from the input or code
            // with no prefix may be left out anyway.
            if (optional.has(key) || (heldToSource(o) && list.some(mayBeUndefined))) o.optional = true;
          }
          if (spreads.length > 0) args['...'] = originOf(spreads.map((expr) => ({ kind: 'spread', expr })));
        } else if (arg !== undefined) {
          args['*'] = originOf([ts.isSpreadElement(arg) ? { kind: 'spread', expr: arg.expression } : { kind: 'spread', expr: arg }]);
        }
        (out[action] ??= []).push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, args });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function sortLiterals(values: Literal[]): Literal[] {
  return values.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}
