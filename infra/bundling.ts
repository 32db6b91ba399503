import type { BuildOptions } from 'esbuild';

/*
 * How every Lambda function is bundled, in one place: the CDK stack (NodejsFunction's `bundling`)
 * and the benchmark (which measures the bundles' size and cold import) both read it, so what is
 * measured is what is deployed.
 */

/** The runtime every function targets: Node.js 24 on Lambda. */
export const nodeTarget = 'node24';

/**
 * ESM needs `require` for the few CommonJS dependencies esbuild inlines; this gives them one.
 * The AWS SDK v3 is bundled too (no external modules), so the deployed client versions are the
 * lock file's, not whatever the Lambda runtime happens to carry.
 */
const requireShim = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The settings as NodejsFunction's `bundling` takes them (its own names for esbuild's options). */
export const lambdaBundling = {
  minify: true,
  sourceMap: true,
  format: 'esm',
  target: nodeTarget,
  mainFields: ['module', 'main'],
  externalModules: [] as string[],
  banner: requireShim,
} as const;

/** The same settings as esbuild's own options, for a caller that runs esbuild itself (the bench). */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: lambdaBundling.format,
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourceMap,
  mainFields: [...lambdaBundling.mainFields],
  external: [...lambdaBundling.externalModules],
  banner: { js: lambdaBundling.banner },
} satisfies BuildOptions;
