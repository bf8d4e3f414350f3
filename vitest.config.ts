import { defineConfig } from 'vitest/config';

// isolated-vm crashes under Node's startup snapshot, so every test process runs without it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
