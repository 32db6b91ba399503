/**
 * `npm run bench`: figures for the README. A benchmark, not a test: nothing here fails on a number.
 * Runs the benchmarks in order, prints the report, and writes bench/results/latest.json (git-ignored):
 *
 * A. bundles.ts: every catalogue function bundled as the CDK stack bundles it, its size and cold import.
 * B. approvals.ts: approved requests on the local stack, per step and per request, and submit → first email.
 * C. offboarding.ts: separation offboarding of 10 and 50 accounts on the same stack; how each figure
 *    grows in accounts is offboarding-growth.ts.
 * D. restart.ts: a restart with 100 requests stored but never started, in a process of its own.
 * E. pages.ts: the everyday pages (My work, the registry, a search, a filter, an account) at 50 and
 *    at 2,000 accounts, in a process of its own. `BENCH_ONLY=pages npm run bench` runs E alone and
 *    writes bench/results/pages.json instead (latest.json is left as it was).
 * F. review.ts: the annual review, City-wide, of 100 accounts in 5 departments and of 500 in 25, each
 *    size on fresh tables in processes of its own (run and summed up by review-summary.ts); then every
 *    director's "keep all" until it completes.
 *    `BENCH_ONLY=review npm run bench` runs F alone and writes bench/results/review.json instead.
 *
 * G. workflows.ts: one approved request of every approval workflow, each on its own state machine,
 *    beside the new-account figures; a departmental policy at two text sizes. `BENCH_ONLY=workflows
 *    npm run bench` runs G alone and writes bench/results/workflows.json instead.
 *
 * H. directory-import.ts: the directory import (npm run directory -- import) of 5,000 people, 60
 *    departments and the City-wide roles into an empty local stack, then the same files again (a
 *    stack of its own). `BENCH_ONLY=directory npm run bench` runs H alone and writes
 *    bench/results/directory.json instead.
 *
 * I. credentials.ts: DTI's credentials list (GET /credentials, O.c) at 50, 200 and 800 active
 *    accounts, metered (a stack of its own). `BENCH_ONLY=credentials npm run bench` runs I alone
 *    and writes bench/results/credentials.json instead.
 *
 * Store calls are named after the store methods that make them (store-calls.ts); report.ts prints
 * (report-review.ts prints F).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as esbuildVersion } from 'esbuild';
import { functions } from '#catalogue';
import { benchDirectoryImport, reportDirectoryImport } from './directory-import.ts';
import { benchCredentialsList, reportCredentialsList } from './credentials.ts';
import { benchApprovals, LATENCY_REQUESTS, LATENCY_WARMUP, METERED_RUNS } from './approvals.ts';
import { benchBundles, IMPORT_RUNS } from './bundles.ts';
import { benchOffboarding } from './offboarding.ts';
import { PAGES_REQUESTS, PAGES_SIZES, PAGES_WARMUP } from './pages.ts';
import { benchPages } from './pages-summary.ts';
import { offboardingGrowth } from './offboarding-growth.ts';
import { reportApprovals, reportBundles, reportOffboarding, reportPages, reportRestart } from './report.ts';
import { reportReview } from './report-review.ts';
import { benchRestart } from './restart.ts';
import { benchReview, REVIEW_PROCESSES, REVIEW_PROCESSES_ALONE, REVIEW_SIZES } from './review-summary.ts';
import { openStackSession } from './stack-session.ts';
import { reportWorkflows } from './report-workflows.ts';
import { benchWorkflows } from './workflows.ts';
import { round } from './stats.ts';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`The benchmark measures Node 24 (the Lambda runtime); this is ${process.versions.node}. Run it with \`npm run bench\`.`);
  process.exit(1);
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const loadAtStart = loadavg();
// The environment as it was given, for D's process: the local stack below rewrites this one's.
const givenEnv = { ...process.env };
// A stuck stack must not hang CI: exiting runs startDynamo's exit hook, which kills DynamoDB Local.
// A whole run took about 4.5 minutes on this 2-core machine with other test runs loading it, D about one of them; with E and
// F (two processes per size) 565 s under a load of 5 (A 220 s of it), so F runs one process per size here (about 45 s).
setTimeout(() => {
  console.error('bench: still running after 10 minutes; giving up.');
  process.exit(1);
}, 600_000).unref();

/** Seconds each section took: where the run's time goes (printed at the end, in latest.json). */
const sectionSeconds: Record<string, number> = {};
async function section<T>(name: string, work: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await work();
  } finally {
    sectionSeconds[name] = round((Date.now() - t) / 1000, 1);
  }
}

console.log(
  `Benchmark: Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), ${platform()} ${arch()}, load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}`,
);

