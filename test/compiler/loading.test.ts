import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/build.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('how the compiler loads TypeScript', () => {
  it('imports typescript only through compiler/ts/typescript.cts (an ESM import of it costs ≈ 0.7 s per start)', () => {
    const offenders = sources(join(root, 'compiler')).filter((file) => /\bfrom\s+['"]typescript['"]/.test(readFileSync(file, 'utf8')) && !file.endsWith('.d.ts'));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps the runtime free of the compiler: running a bundle never loads TypeScript', () => {
    const offenders = sources(join(root, 'runtime')).filter((file) => {
      const text = readFileSync(file, 'utf8');
      // The CLI reaches the compiler only through dynamic import() in the commands that need it.
      // Type-only imports are erased from the JavaScript, so they load nothing.
      return /^import (?!type )[^(\n]*from\s+['"][./]*compiler\//m.test(text) || /^import (?!type )[^(\n]*from\s+['"]typescript['"]/m.test(text);
    });
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
