import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `bench/<script> <out> ...args` in a process of its own (a process hosts one local stack),
 * with DynamoDB Local in memory whatever the rest of the bench uses, and reads back the JSON the
 * child wrote to <out>. Sections E (pages) and F (annual review) run this way.
 */
export async function runBenchChild<T>(repoRoot: string, env: NodeJS.ProcessEnv, script: string, args: readonly string[] = []): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'smg-bench-child-'));
  const out = join(dir, 'result.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', script), out, ...args], {
      cwd: repoRoot,
      env: { ...env, BENCH_DYNAMO: 'memory' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench/${script} exited with ${code}`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
