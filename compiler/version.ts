import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

let cached: string | undefined;

/** Alice's package version (the same from compiler/ and from dist/compiler/). */
export function aliceVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'alice') return (cached = pkg.version ?? '0.0.0');
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
}

/**
 * The manifest's `compilerVersion` for TypeScript workflows: Alice's version and the TypeScript
 * that emitted the script, since both decide the bytes (and so the code hash).
 */
export function tsCompilerVersion(): string {
  return `alice-ts/${aliceVersion()} typescript/${typescriptVersion()}`;
}

let tsVersion: string | undefined;

/** The installed TypeScript's version, read from its package.json so TypeScript need not load. */
function typescriptVersion(): string {
  if (tsVersion !== undefined) return tsVersion;
  const file = createRequire(import.meta.url).resolve('typescript/package.json');
  return (tsVersion = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version);
}
