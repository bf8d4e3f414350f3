/**
 * The DSL checker: names, types against the action catalog, unreachable code, recursion and
 * the rules of parallel branches. It reads the AST and reports through a DiagnosticSink; it
 * never throws for bad input. What it learns that the lowering needs (which local functions
 * exist, the actions used) it returns as data.
 *
 * Purity and termination need no rule here: the language has no way to name the clock, the
 * host or a loop without a bound. What is checked is what the grammar cannot say: that calls
 * do not form a cycle (so there is no recursion) and that loops run over lists and counts.
 */
import { assertNever } from '../../runtime/errors.js';
import type { CatalogEntry } from '../catalog.js';
import type { Argument, Expr, FunctionDecl, Loc, Program, Stmt, TypeNode } from './ast.js';
import type { DiagnosticSink } from './rules.js';
import { mergeTypes, stdlib } from './stdlib.js';
import {
  anyType, booleanType, durationType, errorType, eventType, isKind, isNullable, listOf, notAssignable, nullType, numberType,
  recordOf, showType, stringType, typeOfNode, typeOfSchema, union, withoutNull, type FieldInfo, type Type,
} from './types.js';
import { forEachExpr } from './walk.js';

type BindingKind = 'let' | 'var' | 'param' | 'loop' | 'catch';

interface Binding {
  name: string;
  type: Type;
  kind: BindingKind;
  loc: Loc;
  /** How many parallel constructs enclose the declaration. */
  parallelLevel: number;
}

class Scope {
  private readonly bindings = new Map<string, Binding>();
  /** Narrowed types by path (`x`, `input.email`), valid in this scope and below. */
  private readonly narrowed = new Map<string, Type>();

  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }

  names(): IterableIterator<string> {
    return this.bindings.keys();
  }

  declare(b: Binding): void {
    this.bindings.set(b.name, b);
  }

  narrow(path: string, type: Type): void {
    this.narrowed.set(path, type);
  }

  narrowedType(path: string): Type | undefined {
    return this.narrowed.get(path) ?? this.parent?.narrowedType(path);
  }
}

interface Narrowing {
  whenTrue: Map<string, Type>;
  whenFalse: Map<string, Type>;
}

/** What one walk of a block learned. */
interface Flow {
  /** Every path through the block ends in return or fail. */
  ends: boolean;
}

export interface CheckOutput {
  /** Local functions in an order where each comes after those it calls (cycles aside). */
  functionOrder: string[];
  /** Catalog actions the program calls. */
  actions: Set<string>;
  inputType: Type;
}

interface Context {
  fn: FunctionDecl | null;
  returns: Type[];
  parallelLevel: number;
}

const immutableKinds: ReadonlySet<BindingKind> = new Set(['let', 'param', 'loop', 'catch']);

export class DslChecker {
  private readonly catalog = new Map<string, { entry: CatalogEntry; input: Type; output: Type }>();
  private readonly functions = new Map<string, FunctionDecl>();
  private readonly returnTypes = new Map<string, Type>();
  private readonly actions = new Set<string>();
  private inputType: Type = anyType;

  constructor(private readonly sink: DiagnosticSink, catalog: readonly CatalogEntry[]) {
    for (const entry of catalog) this.catalog.set(entry.name, { entry, input: typeOfSchema(entry.input), output: entry.output === null ? anyType : typeOfSchema(entry.output) });
  }

  check(program: Program): CheckOutput {
    if (program.header.input !== null) this.inputType = this.declaredType(program.header.input);
    for (const f of program.functions) {
      if (this.functions.has(f.name)) this.sink.report('dsl/duplicate', f.nameLoc, `the function ${f.name} is declared twice; rename one`);
      else if (stdlib[f.name] !== undefined) this.sink.report('dsl/duplicate', f.nameLoc, `${f.name} is a standard function; give your function another name`);
      else this.functions.set(f.name, f);
    }
    const order = this.callOrder();
    for (const name of order) this.checkFunction(this.functions.get(name)!);
    const ctx: Context = { fn: null, returns: [], parallelLevel: 0 };
    this.block(program.body, new Scope(null), ctx);
    return { functionOrder: order, actions: this.actions, inputType: this.inputType };
  }

