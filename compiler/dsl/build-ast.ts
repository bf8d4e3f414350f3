/**
 * CST → AST. Runs only on a CST without syntax errors (the compiler stops at those), so every
 * child the grammar makes mandatory is there; forms the grammar accepts but the language does
 * not (calling something that is not a name, `race for` with a block) are reported here as
 * `dsl/syntax` and replaced by `null`, so the checker still sees a whole tree.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import { durationMs } from '../../runtime/sandbox/shared.js';
import type { Argument, BinaryOp, CatchClause, Expr, FunctionDecl, Header, ListEntry, Loc, LoopMode, Program, RecordEntry, Stmt, TriggerNode, TypeNode } from './ast.js';
import type { DiagnosticSink } from './rules.js';

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

function nodes(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}
function node1(node: CstNode, key: string, i = 0): CstNode {
  const n = nodes(node, key)[i];
  if (n === undefined) throw new Error(`internal: ${node.name} has no ${key}[${i}]`);
  return n;
}
function tokens(node: CstNode, key: string): IToken[] {
  return (node.children[key] ?? []).filter(isToken);
}
function token1(node: CstNode, key: string): IToken {
  const t = tokens(node, key)[0];
  if (t === undefined) throw new Error(`internal: ${node.name} has no token ${key}`);
  return t;
}
function has(node: CstNode, key: string): boolean {
  return (node.children[key]?.length ?? 0) > 0;
}

export function tokenLoc(t: IToken): Loc {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, endLine: t.endLine ?? t.startLine ?? 1, endColumn: (t.endColumn ?? t.startColumn ?? 0) + 1 };
}
function span(a: Loc, b: Loc): Loc {
  return { line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '{': '{', '}': '}' };

export class AstBuilder {
  /** Offsets where each line starts: the parser tracks offsets only (cheaper), lines come from here. */
  private readonly lineStarts: number[] = [0];

  constructor(private readonly sink: DiagnosticSink, text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** The span of a CST node (its end exclusive). */
  private loc(n: CstNode): Loc {
    const l = n.location;
    if (l === undefined || !Number.isFinite(l.startOffset)) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
    const start = this.position(l.startOffset);
    const end = this.position(Number.isFinite(l.endOffset) ? (l.endOffset as number) : l.startOffset);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column + 1 };
  }

  program(cst: CstNode): Program {
    const header: Header = { name: null, description: null, kind: null, triggers: [], hosts: [], input: null };
    if (has(cst, 'workflowName')) {
      const wn = node1(cst, 'workflowName');
      header.name = { value: this.constantString(node1(wn, 'stringLiteral')), loc: this.loc(node1(wn, 'stringLiteral')) };
    }
    for (const item of nodes(cst, 'headerItem')) {
      if (has(item, 'Description')) {
        const s = node1(item, 'stringLiteral');
        if (header.description !== null) this.sink.report('dsl/metadata', this.loc(item), 'the description is given twice; keep one');
        header.description = { value: this.constantString(s), loc: this.loc(s) };
      } else if (has(item, 'Kind')) {
        const t = token1(item, 'kindName');
        if (header.kind !== null) this.sink.report('dsl/metadata', this.loc(item), 'the kind is given twice; keep one');
        header.kind = { value: t.image, loc: tokenLoc(t) };
      } else if (has(item, 'triggerDeclaration')) {
        header.triggers.push(this.trigger(node1(item, 'triggerDeclaration')));
      } else if (has(item, 'hostsDeclaration')) {
        for (const s of nodes(node1(item, 'hostsDeclaration'), 'stringLiteral')) header.hosts.push({ value: this.constantString(s), loc: this.loc(s) });
      } else {
        const input = node1(item, 'inputDeclaration');
        if (header.input !== null) this.sink.report('dsl/metadata', this.loc(input), 'the input is declared twice; keep one');
        header.input = this.type(node1(input, 'recordType'), 'recordType');
      }
    }
    const functions = nodes(cst, 'functionDeclaration').map((f) => this.functionDecl(f));
    const body = nodes(cst, 'statement').map((s) => this.statement(s));
    return { header, functions, body };
  }

  private trigger(n: CstNode): TriggerNode {
    if (has(n, 'Event')) {
      const match = has(n, 'recordLiteral') ? this.expr(node1(n, 'recordLiteral')) : null;
      return { kind: 'event', value: this.constantString(node1(n, 'stringLiteral')), match, loc: this.loc(n) };
    }
    const kind = token1(n, 'triggerKind');
    const value = has(n, 'stringLiteral') ? this.constantString(node1(n, 'stringLiteral')) : null;
    if (kind.image === 'manual') {
      if (value !== null) this.sink.report('dsl/metadata', this.loc(node1(n, 'stringLiteral')), 'a manual trigger takes nothing after "manual"');
      return { kind: 'manual', value: null, match: null, loc: this.loc(n) };
    }
    if (kind.image === 'schedule') {
      if (value === null) this.sink.report('dsl/metadata', this.loc(n), 'a schedule trigger needs a cron expression: trigger schedule "0 9 * * 1"');
      return { kind: 'schedule', value, match: null, loc: this.loc(n) };
    }
    this.sink.report('dsl/metadata', tokenLoc(kind), `unknown trigger ${JSON.stringify(kind.image)}: write trigger manual, trigger event "type" or trigger schedule "cron"`);
    return { kind: 'manual', value: null, match: null, loc: this.loc(n) };
  }

  private functionDecl(n: CstNode): FunctionDecl {
    const name = token1(n, 'Identifier');
    const params = nodes(n, 'parameter').map((p) => {
      const id = token1(p, 'Identifier');
      return { name: id.image, type: this.type(node1(p, 'type'), 'type'), loc: tokenLoc(id) };
    });
    return { name: name.image, nameLoc: tokenLoc(name), params, body: this.block(node1(n, 'block')), loc: this.loc(n) };
  }

  type(n: CstNode, rule: 'type' | 'recordType'): TypeNode {
    if (rule === 'recordType') {
      const fields = nodes(n, 'fieldType').map((f) => {
        const name = token1(f, 'Name');
        return { name: name.image, optional: has(f, 'optional'), type: this.type(node1(f, 'type'), 'type'), loc: tokenLoc(name) };
      });
      return { kind: 'record', fields, loc: this.loc(n) };
    }
    let t: TypeNode;
    if (has(n, 'typeName')) {
      const name = token1(n, 'typeName');
      t = { kind: 'named', name: name.image, loc: tokenLoc(name) };
    } else if (has(n, 'recordType')) {
      t = this.type(node1(n, 'recordType'), 'recordType');
    } else {
      t = { kind: 'list', of: this.type(node1(n, 'type'), 'type'), loc: this.loc(n) };
    }
    return has(n, 'nullable') ? { kind: 'nullable', of: t, loc: this.loc(n) } : t;
  }

  private block(n: CstNode): Stmt[] {
    return nodes(n, 'statement').map((s) => this.statement(s));
  }

  private statement(wrapper: CstNode): Stmt {
    const key = Object.keys(wrapper.children)[0];
    const n = node1(wrapper, key);
    const at = this.loc(n);
    switch (key) {
      case 'letStatement': {
        const name = token1(n, 'Identifier');
        const annotation = has(n, 'type') ? this.type(node1(n, 'type'), 'type') : null;
        return { kind: 'let', name: name.image, nameLoc: tokenLoc(name), mutable: has(n, 'Var'), annotation, value: this.expr(node1(n, 'expression')), loc: at };
      }
      case 'assignStatement': {
        const name = token1(n, 'Identifier');
        return { kind: 'assign', name: name.image, nameLoc: tokenLoc(name), value: this.expr(node1(n, 'expression')), loc: at };
      }
      case 'ifStatement':
        return this.ifStatement(n);
      case 'forStatement': {
        const head = this.forHead(node1(n, 'forHead'));
        if (has(n, 'Arrow')) {
          const body = this.expr(node1(n, 'expression'));
          return { kind: 'expr', expr: { kind: 'comprehension', ...head, body, loc: at }, loc: at };
        }
        if (head.mode === 'race') this.sink.report('dsl/syntax', at, 'race for takes a value, not a block: let first = race for x in xs => action(…)');
        return { kind: 'for', parallel: head.mode === 'parallel', name: head.name, nameLoc: head.nameLoc, list: head.list, filter: head.filter, body: this.block(node1(n, 'block')), loc: at };
      }
      case 'repeatStatement':
        return { kind: 'repeat', count: this.expr(node1(n, 'expression')), body: this.block(node1(n, 'block')), loc: at };
      case 'returnStatement':
        return { kind: 'return', value: has(n, 'expression') ? this.expr(node1(n, 'expression')) : null, loc: at };
      case 'tryStatement':
        return { kind: 'try', body: this.block(node1(n, 'block')), catches: nodes(n, 'catchClause').map((c) => this.catchClause(c)), loc: at };
      case 'sleepStatement':
        return { kind: 'sleep', duration: this.expr(node1(n, 'expression')), loc: at };
      case 'logStatement':
        return { kind: 'log', values: nodes(n, 'expression').map((e) => this.expr(e)), loc: at };
      case 'parallelBlock':
        return { kind: 'parallel', branches: this.block(node1(n, 'block')), loc: at };
      case 'doBlock':
        return { kind: 'do', body: this.block(node1(n, 'block')), loc: at };
      case 'failStatement': {
        const es = nodes(n, 'expression');
        return { kind: 'fail', code: this.expr(es[0]), message: es[1] !== undefined ? this.expr(es[1]) : null, loc: at };
      }
      case 'expressionStatement':
        return { kind: 'expr', expr: this.expr(node1(n, 'expression')), loc: at };
      default:
        throw new Error(`internal: unknown statement ${key}`);
    }
  }

  private ifStatement(n: CstNode): Stmt {
    const blocks = nodes(n, 'block');
    let otherwise: Stmt[] | null = null;
    if (has(n, 'ifStatement')) otherwise = [this.ifStatement(node1(n, 'ifStatement'))];
    else if (blocks.length > 1) otherwise = this.block(blocks[1]);
    return { kind: 'if', condition: this.expr(node1(n, 'expression')), then: this.block(blocks[0]), otherwise, loc: this.loc(n) };
  }

  private forHead(n: CstNode): { mode: LoopMode; name: string; nameLoc: Loc; list: Expr; filter: Expr | null } {
    const mode: LoopMode = has(n, 'Parallel') ? 'parallel' : has(n, 'Race') ? 'race' : 'sequential';
    const name = token1(n, 'Identifier');
    return { mode, name: name.image, nameLoc: tokenLoc(name), list: this.expr(node1(n, 'expression')), filter: has(n, 'filter') ? this.expr(node1(n, 'filter')) : null };
  }

  private catchClause(n: CstNode): CatchClause {
    const codes = nodes(n, 'stringLiteral').map((s) => ({ code: this.constantString(s), loc: this.loc(s) }));
    const id = tokens(n, 'Identifier')[0];
    return { codes, binding: id !== undefined ? { name: id.image, loc: tokenLoc(id) } : null, body: this.block(node1(n, 'block')), loc: this.loc(n) };
  }

  /** Every expression rule: `expression`, `operand`, and the values the grammar reaches directly. */
  expr(n: CstNode): Expr {
    switch (n.name) {
      case 'expression':
        return new Climb(this, nodes(n, 'operand'), tokens(n, 'BinaryOperator')).expression(0);
      case 'operand':
        return new Climb(this, [n], []).expression(0);
      case 'postfix':
        return this.postfix(n);
      case 'recordLiteral':
        return this.record(n);
      case 'stringLiteral':
        return this.string(n);
      default:
        throw new Error(`internal: unknown expression rule ${n.name}`);
    }
  }

  postfix(n: CstNode): Expr {
    let e = this.primary(n);
    // Suffixes in source order: field names are tokens, index and call are nodes.
    const suffixes: Array<{ offset: number; field?: IToken; node?: CstNode }> = [
      ...tokens(n, 'field').map((t) => ({ offset: t.startOffset, field: t })),
      ...nodes(n, 'suffix').map((s) => ({ offset: s.location?.startOffset ?? 0, node: s })),
    ];
    if (suffixes.length > 1) suffixes.sort((a, b) => a.offset - b.offset);
    for (const { field, node: s } of suffixes) {
      if (field !== undefined) {
        e = { kind: 'field', object: e, name: field.image, nameLoc: tokenLoc(field), loc: span(e.loc, tokenLoc(field)) };
        continue;
      }
      const at = span(e.loc, this.loc(s!));
      if (s!.name === 'indexAccess') {
        e = { kind: 'index', object: e, index: this.expr(node1(s!, 'expression')), loc: at };
        continue;
      }
      const args = nodes(s!, 'argument').map((a) => this.argument(a));
      const callee = pathOf(e);
      if (callee === null) {
        this.sink.report('dsl/syntax', this.loc(s!), 'only a function or an action can be called: write a name, as in len(items) or kv.get(key: "k")');
        e = { kind: 'null', loc: at };
      } else {
        e = { kind: 'call', callee, calleeLoc: e.loc, args, loc: at };
      }
    }
    return e;
  }

  private argument(n: CstNode): Argument {
    const name = tokens(n, 'argumentName')[0];
    return { name: name?.image ?? null, nameLoc: name !== undefined ? tokenLoc(name) : null, value: this.expr(node1(n, 'expression')) };
  }

  /** The value a `postfix` node starts with (its first child that is not a suffix). */
  private primary(n: CstNode): Expr {
    const key = Object.keys(n.children).find((k) => k !== 'field' && k !== 'suffix' && k !== 'Dot')!;
    const first = n.children[key][0];
    const at = isToken(first) ? tokenLoc(first) : this.loc(first);
    switch (key) {
      case 'NumberLiteral':
        return { kind: 'number', value: Number(token1(n, key).image), loc: at };
      case 'Duration': {
        const text = token1(n, key).image;
        let ms = 0;
        try {
          ms = durationMs(text);
        } catch (err) {
          this.sink.report('dsl/syntax', at, (err as Error).message);
        }
        return { kind: 'duration', ms, text, loc: at };
      }
      case 'stringLiteral':
        return this.string(node1(n, key));
      case 'True':
        return { kind: 'boolean', value: true, loc: at };
      case 'False':
        return { kind: 'boolean', value: false, loc: at };
      case 'Null':
        return { kind: 'null', loc: at };
      case 'Input':
        return { kind: 'input', loc: at };
      case 'Identifier':
        return { kind: 'name', name: token1(n, key).image, loc: at };
      case 'listLiteral':
        return { kind: 'list', items: nodes(node1(n, key), 'listElement').map((el): ListEntry => ({ spread: has(el, 'Spread'), value: this.expr(node1(el, 'expression')) })), loc: at };
      case 'recordLiteral':
        return this.record(node1(n, key));
      case 'parenthesized':
        return this.expr(node1(node1(n, key), 'expression'));
      case 'waitExpression': {
        const w = node1(n, key);
        return {
          kind: 'wait',
          eventType: this.expr(node1(w, 'eventType')),
          match: has(w, 'match') ? this.expr(node1(w, 'match')) : null,
          timeout: has(w, 'timeout') ? this.expr(node1(w, 'timeout')) : null,
          loc: at,
        };
      }
      case 'forExpression': {
        const f = node1(n, key);
        const head = this.forHead(node1(f, 'forHead'));
        return { kind: 'comprehension', ...head, body: this.expr(node1(f, 'expression')), loc: at };
      }
      default:
        throw new Error(`internal: unknown primary ${key}`);
    }
  }

  private record(n: CstNode): Expr {
    const entries = nodes(n, 'recordField').map((f): RecordEntry => {
      if (has(f, 'Spread')) return { kind: 'spread', value: this.expr(node1(f, 'spread')), loc: this.loc(f) };
      let name: string;
      let nameLoc: Loc;
      if (has(f, 'key')) {
        const k = token1(f, 'key');
        name = k.image;
        nameLoc = tokenLoc(k);
      } else {
        const q = node1(f, 'quotedKey');
        name = this.constantString(q);
        nameLoc = this.loc(q);
      }
      if (has(f, 'value')) return { kind: 'field', name, nameLoc, value: this.expr(node1(f, 'value')) };
      // `{ orderId }` is `{ orderId: orderId }`; only a plain name can be written so.
      const k = tokens(f, 'key')[0];
      if (k === undefined || (k.tokenType.name !== 'Identifier' && k.tokenType.name !== 'Input')) {
        this.sink.report('dsl/syntax', nameLoc, `write ${JSON.stringify(name)}: value; only a plain name can stand alone in a record ({ orderId } means { orderId: orderId })`);
        return { kind: 'field', name, nameLoc, value: { kind: 'null', loc: nameLoc } };
      }
      const value: Expr = k.tokenType.name === 'Input' ? { kind: 'input', loc: nameLoc } : { kind: 'name', name, loc: nameLoc };
      return { kind: 'field', name, nameLoc, value };
    });
    return { kind: 'record', entries, loc: this.loc(n) };
  }

  private string(n: CstNode): Expr {
    const parts: Array<string | Expr> = [];
    let text = '';
    for (const p of n.children.part ?? []) {
      if (isToken(p)) {
        if (p.tokenType.name === 'StringEscape') text += this.escape(p);
        else text += p.image;
      } else {
        if (text !== '') parts.push(text);
        text = '';
        parts.push(this.expr(node1(p, 'expression')));
      }
    }
    if (text !== '' || parts.length === 0) parts.push(text);
    return { kind: 'string', parts, loc: this.loc(n) };
  }

  private escape(t: IToken): string {
    const c = t.image.slice(1);
    if (c.length === 5 && c[0] === 'u') return String.fromCharCode(parseInt(c.slice(1), 16));
    const e = escapes[c];
    if (e !== undefined) return e;
    this.sink.report('dsl/syntax', tokenLoc(t), `unknown escape ${t.image}: strings know \\n, \\t, \\r, \\", \\\\, \\{, \\} and \\u with four hex digits`);
    return c;
  }

  /** A string that must be known at compile time (a name, an error code, an event type). */
  constantString(n: CstNode): string {
    const s = this.string(n);
    if (s.kind !== 'string') return '';
    if (s.parts.some((p) => typeof p !== 'string')) {
      this.sink.report('dsl/syntax', s.loc, 'this string must be plain text, without {…}: the compiler reads it without running the workflow');
      return '';
    }
    return s.parts.join('');
  }
}

