import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    // Generous: several integration tests spawn real CLI processes, servers and a Stripe
    // simulator; on a loaded 2-core machine they take minutes. Speed lives in `npm run bench`.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
