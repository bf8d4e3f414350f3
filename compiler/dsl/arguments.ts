/**
 * The manifest's `arguments` for a DSL program: every catalog action call with the origin of
 * each named argument (runtime/bundle.ts ArgumentOrigin), as the TypeScript front end records
 * them, so a reviewer sees what a workflow does with an action, not only that it uses it.
 *
 * Origins follow names through their `let`/`var` values and assignments, loop variables through
 * their lists, function parameters through the arguments of every call of the function.
 */
import type { ActionCallRecord, ArgumentOrigin } from '../../runtime/bundle.js';
import type { Expr, Program } from './ast.js';
import { argumentName } from './check.js';
import { childExprs, forEachExpr, forEachStmt } from './walk.js';
import { completeOrigin } from '../emit/origin.js';

const maxDepth = 12;

export function recordDslArguments(program: Program, actions: ReadonlySet<string>): Record<string, ActionCallRecord[]> {
  // Every value a name may hold, over the whole file (names cannot be shadowed, so a name
  // means one variable per function; merging is a safe over-approximation).
  const values = new Map<string, Array<Expr | 'computed' | 'action:catch'>>();
  const add = (name: string, v: Expr | 'computed' | 'action:catch'): void => {
    let list = values.get(name);
    if (list === undefined) values.set(name, (list = []));
    list.push(v);
  };
  const allBodies = [program.body, ...program.functions.map((f) => f.body)];
  for (const body of allBodies) {
    forEachStmt(body, (s) => {
      if (s.kind === 'let' || s.kind === 'assign') add(s.name, s.value);
      else if (s.kind === 'for') add(s.name, s.list);
      else if (s.kind === 'try') for (const c of s.catches) if (c.binding !== null) add(c.binding.name, 'action:catch');
    });
    forEachExpr(body, (e) => {
      if (e.kind === 'comprehension') add(e.name, e.list);
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

  const origin = (e: Expr): ArgumentOrigin => {
    const o: ArgumentOrigin = {};
    if (e.kind === 'string' && e.parts.every((p) => typeof p === 'string')) o.literal = e.parts.join('');
    else if (e.kind === 'number') o.literal = e.value;
    else if (e.kind === 'duration') o.literal = e.ms;
    else if (e.kind === 'boolean') o.literal = e.value;
    else if (e.kind === 'null') o.literal = null;
    else if (e.kind === 'string') {
      o.template = e.parts.map((p) => (typeof p === 'string' ? p : '${…}')).join('');
      o.prefix = typeof e.parts[0] === 'string' ? e.parts[0] : '';
      if (o.prefix === '') delete o.prefix;
    } else {
      const prefix = concatPrefix(e);
      if (prefix !== undefined && prefix !== '') o.prefix = prefix;
    }
    return completeOrigin(o, (acc) => sources(e, 0, acc, new Set()));
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

/** The literal start of `"https://api.example.com/" + id`. */
function concatPrefix(e: Expr): string | undefined {
  if (e.kind === 'string') return typeof e.parts[0] === 'string' ? e.parts[0] : undefined;
  if (e.kind === 'binary' && e.op === '+') return concatPrefix(e.left);
  return undefined;
}

