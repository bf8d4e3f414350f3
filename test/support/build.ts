/**
 * Tests that run the engine in child processes import the built `dist/`: they must refuse a
 * missing or stale build rather than test yesterday's engine.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const distEntry = join(root, 'dist/runtime/index.js');

/** Throws, naming the stale sources, unless dist/ is built from the current runtime/ (CLI aside). */
export function assertFreshBuild(who: string): void {
  if (!existsSync(distEntry)) {
    throw new Error(`${relative(root, distEntry)} is missing: ${who} runs the built engine. Run \`npm run build\` (npm test does it in pretest).`);
  }
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      // The children never load the CLI; edits there need not force a rebuild.
      if (entry.isDirectory()) {
        if (relative(root, path) !== join('runtime', 'cli')) walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(root, path));
      }
    }
  };
  walk(join(root, 'runtime'));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\` so ${who} tests the current engine.`);
}