  private declaredType(node: TypeNode): Type {
    return typeOfNode(node, (name, n) =>
      this.sink.report('dsl/type', n.loc, `unknown type ${name}: types are string, number, integer, boolean, duration, any, null, [type], { field: type } and type?`),
    );
  }

  // ---- functions and the call graph ------------------------------------------------------------

  /** Orders functions callee-first, and reports every call that closes a cycle. */
  private callOrder(): string[] {
    const calls = new Map<string, Array<{ callee: string; loc: Loc }>>();
    for (const [name, f] of this.functions) {
      const out: Array<{ callee: string; loc: Loc }> = [];
      forEachExpr(f.body, (e) => {
        if (e.kind === 'call' && e.callee.length === 1 && this.functions.has(e.callee[0])) out.push({ callee: e.callee[0], loc: e.calleeLoc });
      });
      calls.set(name, out);
    }
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (name: string): void => {
      state.set(name, 'visiting');
      stack.push(name);
      for (const c of calls.get(name) ?? []) {
        const s = state.get(c.callee);
        if (s === 'visiting') {
          const cycle = [...stack.slice(stack.indexOf(c.callee)), c.callee];
          this.sink.report(
            'dsl/recursion',
            c.loc,
            cycle.length === 2 ? `${name} calls itself: recursion is not allowed, so that every workflow terminates` : `${name} calls ${c.callee}, which leads back to ${name} (${cycle.join(' → ')}): recursion is not allowed, so that every workflow terminates`,
            'use a for loop over a list, or repeat N times',
          );
        } else if (s === undefined) visit(c.callee);
      }
      stack.pop();
      state.set(name, 'done');
      order.push(name);
    };
    for (const name of this.functions.keys()) if (!state.has(name)) visit(name);
    return order;
  }

  private checkFunction(f: FunctionDecl): void {
    const scope = new Scope(null);
    for (const p of f.params) {
      if (scope.lookup(p.name) !== undefined) this.sink.report('dsl/duplicate', p.loc, `the parameter ${p.name} is declared twice`);
      scope.declare({ name: p.name, type: this.declaredType(p.type), kind: 'param', loc: p.loc, parallelLevel: 0 });
    }
    const ctx: Context = { fn: f, returns: [], parallelLevel: 0 };
    const flow = this.block(f.body, scope, ctx);
    this.returnTypes.set(f.name, union(flow.ends ? ctx.returns : [...ctx.returns, nullType]));
  }

  // ---- statements ------------------------------------------------------------------------------

  private block(stmts: readonly Stmt[], outer: Scope, ctx: Context): Flow {
    let scope = new Scope(outer);
    let ends = false;
    let reported = false;
    for (const s of stmts) {
      if (ends && !reported) {
        this.sink.report('dsl/unreachable', s.loc, 'this statement can never run: the code before it always returns or fails', 'remove it, or move it before the return');
        reported = true;
      }
      const result = this.statement(s, scope, ctx);
      if (result.ends) ends = true;
      if (result.after !== undefined) {
        scope = new Scope(scope);
        for (const [path, t] of result.after) scope.narrow(path, t);
      }
    }
    return { ends };
  }

  private declare(scope: Scope, name: string, loc: Loc, type: Type, kind: BindingKind, ctx: Context): void {
    const prev = scope.lookup(name);
    if (prev !== undefined) {
      this.sink.report('dsl/duplicate', loc, `${name} is already declared (line ${prev.loc.line}); pick another name`, prev.kind === 'var' ? `to change it, write ${name} = …` : undefined);
      return;
    }
    scope.declare({ name, type, kind, loc, parallelLevel: ctx.parallelLevel });
  }

