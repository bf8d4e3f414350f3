import ts from './typescript.cjs';
import { declarationsFileName } from './declarations.js';
import { ReferenceResolver, constantString, isAssignmentTarget, isOuter, isTypeOnly, skipOuter, type Path } from './references.js';

// TypeScript's exports are getters: the node tests this module calls on nearly every node
// are read from it once, here, not on each call.
const { forEachChild, findAncestor, ObjectFlags, SymbolFlags, SyntaxKind, TypeFlags, isArrowFunction, isBinaryExpression, isBindingElement, isCallExpression, isClassDeclaration, isClassExpression, isClassStaticBlockDeclaration, isConstructorDeclaration, isDeleteExpression, isElementAccessExpression, isExpression, isForInStatement, isForOfStatement, isFunctionExpression, isFunctionTypeNode, isGetAccessorDeclaration, isIdentifier, isModuleDeclaration, isNewExpression, isObjectBindingPattern, isOmittedExpression, isParameter, isPostfixUnaryExpression, isPrefixUnaryExpression, isPropertyAccessExpression, isPropertyAssignment, isPropertyDeclaration, isPropertySignature, isSetAccessorDeclaration, isSourceFile, isSpreadElement, isStringLiteral, isTaggedTemplateExpression, isVariableDeclaration, isVariableDeclarationList } = ts;

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
  /** The calls of each local function in the file (direct calls through its name). */
  private readonly callSites = new Map<FunctionLike, Array<ts.CallExpression | ts.NewExpression>>();
  /** Variables that hold step promises (or functions that start steps), computed on first use. */
  private stepHolders: Set<ts.Symbol> | undefined;
  /**
   * Whether the file may declare a getter or setter: only then are property accesses looked up
   * as possible calls (most files have none, and every access of a file is visited).
   */
  private readonly hasAccessors: boolean;
  /** Functions of the file called through `.call`, `.apply` or a bound copy (see calledIndirectly). */
  private readonly indirect = new Set<FunctionLike>();
  /** What `assignedValues` found, by variable. */
  private readonly assignments = new Map<ts.Symbol, ts.Expression[]>();

  /**
   * The program's checker, answering each node's symbol and type question once per file: the
   * walk, the facts and several rules ask about the same names, and the checker itself does not
   * keep these answers (a name's symbol is looked up scope by scope on every call).
   */
  readonly checker: ts.TypeChecker;

  constructor(
    readonly program: ts.Program,
    checker: ts.TypeChecker,
    readonly sourceFile: ts.SourceFile,
  ) {
    this.checker = memoizedChecker(checker);
    this.resolver = new ReferenceResolver(program, this.checker);
    // `get x()`, also `get/**/x()`: a false match only costs the lookups.
    this.hasAccessors = /\b[gs]et(?:\s|\/[*/])/.test(sourceFile.text);
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
    const sym = isElementAccessExpression(e)
      ? this.checker.getTypeAtLocation(e.expression).getProperty(path!.slice(path!.lastIndexOf('.') + 1))
      : this.checker.getSymbolAtLocation(isPropertyAccessExpression(e) ? e.name : e);
    const decl = sym?.declarations?.[0];
    if (decl === undefined || decl.getSourceFile().fileName !== declarationsFileName) return undefined;
    if (!isPropertySignature(decl) || decl.type === undefined || !isFunctionTypeNode(decl.type)) return undefined;
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
    const module = decls?.statements.find(isModuleDeclaration);
    const moduleSym = module !== undefined ? this.checker.getSymbolAtLocation(module.name) : undefined;
    let sym = moduleSym !== undefined ? this.checker.getExportsOfModule(moduleSym).find((s) => s.name === parts[0]) : undefined;
    for (let i = 1; i < parts.length && sym !== undefined; i++) {
      sym = this.checker.getTypeOfSymbol(sym).getProperty(parts[i]);
      const decl = sym?.declarations?.[0];
      if (decl !== undefined && isPropertySignature(decl) && decl.type !== undefined && isFunctionTypeNode(decl.type)) return parts.slice(0, i + 1).join('.');
    }
    return undefined;
  }

  /** Whether a call runs a local function or method that (transitively) starts steps. */
  callsActionFunction(call: ts.CallExpression | ts.NewExpression): boolean {
    return this.namesActionFunction(call.expression);
  }

  /**
   * The functions of the file that evaluating a node runs with no call expression of its own:
   * the tag of a tagged template (`` audit`…` ``), the getter a property read runs, the setter
   * a write runs (`box.value`, `box.value = 1`, `box.value++` both).
   */
  implicitTargets(n: ts.Node): readonly FunctionLike[] {
    if (isTaggedTemplateExpression(n)) {
      const tag = skipOuter(n.tag);
      return isArrowFunction(tag) || isFunctionExpression(tag) ? [tag] : this.targetsOf(tag);
    }
    if (!this.hasAccessors || !(isPropertyAccessExpression(n) || isElementAccessExpression(n))) return [];
    const { read, write } = accessOf(n);
    if (!read && !write) return [];
    const sym = this.checker.getSymbolAtLocation(isPropertyAccessExpression(n) ? n.name : n.argumentExpression);
    const out: FunctionLike[] = [];
    for (const d of sym?.declarations ?? []) {
      if (d.getSourceFile() !== this.sourceFile) continue;
      if ((read && isGetAccessorDeclaration(d)) || (write && isSetAccessorDeclaration(d))) out.push(d);
    }
    return out;
  }

  /** Whether evaluating a node runs, with no call of its own, a function of the file that starts steps (implicitTargets). */
  runsActionFunction(n: ts.Node): boolean {
    for (const f of this.implicitTargets(n)) {
      if (this.functionsStartingActions.has(f)) return true;
      if ((isArrowFunction(f) || isFunctionExpression(f)) && this.mayStartSteps(f.body)) return true;
    }
    return false;
  }

  /**
   * Whether an expression is a function that starts steps when called: a function literal
   * whose body does, or a name of a local function or method that (transitively) does.
   */
  namesActionFunction(expr: ts.Expression): boolean {
    let known = this.names.get(expr);
    if (known === undefined) this.names.set(expr, (known = this.computeNamesActionFunction(expr)));
    return known;
  }

  /** What namesActionFunction answered, by expression (rules ask about each argument of each call more than once). */
  private readonly names = new Map<ts.Expression, boolean>();

  private computeNamesActionFunction(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if ((isArrowFunction(e) || isFunctionExpression(e)) && e.body !== undefined) return this.functionsStartingActions.has(e) || this.mayStartSteps(e.body);
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
      if ((isCallExpression(n) && (this.isStepCall(n) || this.callsActionFunction(n))) || (isNewExpression(n) && this.callsActionFunction(n)) || this.runsActionFunction(n)) {
        found = true;
        return;
      }
      forEachChild(n, visit);
    };
    visit(node);
    this.starts.set(node, found);
    return found;
  }

  /**
   * Whether evaluating a node may start or wait for steps: it starts some (mayStartSteps), reads a
   * variable that holds step promises started earlier (`const p = kv.get(…)`, `ps.push(kv.get(…))`),
   * or calls a callback parameter that some call of its function passes a step-starting function.
   * This is what a catch around the node may catch.
   */
  carriesSteps(node: ts.Node): boolean {
    if (this.mayStartSteps(node)) return true;
    const holders = this.holders();
    return this.mentions(node, (sym, id) => holders.has(sym) || (isCallExpression(id.parent) && id.parent.expression === id && this.callbackStartsSteps(sym)));
  }

  /** Whether a node names a symbol that passes `test` (an identifier anywhere inside it). */
  private mentions(node: ts.Node, test: (sym: ts.Symbol, id: ts.Identifier) => boolean): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (isIdentifier(n)) {
        const sym = this.checker.getSymbolAtLocation(n);
        if (sym !== undefined && test(sym, n)) found = true;
      } else forEachChild(n, visit);
    };
    visit(node);
    return found;
  }

  /**
   * The right-hand sides of `x = …` for a variable of the file (what a `let` may hold besides
   * its initializer), searched in the function that declares it, or the whole file.
   */
  assignedValues(sym: ts.Symbol): readonly ts.Expression[] {
    let found = this.assignments.get(sym);
    if (found !== undefined) return found;
    const out: ts.Expression[] = [];
    const visit = (n: ts.Node): void => {
      if (isBinaryExpression(n) && n.operatorToken.kind === SyntaxKind.EqualsToken && isIdentifier(skipOuter(n.left)) && this.checker.getSymbolAtLocation(skipOuter(n.left)) === sym) out.push(n.right);
      forEachChild(n, visit);
    };
    const scope = sym.valueDeclaration !== undefined ? findAncestor(sym.valueDeclaration, isFunctionLike) : undefined;
    visit(scope ?? this.sourceFile);
    this.assignments.set(sym, (found = out));
    return found;
  }

  /**
   * The expressions of the file a variable or parameter may hold, as written: a variable's
   * initializer and every assignment to it, a parameter's argument at each call of its function
   * that passes arguments in order. Rules look through a type that hides what a value is
   * (`x: unknown`, `o: any`, `T`) to these. Empty for a name declared elsewhere, a rest
   * parameter, or a spread argument.
   */
  givenValues(id: ts.Identifier): ts.Expression[] {
    const sym = this.checker.getSymbolAtLocation(id);
    const decl = sym?.valueDeclaration;
    if (sym === undefined || decl === undefined || decl.getSourceFile() !== this.sourceFile) return [];
    if (isVariableDeclaration(decl)) return [...(decl.initializer !== undefined ? [decl.initializer] : []), ...this.assignedValues(sym)];
    if (!isParameter(decl) || !isFunctionLike(decl.parent) || decl.dotDotDotToken !== undefined || this.indirect.has(decl.parent)) return [];
    const index = argumentIndex(decl);
    return this.callSitesOf(decl.parent).flatMap((call) => {
      const arg = (call.arguments ?? [])[index];
      return arg !== undefined && !isSpreadElement(arg) ? [arg] : [];
    });
  }

  /**
   * The first answer `find` gives for what a variable or parameter is given (givenValues), kept
   * per symbol in `cache`: rules that look through a name ask about each name once, and a cycle
   * of variables (`a = b; b = a`) adds nothing instead of fanning out.
   */
  findInGiven<T>(id: ts.Identifier, cache: Map<ts.Symbol, T | undefined>, find: (value: ts.Expression) => T | undefined): T | undefined {
    const sym = this.checker.getSymbolAtLocation(id);
    if (sym === undefined) return undefined;
    if (cache.has(sym)) return cache.get(sym);
    cache.set(sym, undefined);
    let found: T | undefined;
    for (const value of this.givenValues(id)) {
      found = find(value);
      if (found !== undefined) break;
    }
    cache.set(sym, found);
    return found;
  }

  /** The calls of a local function of the file through its name (what its parameters may be given). */
  callSitesOf(fn: FunctionLike): ReadonlyArray<ts.CallExpression | ts.NewExpression> {
    return this.callSites.get(fn) ?? [];
  }

  /** Whether a parameter, called as a function, may be given a step-starting function. */
  private callbackStartsSteps(sym: ts.Symbol, depth = 0): boolean {
    const param = sym.valueDeclaration;
    if (param === undefined || !isParameter(param) || depth > 4) return false;
    const fn = param.parent;
    if (!isFunctionLike(fn)) return false;
    const index = argumentIndex(param);
    const argAt = (call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined => (call.arguments ?? [])[index];
    // A callback of an inline function handed to another call (`jobs.forEach(async (j) => …)`):
    // its values come from that call's receiver and arguments.
    const outer = fn.parent;
    if ((isArrowFunction(fn) || isFunctionExpression(fn)) && (isCallExpression(outer) || isNewExpression(outer)) && (outer.arguments?.some((a) => a === fn) ?? false)) {
      const callee = skipOuter(outer.expression);
      const sources: ts.Node[] = [...(outer.arguments ?? []).filter((a) => a !== fn), ...(isPropertyAccessExpression(callee) ? [callee.expression] : [])];
      return sources.some((a) => this.carriesSteps(a) || this.namesActionFunction(a as ts.Expression));
    }
    for (const call of this.callSites.get(fn) ?? []) {
      const arg = argAt(call);
      if (arg === undefined) continue;
      if (this.namesActionFunction(arg) || this.carriesSteps(arg)) return true;
      const argSym = isIdentifier(skipOuter(arg)) ? this.checker.getSymbolAtLocation(skipOuter(arg)) : undefined;
      if (argSym !== undefined && this.callbackStartsSteps(argSym, depth + 1)) return true;
    }
    return false;
  }

  /** The variables of the file that are given step promises or step-starting functions. */
  private holders(): Set<ts.Symbol> {
    if (this.stepHolders !== undefined) return this.stepHolders;
    const holders = new Set<ts.Symbol>();
    this.stepHolders = holders;
    const carries = (e: ts.Node): boolean => {
      // An awaited result (`const r = await kv.get(…)`) is data; only promises and functions carry steps.
      if (!isExpression(e) || !this.mayHoldPromise(this.checker.getTypeAtLocation(e))) return false;
      return this.mayStartSteps(e) || this.mentions(e, (sym) => holders.has(sym));
    };
    const rootSymbol = (target: ts.Expression): ts.Symbol | undefined => {
      let e = skipOuter(target);
      while (isPropertyAccessExpression(e) || isElementAccessExpression(e)) e = skipOuter(e.expression);
      return isIdentifier(e) ? this.checker.getSymbolAtLocation(e) : undefined;
    };
    const add = (sym: ts.Symbol | undefined): boolean => {
      if (sym === undefined || holders.has(sym)) return false;
      holders.add(sym);
      return true;
    };
    const bind = (name: ts.BindingName): boolean => {
      if (isIdentifier(name)) return add(this.checker.getSymbolAtLocation(name));
      let changed = false;
      for (const el of name.elements) if (!isOmittedExpression(el)) changed = bind(el.name) || changed;
      return changed;
    };
    // Until nothing changes: `const q = p.then(…)` holds what `p` holds.
    for (let round = 0, changed = true; changed && round < 6; round++) {
      changed = false;
      const visit = (n: ts.Node): void => {
        if (isVariableDeclaration(n) && n.initializer !== undefined && !isFunctionLike(skipOuter(n.initializer)) && carries(n.initializer)) changed = bind(n.name) || changed;
        else if (isBinaryExpression(n) && n.operatorToken.kind === SyntaxKind.EqualsToken && carries(n.right)) changed = add(rootSymbol(n.left)) || changed;
        else if (isCallExpression(n) && isPropertyAccessExpression(n.expression) && ['push', 'unshift', 'splice', 'set', 'add'].includes(n.expression.name.text) && n.arguments.some(carries)) {
          changed = add(rootSymbol(n.expression.expression)) || changed;
        } else if ((isForOfStatement(n) || isForInStatement(n)) && isVariableDeclarationList(n.initializer) && carries(n.expression)) {
          for (const d of n.initializer.declarations) changed = bind(d.name) || changed;
        }
        forEachChild(n, visit);
      };
      visit(this.sourceFile);
    }
    return holders;
  }

  /** Whether a value of this type can be or hold a promise or a function: a promise, an array, a Map or an object of them, `any`. */
  private mayHoldPromise(type: ts.Type, depth = 0): boolean {
    if (depth > 3) return false;
    if (type.flags & (TypeFlags.Any | TypeFlags.Unknown)) return true;
    if (type.isUnion() || type.isIntersection()) return type.types.some((t) => this.mayHoldPromise(t, depth + 1));
    if (!(type.flags & (TypeFlags.Object | TypeFlags.NonPrimitive))) return false;
    if (type.getProperty('then') !== undefined || type.getCallSignatures().length > 0) return true;
    if ((type as ts.ObjectType).objectFlags & ObjectFlags.Reference && this.checker.getTypeArguments(type as ts.TypeReference).some((t) => this.mayHoldPromise(t, depth + 1))) return true;
    const index = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
    if (index !== undefined && this.mayHoldPromise(index, depth + 1)) return true;
    if (this.program.isSourceFileDefaultLibrary((type.getSymbol()?.declarations ?? [])[0]?.getSourceFile() ?? this.sourceFile)) return false;
    return type.getProperties().some((p) => this.mayHoldPromise(this.checker.getTypeOfSymbol(p), depth + 1));
  }

  /**
   * The local function-like declarations a call may run (through aliases, methods, classes,
   * `f.call(…)`/`f.apply(…)`, a `const g = f.bind(…)`, a method read by a constant key
   * `s["save"]` or destructured `const { save } = s`). `aligned`: only the ways that pass a
   * call's arguments to the function's parameters in order (not `.call`, `.apply`, a bound `g`).
   */
  targetsOf(callee: ts.Expression, aligned = false): readonly FunctionLike[] {
    // The facts' walk, several rules and the manifest ask about the same callees and arguments.
    const memo = aligned ? this.alignedTargets : this.targets;
    let found = memo.get(callee);
    if (found === undefined) memo.set(callee, (found = this.targetsAt(callee, aligned, 0)));
    return found;
  }

  private readonly targets = new Map<ts.Expression, readonly FunctionLike[]>();
  private readonly alignedTargets = new Map<ts.Expression, readonly FunctionLike[]>();

  private targetsAt(callee: ts.Expression, aligned: boolean, depth: number): FunctionLike[] {
    const e = skipOuter(callee);
    if (depth > 4) return [];
    // `f.call(…)` and `f.apply(…)` (Function's, not a member of the file's named so) run f;
    // `f.bind(…)` only makes a function (followed where it is kept).
    if (!aligned && isPropertyAccessExpression(e) && (e.name.text === 'call' || e.name.text === 'apply') && this.isLibMember(e)) {
      const through = this.targetsAt(e.expression, false, depth + 1);
      if (through.length > 0) return through;
    }
    const sym = this.symbolOf(e);
    if (sym === undefined) return [];
    const out: FunctionLike[] = [];
    for (const d of sym.declarations ?? []) {
      if (d.getSourceFile() !== this.sourceFile) continue;
      if (isFunctionLike(d)) out.push(d);
      else if (isVariableDeclaration(d) && d.initializer !== undefined) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
        // `const g = s.save.bind(s)` runs what `s.save` does.
        else if (!aligned && isCallExpression(init) && isPropertyAccessExpression(init.expression) && init.expression.name.text === 'bind') out.push(...this.targetsAt(init.expression.expression, false, depth + 1));
      } else if (isBindingElement(d) && isObjectBindingPattern(d.parent) && d.dotDotDotToken === undefined && isVariableDeclaration(d.parent.parent) && d.parent.parent.initializer !== undefined) {
        // `const { save } = s`: the member of what the pattern takes apart.
        const key = d.propertyName ?? d.name;
        const name = isIdentifier(key) || isStringLiteral(key) ? key.text : undefined;
        const member = name !== undefined ? this.checker.getTypeAtLocation(d.parent.parent.initializer).getProperty(name) : undefined;
        for (const md of member?.declarations ?? []) {
          if (md.getSourceFile() !== this.sourceFile) continue;
          if (isFunctionLike(md)) out.push(md);
          else if ((isPropertyDeclaration(md) || isPropertyAssignment(md)) && md.initializer !== undefined && isFunctionLike(skipOuter(md.initializer))) out.push(skipOuter(md.initializer) as FunctionLike);
        }
      } else if (isClassDeclaration(d) || isClassExpression(d)) {
        for (const m of d.members) if (isConstructorDeclaration(m)) out.push(m);
      } else if (isPropertyDeclaration(d) && d.initializer !== undefined) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
      } else if (isPropertyAssignment(d)) {
        const init = skipOuter(d.initializer);
        if (isFunctionLike(init)) out.push(init);
      }
    }
    return out;
  }

  /** Whether a member read names a member declared by the default library (`Function#call`). */
  private isLibMember(e: ts.PropertyAccessExpression): boolean {
    const decls = this.checker.getSymbolAtLocation(e.name)?.declarations ?? [];
    return decls.length > 0 && decls.every((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()));
  }

  /** Whether a function of the file is also called in ways that do not pass its parameters in order (`.call`, `.apply`, a bound copy). */
  calledIndirectly(fn: ts.Node): boolean {
    return this.indirect.has(fn as FunctionLike);
  }

  private symbolOf(expr: ts.Expression): ts.Symbol | undefined {
    const e = skipOuter(expr);
    // `s["save"]`, `s[k]` with `const k = "save"`: the member a constant key denotes.
    if (isElementAccessExpression(e)) {
      const key = constantString(e.argumentExpression, this.checker);
      return key === undefined ? undefined : this.checker.getApparentType(this.checker.getTypeAtLocation(e.expression)).getProperty(key);
    }
    const target = isPropertyAccessExpression(e) ? e.name : e;
    let sym = this.checker.getSymbolAtLocation(target);
    if (sym !== undefined && sym.flags & SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
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
    /** `t` runs from the functions that enclose the node being visited. */
    const calledFrom = (t: FunctionLike): void => {
      let set = callers.get(t);
      if (set === undefined) callers.set(t, (set = new Set()));
      for (const f of enclosing) set.add(f);
    };
    const mark = (f: FunctionLike): void => {
      if (this.functionsStartingActions.has(f)) return;
      this.functionsStartingActions.add(f);
      marked.push(f);
    };
    // Members read other than to be called there (`Reflect.apply(m.send, …)`, `const f = m[k]`):
    // resolved after the walk, and only when a function of the file has that name.
    const readAsValue: Array<ts.PropertyAccessExpression | ts.ElementAccessExpression> = [];
    const functionNames = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (isTypeOnly(n)) return;
      const fn = isFunctionLike(n) && n.body !== undefined ? n : null;
      if (fn !== null) enclosing.push(fn);
      if (fn !== null) {
        const named = (fn as { name?: ts.Node }).name ?? (isPropertyAssignment(fn.parent) || isPropertyDeclaration(fn.parent) || isVariableDeclaration(fn.parent) ? fn.parent.name : undefined);
        if (named !== undefined && (isIdentifier(named) || isStringLiteral(named))) functionNames.add(named.text);
      }
      if ((isPropertyAccessExpression(n) || isElementAccessExpression(n)) && !isCalleeOf(n)) readAsValue.push(n);
      if (isCallExpression(n) || isNewExpression(n)) {
        if (isCallExpression(n) && this.isStepCall(n)) {
          for (const f of enclosing) mark(f);
        } else {
          const e = skipOuter(n.expression);
          const targets = isArrowFunction(e) || isFunctionExpression(e) ? [e] : this.targetsOf(e);
          // A call site is what a parameter may be given: only calls that pass arguments in order.
          const aligned = isArrowFunction(e) || isFunctionExpression(e) ? targets : this.targetsOf(e, true);
          for (const t of targets) {
            if (aligned.includes(t)) {
              let sites = this.callSites.get(t);
              if (sites === undefined) this.callSites.set(t, (sites = []));
              sites.push(n);
            } else this.indirect.add(t);
            calledFrom(t);
          }
        }
      } else if (isTaggedTemplateExpression(n) || isPropertyAccessExpression(n) || isElementAccessExpression(n)) {
        for (const t of this.implicitTargets(n)) calledFrom(t);
      }
      forEachChild(n, visit);
      if (fn !== null) enclosing.pop();
    };
    visit(this.sourceFile);
    for (const read of readAsValue) {
      const name = isPropertyAccessExpression(read) ? read.name.text : constantString(read.argumentExpression, this.checker);
      if (name === undefined || !functionNames.has(name)) continue;
      for (const t of this.targetsOf(read, true)) this.indirect.add(t);
    }
    while (marked.length > 0) {
      const f = marked.pop()!;
      for (const caller of callers.get(f) ?? []) mark(caller);
    }
  }
}

