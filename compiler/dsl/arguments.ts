/**
 * The manifest's `arguments` for a DSL program: every catalog action call with the origin of
 * each named argument (runtime/bundle.ts ArgumentOrigin), as the TypeScript front end records
 * them, so a reviewer sees what a workflow does with an action, not only that it uses it.
 *
 * Origins follow names through their `let`/`var` values and assignments, loop variables through
 * their lists, function parameters through the arguments of every call of the function.
 */
import type { ActionCallRecord, ArgumentOrigin } from '../../runtime/bundle.js';
import type { Expr, Program, Stmt } from './ast.js';
import { argumentName } from './check.js';
import { childExprs, forEachExpr, forEachStmt } from './walk.js';
import { completeOrigin, type Literal } from '../emit/origin.js';

const maxDepth = 12;

export function recordDslArguments(program: Program, actions: ReadonlySet<string>): Record<string, ActionCallRecord[]> {
  // Every value a name may hold, over the whole file (names cannot be shadowed, so a name
  // means one variable per function; merging is a safe over-approximation).
  const values = new Map<string, Array<Value>>();
  const add = (name: string, v: Value): void => {
    let list = values.get(name);
    if (list === undefined) values.set(name, (list = []));
    list.push(v);
  };
  const allBodies = [program.body, ...program.functions.map((f) => f.body)];
  for (const body of allBodies) {
    forEachStmt(body, (s) => {
      if (s.kind === 'let' || s.kind === 'assign') add(s.name, s.value);
      else if (s.kind === 'for') add(s.name, { elementOf: s.list });
      else if (s.kind === 'try') for (const c of s.catches) if (c.binding !== null) add(c.binding.name, 'action:catch');
    });
    forEachExpr(body, (e) => {
      if (e.kind === 'comprehension') add(e.name, { elementOf: e.list });
    });
  }
  const fnParams = new Map(program.functions.map((f) => [f.name, f.params.map((p) => p.name)]));
  for (const body of allBodies) {
    forEachExpr(body, (e) => {
      if (e.kind !== 'call' || e.callee.length !== 1) return;
      const params = fnParams.get(e.callee[0]);
      if (params === undefined) return;
      params.forEach((p, i) => add(p, e.args[i]?.value ?? 'computed'));
    });
  }

  const sources = (e: Expr, depth: number, acc: Set<string>, seen: Set<string>): void => {
    if (depth > maxDepth) {
      acc.add('computed');
      return;
    }
    switch (e.kind) {
      case 'number':
      case 'duration':
      case 'boolean':
      case 'null':
        return;
      case 'input':
        acc.add('input');
        return;
      case 'name': {
        if (seen.has(e.name)) return;
        seen.add(e.name);
        const vs = values.get(e.name);
        if (vs === undefined) acc.add('computed');
        else for (const v of vs) {
          if (v === 'computed') acc.add('computed');
          else if (v === 'action:catch') acc.add('action:catch');
          else if ('elementOf' in v) sources(v.elementOf, depth + 1, acc, seen);
          else sources(v, depth + 1, acc, seen);
        }
        return;
      }
      case 'call':
        if (e.callee.length > 1) {
          acc.add(`action:${e.callee.join('.')}`);
          return;
        }
        if (e.callee[0] === 'now' || e.callee[0] === 'random') acc.add(`action:${e.callee[0]}`);
        break;
      case 'wait':
        acc.add('action:waitForEvent');
        return;
      default:
        break;
    }
    const children = childExprs(e);
    for (const c of children) sources(c, depth + 1, acc, seen);
    if (children.length === 0 && e.kind !== 'string') acc.add('computed');
  };

  const fnByName = new Map(program.functions.map((f) => [f.name, f]));
  /**
   * The sources of a value that flows into an argument whole (as the TypeScript front end
   * records them, compiler/emit/value-sources.ts): literals to `lits`, through names (every
   * value they are given), `??`, loop variables over a literal list and functions' returns; the
   * rest to `acc`, `computed` when nothing flows into a computed part.
   */
  const whole = (e: Expr, depth: number, acc: Set<string>, lits: Set<Literal>, seen: Set<string>): void => {
    if (depth > maxDepth) {
      acc.add('computed');
      return;
    }
    const literal = literalOf(e);
    if (literal !== undefined) {
      lits.add(literal.value);
      return;
    }
    if (e.kind === 'name') {
      if (seen.has(e.name)) return;
      seen.add(e.name);
      const vs = values.get(e.name);
      if (vs === undefined) acc.add('computed');
      for (const v of vs ?? []) {
        if (v === 'computed' || v === 'action:catch') acc.add(v);
        else if (!('elementOf' in v)) whole(v, depth + 1, acc, lits, seen);
        else if (v.elementOf.kind === 'list' && v.elementOf.items.every((item) => !item.spread)) for (const item of v.elementOf.items) whole(item.value, depth + 1, acc, lits, seen);
        else part(v.elementOf, depth, acc);
      }
      return;
    }
    if (e.kind === 'binary' && e.op === '??') {
      whole(e.left, depth + 1, acc, lits, seen);
      whole(e.right, depth + 1, acc, lits, seen);
      return;
    }
    const fn = e.kind === 'call' && e.callee.length === 1 ? fnByName.get(e.callee[0]) : undefined;
    if (fn !== undefined) {
      let returns = 0;
      forEachStmt(fn.body, (st) => {
        if (st.kind !== 'return') return;
        returns++;
        if (st.value !== null) whole(st.value, depth + 1, acc, lits, seen);
        else acc.add('computed');
      });
      if (returns === 0) acc.add('computed');
      // A function whose end is reachable returns null there (the generated code's last line).
      else if (!alwaysEnds(fn.body)) lits.add(null);
      return;
    }
    part(e, depth, acc);
  };
  const part = (e: Expr, depth: number, acc: Set<string>): void => {
    const found = new Set<string>();
    sources(e, depth + 1, found, new Set());
    if (found.size === 0) acc.add('computed');
    for (const f of found) acc.add(f);
  };

  const origin = (e: Expr): ArgumentOrigin => {
    const o: ArgumentOrigin = {};
    const acc = new Set<string>();
    const lits = new Set<Literal>();
    whole(e, 0, acc, lits, new Set());
    if (acc.size === 0 && lits.size === 1) o.literal = [...lits][0];
    else if (e.kind === 'string') {
      o.template = e.parts.map((p) => (typeof p === 'string' ? p : '${…}')).join('');
      o.prefix = typeof e.parts[0] === 'string' ? e.parts[0] : '';
      if (o.prefix === '') delete o.prefix;
    } else {
      const prefix = concatPrefix(e);
      if (prefix !== undefined && prefix !== '') o.prefix = prefix;
    }
    if (o.literal === undefined && lits.size > 0) o.literals = [...lits].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
    return completeOrigin(o, (into) => {
      for (const a of acc) into.add(a);
    });
  };

  const out: Record<string, ActionCallRecord[]> = {};
  for (const body of allBodies) {
    forEachExpr(body, (e) => {
      if (e.kind !== 'call' || e.callee.length < 2) return;
      const name = e.callee.join('.');
      if (!actions.has(name)) return;
      const args: Record<string, ArgumentOrigin> = {};
      for (const a of e.args) args[argumentName(a) ?? '*'] = origin(a.value);
      (out[name] ??= []).push({ line: e.loc.line, args });
    });
  }
  for (const calls of Object.values(out)) calls.sort((a, b) => a.line - b.line);
  return out;
}

