/** Generic traversal of the DSL AST, for passes that look at every expression (call graph, manifest). */
import { assertNever } from '../../runtime/errors.js';
import type { Expr, Stmt } from './ast.js';

/** The direct sub-expressions of an expression, in source order. */
export function childExprs(e: Expr): Expr[] {
  switch (e.kind) {
    case 'number':
    case 'duration':
    case 'boolean':
    case 'null':
    case 'input':
    case 'name':
      return [];
    case 'string':
      return e.parts.filter((p): p is Expr => typeof p !== 'string');
    case 'list':
      return e.items.map((i) => i.value);
    case 'record':
      return e.entries.map((x) => x.value);
    case 'field':
      return [e.object];
    case 'index':
      return [e.object, e.index];
    case 'call':
      return e.args.map((a) => a.value);
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'wait':
      return [e.eventType, ...(e.match !== null ? [e.match] : []), ...(e.timeout !== null ? [e.timeout] : [])];
    case 'comprehension':
      return [e.list, ...(e.filter !== null ? [e.filter] : []), e.body];
    default:
      return assertNever(e);
  }
}

/** The expressions and nested statement lists directly inside a statement. */
export function stmtParts(s: Stmt): { exprs: Expr[]; blocks: Stmt[][] } {
  switch (s.kind) {
    case 'let':
    case 'assign':
      return { exprs: [s.value], blocks: [] };
    case 'if':
      return { exprs: [s.condition], blocks: s.otherwise !== null ? [s.then, s.otherwise] : [s.then] };
    case 'for':
      return { exprs: [s.list, ...(s.filter !== null ? [s.filter] : [])], blocks: [s.body] };
    case 'repeat':
      return { exprs: [s.count], blocks: [s.body] };
    case 'return':
      return { exprs: s.value !== null ? [s.value] : [], blocks: [] };
    case 'try':
      return { exprs: [], blocks: [s.body, ...s.catches.map((c) => c.body)] };
    case 'sleep':
      return { exprs: [s.duration], blocks: [] };
    case 'log':
      return { exprs: s.values, blocks: [] };
    case 'parallel':
      return { exprs: [], blocks: [s.branches] };
    case 'do':
      return { exprs: [], blocks: [s.body] };
    case 'fail':
      return { exprs: s.message !== null ? [s.code, s.message] : [s.code], blocks: [] };
    case 'expr':
      return { exprs: [s.expr], blocks: [] };
    default:
      return assertNever(s);
  }
}

/** Calls `visit` on every expression under the statements, outermost first. */
export function forEachExpr(stmts: readonly Stmt[], visit: (e: Expr) => void): void {
  const walkExpr = (e: Expr): void => {
    visit(e);
    for (const c of childExprs(e)) walkExpr(c);
  };
  for (const s of stmts) {
    const { exprs, blocks } = stmtParts(s);
    for (const e of exprs) walkExpr(e);
    for (const b of blocks) forEachExpr(b, visit);
  }
}

/** Calls `visit` on every statement, outermost first. */
export function forEachStmt(stmts: readonly Stmt[], visit: (s: Stmt) => void): void {
  for (const s of stmts) {
    visit(s);
    for (const b of stmtParts(s).blocks) forEachStmt(b, visit);
  }
}
