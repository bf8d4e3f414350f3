/**
 * Lowers a checked DSL program to the bundle ABI (DESIGN §10): one ES module whose default
 * export is `async (input, actions) => output`, plus its source map.
 *
 * How each form lowers:
 * - names get a `$` suffix (`total` → `total$`), so no DSL name can collide with a JavaScript
 *   keyword, a global or a helper (helpers start with `$`);
 * - action calls become `(await actions.ns.verb({ …named arguments }))`; local functions are
 *   async functions inside the workflow function, called with `await`;
 * - field access, indexing, `==`, conditions and loops go through small helpers (`$get`,
 *   `$at`, `$eq`, `$bool`, `$list`, `$count`) that give the language's meaning (an absent
 *   field reads as null, equality is by value, a condition must be a boolean); only the helpers
 *   a script uses are emitted, so the script stays small and its hash depends only on it;
 * - `parallel { … }` is one `Promise.all` over one async function per branch, whose `let`s are
 *   destructured after it; `parallel for` / `race for` are `Promise.all` / `Promise.race` over
 *   the list; `try … catch "CODE"` rethrows anything that is not an ActionError with that code.
 * Every statement and expression is marked in the source map, so a runtime error or a log line
 * points at the .alice line and column.
 */
import { assertNever } from '../../runtime/errors.js';
import type { Expr, FunctionDecl, Program, Stmt } from './ast.js';
import { argumentName } from './check.js';
import { ScriptWriter } from './sourcemap.js';
import { helperDependencies, runtimeHelpers, stdlib } from './stdlib.js';

const jsIdentifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export interface Lowered {
  script: string;
  sourceMap: string;
}

export function lowerProgram(program: Program, order: readonly string[], sourceName: string, sourceText: string): Lowered {
  const body = new ScriptWriter();
  const lowering = new Lowering(body, new Set(program.functions.map((f) => f.name)));
  body.write('export default async (input, actions) => {').newline();
  const byName = new Map(program.functions.map((f) => [f.name, f]));
  for (const name of order) lowering.functionDecl(byName.get(name)!, 1);
  lowering.block(program.body, 1);
  body.write('  return null;').newline().write('};').newline();

  // Helpers go on the first lines (the map is shifted by as many lines), sorted by name so
  // the same program always gives the same bytes.
  const helpers = lowering.usedHelpers();
  const prelude = helpers.map((name) => `const ${name} = ${runtimeHelpers[name] ?? stdlib[name.slice(1)]?.js ?? 'undefined'};`);
  const script = `${prelude.map((l) => `${l}\n`).join('')}${body.text()}`;
  const map = body.sourceMap(sourceName, sourceText);
  // Prefix the mappings with one empty line per prelude line.
  const parsed = JSON.parse(map) as { mappings: string };
  parsed.mappings = ';'.repeat(prelude.length) + parsed.mappings;
  return { script, sourceMap: JSON.stringify(parsed) };
}

class Lowering {
  private readonly helpers = new Set<string>();
  private temp = 0;

  constructor(private readonly w: ScriptWriter, private readonly functions: ReadonlySet<string>) {}

  usedHelpers(): string[] {
    const out = new Set<string>();
    const add = (h: string): void => {
      if (out.has(h)) return;
      out.add(h);
      for (const d of helperDependencies[h.slice(1)] ?? helperDependencies[h] ?? []) add(d);
    };
    for (const h of this.helpers) add(h);
    return [...out].sort();
  }

  private helper(name: string): string {
    this.helpers.add(name);
    return name;
  }

  private indent(depth: number): void {
    this.w.write('  '.repeat(depth));
  }

  private line(depth: number, text: string): void {
    this.indent(depth);
    this.w.write(text).newline();
  }