/** E, as the full run and BENCH_ONLY=pages run it. */
async function pages() {
  console.log(
    `\nE. The everyday pages at ${PAGES_SIZES.join(' and then ')} accounts (a fresh stack, DynamoDB Local in memory, in a process of its own); ${PAGES_REQUESTS} requests of each page (+${PAGES_WARMUP} warm-up)…`,
  );
  const result = await section('E. pages', () => benchPages(repoRoot, givenEnv));
  reportPages(result);
  return result;
}
/** F, as the full run and BENCH_ONLY=review run it. */
async function review(processes: number) {
  console.log(
    `\nF. The annual review, City-wide: ${REVIEW_SIZES.map((s) => `${s.accounts} accounts in ${s.departments} departments`).join(', then ')} (each size on fresh tables, ${processes === 1 ? 'a process' : `${processes} processes`} of its own, DynamoDB Local in memory); in each a metered review of this year, then a timed one of next year, each to every director's "keep all" and completion…`,
  );
  const result = await section('F. review', () => benchReview(repoRoot, givenEnv, processes));
  reportReview(result);
  return result;
}
/** G, on a stack of its own. */
async function workflows() {
  console.log('\nG. One approved request of every approval workflow, each on its own state machine (a stack of its own)…');
  const result = await section('G. workflows', async () => {
    const session = await openStackSession();
    try {
      return await benchWorkflows(session);
    } finally {
      await session.close();
    }
  });
  reportWorkflows(result);
  return result;
}
/** H, on a stack of its own. */
async function directory() {
  console.log(
    '\nH. The directory import: 5,000 people, 60 departments and the City-wide roles into an empty local stack, then the same files again (a stack of its own)…',
  );
  const result = await section('H. directory import', async () => {
    const session = await openStackSession();
    try {
      return await benchDirectoryImport(session);
    } finally {
      await session.close();
    }
  });
  reportDirectoryImport(result);
  return result;
}
async function credentials() {
  console.log('\nI. DTI\u2019s credentials list (O.c) at 50, 200 and 800 active accounts (a stack of its own)…');
  const result = await section('I. credentials list', async () => {
    const session = await openStackSession();
    try {
      return await benchCredentialsList(session);
    } finally {
      await session.close();
    }
  });
  reportCredentialsList(result);
  return result;
}
/** BENCH_ONLY=pages, =review, =workflows, =directory or =credentials: that section alone, written to its own file (latest.json is left as it was). */
const only = process.env.BENCH_ONLY;
if (only === 'pages' || only === 'review' || only === 'workflows' || only === 'directory' || only === 'credentials') {
  const result =
    only === 'pages'
      ? await pages()
      : only === 'review'
        ? await review(REVIEW_PROCESSES_ALONE)
        : only === 'workflows'
          ? await workflows()
          : only === 'directory'
            ? await directory()
            : await credentials();
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repoRoot, 'bench', 'results', `${only}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverageAtStart: loadAtStart.map((x) => round(x, 2)), [only]: result, sectionSeconds }, null, 2)}\n`,
  );
  console.log(`\nWrote bench/results/${only}.json (${round((Date.now() - started) / 1000, 1)} s).`);
  process.exit(0);
}

console.log(`A. Bundling ${Object.keys(functions).length} functions as the CDK stack does, then ${IMPORT_RUNS} cold imports of each…`);
const bundles = await section('A. bundles', () => benchBundles(repoRoot));
reportBundles(bundles);

console.log(`\nB. Starting the local stack; ${METERED_RUNS} metered approved requests, then ${LATENCY_REQUESTS} submits (+${LATENCY_WARMUP} warm-up)…`);
const local = await section('B+C. approval chain and offboarding', async () => {
  const session = await openStackSession();
  try {
    const { approval, latency } = await benchApprovals(session);
    const offboarding = await benchOffboarding(session);
    return {
      stack: {
        dynamo: 'DynamoDB Local (its own, data on disk in a temp dir), SES emulator, local Step Functions host: all started by startLocalStack',
        startMs: Math.round(session.startMs),
      },
      capacityReporting: session.capacityReporting,
      approval,
      latency,
      offboarding,
    };
  } finally {
    await session.close();
  }
});
reportApprovals(local, local.capacityReporting);
const growth = offboardingGrowth(local.offboarding);
reportOffboarding(local.offboarding, growth);

console.log('\nD. A restart with 100 requests stored by the submit handler but never started (a fresh stack per run, in a process of its own)…');
const restart = await section('D. restart', () => benchRestart(repoRoot, givenEnv));
reportRestart(restart);

const pagesResults = await pages();

const reviewResults = await review(REVIEW_PROCESSES);

const workflowResults = await workflows();

const directoryResults = await directory();

const credentialsResults = await credentials();

const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' });
const results = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    release: release(),
    arch: arch(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    // Other work on the machine skews the timings (not the sizes, transitions or capacity).
    loadAverageAtStart: loadAtStart.map((x) => round(x, 2)),
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    esbuild: esbuildVersion,
  },
  commit: git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}` : undefined,
  durationSeconds: round((Date.now() - started) / 1000, 1),
  bundles,
  ...local,
  offboarding: { ...local.offboarding, growth: growth.growth, notes: growth.notes },
  restart,
  pages: pagesResults,
  review: reviewResults,
  workflows: workflowResults,
  directory: directoryResults,
  credentials: credentialsResults,
  sectionSeconds,
};
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `\nWrote bench/results/latest.json (${results.durationSeconds} s: ${Object.entries(sectionSeconds)
    .map(([name, sec]) => `${name} ${sec} s`)
    .join(', ')}).`,
);
process.exit(0);
