import ts from './typescript.cjs';
import { declarationsFileName } from './declarations.js';
import { ReferenceResolver, skipOuter, type Path } from './references.js';

/** Built-ins that are journaled steps (they can suspend the run). */
const stepBuiltins = new Set(['alice:sleep', 'alice:waitForEvent']);
/** Built-ins that are plain functions of the guest. */
const plainBuiltins = new Set(['alice:now', 'alice:random', 'alice:log', 'alice:ActionError']);

/** What kind of `alice` export a path denotes. */
export function aliceKind(path: Path | undefined): 'action' | 'namespace' | 'step' | 'builtin' | null {
  if (path === undefined || !path.startsWith('alice:')) return null;
  if (stepBuiltins.has(path)) return 'step';
  if (plainBuiltins.has(path)) return 'builtin';
  return path.includes('.') ? 'action' : 'namespace';
}

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration;

/**
 * Facts about one workflow file that several rules need, computed once: how names resolve,
 * which local functions start actions (directly or through other local functions: rules
 * follow calls into helpers and classes of the same file), and what is declared at module level.
 */
export class FileFacts {
  readonly resolver: ReferenceResolver;
  private readonly starts = new Map<ts.Node, boolean>();
  private readonly functionsStartingActions = new Set<FunctionLike>();

  constructor(
    readonly program: ts.Program,
    readonly checker: ts.TypeChecker,
    readonly sourceFile: ts.SourceFile,
  ) {
    this.resolver = new ReferenceResolver(program, checker);
    this.computeActionFunctions();
  }

  /** The path of a call's callee (`alice:kv.get`, `Date.now`, …), or undefined. */
  calleePath(call: ts.CallExpression | ts.NewExpression): Path | undefined {
    return this.resolver.resolve(call.expression);
  }

  /**
   * Whether a call starts a journaled step: a catalog action, `sleep` or `waitForEvent`, also
   * called indirectly (`kv.get.call(null, …)`); not `kv.get.bind(…)`, which makes a function.
   */
  isStepCall(call: ts.CallExpression): boolean {
    const path = this.calleePath(call);
    const kind = aliceKind(path);
    if (kind !== 'action' && kind !== 'step') return false;
    if (this.catalogAction(call.expression) !== undefined || path === 'alice:sleep' || path === 'alice:waitForEvent') return true;
    return this.checker.getTypeAtLocation(call).getProperty('then') !== undefined;
  }

