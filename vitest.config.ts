import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests by tier; each tier is a vitest project so `npm test` runs them all and
// `npx vitest run --project unit` runs one.
export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    // At least two files at once. On a 2-core machine vitest's default (the cores less one) runs the
    // files one after another, though most of their time is spent waiting on DynamoDB Local, the
    // SES emulator, a browser or a killed stack's restart: the whole suite took 9.5 minutes that way
    // and 4.6 with two.
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