/** What a name may hold: an expression, the element of a list it loops over, or what only the run knows. */
type Value = Expr | { elementOf: Expr } | 'computed' | 'action:catch';

/** A literal written in the program: a string without holes, a number, a duration, a boolean, null. */
function literalOf(e: Expr): { value: Literal } | undefined {
  if (e.kind === 'string' && e.parts.every((p) => typeof p === 'string')) return { value: e.parts.join('') };
  if (e.kind === 'number') return { value: e.value };
  if (e.kind === 'duration') return { value: e.ms };
  if (e.kind === 'boolean') return { value: e.value };
  if (e.kind === 'null') return { value: null };
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return { value: -e.operand.value };
  return undefined;
}

/** The literal start of `"https://api.example.com/" + id`. */
function concatPrefix(e: Expr): string | undefined {
  if (e.kind === 'string') return typeof e.parts[0] === 'string' ? e.parts[0] : undefined;
  if (e.kind === 'binary' && e.op === '+') return concatPrefix(e.left);
  return undefined;
}

/** Whether a list of statements always returns or fails before its end (`if` with both branches doing so). */
function alwaysEnds(body: readonly Stmt[]): boolean {
  return body.some((st) => st.kind === 'return' || st.kind === 'fail' || (st.kind === 'if' && st.otherwise !== null && alwaysEnds(st.then) && alwaysEnds(st.otherwise)) || (st.kind === 'do' && alwaysEnds(st.body)));
}