  /**
   * The catalog action a callee names exactly (`kv.get` for `kv.get` or `kv?.get`), or
   * undefined for anything else, `kv.get.call` and unknown names included: the checker decides
   * by the declaration the callee resolves to, which must be an action of the "alice" module.
   */
  catalogAction(callee: ts.Expression): string | undefined {
    const path = this.resolver.resolve(callee);
    if (aliceKind(path) !== 'action') return undefined;
    const e = skipOuter(callee);
    // `kv["get"]` and `kv[k]` with `const k = "get"`: the key is known, so look it up on the namespace.
    const sym = ts.isElementAccessExpression(e)
      ? this.checker.getTypeAtLocation(e.expression).getProperty(path!.slice(path!.lastIndexOf('.') + 1))
      : this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e);
    const decl = sym?.declarations?.[0];
    if (decl === undefined || decl.getSourceFile().fileName !== declarationsFileName) return undefined;
    if (!ts.isPropertySignature(decl) || decl.type === undefined || !ts.isFunctionTypeNode(decl.type)) return undefined;
    return path!.slice('alice:'.length);
  }

  /**
   * The catalog action a path starts with: `kv.get` for `alice:kv.get.call` or `alice:kv.get`,
   * undefined when no prefix of it is an action (`alice:kv`, `alice:kv.[computed]`).
   */
  catalogActionOf(path: Path): string | undefined {
    if (!path.startsWith('alice:')) return undefined;
    const parts = path.slice('alice:'.length).split('.');
    const decls = this.program.getSourceFile(declarationsFileName);
    const module = decls?.statements.find(ts.isModuleDeclaration);
    const moduleSym = module !== undefined ? this.checker.getSymbolAtLocation(module.name) : undefined;
    let sym = moduleSym !== undefined ? this.checker.getExportsOfModule(moduleSym).find((s) => s.name === parts[0]) : undefined;
    for (let i = 1; i < parts.length && sym !== undefined; i++) {
      sym = this.checker.getTypeOfSymbol(sym).getProperty(parts[i]);
      const decl = sym?.declarations?.[0];
      if (decl !== undefined && ts.isPropertySignature(decl) && decl.type !== undefined && ts.isFunctionTypeNode(decl.type)) return parts.slice(0, i + 1).join('.');
    }
    return undefined;
  }

  /** Whether a call runs a local function or method that (transitively) starts steps. */
  callsActionFunction(call: ts.CallExpression | ts.NewExpression): boolean {
    return this.namesActionFunction(call.expression);
  }

  /**
   * Whether an expression is a function that starts steps when called: a function literal
   * whose body does, or a name of a local function or method that (transitively) does.
   */
  namesActionFunction(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if ((ts.isArrowFunction(e) || ts.isFunctionExpression(e)) && e.body !== undefined) return this.functionsStartingActions.has(e) || this.mayStartSteps(e.body);
    for (const decl of this.targetsOf(e)) if (this.functionsStartingActions.has(decl)) return true;
    return false;
  }

  /**
   * Whether evaluating a node may start a step: it contains a step call, or a call of a local
   * function that does. Function bodies inside the node count (a callback passed to `map` runs).
   */
  mayStartSteps(node: ts.Node): boolean {
    const known = this.starts.get(node);
    if (known !== undefined) return known;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if ((ts.isCallExpression(n) && (this.isStepCall(n) || this.callsActionFunction(n))) || (ts.isNewExpression(n) && this.callsActionFunction(n))) {
        found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    this.starts.set(node, found);
    return found;
  }

  /** The local function-like declarations a call may run (through aliases, methods, classes). */
  private targetsOf(callee: ts.Expression): FunctionLike[] {
    const sym = this.symbolOf(callee);
    if (sym === undefined) return [];
    const out: FunctionLike[] = [];
    for (const d of sym.declarations ?? []) {
      if (d.getSourceFile() !== this.sourceFile) continue;
      if (isFunctionLike(d)) out.push(d);
      else if (ts.isVariableDeclaration(d) && d.initializer !== undefined) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
      } else if (ts.isClassDeclaration(d) || ts.isClassExpression(d)) {
        for (const m of d.members) if (ts.isConstructorDeclaration(m)) out.push(m);
      } else if (ts.isPropertyDeclaration(d) && d.initializer !== undefined) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
      } else if (ts.isPropertyAssignment(d)) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
      }
    }
    return out;
  }

  private symbolOf(expr: ts.Expression): ts.Symbol | undefined {
    const e = skipOuter(expr);
    const target = ts.isPropertyAccessExpression(e) ? e.name : e;
    let sym = this.checker.getSymbolAtLocation(target);
    if (sym !== undefined && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    return sym;
  }

  /** Fixpoint over the file's call graph: a function starts steps if its body does. */
  private computeActionFunctions(): void {
    // One walk: functions with a step call of their own (a nested function's call counts for
    // every enclosing one, as mayStartSteps counts nested bodies), and who calls which local
    // function. Then "starts steps" flows from callees to callers over that graph.
    const callers = new Map<FunctionLike, Set<FunctionLike>>();
    const marked: FunctionLike[] = [];
    const enclosing: FunctionLike[] = [];
    const mark = (f: FunctionLike): void => {
      if (this.functionsStartingActions.has(f)) return;
      this.functionsStartingActions.add(f);
      marked.push(f);
    };
    const visit = (n: ts.Node): void => {
      const fn = isFunctionLike(n) && n.body !== undefined ? n : null;
      if (fn !== null) enclosing.push(fn);
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        if (ts.isCallExpression(n) && this.isStepCall(n)) {
          for (const f of enclosing) mark(f);
        } else {
          const e = skipOuter(n.expression);
          const targets = ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? [e] : this.targetsOf(e);
          for (const t of targets) {
            let set = callers.get(t);
            if (set === undefined) callers.set(t, (set = new Set()));
            for (const f of enclosing) set.add(f);
          }
        }
      }
      ts.forEachChild(n, visit);
      if (fn !== null) enclosing.pop();
    };
    visit(this.sourceFile);
    while (marked.length > 0) {
      const f = marked.pop()!;
      for (const caller of callers.get(f) ?? []) mark(caller);
    }
  }
}

export function isFunctionLike(n: ts.Node): n is FunctionLike {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n)
  );
}

/** Whether a declaration sits at module level (not inside any function or class body). */
export function isModuleLevel(node: ts.Node): boolean {
  for (let p = node.parent; p !== undefined; p = p.parent) {
    if (ts.isSourceFile(p)) return true;
    if (isFunctionLike(p) || ts.isClassStaticBlockDeclaration(p)) return false;
  }
  return false;
}