/** A checker whose node-to-symbol and node-to-type answers are kept (they never change once the file is checked). */
function memoizedChecker(checker: ts.TypeChecker): ts.TypeChecker {
  const symbols = new Map<ts.Node, ts.Symbol | undefined>();
  const types = new Map<ts.Node, ts.Type>();
  // The checker is an object of closures that never use `this`, so the rest is inherited as is.
  const memo = Object.create(checker) as ts.TypeChecker;
  memo.getSymbolAtLocation = (node) => {
    if (symbols.has(node)) return symbols.get(node);
    const sym = checker.getSymbolAtLocation(node);
    symbols.set(node, sym);
    return sym;
  };
  memo.getTypeAtLocation = (node) => {
    let type = types.get(node);
    if (type === undefined) types.set(node, (type = checker.getTypeAtLocation(node)));
    return type;
  };
  return memo;
}

/** Whether evaluating an access reads its property (runs a getter), writes it (runs a setter), or both. */
function accessOf(n: ts.Expression): { read: boolean; write: boolean } {
  let e: ts.Node = n;
  let p = e.parent;
  while (isOuter(p)) {
    e = p;
    p = p.parent;
  }
  if (isBinaryExpression(p) && p.left === e) {
    const op = p.operatorToken.kind;
    if (op === SyntaxKind.EqualsToken) return { read: false, write: true };
    if (op >= SyntaxKind.FirstCompoundAssignment && op <= SyntaxKind.LastCompoundAssignment) return { read: true, write: true };
  }
  if ((isPrefixUnaryExpression(p) || isPostfixUnaryExpression(p)) && (p.operator === SyntaxKind.PlusPlusToken || p.operator === SyntaxKind.MinusMinusToken)) return { read: true, write: true };
  if (isDeleteExpression(p)) return { read: false, write: false };
  if (((isForOfStatement(p) || isForInStatement(p)) && p.initializer === e) || isAssignmentTarget(e)) return { read: false, write: true };
  return { read: true, write: false };
}