/** `a.b.c` as a path, or null when the callee is anything else. */
function pathOf(e: Expr): string[] | null {
  if (e.kind === 'name') return [e.name];
  if (e.kind === 'field') {
    const base = pathOf(e.object);
    return base === null ? null : [...base, e.name];
  }
  return null;
}

/**
 * Binding power of the infix operators, loosest first. `not` binds looser than a comparison and
 * tighter than `and` (`not a == b` is `not (a == b)`); unary `-` binds tightest. `??` binds
 * tighter than comparisons, unlike JavaScript, so `x ?? 0 > 1` means `(x ?? 0) > 1`.
 */
const precedence: Record<BinaryOp, number> = { or: 1, and: 2, '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4, '??': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7 };
const notPrecedence = 3;

/** Precedence climbing over the flat `operand (operator operand)*` list of one expression. */
class Climb {
  /** The operand read next; the operator before it is `operators[index - 1]`. */
  private index = 0;
  /** How many of its prefixes (`not`, `-`) were applied already. */
  private prefix = 0;

  constructor(private readonly b: AstBuilder, private readonly operands: CstNode[], private readonly operators: IToken[]) {}

  expression(min: number): Expr {
    let left = this.operand();
    for (;;) {
      const opToken = this.operators[this.index - 1];
      if (opToken === undefined || this.index >= this.operands.length + 1) break;
      const op = opToken.image as BinaryOp;
      const p = precedence[op];
      if (p < min) break;
      const right = this.expression(p + 1);
      left = { kind: 'binary', op, left, right, opLoc: tokenLoc(opToken), loc: span(left.loc, right.loc) };
    }
    return left;
  }

  private operand(): Expr {
    const node = this.operands[this.index];
    const p = tokens(node, 'prefix')[this.prefix];
    if (p !== undefined) {
      this.prefix++;
      const not = p.image === 'not';
      const operand = not ? this.expression(notPrecedence + 1) : this.operand();
      return { kind: 'unary', op: not ? 'not' : '-', operand, loc: span(tokenLoc(p), operand.loc) };
    }
    const value = this.b.postfix(node1(node, 'postfix'));
    this.index++;
    this.prefix = 0;
    return value;
  }
}
