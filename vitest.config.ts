import { defineConfig } from 'vitest/config';

// isolated-vm crashes under Node's startup snapshot, so every test process runs without it.
export default defineConfig({
  resolve: {
    // compiler/ts/typescript.cts loads TypeScript fast for the CLI (see the file); Vite cannot
    // transform a .cts file, so in-process tests import the package itself.
    alias: [{ find: /^(?:\.\.?\/)+(?:ts\/)?typescript\.cjs$/, replacement: 'typescript' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