  private statement(s: Stmt, scope: Scope, ctx: Context): Flow & { after?: Map<string, Type> } {
    switch (s.kind) {
      case 'let': {
        let t = this.expr(s.value, scope, ctx);
        if (s.annotation !== null) {
          const declared = this.declaredType(s.annotation);
          this.expectAssignable(t, declared, s.value.loc, `the value of ${s.name}`);
          t = declared;
        } else if (s.mutable && t.kind === 'null') {
          t = anyType; // `var best = null`: the first assignment decides; annotate for checking.
        }
        this.declare(scope, s.name, s.nameLoc, widen(t), s.mutable ? 'var' : 'let', ctx);
        return { ends: false };
      }
      case 'assign': {
        const t = this.expr(s.value, scope, ctx);
        const b = scope.lookup(s.name);
        if (b === undefined) {
          this.sink.report('dsl/unknown-name', s.nameLoc, `${s.name} is not declared; declare it first with var ${s.name} = …`);
        } else if (b.kind !== 'var') {
          this.sink.report('dsl/assign', s.nameLoc, `${s.name} cannot change: it is ${bindingWords[b.kind]}`, b.kind === 'let' ? `declare it with var ${s.name} = … to update it` : 'compute a new value into a new let');
        } else if (b.parallelLevel < ctx.parallelLevel) {
          this.sink.report('dsl/parallel', s.nameLoc, `${s.name} is declared outside this parallel block; branches run at the same time, so they may not update it`, 'let each branch compute a value with let, and combine the values after the block');
        } else {
          this.expectAssignable(t, b.type, s.value.loc, `the new value of ${s.name}`);
        }
        return { ends: false };
      }
      case 'if': {
        this.condition(s.condition, scope, ctx, 'an if condition');
        const n = this.narrowing(s.condition, scope);
        const thenFlow = this.block(s.then, withNarrowing(scope, n.whenTrue), ctx);
        const elseFlow = s.otherwise !== null ? this.block(s.otherwise, withNarrowing(scope, n.whenFalse), ctx) : { ends: false };
        // `if x == null { return … }` leaves x not null for the rest of the block.
        const after = thenFlow.ends && !elseFlow.ends ? n.whenFalse : !thenFlow.ends && elseFlow.ends ? n.whenTrue : undefined;
        return { ends: thenFlow.ends && elseFlow.ends, ...(after !== undefined && after.size > 0 ? { after } : {}) };
      }
      case 'for': {
        const element = this.listElement(s.list, scope, ctx);
        const inner = new Scope(scope);
        const body: Context = s.parallel ? { ...ctx, parallelLevel: ctx.parallelLevel + 1 } : ctx;
        this.declare(inner, s.name, s.nameLoc, element, 'loop', body);
        if (s.filter !== null) this.condition(s.filter, inner, body, 'a where filter');
        if (s.parallel) this.noReturn(s.body, 'a parallel for');
        this.block(s.body, inner, body);
        return { ends: false };
      }
      case 'repeat': {
        const t = this.expr(s.count, scope, ctx);
        if (!isKind(t, 'number')) this.sink.report('dsl/type', s.count.loc, `repeat needs a number of times, got ${showType(t)}`);
        this.block(s.body, scope, ctx);
        return { ends: false };
      }
      case 'return': {
        const t = s.value !== null ? this.expr(s.value, scope, ctx) : nullType;
        ctx.returns.push(t);
        return { ends: true };
      }
      case 'try': {
        let ends = this.block(s.body, scope, ctx).ends;
        let caughtAll = false;
        for (const c of s.catches) {
          if (caughtAll) this.sink.report('dsl/unreachable', c.loc, 'this catch can never run: a catch before it already catches every action error', 'put catch clauses with codes first, the one without codes last');
          if (c.codes.length === 0) caughtAll = true;
          const inner = new Scope(scope);
          if (c.binding !== null) this.declare(inner, c.binding.name, c.binding.loc, errorType, 'catch', ctx);
          if (!this.block(c.body, inner, ctx).ends) ends = false;
        }
        return { ends };
      }
      case 'sleep': {
        const t = this.expr(s.duration, scope, ctx);
        this.expectAssignable(t, durationType, s.duration.loc, 'sleep', 'write a duration such as 5m, a number of milliseconds, or a string such as "2h"');
        return { ends: false };
      }
      case 'log':
        for (const v of s.values) this.expr(v, scope, ctx);
        return { ends: false };
      case 'parallel': {
        const inner: Context = { ...ctx, parallelLevel: ctx.parallelLevel + 1 };
        this.noReturn(s.branches, 'a parallel block');
        const declared: Binding[] = [];
        for (const branch of s.branches) {
          const own = new Scope(scope);
          this.statement(branch, own, inner);
          if (branch.kind === 'let') {
            const b = own.lookup(branch.name);
            if (b !== undefined && b.loc === branch.nameLoc) declared.push(b);
          }
        }
        // A branch's let is visible after the block, once every branch has finished.
        for (const b of declared) this.declare(scope, b.name, b.loc, b.type, b.kind, ctx);
        return { ends: false };
      }
      case 'do':
        return this.block(s.body, scope, ctx);
      case 'fail': {
        const code = this.expr(s.code, scope, ctx);
        if (!isKind(code, 'string')) this.sink.report('dsl/type', s.code.loc, `fail needs an error code string, such as fail "OUT_OF_STOCK", "…", got ${showType(code)}`);
        if (s.message !== null) this.expr(s.message, scope, ctx);
        return { ends: true };
      }
      case 'expr':
        this.expr(s.expr, scope, ctx);
        return { ends: false };
      default:
        return assertNever(s);
    }
  }

