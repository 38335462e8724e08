import { defineConfig } from 'vitest/config';

// Integration tests start real engines, runc containers and registries: give them room, run files in
// parallel only as far as two cores allow, and never retry a failure away.
export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    retry: 0,
    // Property tests run from a fixed seed (FD_FUZZ_SEED=random explores): see engine/testing/fuzz-seed.ts.
    setupFiles: ['engine/testing/fuzz-seed.ts'],
    reporters: ['default'],
  },
});
