/**
 * The DSL front end end to end: source → tokens → CST → AST → checked program → bundle.
 * Same shapes as the TypeScript front end (compiler/compile.ts and compiler/check.ts): a
 * `CompileResult` with a bundle only when there is no error, and `Diagnostic[]` for checking.
 */
import { basename } from 'node:path';
import { validateBundle, type Manifest } from '../../runtime/index.js';
import type { CatalogEntry } from '../catalog.js';
import type { CompileResult } from '../compile.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostic.js';
import { readSource, type ReadResult } from '../sources.js';
import { aliceVersion } from '../version.js';
import { recordDslArguments } from './arguments.js';
import type { Loc, Program } from './ast.js';
import { AstBuilder, tokenLoc } from './build-ast.js';
import { DslChecker, type CheckOutput } from './check.js';
import { lowerProgram } from './lower.js';
import { readHeader, type DslMetadata } from './metadata.js';
import { parseDsl } from './parser.js';
import { DiagnosticSink } from './rules.js';

export interface DslCompileOptions {
  catalog: readonly CatalogEntry[];
}

/** The manifest's `compilerVersion` for DSL workflows. */
export function dslCompilerVersion(): string {
  return `alice-dsl/${aliceVersion()}`;
}

interface Analysis {
  sink: DiagnosticSink;
  program: Program | null;
  checked: CheckOutput | null;
  metadata: DslMetadata | null;
}

/** Parses and checks one file; the program is null when it has syntax errors. */
function analyse(path: string, text: string, catalog: readonly CatalogEntry[]): Analysis {
  const sink = new DiagnosticSink(path);
  const parsed = parseDsl(text);
  for (const e of parsed.lexErrors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    sink.report('dsl/syntax', { line: e.line, column: e.column, endLine: e.line, endColumn: e.column + Math.max(1, e.length) }, `unexpected character ${JSON.stringify(ch.slice(0, 1))}${ch === '!' ? ': write not for negation, != for inequality' : ''}`);
  }
  const lastToken = parsed.tokens[parsed.tokens.length - 1];
  const endOfFile: Loc = lastToken !== undefined ? { ...tokenLoc(lastToken), line: lastToken.endLine ?? 1, column: (lastToken.endColumn ?? 0) + 1 } : { line: 1, column: 1, endLine: 1, endColumn: 1 };
  for (const e of parsed.parseErrors) {
    const t = e.token;
    const at: Loc = Number.isFinite(t.startLine) && t.startLine !== undefined ? tokenLoc(t) : endOfFile;
    sink.report('dsl/syntax', at, e.message);
  }
  if (sink.diagnostics.length > 0) return { sink, program: null, checked: null, metadata: null };
  const program = new AstBuilder(sink, text).program(parsed.cst);
  const metadata = readHeader(program.header, basename(path), sink);
  const checked = new DslChecker(sink, catalog).check(program);
  return { sink, program, checked, metadata };
}

/**
 * Compiles one DSL workflow to a bundle (DESIGN §10). Only when no error is found are the
 * script, its source map and the manifest made. The same source and compiler version always
 * give the same bundle, wherever the file lives.
 *
 * @example
 * const { bundle, diagnostics } = compileDslSource(readSource('flows/order.alice'), { catalog });
 * if (bundle) engine.deploy(bundle);
 */
export function compileDslSource(source: ReadResult, options: DslCompileOptions): CompileResult {
  if (!source.ok) return { bundle: null, diagnostics: [source.diagnostic] };
  const { sink, program, checked, metadata } = analyse(source.path, source.text, options.catalog);
  const diagnostics = sortDiagnostics(sink.diagnostics);
  if (program === null || checked === null || metadata === null || hasErrors(diagnostics)) return { bundle: null, diagnostics };
  const fileBase = basename(source.path);
  const { script, sourceMap } = lowerProgram(program, checked.functionOrder, fileBase, source.text);
  const args = recordDslArguments(program, checked.actions);
  const sortedArgs = Object.fromEntries(Object.keys(args).sort().map((k) => [k, args[k]]));
  const manifest: Omit<Manifest, 'codeHash'> = {
    name: metadata.name,
    kind: metadata.kind,
    language: 'dsl',
    actions: [...checked.actions].sort(),
    triggers: metadata.triggers,
    inputSchema: metadata.inputSchema,
    compilerVersion: dslCompilerVersion(),
    ...(metadata.description !== undefined ? { description: metadata.description } : {}),
    ...(metadata.hosts !== null ? { hosts: metadata.hosts } : {}),
    arguments: sortedArgs,
  };
  return { bundle: validateBundle({ script, manifest, sourceMap }), diagnostics };
}

/** Reads and compiles one .alice file. */
export function compileDslFile(path: string, options: DslCompileOptions): CompileResult {
  return compileDslSource(readSource(path), options);
}

/**
 * Checks DSL sources (or carries the diagnostics of files that could not be read): every
 * syntax, name, type, catalog and flow problem, sorted. Never throws for bad input.
 *
 * @example
 * const diagnostics = checkDslSources([readSource('a.alice'), readSource('b.alice')], { catalog });
 */
export function checkDslSources(results: readonly ReadResult[], options: DslCompileOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of results) {
    if (!r.ok) out.push(r.diagnostic);
    else out.push(...analyse(r.path, r.text, options.catalog).sink.diagnostics);
  }
  return sortDiagnostics(out);
}

/** Checks .alice files by path. */
export function checkDslFiles(paths: readonly string[], options: DslCompileOptions): Diagnostic[] {
  return checkDslSources(paths.map(readSource), options);
}