  functionDecl(f: FunctionDecl, depth: number): void {
    this.indent(depth);
    this.w.mark(f.nameLoc).write(`async function ${f.name}$(${f.params.map((p) => `${p.name}$`).join(', ')}) {`).newline();
    this.block(f.body, depth + 1);
    this.line(depth + 1, 'return null;');
    this.line(depth, '}');
  }

  block(stmts: readonly Stmt[], depth: number): void {
    for (const s of stmts) this.statement(s, depth);
  }

  private statement(s: Stmt, depth: number): void {
    this.indent(depth);
    this.w.mark(s.loc);
    switch (s.kind) {
      case 'let':
        this.w.write(`${s.mutable ? 'let' : 'const'} ${s.name}$ = `);
        this.expr(s.value);
        this.w.write(';').newline();
        return;
      case 'assign':
        this.w.write(`${s.name}$ = `);
        this.expr(s.value);
        this.w.write(';').newline();
        return;
      case 'if':
        this.w.write('if (').mark(s.condition.loc).write(`${this.helper('$bool')}(`);
        this.expr(s.condition);
        this.w.write(')) {').newline();
        this.block(s.then, depth + 1);
        if (s.otherwise !== null) {
          this.line(depth, '} else {');
          this.block(s.otherwise, depth + 1);
        }
        this.line(depth, '}');
        return;
      case 'for': {
        if (s.parallel) {
          this.w.write('await Promise.all(').mark(s.list.loc).write(`${this.helper('$list')}(`);
          this.expr(s.list);
          this.w.write(`).map(async (${s.name}$) => {`).newline();
        } else {
          this.w.write(`for (const ${s.name}$ of `).mark(s.list.loc).write(`${this.helper('$list')}(`);
          this.expr(s.list);
          this.w.write(')) {').newline();
        }
        if (s.filter !== null) {
          this.indent(depth + 1);
          this.w.mark(s.filter.loc).write(`if (!${this.helper('$bool')}(`);
          this.expr(s.filter);
          this.w.write(`)) ${s.parallel ? 'return' : 'continue'};`).newline();
        }
        this.block(s.body, depth + 1);
        this.line(depth, s.parallel ? '}));' : '}');
        return;
      }
      case 'repeat': {
        const n = ++this.temp;
        this.w.write(`for (let $i${n} = 0, $n${n} = `).mark(s.count.loc).write(`${this.helper('$count')}(`);
        this.expr(s.count);
        this.w.write(`); $i${n} < $n${n}; $i${n}++) {`).newline();
        this.block(s.body, depth + 1);
        this.line(depth, '}');
        return;
      }
      case 'return':
        this.w.write('return ');
        if (s.value !== null) this.expr(s.value);
        else this.w.write('null');
        this.w.write(';').newline();
        return;
      case 'try': {
        const e = `$e${++this.temp}`;
        this.w.write('try {').newline();
        this.block(s.body, depth + 1);
        this.line(depth, `} catch (${e}) {`);
        this.line(depth + 1, `if (!${this.helper('$isActionError')}(${e})) throw ${e};`);
        let open = false;
        for (const c of s.catches) {
          this.indent(depth + 1);
          this.w.mark(c.loc);
          const test = c.codes.length === 0 ? 'true' : c.codes.map((x) => `${e}.code === ${JSON.stringify(x.code)}`).join(' || ');
          this.w.write(`${open ? '} else ' : ''}if (${test}) {`).newline();
          open = true;
          if (c.binding !== null) this.line(depth + 2, `const ${c.binding.name}$ = ${this.helper('$err')}(${e});`);
          this.block(c.body, depth + 2);
        }
        this.line(depth + 1, `} else throw ${e};`);
        this.line(depth, '}');
        return;
      }
      case 'sleep':
        this.w.write('await actions.sleep(');
        this.expr(s.duration);
        this.w.write(');').newline();
        return;
      case 'log':
        this.w.write('actions.log(');
        s.values.forEach((v, i) => {
          if (i > 0) this.w.write(', ');
          this.expr(v);
        });
        this.w.write(');').newline();
        return;
      case 'parallel':
        this.parallel(s, depth);
        return;
      case 'do':
        this.w.write('{').newline();
        this.block(s.body, depth + 1);
        this.line(depth, '}');
        return;
      case 'fail':
        this.w.write(`throw ${this.helper('$fail')}(`);
        this.expr(s.code);
        if (s.message !== null) {
          this.w.write(', ');
          this.expr(s.message);
        }
        this.w.write(');').newline();
        return;
      case 'expr':
        this.expr(s.expr);
        this.w.write(';').newline();
        return;
      default:
        assertNever(s);
    }
  }

