import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from './typescript.cjs';
import { declarationsFileName } from './declarations.js';

/**
 * The compiler options every workflow is checked and emitted with. `types: []` and a lib of
 * plain ES2022 keep Node's and the DOM's declarations out: a workflow has no host APIs, and not
 * loading them is most of what makes `alice check` fast.
 */
export const workflowCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Every workflow is a module; without this TypeScript reads package.json files to decide.
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts'],
  // Otherwise TypeScript looks for @typescript/lib-* packages on disk for every lib file.
  libReplacement: false,
  types: [],
  strict: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  skipLibCheck: true,
  skipDefaultLibCheck: true,
  isolatedModules: true,
  verbatimModuleSyntax: false,
  sourceMap: true,
  inlineSources: true,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
  noEmitOnError: false,
  allowJs: false,
  declaration: false,
};

/** A workflow source the caller has already read and decoded. */
export interface SourceText {
  /** The path as the user gave it. */
  path: string;
  text: string;
}

/**
 * Builds one `Program` over the given sources plus the generated `"alice"` declarations.
 * Sources come from memory (the caller read and validated them); only lib files are read from
 * disk. Module resolution is switched off: the only module a workflow may import is the
 * ambient `"alice"`, and any other import is a diagnostic, never a file lookup.
 *
 * `purpose: 'check'` (alice check: diagnostics only) parses workflows as `tsc` does: JSDoc only
 * where it can make a type error (the input's property descriptions are for the manifest,
 * which only `compile` writes), and no parent pointers until the binder sets them (every rule
 * runs after the type check has bound the program). `compile` keeps both.
 */
export function createWorkflowProgram(sources: readonly SourceText[], declarations: string, purpose: 'check' | 'compile' = 'compile'): ts.Program {
  const workflowJsDoc = purpose === 'check' ? ts.JSDocParsingMode.ParseForTypeErrors : ts.JSDocParsingMode.ParseAll;
  const setParents = purpose === 'compile';
  const tooDeep = new Set<string>();
  const byName = new Map<string, string>();
  for (const s of sources) byName.set(programPath(s.path), s.text);
  byName.set(declarationsFileName, declarations);
  const defaultHost = ts.createCompilerHost(workflowCompilerOptions, true);
  const host: ts.CompilerHost = {
    ...defaultHost,
    getSourceFile(fileName, languageVersionOrOptions) {
      const languageVersion = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions.languageVersion : languageVersionOrOptions;
      const name = normalize(fileName);
      const text = byName.get(name);
      // JSDoc is parsed only in workflows (input property descriptions); in the lib files and
      // the generated declarations it is for editors, and skipping it makes parsing faster.
      if (text !== undefined) {
        const jsDocParsingMode = name === declarationsFileName ? ts.JSDocParsingMode.ParseNone : workflowJsDoc;
        try {
          return ts.createSourceFile(name, text, { languageVersion, jsDocParsingMode }, setParents, ts.ScriptKind.TS);
        } catch (err) {
          // TypeScript's parser recurses once per level of nesting: a thousand nested parentheses
          // exhaust the stack. That file stands in empty; the others are checked as usual.
          if (!isStackOverflow(err)) throw err;
          tooDeep.add(name);
          return ts.createSourceFile(name, '', { languageVersion, jsDocParsingMode }, setParents, ts.ScriptKind.TS);
        }
      }
      const libText = readLib(fileName);
      if (libText === undefined) return undefined;
      const sf = ts.createSourceFile(name, libText, { languageVersion, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, ts.ScriptKind.TS);
      return sf;
    },
    fileExists: (fileName) => byName.has(normalize(fileName)) || ts.sys.fileExists(fileName),
    readFile: (fileName) => byName.get(normalize(fileName)) ?? ts.sys.readFile(fileName),
    writeFile: () => undefined,
    resolveModuleNameLiterals: (literals) => literals.map(() => ({ resolvedModule: undefined })),
    resolveTypeReferenceDirectiveReferences: (refs) => refs.map(() => ({ resolvedTypeReferenceDirective: undefined })),
    getCurrentDirectory: () => process.cwd(),
  };
  const program = ts.createProgram({ rootNames: [...byName.keys()], options: workflowCompilerOptions, host });
  if (tooDeep.size > 0) unparsable.set(program, tooDeep);
  return program;
}

const unparsable = new WeakMap<ts.Program, ReadonlySet<string>>();

/** Whether a source of the program was nested too deeply for TypeScript's parser (it stands in empty). */
export function tooDeepToParse(program: ts.Program, sf: ts.SourceFile): boolean {
  return unparsable.get(program)?.has(sf.fileName) === true;
}

/** V8's RangeError for an exhausted stack. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/** A lib file's text; they are ASCII, read as Latin-1 without UTF-8 decoding. */
function readLib(fileName: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(fileName);
  } catch {
    return undefined;
  }
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** The name a source has inside the program: absolute, with forward slashes. */
export function programPath(path: string): string {
  return normalize(resolve(path));
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/');
}