  /** `return` inside a branch would end only the branch, not the workflow: refused. */
  private noReturn(stmts: readonly Stmt[], where: string): void {
    const visit = (list: readonly Stmt[]): void => {
      for (const s of list) {
        if (s.kind === 'return') this.sink.report('dsl/parallel', s.loc, `return is not allowed inside ${where}: its branches run at the same time`, 'let each branch compute a value with let, and return after the block');
        else if (s.kind === 'if') {
          visit(s.then);
          if (s.otherwise !== null) visit(s.otherwise);
        } else if (s.kind === 'for' || s.kind === 'repeat' || s.kind === 'do') visit(s.body);
        else if (s.kind === 'try') {
          visit(s.body);
          for (const c of s.catches) visit(c.body);
        }
      }
    };
    visit(stmts);
  }

  private condition(e: Expr, scope: Scope, ctx: Context, what: string): void {
    const t = this.expr(e, scope, ctx);
    if (!isKind(t, 'boolean')) {
      this.sink.report('dsl/type', e.loc, `${what} must be true or false, got ${showType(t)}`, isNullable(t) ? 'compare explicitly, e.g. x != null' : undefined);
    }
  }

  private listElement(list: Expr, scope: Scope, ctx: Context): Type {
    const t = this.expr(list, scope, ctx);
    if (t.kind === 'any') return anyType;
    if (t.kind === 'list') return t.of;
    // `input.owners ?? []` is `[string] | [any]`: a list either way.
    if (t.kind === 'union' && t.of.every((m) => m.kind === 'list' || m.kind === 'any')) return union(t.of.map((m) => (m.kind === 'list' ? m.of : anyType)));
    this.sink.report('dsl/type', list.loc, `for … in needs a list, got ${showType(t)}`, isNullable(t) ? 'the value may be null: write (x ?? [])' : 'to count, use repeat N times or range(n)');
    return anyType;
  }

  private expectAssignable(from: Type, to: Type, loc: Loc, what: string, hint?: string): void {
    const why = notAssignable(from, to);
    if (why !== null) this.sink.report(why.startsWith('unknown field') ? 'dsl/unknown-field' : 'dsl/type', loc, `${what}: ${why}`, hint ?? (isNullable(from) && !isNullable(to) ? 'give a default with ??, or check x != null first' : undefined));
  }

  // ---- narrowing ---------------------------------------------------------------------------------