/** The kinds of `FunctionLike`, read once (see `outerKinds` in references.ts). */
const functionLikeKinds: ReadonlySet<ts.SyntaxKind> = new Set([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);

export function isFunctionLike(n: ts.Node): n is FunctionLike {
  return functionLikeKinds.has(n.kind);
}

/** Whether a member read is what a call, `new` or tagged template calls (through parentheses and casts). */
function isCalleeOf(n: ts.Expression): boolean {
  let e: ts.Node = n;
  while (isOuter(e.parent)) e = e.parent;
  const p = e.parent;
  if ((isCallExpression(p) || isNewExpression(p)) && p.expression === e) return true;
  if (isTaggedTemplateExpression(p) && p.tag === e) return true;
  // `m.send.call(…)`: read to be called through Function's call/apply/bind.
  return isPropertyAccessExpression(p) && p.expression === e && (p.name.text === 'call' || p.name.text === 'apply' || p.name.text === 'bind');
}

/** The position of a parameter's argument in a call: a `this:` parameter takes none. */
export function argumentIndex(param: ts.ParameterDeclaration): number {
  return param.parent.parameters.filter((p) => !(isIdentifier(p.name) && p.name.text === 'this')).indexOf(param);
}

/** The parameter a call's argument at `index` goes to (a `this:` parameter takes none). */
export function parameterAt(fn: { parameters: ts.NodeArray<ts.ParameterDeclaration> }, index: number): ts.ParameterDeclaration | undefined {
  return fn.parameters.filter((p) => !(isIdentifier(p.name) && p.name.text === 'this'))[index];
}

/** Whether a declaration sits at module level (not inside any function or class body). */
export function isModuleLevel(node: ts.Node): boolean {
  for (let p = node.parent; p !== undefined; p = p.parent) {
    if (isSourceFile(p)) return true;
    if (isFunctionLike(p) || isClassStaticBlockDeclaration(p)) return false;
  }
  return false;
}
