import { defineConfig } from 'vitest/config';

// Tests by tier; each tier is a vitest project so `npm test` runs them all and
// `npx vitest run --project unit` runs one.
export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      {
        extends: true,
        test: {
          name: 'statemachines',
          include: ['test/statemachines/**/*.test.ts', 'test/http/**/*.test.ts'],
          globalSetup: ['test/support/local-services.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Each test starts and kills a whole local stack (DynamoDB Local included) twice: one file, in sequence.
        test: { name: 'crash', include: ['test/crash/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/local-services.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
