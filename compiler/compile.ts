import { basename, extname } from 'node:path';
import { validateBundle, type Bundle, type Manifest } from '../runtime/index.js';
import type { CatalogEntry } from './catalog.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { recordActionArguments } from './emit/arguments.js';
import { abiTransformer } from './emit/transform.js';
import { rules as allRules } from './rules/index.js';
import { readSource, type ReadResult } from './sources.js';
import { checkSourceFile, fromTs } from './ts/check.js';
import { aliceDeclarations } from './ts/declarations.js';
import { FileFacts } from './ts/facts.js';
import { workflowInput } from './ts/input.js';
import { readMetadata } from './ts/metadata.js';
import { createWorkflowProgram, programPath } from './ts/program.js';
import { defaultExportOf } from './ts/workflow.js';
import { tsCompilerVersion } from './version.js';

export interface CompileOptions {
  catalog: readonly CatalogEntry[];
}

/** A bundle, or why there is none: code that fails the checker is never compiled. */
export interface CompileResult {
  bundle: Bundle | null;
  diagnostics: Diagnostic[];
}

/**
 * Compiles one restricted-TypeScript workflow to a bundle (DESIGN §10): checks it (types and
 * every rule), and only when no error is found emits the script, its source map and the
 * manifest (actions used, literal arguments, input schema from the input type, code hash).
 * The same source and compiler version always give the same bundle.
 *
 * @example
 * const { bundle, diagnostics } = compileFile('flows/order.ts', { catalog });
 * if (bundle) engine.deploy(bundle);
 */
export function compileFile(path: string, options: CompileOptions): CompileResult {
  return compileSource(readSource(path), options);
}

export function compileSource(source: ReadResult, options: CompileOptions): CompileResult {
  if (!source.ok) return { bundle: null, diagnostics: [source.diagnostic] };
  const program = createWorkflowProgram([{ path: source.path, text: source.text }], aliceDeclarations(options.catalog));
  const sf = program.getSourceFile(programPath(source.path));
  if (sf === undefined) throw new Error(`internal: ${source.path} is missing from its own program`);
  const diagnostics = checkSourceFile(program, sf, source.path, allRules);
  const checker = program.getTypeChecker();
  const main = defaultExportOf(sf, checker);
  const { param, schema: inputSchema, diagnostics: inputProblems } = workflowInput(checker, sf, source.path);
  diagnostics.push(...inputProblems);
  if (hasErrors(diagnostics) || main.kind !== 'function') return { bundle: null, diagnostics: sortDiagnostics(diagnostics) };

  const fileBase = basename(source.path);
  const outputs = new Map<string, string>();
  const emitted = program.emit(sf, (name, text) => outputs.set(extname(name) === '.map' ? 'map' : 'js', text), undefined, false, { before: [abiTransformer(checker, sf)] });
  for (const d of emitted.diagnostics) diagnostics.push(fromTs(d, sf, source.path));
  const js = outputs.get('js');
  if (js === undefined || hasErrors(diagnostics)) return { bundle: null, diagnostics: sortDiagnostics(diagnostics) };
  const script = js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const sourceMap = normalizeMap(outputs.get('map'), fileBase);

  const facts = new FileFacts(program, checker, sf);
  const args = recordActionArguments(facts, param);
  const { metadata } = readMetadata(sf);
  const manifest: Omit<Manifest, 'codeHash'> & { arguments: typeof args } = {
    name: metadata.name ?? defaultName(fileBase),
    kind: metadata.kind ?? 'user',
    language: 'ts',
    actions: Object.keys(args).sort(),
    triggers: metadata.triggers ?? [{ type: 'manual' }],
    inputSchema,
    compilerVersion: tsCompilerVersion(),
    ...(metadata.description !== undefined ? { description: metadata.description } : {}),
    ...(metadata.hosts !== undefined ? { hosts: metadata.hosts } : {}),
    arguments: args,
  };
  return { bundle: validateBundle({ script, manifest, sourceMap }), diagnostics: sortDiagnostics(diagnostics) };
}

/** The workflow name a file gets without metadata: its base name, made a valid name. */
function defaultName(fileBase: string): string {
  const stem = fileBase.replace(/\.ts$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (stem === '' ? 'workflow' : stem).slice(0, 128);
}

/** The map names the source by its base name only, so a bundle does not depend on where it was built. */
function normalizeMap(text: string | undefined, source: string): string | null {
  if (text === undefined) return null;
  const map = JSON.parse(text) as { sources?: string[]; file?: string; sourceRoot?: string };
  map.sources = [source];
  map.file = 'workflow.js';
  delete map.sourceRoot;
  return JSON.stringify(map);
}