  private parallel(s: Extract<Stmt, { kind: 'parallel' }>, depth: number): void {
    const names = s.branches.map((b) => (b.kind === 'let' ? `${b.name}$` : ''));
    const anyLet = names.some((n) => n !== '');
    const mutable = s.branches.some((b) => b.kind === 'let' && b.mutable);
    this.w.write(anyLet ? `${mutable ? 'let' : 'const'} [${names.join(', ')}] = await Promise.all([` : 'await Promise.all([').newline();
    for (const b of s.branches) {
      this.indent(depth + 1);
      this.w.mark(b.loc);
      if (b.kind === 'let') {
        this.w.write('(async () => ');
        this.expr(b.value);
        this.w.write(')(),').newline();
      } else {
        this.w.write('(async () => {').newline();
        this.statement(b, depth + 2);
        this.line(depth + 1, '})(),');
      }
    }
    this.line(depth, ']);');
  }

  private list(items: readonly Expr[], sep = ', '): void {
    items.forEach((x, i) => {
      if (i > 0) this.w.write(sep);
      this.expr(x);
    });
  }

  expr(e: Expr): void {
    this.w.mark(e.kind === 'field' ? e.nameLoc : e.loc);
    switch (e.kind) {
      case 'number':
        this.w.write(Number.isFinite(e.value) ? String(e.value) : 'Infinity');
        return;
      case 'duration':
        this.w.write(String(e.ms));
        return;
      case 'string': {
        if (e.parts.length === 1 && typeof e.parts[0] === 'string') {
          this.w.write(JSON.stringify(e.parts[0]));
          return;
        }
        this.w.write('(');
        e.parts.forEach((p, i) => {
          if (i > 0) this.w.write(' + ');
          if (typeof p === 'string') this.w.write(JSON.stringify(p));
          else {
            this.w.write(`${this.helper('$str')}(`);
            this.expr(p);
            this.w.write(')');
          }
        });
        if (typeof e.parts[0] !== 'string' && e.parts.length === 1) this.w.write(' + ""');
        this.w.write(')');
        return;
      }
      case 'boolean':
        this.w.write(String(e.value));
        return;
      case 'null':
        this.w.write('null');
        return;
      case 'input':
        this.w.write('input');
        return;
      case 'name':
        this.w.write(`${e.name}$`);
        return;
      case 'list':
        this.w.write('[');
        e.items.forEach((item, i) => {
          if (i > 0) this.w.write(', ');
          if (item.spread) this.w.write(`...${this.helper('$list')}(`);
          this.expr(item.value);
          if (item.spread) this.w.write(')');
        });
        this.w.write(']');
        return;
      case 'record':
        this.w.write('({');
        e.entries.forEach((entry, i) => {
          if (i > 0) this.w.write(', ');
          if (entry.kind === 'spread') {
            this.w.write('...');
            this.expr(entry.value);
          } else {
            // A computed key defines an own property even for "__proto__".
            this.w.write(entry.name === '__proto__' ? `[${JSON.stringify(entry.name)}]: ` : `${JSON.stringify(entry.name)}: `);
            this.expr(entry.value);
          }
        });
        this.w.write('})');
        return;
      case 'field':
        this.w.write(`${this.helper('$get')}(`);
        this.expr(e.object);
        this.w.write(`, ${JSON.stringify(e.name)})`);
        return;
      case 'index':
        this.w.write(`${this.helper('$at')}(`);
        this.expr(e.object);
        this.w.write(', ');
        this.expr(e.index);
        this.w.write(')');
        return;
      case 'call':
        this.call(e);
        return;
      case 'unary':
        if (e.op === '-') {
          this.w.write('(-');
          this.expr(e.operand);
          this.w.write(')');
        } else {
          this.w.write(`(!${this.helper('$bool')}(`);
          this.expr(e.operand);
          this.w.write('))');
        }
        return;
      case 'binary':
        this.binary(e);
        return;
      case 'wait':
        this.w.write('(await actions.waitForEvent(');
        this.expr(e.eventType);
        this.w.write(', { match: ');
        if (e.match !== null) this.expr(e.match);
        else this.w.write('null');
        if (e.timeout !== null) {
          this.w.write(', timeout: ');
          this.expr(e.timeout);
        }
        this.w.write(' }))');
        return;
      case 'comprehension':
        this.comprehension(e);
        return;
      default:
        assertNever(e);
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>): void {
    switch (e.op) {
      case '==':
      case '!=':
        this.w.write(`${e.op === '!=' ? '!' : ''}${this.helper('$eq')}(`);
        this.expr(e.left);
        this.w.write(', ');
        this.expr(e.right);
        this.w.write(')');
        return;
      case 'and':
      case 'or':
        this.w.write(`(${this.helper('$bool')}(`);
        this.expr(e.left);
        this.w.write(`) ${e.op === 'and' ? '&&' : '||'} ${this.helper('$bool')}(`);
        this.expr(e.right);
        this.w.write('))');
        return;
      default:
        this.w.write('(');
        this.expr(e.left);
        this.w.write(` ${e.op} `);
        this.expr(e.right);
        this.w.write(')');
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>): void {
    if (e.callee.length > 1) {
      const path = e.callee.map((p) => (jsIdentifier.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
      this.w.write(`(await actions${path}({`);
      e.args.forEach((a, i) => {
        if (i > 0) this.w.write(', ');
        const name = argumentName(a) ?? `$${i}`;
        this.w.write(name === '__proto__' ? `[${JSON.stringify(name)}]: ` : `${JSON.stringify(name)}: `);
        this.expr(a.value);
      });
      this.w.write('}))');
      return;
    }
    const [name] = e.callee;
    const args = e.args.map((a) => a.value);
    if (this.functions.has(name)) {
      this.w.write(`(await ${name}$(`);
      this.list(args);
      this.w.write('))');
      return;
    }
    if (name === 'now' || name === 'random') {
      this.w.write(`actions.${name}()`);
      return;
    }
    this.w.write(`${this.helper(`$${name === 'str' ? 'str' : name}`)}(`);
    this.list(args);
    this.w.write(')');
  }

  private comprehension(e: Extract<Expr, { kind: 'comprehension' }>): void {
    const x = `${e.name}$`;
    const list = `${this.helper('$list')}(`;
    this.w.write('(await (async () => { const $out = []; for (const ');
    this.w.write(`${x} of ${list}`);
    this.expr(e.list);
    this.w.write(')) { ');
    if (e.filter !== null) {
      this.w.write(`if (!${this.helper('$bool')}(`);
      this.expr(e.filter);
      this.w.write(')) continue; ');
    }
    if (e.mode === 'sequential') {
      this.w.write('$out.push(');
      this.expr(e.body);
      this.w.write('); } return $out; })())');
      return;
    }
    // Parallel and race: start every element's work, then join (all) or take the first (race).
    this.w.write(`$out.push((async () => `);
    this.expr(e.body);
    this.w.write(`)()); } return ${e.mode === 'race' ? `${this.helper('$race')}($out)` : 'Promise.all($out)'}; })())`);
  }
}