  /** Paths whose type is known more precisely when the condition is true or false. */
  private narrowing(e: Expr, scope: Scope): Narrowing {
    const none: Narrowing = { whenTrue: new Map(), whenFalse: new Map() };
    if (e.kind === 'unary' && e.op === 'not') {
      const n = this.narrowing(e.operand, scope);
      return { whenTrue: n.whenFalse, whenFalse: n.whenTrue };
    }
    if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) {
      const l = this.narrowing(e.left, scope);
      const r = this.narrowing(e.right, withNarrowing(scope, e.op === 'and' ? l.whenTrue : l.whenFalse));
      return e.op === 'and' ? { whenTrue: new Map([...l.whenTrue, ...r.whenTrue]), whenFalse: new Map() } : { whenTrue: new Map(), whenFalse: new Map([...l.whenFalse, ...r.whenFalse]) };
    }
    if (e.kind === 'binary' && (e.op === '==' || e.op === '!=')) {
      const subject = e.right.kind === 'null' ? e.left : e.left.kind === 'null' ? e.right : null;
      if (subject === null) return none;
      const path = this.pathKey(subject, scope);
      if (path === null) return none;
      const t = this.peek(subject, scope);
      const notNull = new Map([[path, withoutNull(t)]]);
      const isNull = new Map([[path, nullType]]);
      return e.op === '!=' ? { whenTrue: notNull, whenFalse: isNull } : { whenTrue: isNull, whenFalse: notNull };
    }
    return none;
  }

  /** `x`, `input.a.b`: a path that cannot change under the check, or null. */
  private pathKey(e: Expr, scope: Scope): string | null {
    if (e.kind === 'input') return 'input';
    if (e.kind === 'name') {
      const b = scope.lookup(e.name);
      return b !== undefined && immutableKinds.has(b.kind) ? e.name : null;
    }
    if (e.kind === 'field') {
      const base = this.pathKey(e.object, scope);
      return base === null ? null : `${base}.${e.name}`;
    }
    return null;
  }

  /** The type of a path expression without reporting anything (it was checked already). */
  private peek(e: Expr, scope: Scope): Type {
    const before = this.sink.diagnostics.length;
    const t = this.expr(e, scope, { fn: null, returns: [], parallelLevel: 0 });
    this.sink.diagnostics.length = before;
    return t;
  }

  // ---- expressions -------------------------------------------------------------------------------

  expr(e: Expr, scope: Scope, ctx: Context): Type {
    switch (e.kind) {
      case 'number':
      case 'duration':
        return numberType;
      case 'string':
        for (const p of e.parts) if (typeof p !== 'string') this.expr(p, scope, ctx);
        return stringType;
      case 'boolean':
        return booleanType;
      case 'null':
        return nullType;
      case 'input':
        return scope.narrowedType('input') ?? this.inputType;
      case 'name': {
        const b = scope.lookup(e.name);
        if (b === undefined) {
          const fn = this.functions.has(e.name) || stdlib[e.name] !== undefined;
          this.sink.report('dsl/unknown-name', e.loc, fn ? `${e.name} is a function: call it, as in ${e.name}(…)` : `${e.name} is not declared`, fn ? undefined : suggest(e.name, this.visibleNames(scope)));
          return anyType;
        }
        return (immutableKinds.has(b.kind) ? scope.narrowedType(e.name) : undefined) ?? b.type;
      }
      case 'list': {
        const elements: Type[] = [];
        for (const item of e.items) {
          const t = this.expr(item.value, scope, ctx);
          if (!item.spread) elements.push(t);
          else if (t.kind === 'list') elements.push(t.of);
          else if (t.kind === 'any') elements.push(anyType);
          else this.sink.report('dsl/type', item.value.loc, `only a list can be spread into a list, got ${showType(t)}`);
        }
        return listOf(elements.length === 0 ? anyType : union(elements.map(widen)));
      }
      case 'record': {
        let t: Type = { kind: 'record', fields: new Map(), rest: null, literal: true };
        for (const entry of e.entries) {
          const v = this.expr(entry.value, scope, ctx);
          if (entry.kind === 'spread') {
            const r = withoutNull(v);
            if (r.kind !== 'record' && r.kind !== 'any') this.sink.report('dsl/type', entry.value.loc, `only a record can be spread into a record, got ${showType(v)}`);
            t = mergeTypes(t, r.kind === 'record' ? r : recordOf({}, anyType));
            continue;
          }
          const fields = new Map((t as Extract<Type, { kind: 'record' }>).fields);
          if (fields.has(entry.name) && e.entries.filter((x) => x.kind === 'field' && x.name === entry.name).length > 1) {
            this.sink.report('dsl/duplicate', entry.nameLoc, `the field ${entry.name} is given twice in this record`);
          }
          fields.set(entry.name, { type: widen(v), optional: false });
          t = { ...(t as Extract<Type, { kind: 'record' }>), fields, literal: true };
        }
        return t;
      }
      case 'field':
        return this.field(e, scope, ctx);
      case 'index': {
        const o = this.expr(e.object, scope, ctx);
        const i = this.expr(e.index, scope, ctx);
        const base = withoutNull(o);
        if (isNullable(o) && o.kind !== 'any') this.sink.report('dsl/type', e.object.loc, `the value may be null, so it cannot be indexed`, 'give a default with ??, or check x != null first');
        if (base.kind === 'list' || base.kind === 'string') {
          if (!isKind(i, 'number')) this.sink.report('dsl/type', e.index.loc, `a ${base.kind} index must be a number, got ${showType(i)}`);
          return base.kind === 'list' ? base.of : stringType;
        }
        if (base.kind === 'record') {
          if (!isKind(i, 'string')) this.sink.report('dsl/type', e.index.loc, `a record index must be a string, got ${showType(i)}`);
          if (e.index.kind === 'string' && e.index.parts.length === 1 && typeof e.index.parts[0] === 'string') {
            const f = base.fields.get(e.index.parts[0]);
            if (f !== undefined) return f.optional ? union([f.type, nullType]) : f.type;
          }
          return union([base.rest ?? union([...base.fields.values()].map((f) => f.type)), nullType]);
        }
        if (base.kind !== 'any') this.sink.report('dsl/type', e.object.loc, `only a list, a string or a record can be indexed, got ${showType(o)}`);
        return anyType;
      }
      case 'call':
        return this.call(e, scope, ctx);
      case 'unary': {
        const t = this.expr(e.operand, scope, ctx);
        if (e.op === '-') {
          if (!isKind(t, 'number')) this.sink.report('dsl/type', e.operand.loc, `- needs a number, got ${showType(t)}`);
          return numberType;
        }
        if (!isKind(t, 'boolean')) this.sink.report('dsl/type', e.operand.loc, `not needs true or false, got ${showType(t)}`);
        return booleanType;
      }
      case 'binary':
        return this.binary(e, scope, ctx);
      case 'wait': {
        const type = this.expr(e.eventType, scope, ctx);
        if (!isKind(type, 'string')) this.sink.report('dsl/type', e.eventType.loc, `the event type must be a string, got ${showType(type)}`);
        if (e.match !== null) {
          const m = this.expr(e.match, scope, ctx);
          if (!isKind(m, 'record')) this.sink.report('dsl/type', e.match.loc, `where takes a record of fields the event's data must equal, got ${showType(m)}`);
        }
        if (e.timeout !== null) {
          const t = this.expr(e.timeout, scope, ctx);
          this.expectAssignable(t, durationType, e.timeout.loc, 'timeout', 'write a duration such as 7d');
        }
        // Without a timeout the wait ends only with an event, so the result is never null.
        return e.timeout !== null ? union([eventType, nullType]) : eventType;
      }
      case 'comprehension': {
        const element = this.listElement(e.list, scope, ctx);
        const inner = new Scope(scope);
        const body: Context = e.mode === 'sequential' ? ctx : { ...ctx, parallelLevel: ctx.parallelLevel + 1 };
        this.declare(inner, e.name, e.nameLoc, element, 'loop', body);
        if (e.filter !== null) this.condition(e.filter, inner, body, 'a where filter');
        const t = this.expr(e.body, inner, body);
        return e.mode === 'race' ? t : listOf(widen(t));
      }
      default:
        return assertNever(e);
    }
  }

  private field(e: Extract<Expr, { kind: 'field' }>, scope: Scope, ctx: Context): Type {
    const path = this.pathKey(e, scope);
    const narrowed = path !== null ? scope.narrowedType(path) : undefined;
    const o = this.expr(e.object, scope, ctx);
    if (narrowed !== undefined) return narrowed;
    if (o.kind === 'any') return anyType;
    if (isNullable(o)) {
      this.sink.report('dsl/type', e.nameLoc, `cannot read ${e.name}: the value may be null`, `check it first (if x != null { … }), or give a default with ??`);
      return anyType;
    }
    const base = withoutNull(o);
    if (base.kind === 'union') {
      const members = base.of.map((m) => (m.kind === 'record' ? m.fields.get(e.name)?.type ?? m.rest : m.kind === 'any' ? anyType : null));
      if (members.every((m) => m !== null)) return union(members as Type[]);
    }
    if (base.kind !== 'record') {
      this.sink.report('dsl/type', e.nameLoc, `a ${showType(base)} has no field ${e.name}`, base.kind === 'list' || base.kind === 'string' ? `for its length, write len(x)` : undefined);
      return anyType;
    }
    const f = base.fields.get(e.name);
    if (f !== undefined) return f.optional ? union([f.type, nullType]) : f.type;
    if (base.rest !== null) return union([base.rest, nullType]);
    this.sink.report('dsl/unknown-field', e.nameLoc, `no field ${e.name} here; the fields are ${[...base.fields.keys()].join(', ') || 'none'}`, suggest(e.name, [...base.fields.keys()]));
    return anyType;
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, scope: Scope, ctx: Context): Type {
    const l = this.expr(e.left, scope, ctx);
    if (e.op === 'and' || e.op === 'or') {
      const n = this.narrowing(e.left, scope);
      const r = this.expr(e.right, withNarrowing(scope, e.op === 'and' ? n.whenTrue : n.whenFalse), ctx);
      if (!isKind(l, 'boolean')) this.sink.report('dsl/type', e.left.loc, `${e.op} needs true or false on both sides, got ${showType(l)}`);
      if (!isKind(r, 'boolean')) this.sink.report('dsl/type', e.right.loc, `${e.op} needs true or false on both sides, got ${showType(r)}`);
      return booleanType;
    }
    const r = this.expr(e.right, scope, ctx);
    switch (e.op) {
      case '==':
      case '!=':
        return booleanType;
      case '??':
        return union([withoutNull(l), r]);
      case '+':
        if ((isKind(l, 'number') && isKind(r, 'number')) || (isKind(l, 'string') && isKind(r, 'string'))) {
          return l.kind === 'any' ? r : l.kind === 'union' ? union([l, r]) : l;
        }
        this.sink.report('dsl/type', e.opLoc, `+ adds two numbers or joins two strings, got ${showType(l)} and ${showType(r)}`, 'to put a value into text, write "… {value} …"');
        return anyType;
      case '-':
      case '*':
      case '/':
      case '%':
        for (const [t, side] of [[l, e.left], [r, e.right]] as const) {
          if (!isKind(t, 'number')) this.sink.report('dsl/type', side.loc, `${e.op} needs numbers, got ${showType(t)}`, isNullable(t) ? 'give a default with ??' : undefined);
        }
        return numberType;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!((isKind(l, 'number') && isKind(r, 'number')) || (isKind(l, 'string') && isKind(r, 'string')))) {
          this.sink.report('dsl/type', e.opLoc, `${e.op} compares two numbers or two strings, got ${showType(l)} and ${showType(r)}`);
        }
        return booleanType;
      default:
        return assertNever(e.op);
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Scope, ctx: Context): Type {
    const [head] = e.callee;
    if (scope.lookup(head) !== undefined) {
      for (const a of e.args) this.expr(a.value, scope, ctx);
      this.sink.report('dsl/type', e.calleeLoc, e.callee.length === 1 ? `${head} is a value, not a function` : `values have no methods: ${e.callee.join('.')} cannot be called`, e.callee.length > 1 ? 'pass the value to a standard function, e.g. upper(x), len(xs)' : undefined);
      return anyType;
    }
    if (e.callee.length > 1) return this.actionCall(e, scope, ctx);
    const fn = this.functions.get(head);
    const std = stdlib[head];
    if (fn === undefined && std === undefined) {
      for (const a of e.args) this.expr(a.value, scope, ctx);
      this.sink.report('dsl/unknown-name', e.calleeLoc, `no function ${head}: declare it with fn ${head}(…) { … }, or use a standard function`, suggest(head, [...this.functions.keys(), ...Object.keys(stdlib)]));
      return anyType;
    }
    const params = fn !== undefined ? fn.params.map((p) => ({ name: p.name, type: this.declaredType(p.type), optional: false })) : std!.params;
    const types: Type[] = [];
    for (const [i, a] of e.args.entries()) {
      const t = this.expr(a.value, scope, ctx);
      types.push(t);
      if (a.name !== null) {
        this.sink.report('dsl/argument', a.nameLoc!, `${head} takes its arguments by position, without names: ${head}(${params.map((p) => p.name).join(', ')})`);
        continue;
      }
      const p = params[i];
      if (p !== undefined) this.expectAssignable(t, p.type, a.value.loc, `argument ${p.name} of ${head}`);
    }
    const required = params.filter((p) => p.optional !== true).length;
    if (e.args.length < required || e.args.length > params.length) {
      const range = required === params.length ? `${required}` : `${required} to ${params.length}`;
      this.sink.report('dsl/argument', e.loc, `${head} takes ${range} argument${params.length === 1 ? '' : 's'} (${params.map((p) => p.name).join(', ')}), got ${e.args.length}`);
    }
    if (fn !== undefined) return this.returnTypes.get(head) ?? anyType;
    return std!.result(types);
  }

  private actionCall(e: Extract<Expr, { kind: 'call' }>, scope: Scope, ctx: Context): Type {
    const name = e.callee.join('.');
    const action = this.catalog.get(name);
    const args = e.args.map((a) => ({ a, type: this.expr(a.value, scope, ctx), name: argumentName(a) }));
    if (action === undefined) {
      this.sink.report('dsl/unknown-action', e.calleeLoc, `no action ${name} in the catalog`, suggest(name, [...this.catalog.keys()]) ?? (this.catalog.size > 0 ? `actions: ${[...this.catalog.keys()].slice(0, 12).join(', ')}${this.catalog.size > 12 ? ', …' : ''}` : undefined));
      return anyType;
    }
    this.actions.add(name);
    const schema = action.input;
    const fields = schema.kind === 'record' ? schema.fields : new Map<string, FieldInfo>();
    const seen = new Set<string>();
    for (const { a, type, name: argName } of args) {
      if (argName === null) {
        this.sink.report('dsl/argument', a.value.loc, `${name} takes named arguments: write ${name}(${[...fields.keys()].map((k) => `${k}: …`).join(', ') || 'name: value'})`);
        continue;
      }
      const at = a.nameLoc ?? a.value.loc;
      if (seen.has(argName)) {
        this.sink.report('dsl/argument', at, `the argument ${argName} is given twice`);
        continue;
      }
      seen.add(argName);
      if (schema.kind !== 'record') continue;
      const f = fields.get(argName);
      if (f === undefined) {
        if (schema.rest === null) this.sink.report('dsl/argument', at, `${name} has no argument ${argName}; its arguments are ${[...fields.keys()].join(', ') || 'none'}`, suggest(argName, [...fields.keys()]));
        else this.expectAssignable(type, schema.rest, a.value.loc, `argument ${argName} of ${name}`);
        continue;
      }
      this.expectAssignable(type, f.optional ? union([f.type, nullType]) : f.type, a.value.loc, `argument ${argName} of ${name}`);
    }
    const missing = [...fields].filter(([k, f]) => !f.optional && !seen.has(k)).map(([k]) => k);
    if (missing.length > 0) this.sink.report('dsl/argument', e.calleeLoc, `${name} needs the argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    return action.output;
  }

  private visibleNames(scope: Scope): string[] {
    const out: string[] = [];
    for (let s: Scope | null = scope; s !== null; s = s.parent) out.push(...s.names());
    return out;
  }
}

const bindingWords: Record<BindingKind, string> = {
  let: 'declared with let',
  var: 'a var',
  param: 'a parameter',
  loop: 'a loop variable',
  catch: 'the caught error',
};

/** An action argument's name: `key: v`, or the shorthand `kv.get(key)` for `key: key`. */
export function argumentName(a: Argument): string | null {
  if (a.name !== null) return a.name;
  return a.value.kind === 'name' ? a.value.name : null;
}

/** A record literal's type once bound to a name: later reads are not "fresh" literals. */
function widen(t: Type): Type {
  return t.kind === 'record' && t.literal === true ? { kind: 'record', fields: t.fields, rest: t.rest } : t;
}

function withNarrowing(scope: Scope, n: Map<string, Type>): Scope {
  if (n.size === 0) return scope;
  const s = new Scope(scope);
  for (const [path, t] of n) s.narrow(path, t);
  return s;
}

/** "did you mean …" for a misspelt name, by edit distance. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && best !== name ? `did you mean ${best}?` : undefined;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
