import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // The suites run the TypeScript sources: `torchbridge` is the repository's runtime, not the package's dist/ build
  // (tsconfig.json's `paths` do the same for tsc and tsx).
  resolve: {
    alias: [
      { find: /^torchbridge$/, replacement: src('./runtime/index.ts') },
      { find: /^torchbridge\/tools$/, replacement: src('./cli/tools.ts') },
    ],
  },
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
