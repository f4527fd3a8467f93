import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the program-level diffs take ~20 s alone but passed 120 s when the machine ran three jobs at once
    // (a CI run beside two test runs); a slow machine should not fail the suite, a hung test still does.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: two workers; each suite is single-threaded numeric work.
    maxWorkers: 2,
  },
});
