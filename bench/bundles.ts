/**
 * A. Every catalogue function bundled exactly as the CDK stack bundles it (infra/bundling.ts, the
 * options the stack's NodejsFunction takes, source map included as deployed), its minified and gzip
 * size, and the cold import time of the bundle in fresh Node processes next to an empty handler
 * bundled the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type FunctionKey, functions } from '#catalogue';
import { esbuildOptions } from '../infra/bundling.ts';
import { median, percentile, round } from './stats.ts';

export const IMPORT_RUNS = 15;

export interface BundleResult {
  key: string;
  entry: string;
  /** The bundle as deployed: minified code and its sourceMappingURL comment (the .map beside it is not counted). */
  bytes: number;
  gzipBytes: number;
  /** Largest contributors to the minified output, by package (scoped packages grouped by scope). */
  largestInputs: { name: string; bytes: number }[];
  importMs: { median: number; p90: number; min: number; max: number; samples: number[] };
  medianOverBaselineMs?: number;
}

function groupOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [first, second] = input.slice(at + 'node_modules/'.length).split('/');
    return first?.startsWith('@') && second !== undefined ? `${first}/*` : (first ?? input);
  }
  return input.startsWith('functions/') ? 'app (functions/)' : 'entry';
}

async function bundleOne(repoRoot: string, key: string, entry: string, outDir: string): Promise<Omit<BundleResult, 'importMs'> & { file: string }> {
  const file = join(outDir, `${key}.mjs`);
  const result = await build({ ...esbuildOptions, metafile: true, logLevel: 'warning', entryPoints: [entry], outfile: file, absWorkingDir: repoRoot });
  const code = readFileSync(file);
  // The source map is an output too: the code is the one with an entry point.
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const groups = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) groups.set(groupOf(input), (groups.get(groupOf(input)) ?? 0) + bytesInOutput);
  const largestInputs = [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, bytes]) => ({ name, bytes }));
  return { key, entry, file, bytes: code.length, gzipBytes: gzipSync(code).length, largestInputs };
}

/** Runs in a fresh node: times the import of the bundle only (node start-up is not counted). */
const importProbe = [
  'const t0 = performance.now();',
  'const m = await import(process.argv[1]);',
  'const ms = performance.now() - t0;',
  'process.stdout.write(JSON.stringify({ ms, node: process.version, handler: typeof m.handler }));',
].join(' ');

/** Harmless placeholders: the functions read their environment lazily, so importing needs none. */
const importEnv = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'social-media-governance',
  TABLE_NAME: 'bench-placeholder',
  PUBLIC_BASE_URL: 'https://example.invalid',
  MAIL_FROM: 'noreply@example.invalid',
  DTI_EMAIL: 'dti@example.invalid',
  STATE_MACHINE_ARN_NEW_ACCOUNT_APPROVAL: 'arn:aws:states:us-east-1:000000000000:stateMachine:newAccountApproval',
};

function importOnce(file: string): { ms: number; node: string; handler: string } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', importProbe, pathToFileURL(file).href], { env: importEnv, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout) as { ms: number; node: string; handler: string };
}

export async function benchBundles(repoRoot: string) {
  const outDir = mkdtempSync(join(tmpdir(), 'smg-bench-bundles-'));
  try {
    const emptyEntry = join(outDir, 'empty-handler.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
    const built = [
      ...(await Promise.all(
        (Object.entries(functions) as [FunctionKey, { entry: string }][]).map(([key, spec]) => bundleOne(repoRoot, key, spec.entry, outDir)),
      )),
      await bundleOne(repoRoot, '(empty handler)', emptyEntry, outDir),
    ];
    const samples = new Map<string, number[]>(built.map((b) => [b.key, []]));
    let childNode = '';
    // One discarded round first (file cache), then round-robin so drift hits every bundle alike.
    for (let pass = -1; pass < IMPORT_RUNS; pass += 1) {
      for (const b of built) {
        const r = importOnce(b.file);
        if (r.handler !== 'function') throw new Error(`${b.key}: the bundle exports no handler function`);
        childNode = r.node;
        if (pass >= 0) samples.get(b.key)?.push(r.ms);
      }
    }
    const results: BundleResult[] = built.map(({ file: _file, ...b }) => {
      const s = samples.get(b.key) ?? [];
      return {
        ...b,
        importMs: {
          median: round(median(s), 2),
          p90: round(percentile(s, 90), 2),
          min: round(Math.min(...s), 2),
          max: round(Math.max(...s), 2),
          samples: s.map((x) => round(x, 2)),
        },
      };
    });
    const baseline = { ...(results.pop() as BundleResult), entry: '(generated in a temp dir) export const handler = async () => ({})' };
    for (const r of results) r.medianOverBaselineMs = round(r.importMs.median - baseline.importMs.median, 2);
    return { importRuns: IMPORT_RUNS, options: esbuildOptions, functions: results, baseline, childNode };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export type BundleResults = Awaited<ReturnType<typeof benchBundles>>;
