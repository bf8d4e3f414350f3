import ts from 'typescript';

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

/** A TypeScript program over in-memory files (library files from the installed typescript). */
export function inMemoryProgram(files: Readonly<Record<string, string>>): ts.Program {
  const host = ts.createCompilerHost(compilerOptions, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError) => {
    const text = files[name];
    return text === undefined ? getSourceFile(name, languageVersion, onError) : ts.createSourceFile(name, text, languageVersion, true);
  };
  host.fileExists = (name) => name in files || fileExists(name);
  host.readFile = (name) => files[name] ?? readFile(name);
  return ts.createProgram(Object.keys(files), compilerOptions, host);
}
