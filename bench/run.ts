/**
 * `npm run bench`: figures for the README. A benchmark, not a test: nothing here fails on a number.
 *
 * A. Every catalogue function bundled exactly as the CDK stack bundles it (NodejsFunction's esbuild
 *    options; source map off so the size is the code), its minified and gzip size, and the cold
 *    import time of the bundle in fresh Node processes next to an empty handler bundled the same way.
 * B. Approved requests on the real local stack (submit → Department Director → Communications
 *    Director → outcome): state transitions, DynamoDB capacity and emails, per approval step next to
 *    the issue's floor, with the write units attributed to each store call; then the time from
 *    submit to the first approval email over many requests.
 * C. Separation offboarding on the same stack: one employee holding 10, then 50 accounts (one
 *    co-admin each): the time from the HR event to every rotation email, state transitions, DynamoDB
 *    capacity per account by phase (revoke + rotate, reveal + confirm) and function, and emails, with
 *    whether each grows linearly in accounts.
 * D. A restart with 100 requests stored by the submit handler but never started (bench/restart.ts,
 *    in a process of its own): the time from startLocalStack to its return (it runs the reconciler),
 *    to every execution, to every first approval email, and the reconciler's DynamoDB capacity.
 *
 * Store calls are named after the store methods that make them (bench/store-calls.ts).
 * Prints tables and writes bench/results/latest.json (git-ignored).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';
import { type FunctionKey, functions } from '#catalogue';
import type { LocalStack } from '#local/stack';
import { validForm } from '../test/support/forms.ts';
import type { RestartResults, RestartRun } from './restart.ts';
import { type Capacity, describeOffboardingOp, describeOp, isWriteCommand, type Op, totalsByCall, unitsOf } from './store-calls.ts';

const IMPORT_RUNS = 15;
const METERED_RUNS = 3;
const LATENCY_WARMUP = 3;
const LATENCY_REQUESTS = 50;
const POLL_MS = 5;
/** The issue's floor for one approval step. */
const FLOOR = { transitions: 4, writeUnits: 3 };

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
// A whole run took about 4.5 minutes on this 2-core machine with other test runs loading it, D about one of them.
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

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
function median(xs: number[]): number {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
/** Nearest-rank percentile. */
function percentile(xs: number[], p: number): number {
  const s = sorted(xs);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const fmtInt = (n: number) => n.toLocaleString('en-US');
const fmtKb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const fmtUnits = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function printTable(title: string, headers: string[], rows: (string | number)[][], rightAlign: boolean[] = []) {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (rightAlign[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
  console.log(`\n${title}`);
  console.log(`  ${line(headers)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells) console.log(`  ${line(r)}`);
}

// ---------------------------------------------------------------------------------------------
// A. Bundles: size and cold import

interface BundleResult {
  key: string;
  entry: string;
  bytes: number;
  gzipBytes: number;
  /** Largest contributors to the minified output, by package (scoped packages grouped by scope). */
  largestInputs: { name: string; bytes: number }[];
  importMs: { median: number; p90: number; min: number; max: number; samples: number[] };
  medianOverBaselineMs?: number;
}

/** NodejsFunction's options in infra/aws/governance-stack.ts, with the source map off. */
const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  // externalModules: [] in the stack: the AWS SDK v3 is bundled too.
  external: [],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
} as const;

function groupOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [first, second] = input.slice(at + 'node_modules/'.length).split('/');
    return first?.startsWith('@') && second !== undefined ? `${first}/*` : (first ?? input);
  }
  return input.startsWith('functions/') ? 'app (functions/)' : 'entry';
}

async function bundleOne(key: string, entry: string, outDir: string): Promise<Omit<BundleResult, 'importMs'> & { file: string }> {
  const file = join(outDir, `${key}.mjs`);
  const result = await build({
    ...bundleOptions,
    mainFields: [...bundleOptions.mainFields],
    external: [],
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: repoRoot,
  });
  const code = readFileSync(file);
  const output = Object.values(result.metafile.outputs)[0];
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
  STATE_MACHINE_ARN_APPROVAL_CHAIN: 'arn:aws:states:us-east-1:000000000000:stateMachine:approvalChain',
};

function importOnce(file: string): { ms: number; node: string; handler: string } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', importProbe, pathToFileURL(file).href], { env: importEnv, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout) as { ms: number; node: string; handler: string };
}

async function benchBundles() {
  const outDir = mkdtempSync(join(tmpdir(), 'smg-bench-bundles-'));
  try {
    const emptyEntry = join(outDir, 'empty-handler.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
    const built = [
      ...(await Promise.all((Object.entries(functions) as [FunctionKey, { entry: string }][]).map(([key, spec]) => bundleOne(key, spec.entry, outDir)))),
      await bundleOne('(empty handler)', emptyEntry, outDir),
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
    return { functions: results, baseline, childNode };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// B. One approved request on the local stack, and submit → first approval email

const requester = 'E102';
/** PRD's chain: Department Director, then Communications Director. */
const approvers = ['dbaca@cabq.example', 'emartinez@cabq.example'];

const fnContext = new AsyncLocalStorage<{ fn: string }>();

async function benchLocalStack() {
  // capacityMeter reads this once, at import: set it before the stack loads the functions.
  process.env.METER_DYNAMODB = '1';
  const { startLocalStack } = await import('#local/stack');
  const { ensureGovernanceTable } = await import('#local/table');
  const dataDir = mkdtempSync(join(tmpdir(), 'smg-bench-stack-'));
  const stackStarted = performance.now();
  // Default: the stack starts its own DynamoDB Local with data on disk, as `npm start` does.
  // BENCH_DYNAMO=memory: an in-memory one, as the tests use.
  const inMemory = process.env.BENCH_DYNAMO === 'memory';
  const { startDynamo } = await import('#local/services');
  const memoryDynamo = inMemory ? await startDynamo() : undefined;
  const stack = await startLocalStack({
    dataDir,
    dynamoEndpoint: memoryDynamo?.endpoint,
    tableName: `bench-${randomBytes(6).toString('hex')}`,
    logLevel: 'ERROR',
    aroundInvoke: (key, invoke) => fnContext.run({ fn: key }, invoke),
  });
  const stackStartMs = performance.now() - stackStarted;
  const { capacityMeter, documentClient } = await import('#adapters/dynamo-client');
  const { DeleteTableCommand, PutItemCommand, UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');

  try {
    // --- Does DynamoDB Local count GSI writes in ReturnConsumedCapacity TOTAL? (scratch table, unmetered client)
    const probeTable = `bench-probe-${randomBytes(4).toString('hex')}`;
    await ensureGovernanceTable(stack.client, probeTable);
    const probe: Record<string, unknown> = {};
    for (const mode of ['TOTAL', 'INDEXES'] as const) {
      const Item = { PK: { S: `P#${mode}` }, SK: { S: 'X' }, GSI1PK: { S: 'G1' }, GSI1SK: { S: mode }, GSI2PK: { S: 'G2' }, GSI2SK: { S: mode } };
      const put = await stack.client.send(new PutItemCommand({ TableName: probeTable, Item, ReturnConsumedCapacity: mode }));
      const update = await stack.client.send(
        new UpdateItemCommand({
          TableName: probeTable,
          Key: { PK: Item.PK, SK: Item.SK },
          UpdateExpression: 'SET note = :n',
          ExpressionAttributeValues: { ':n': { S: 'non-key attribute' } },
          ReturnConsumedCapacity: mode,
        }),
      );
      probe[mode] = { putWithBothIndexKeys: put.ConsumedCapacity, updateNonKeyAttribute: update.ConsumedCapacity };
    }
    await stack.client.send(new DeleteTableCommand({ TableName: probeTable }));
    const totalPut = (probe.TOTAL as { putWithBothIndexKeys?: Capacity }).putWithBothIndexKeys?.CapacityUnits ?? 0;
    const capacityReporting = {
      totalIncludesGsiWrites: totalPut > 1,
      note: 'A 1-item put carrying both GSI keys (projection ALL), and an update of a non-key attribute of it, on a scratch table with the governance key design.',
      ...probe,
    };

    // --- Attribution: which function made each DynamoDB call. Step Functions tasks run through the
    // local host's invoke (wrapped here); anything else is the HTTP route the phase is calling.
    // Every function runs through the stack's aroundInvoke hook (above), which tags its DynamoDB calls.
    const attributionHook = true;
    const ops: Op[] = [];
    let recording = false;
    let phase = '';
    let httpFn = '';
    let phaseOps = 0;
    let describeCall = describeOp;
    // After the app's capacityMeter (which asks for TOTAL): ask for INDEXES instead, so each call
    // also says how much was the table and how much each GSI. Totals are the same either way.
    documentClient.middlewareStack.addRelativeTo(
      ((next: (args: unknown) => Promise<{ output: { ConsumedCapacity?: Capacity | Capacity[] } }>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          if (!recording) return next(args);
          const op = describeCall(context.commandName ?? '', args.input);
          args.input.ReturnConsumedCapacity = 'INDEXES';
          const inHandlerFn = fnContext.getStore()?.fn;
          const first = phaseOps === 0;
          phaseOps += 1;
          const result = await next(args);
          const isWrite = isWriteCommand(context.commandName ?? '');
          const consumed = result.output.ConsumedCapacity;
          for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            const { total, table, gsi } = unitsOf(c);
            // The local host's development sign-in (the Cognito-verifying Lambda authorizer in AWS) looks the person up before the handler runs.
            const fn = inHandlerFn ?? (first && phase === 'submit' && op.startsWith('person') ? 'local dev sign-in' : httpFn);
            ops.push({ phase, fn, op, read: isWrite ? 0 : total, write: isWrite ? total : 0, table, gsi });
          }
          return result;
        }) as never,
      { name: 'benchCapacityRecorder', relation: 'after', toMiddleware: 'capacityMeter' },
    );

    const store = async () =>
      ((await (await fetch(`${stack.mailboxUrl}/store`)).json()) as { emails: { destination: { to: string[] }; body: { text?: string } }[] }).emails;
    const clearStore = async () => {
      await fetch(`${stack.mailboxUrl}/clear-store`, { method: 'POST' });
    };
    const submit = () =>
      fetch(`${stack.baseUrl}/requests`, {
        method: 'POST',
        headers: { cookie: `dev_user=${requester}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ ...validForm, proposedHandle: `@bench${randomBytes(5).toString('hex')}`, submissionId: randomBytes(9).toString('base64url') }),
      });
    const requestIdOf = async (res: Response) => {
      const body = (await res.json()) as { requestId?: string };
      if (res.status !== 201 || !body.requestId) throw new Error(`submit failed: ${res.status} ${JSON.stringify(body)}`);
      return body.requestId;
    };
    /** The approval link emailed to `to` (the step's task has sent it and parked its token). */
    const linkFor = async (requestId: string, to: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (stack.sfn.waitingOn(requestId).length > 0) {
          const email = (await store()).find((e) => e.destination.to.includes(to) && (e.body.text ?? '').includes('/approvals/'));
          const match = email && /\/approvals\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+)/.exec(email.body.text ?? '');
          if (match?.[1] && match[2]) return { approvalId: match[1], secret: match[2] };
        }
        if (Date.now() > deadline) throw new Error(`no approval email to ${to} for ${requestId}`);
        await sleep(2);
      }
    };
    const approve = async (link: { approvalId: string; secret: string }) => {
      const res = await fetch(`${stack.baseUrl}/approvals/${link.approvalId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ s: link.secret, outcome: 'APPROVED' }).toString(),
      });
      if (res.status !== 200) throw new Error(`decision failed: ${res.status} ${await res.text()}`);
    };
    const meter = () => ({ read: capacityMeter.read, write: capacityMeter.write });

    // --- Fully approved requests, metered phase by phase. Each phase starts with nothing running.
    const runs = [];
    for (let run = 0; run < METERED_RUNS; run += 1) {
      await clearStore();
      capacityMeter.reset();
      ops.length = 0;
      recording = true;
      const phases: { phase: string; read: number; write: number }[] = [];
      const startPhase = (name: string, fn: string) => {
        phase = name;
        httpFn = fn;
        phaseOps = 0;
      };
      const endPhase = (before: { read: number; write: number }) => {
        const now = meter();
        phases.push({ phase, read: now.read - before.read, write: now.write - before.write });
      };

      startPhase('submit', 'submitRequest');
      let before = meter();
      const requestId = await requestIdOf(await submit());
      let link = await linkFor(requestId, approvers[0] as string);
      endPhase(before);
      for (let step = 0; step < approvers.length; step += 1) {
        startPhase(`decision ${step + 1}`, 'decideApproval');
        before = meter();
        await approve(link);
        if (step + 1 < approvers.length) link = await linkFor(requestId, approvers[step + 1] as string);
        else {
          const record = await stack.sfn.result(requestId);
          endPhase(before);
          recording = false;
          const emails = await store();
          const status = record?.output ? (JSON.parse(record.output) as { result?: { status?: string } }).result?.status : undefined;
          if (record?.status !== 'SUCCEEDED' || status !== 'APPROVED') throw new Error(`request ${requestId} ended ${record?.status} / ${status}`);
          runs.push({
            requestId,
            transitions: record.transitions,
            read: capacityMeter.read,
            write: capacityMeter.write,
            emails: emails.length,
            phases,
            ops: [...ops],
          });
          break;
        }
        endPhase(before);
      }
    }
    recording = false;

    const last = runs[runs.length - 1] as (typeof runs)[number];
    const stable = runs.every((r) => r.transitions === last.transitions && r.read === last.read && r.write === last.write && r.emails === last.emails);
    const steps = approvers.length;
    const recordedRead = last.ops.reduce((n, o) => n + o.read, 0);
    const recordedWrite = last.ops.reduce((n, o) => n + o.write, 0);

    // Group the calls by function and store method, with the phases each was made in.
    const operations = totalsByCall(last.ops).map(({ sources, ...totals }) => ({ ...totals, phases: [...new Set(sources.map((o) => o.phase))] }));
    const stepFns = new Set(['requestApproval', 'decideApproval']);
    const stepOps = operations.filter((o) => stepFns.has(o.fn));
    const sum = (xs: typeof operations, f: (o: (typeof operations)[number]) => number) => xs.reduce((n, o) => n + f(o), 0);
    const gsiNames = [...new Set(operations.flatMap((o) => Object.keys(o.gsi)))].sort();
    const perStep = {
      transitions: (last.transitions - 1) / steps,
      transitionsNote:
        'The approved path enters AwaitDecision, DecisionOutcome, AdvanceStep and MoreSteps once per step, then RecordOutcome once: (total − 1) / steps.',
      writeUnits: sum(stepOps, (o) => o.write) / steps,
      writeUnitsTable: sum(stepOps, (o) => (o.write ? o.table : 0)) / steps,
      writeUnitsGsi: Object.fromEntries(gsiNames.map((g) => [g, sum(stepOps, (o) => (o.write ? (o.gsi[g] ?? 0) : 0)) / steps])),
      writeCalls: sum(stepOps, (o) => (o.write ? o.calls : 0)) / steps,
      readUnits: sum(stepOps, (o) => o.read) / steps,
      approvalEmails: steps ? 1 : 0,
      wholeRequestDividedBySteps: {
        transitions: last.transitions / steps,
        writeUnits: last.write / steps,
        readUnits: last.read / steps,
        emails: last.emails / steps,
      },
    };

    // --- Submit → first approval email, one request at a time, metering off.
    capacityMeter.enabled = false;
    const submitMs: number[] = [];
    const firstEmailMs: number[] = [];
    for (let i = 0; i < LATENCY_WARMUP + LATENCY_REQUESTS; i += 1) {
      await clearStore();
      const t0 = performance.now();
      // Poll from the start: the email may land before the POST's response does.
      const posted = submit().then(async (res) => {
        const id = await requestIdOf(res);
        return { id, ms: performance.now() - t0 };
      });
      let emailAt: number | undefined;
      const deadline = Date.now() + 15_000;
      while (emailAt === undefined) {
        if ((await store()).some((e) => e.destination.to.includes(approvers[0] as string))) emailAt = performance.now() - t0;
        else if (Date.now() > deadline) throw new Error('no first approval email within 15 s');
        else await sleep(POLL_MS);
      }
      const { ms } = await posted;
      if (i >= LATENCY_WARMUP) {
        submitMs.push(ms);
        firstEmailMs.push(emailAt);
      }
    }
    const stats = (xs: number[]) => ({
      median: round(median(xs), 1),
      p90: round(percentile(xs, 90), 1),
      min: round(Math.min(...xs), 1),
      max: round(Math.max(...xs), 1),
    });
    const latency = {
      requests: LATENCY_REQUESTS,
      warmupExcluded: LATENCY_WARMUP + METERED_RUNS,
      concurrency: 1,
      pollMs: POLL_MS,
      note: `Sequential (one request at a time). GET /store polled every ${POLL_MS} ms from the start of the POST, so each figure is late by up to one poll interval plus one GET round trip. The stack runs in this process; DynamoDB metering off.`,
      submitToFirstApprovalEmailMs: { ...stats(firstEmailMs), samples: firstEmailMs.map((x) => round(x, 1)) },
      submitResponseMs: stats(submitMs),
    };

    // --- C. Offboarding, on this stack (one stack per process), through the same recorder.
    const offboarding = await benchOffboarding(stack, {
      start: (name) => {
        ops.length = 0;
        phase = name;
        httpFn = 'local dev sign-in';
        phaseOps = 0;
        describeCall = describeOffboardingOp;
        recording = true;
      },
      stop: () => {
        recording = false;
        return ops.splice(0);
      },
    });

    return {
      stack: {
        dynamo: 'DynamoDB Local (its own, data on disk in a temp dir), SES emulator, local Step Functions host: all started by startLocalStack',
        startMs: Math.round(stackStartMs),
      },
      capacityReporting,
      approval: {
        steps,
        chain: approvers,
        meteredRuns: METERED_RUNS,
        stableAcrossRuns: stable,
        runs: runs.map(({ ops: _ops, requestId: _id, ...r }) => r),
        transitions: last.transitions,
        readUnits: last.read,
        writeUnits: last.write,
        recorderMatchesMeter: round(recordedRead, 3) === round(last.read, 3) && round(recordedWrite, 3) === round(last.write, 3),
        emails: last.emails,
        phases: last.phases,
        operations,
        attribution: attributionHook ? "by function (the local stack's aroundInvoke hook)" : 'by phase only',
        perStep,
        floor: FLOOR,
      },
      latency,
      offboarding,
    };
  } finally {
    capacityMeter.enabled = false;
    await stack.stop();
    await memoryDynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// C. Separation offboarding on the local stack: one employee holding N accounts, each with one co-admin

/** Accounts held by the separated employee, each with one remaining admin (the co-admin). */
const OFFBOARDING_SIZES = [10, 50] as const;
/** Timed offboardings per size, metering off, after one metered offboarding of each size. */
const OFFBOARDING_TIMED_RUNS = 5;
const OFFBOARDING_POLL_MS = 10;
/** Per-account figures at both sizes within this fraction of each other count as linear in accounts. */
const LINEAR_WITHIN = 0.05;
const LINEAR_WITHIN_TIME = 0.2;

interface RecorderControl {
  /** Records every DynamoDB call from now on under `phase`; a call outside any function is the local dev sign-in. */
  start(phase: string): void;
  /** Stops recording and hands back what was recorded since start. */
  stop(): Op[];
}

interface StateEvent {
  type: string;
  /** Set on the events aws-local-stepfunctions forwards from a Map iteration (forwardNestedMapEvent). */
  index?: number;
  state?: { name: string };
}

interface StateEntries {
  topLevel: number;
  inMapIterations: number;
  retries: number;
  byState: Record<string, number>;
}

/**
 * Counts, while an execution runs, the `StateEntered` events the local host counts at its end
 * (ExecutionRecord.transitions), by wrapping the event log the host reads; nothing else changes.
 * The host keeps its machines private, so this reaches in, and answers undefined if it cannot.
 */
function tapStateEntries(sfn: unknown, key: string): ((execution: string) => StateEntries | undefined) | undefined {
  type Run = (input: unknown, options?: { context?: { Execution?: { Name?: string } } }) => { eventLogs: AsyncIterable<StateEvent> };
  const machine = (sfn as { machines?: Map<string, { machine?: { run?: Run } }> }).machines?.get(key)?.machine;
  if (!machine || typeof machine.run !== 'function') return undefined;
  const counts = new Map<string, StateEntries>();
  const run = machine.run.bind(machine);
  machine.run = (input, options) => {
    const execution = run(input, options);
    const count: StateEntries = { topLevel: 0, inMapIterations: 0, retries: 0, byState: {} };
    counts.set(options?.context?.Execution?.Name ?? '?', count);
    const events = execution.eventLogs;
    execution.eventLogs = (async function* () {
      for await (const event of events) {
        if (event.type === 'StateEntered') {
          if (event.index === undefined) count.topLevel += 1;
          else count.inMapIterations += 1;
          const name = event.state?.name ?? '?';
          count.byState[name] = (count.byState[name] ?? 0) + 1;
        } else if (event.type === 'StateRetried') count.retries += 1;
        yield event;
      }
    })();
    return execution;
  };
  return (execution) => {
    const c = counts.get(execution);
    return c && { ...c, byState: { ...c.byState } };
  };
}

interface OffboardingRun {
  accounts: number;
  metered: boolean;
  offboardingId: string;
  /** HR event put → the last of the N rotation emails seen in the SES emulator's store. */
  hrEventToRotationEmailsMs: number;
  /** HR event put → the execution parked at AwaitTasks (every rotation emailed, DTI told, token stored). */
  hrEventToParkedMs: number;
  /** Every rotation revealed and confirmed over the HTTP API, one after another, until the execution has finished. */
  revealAndConfirmAllMs: number;
  /** States entered when the poll saw the last rotation email (the execution may be a state or two further). */
  transitionsAtRotationEmails?: number;
  transitionsParked?: StateEntries;
  transitionsFinal?: StateEntries;
  /** The host's own count (ExecutionRecord.transitions). */
  transitionsTotal: number;
  emails: { total: number; rotation: number; summaries: number; other: number; finishedSummaryBytes: number };
  /** The offboarding record (OFFBOARD#id / META) at the end, as JSON (the account list is kept beside it). */
  recordItemBytes: number;
  phases?: { phase: string; read: number; write: number }[];
  ops?: Op[];
}

async function benchOffboarding(stack: LocalStack, recorder: RecorderControl) {
  const { capacityMeter } = await import('#adapters/dynamo-client');
  const { mailbox } = await import('../test/support/harness.ts');
  const { grantFor, hire, rotate, seedAccounts, separate, taskLinkIn } = await import('../test/support/offboarding.ts');
  const { GetCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const entries = tapStateEntries(stack.sfn, 'separationOffboarding');
  // Unmetered: the bench's own reads of the record.
  const db = DynamoDBDocumentClient.from(stack.client);

  const offboard = async (accounts: number, metered: boolean): Promise<OffboardingRun> => {
    const leaver = await hire(stack, 'PRD', 'Bench leaver');
    const coAdmin = await hire(stack, 'PRD', 'Bench co-admin');
    await seedAccounts(stack, accounts, [grantFor(leaver), grantFor(coAdmin)]);
    await fetch(`${stack.mailboxUrl}/clear-store`, { method: 'POST' });
    const phases: { phase: string; read: number; write: number }[] = [];
    const ops: Op[] = [];
    capacityMeter.reset();
    capacityMeter.enabled = metered;
    const meter = () => ({ read: capacityMeter.read, write: capacityMeter.write });
    const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      if (metered) recorder.start(name);
      const before = meter();
      try {
        return await work();
      } finally {
        if (metered) {
          ops.push(...recorder.stop());
          phases.push({ phase: name, read: meter().read - before.read, write: meter().write - before.write });
        }
      }
    };
    const isRotation = (e: { to: string[]; text: string }) => e.to.includes(coAdmin.email) && e.text.includes('/tasks/');

    let offboardingId = '';
    let rotationMail: Awaited<ReturnType<typeof mailbox>> = [];
    let transitionsAtRotationEmails: number | undefined;
    const timing = { emails: 0, parked: 0, confirm: 0 };
    await phase('revoke+rotate', async () => {
      const t0 = performance.now();
      const put = await separate(stack, leaver.id);
      if (put.status !== 202) throw new Error(`separation event refused: ${put.status} ${JSON.stringify(put.body)}`);
      offboardingId = String(put.body.offboardingId);
      const deadline = Date.now() + 60_000;
      // Reading the whole store costs this process (which runs the stack) time, and grows with the mail: until the last
      // iteration has started no run can be complete, so the cheap in-process count is watched first.
      while ((entries?.(offboardingId)?.byState.OffboardAccount ?? accounts) < accounts) {
        if (Date.now() > deadline) throw new Error(`${offboardingId}: the Map did not reach its last account within 60 s`);
        await sleep(2);
      }
      for (;;) {
        rotationMail = (await mailbox(stack)).filter(isRotation);
        if (rotationMail.length >= accounts) break;
        if (Date.now() > deadline) throw new Error(`${rotationMail.length} of ${accounts} rotation emails within 60 s`);
        await sleep(OFFBOARDING_POLL_MS);
      }
      timing.emails = performance.now() - t0;
      const seen = entries?.(offboardingId);
      transitionsAtRotationEmails = seen && seen.topLevel + seen.inMapIterations;
      while (stack.sfn.waitingOn(offboardingId).length === 0) {
        if (Date.now() > deadline) throw new Error(`${offboardingId} never parked at AwaitTasks`);
        await sleep(2);
      }
      timing.parked = performance.now() - t0;
    });
    const transitionsParked = entries?.(offboardingId);

    const record = await phase('reveal+confirm', async () => {
      const t0 = performance.now();
      // As `rotate` does it: POST action=reveal, then action=confirm with setOnPlatform=yes, as the co-admin.
      for (const email of rotationMail) await rotate(stack, coAdmin.id, taskLinkIn(email));
      const finished = await stack.sfn.result(offboardingId);
      timing.confirm = performance.now() - t0;
      return finished;
    });
    capacityMeter.enabled = false;
    const status = record?.output ? (JSON.parse(record.output) as { result?: { status?: string } }).result?.status : undefined;
    if (record?.status !== 'SUCCEEDED' || status !== 'COMPLETED') throw new Error(`offboarding ${offboardingId} ended ${record?.status} / ${status}`);

    const mail = await mailbox(stack);
    const summaries = mail.filter((e) => e.subject.startsWith('Offboarding') && e.subject.includes(leaver.id));
    const finished = summaries.find((e) => e.subject.startsWith('Offboarding complete'));
    const meta = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `OFFBOARD#${offboardingId}`, SK: 'META' }, ConsistentRead: true }));
    return {
      accounts,
      metered,
      offboardingId,
      hrEventToRotationEmailsMs: round(timing.emails, 1),
      hrEventToParkedMs: round(timing.parked, 1),
      revealAndConfirmAllMs: round(timing.confirm, 1),
      transitionsAtRotationEmails,
      transitionsParked,
      transitionsFinal: entries?.(offboardingId),
      transitionsTotal: record.transitions,
      emails: {
        total: mail.length,
        rotation: mail.filter(isRotation).length,
        summaries: summaries.length,
        other: mail.length - mail.filter(isRotation).length - summaries.length,
        finishedSummaryBytes: finished ? Buffer.byteLength(finished.text) + Buffer.byteLength(finished.html) : 0,
      },
      recordItemBytes: Buffer.byteLength(JSON.stringify(meta.Item ?? {})),
      ...(metered ? { phases, ops } : {}),
    };
  };

  console.log(
    `\nC. Offboarding on the same local stack: one employee with ${OFFBOARDING_SIZES.join(' and then ')} accounts (one co-admin each); one metered run per size, then ${OFFBOARDING_TIMED_RUNS} timed runs per size…`,
  );
  const metered = [];
  for (const n of OFFBOARDING_SIZES) metered.push(await offboard(n, true));
  const timed: OffboardingRun[] = [];
  for (let i = 0; i < OFFBOARDING_TIMED_RUNS; i += 1) for (const n of OFFBOARDING_SIZES) timed.push(await offboard(n, false));

  const stats = (xs: number[]) => ({
    median: round(median(xs), 1),
    min: round(Math.min(...xs), 1),
    max: round(Math.max(...xs), 1),
    samples: xs.map((x) => round(x, 1)),
  });
  const sizes = metered.map((m) => {
    const ops = m.ops ?? [];
    const n = m.accounts;
    const local = (o: Op) => o.fn === 'local dev sign-in';
    const units = (phase: string, f: (o: Op) => number, include: (o: Op) => boolean = (o) => !local(o)) =>
      ops.filter((o) => o.phase === phase && include(o)).reduce((s, o) => s + f(o), 0);
    const runs = timed.filter((t) => t.accounts === n);
    const byFn = new Map<string, { phase: string; fn: string; calls: number; read: number; write: number }>();
    const byOp = new Map<string, { phase: string; fn: string; op: string; calls: number; read: number; write: number; gsiWrite: number }>();
    for (const o of ops) {
      const f = byFn.get(`${o.phase}\u0000${o.fn}`) ?? { phase: o.phase, fn: o.fn, calls: 0, read: 0, write: 0 };
      f.calls += 1;
      f.read += o.read;
      f.write += o.write;
      byFn.set(`${o.phase}\u0000${o.fn}`, f);
      const k = `${o.phase}\u0000${o.fn}\u0000${o.op}`;
      const c = byOp.get(k) ?? { phase: o.phase, fn: o.fn, op: o.op, calls: 0, read: 0, write: 0, gsiWrite: 0 };
      c.calls += 1;
      c.read += o.read;
      c.write += o.write;
      if (o.write) c.gsiWrite += Object.values(o.gsi).reduce((s, u) => s + u, 0);
      byOp.set(k, c);
    }
    const recorded = { read: ops.reduce((s, o) => s + o.read, 0), write: ops.reduce((s, o) => s + o.write, 0) };
    const metre = (m.phases ?? []).reduce((s, p) => ({ read: s.read + p.read, write: s.write + p.write }), { read: 0, write: 0 });
    return {
      accounts: n,
      offboardingId: m.offboardingId,
      timedRuns: runs.length,
      hrEventToRotationEmailsMs: stats(runs.map((r) => r.hrEventToRotationEmailsMs)),
      hrEventToParkedMs: stats(runs.map((r) => r.hrEventToParkedMs)),
      revealAndConfirmAllMs: stats(runs.map((r) => r.revealAndConfirmAllMs)),
      meteredRunMs: {
        hrEventToRotationEmails: m.hrEventToRotationEmailsMs,
        hrEventToParked: m.hrEventToParkedMs,
        revealAndConfirmAll: m.revealAndConfirmAllMs,
      },
      transitions: {
        atRotationEmails: m.transitionsAtRotationEmails,
        parked: m.transitionsParked && m.transitionsParked.topLevel + m.transitionsParked.inMapIterations,
        total: m.transitionsTotal,
        entries: m.transitionsFinal,
        stableAcrossRuns: runs.every((r) => r.transitionsTotal === m.transitionsTotal),
      },
      capacity: {
        revokeRotate: { read: units('revoke+rotate', (o) => o.read), write: units('revoke+rotate', (o) => o.write) },
        revealConfirm: { read: units('reveal+confirm', (o) => o.read), write: units('reveal+confirm', (o) => o.write) },
        localDevSignIn: { read: units('reveal+confirm', (o) => o.read, local) + units('revoke+rotate', (o) => o.read, local) },
        recorderMatchesMeter: round(recorded.read, 3) === round(metre.read, 3) && round(recorded.write, 3) === round(metre.write, 3),
        byFunction: [...byFn.values()],
        byCall: [...byOp.values()],
      },
      emails: m.emails,
      emailsStableAcrossRuns: runs.every(
        (r) => JSON.stringify({ ...r.emails, finishedSummaryBytes: 0 }) === JSON.stringify({ ...m.emails, finishedSummaryBytes: 0 }),
      ),
      recordItemBytes: m.recordItemBytes,
    };
  });
  return {
    accounts: [...OFFBOARDING_SIZES],
    coAdminsPerAccount: 1,
    timedRuns: OFFBOARDING_TIMED_RUNS,
    pollMs: OFFBOARDING_POLL_MS,
    transitionCounting: entries ? 'live, from the event log the local host reads (tapStateEntries)' : 'at the end only (the host could not be tapped)',
    sizes,
  };
}

// ---------------------------------------------------------------------------------------------

console.log(
  `Benchmark: Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), ${platform()} ${arch()}, load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}`,
);
console.log(`A. Bundling ${Object.keys(functions).length} functions as the CDK stack does, then ${IMPORT_RUNS} cold imports of each…`);
const bundles = await section('A. bundles', benchBundles);

printTable(
  `Lambda bundles (esbuild ${esbuildVersion}, esm, node24, minified, AWS SDK bundled, no source map). Cold import: median of ${IMPORT_RUNS} fresh node processes (Node ${bundles.childNode})`,
  ['function', 'minified', 'gzip', 'import median', 'p90', 'over empty', 'largest parts of the bundle'],
  [...bundles.functions, bundles.baseline].map((b) => [
    b.key,
    fmtInt(b.bytes),
    fmtInt(b.gzipBytes),
    `${b.importMs.median.toFixed(1)} ms`,
    `${b.importMs.p90.toFixed(1)} ms`,
    b.medianOverBaselineMs === undefined ? '(baseline)' : `+${b.medianOverBaselineMs.toFixed(1)} ms`,
    b.largestInputs
      .slice(0, 3)
      .map((i) => `${i.name} ${fmtKb(i.bytes)}`)
      .join(', '),
  ]),
  [false, true, true, true, true, true, false],
);
console.log('  Sizes in bytes. This machine is not Lambda (arm64, 512 MB): compare functions with each other and the baseline, not with Lambda init times.');

console.log(`\nB. Starting the local stack; ${METERED_RUNS} metered approved requests, then ${LATENCY_REQUESTS} submits (+${LATENCY_WARMUP} warm-up)…`);
const local = await section('B+C. approval chain and offboarding', benchLocalStack);
const a = local.approval;

printTable(
  `One approved request (submit → ${a.steps} approval steps → outcome), local stack; ${a.meteredRuns} runs, ${a.stableAcrossRuns ? 'identical' : 'NOT identical (last shown)'}`,
  ['measure', 'whole request', `per approval step`, 'floor (issue)', 'gap'],
  [
    ['state transitions', a.transitions, fmtUnits(a.perStep.transitions), `~${FLOOR.transitions}`, fmtUnits(a.perStep.transitions - FLOOR.transitions)],
    [
      'DynamoDB write units',
      fmtUnits(a.writeUnits),
      fmtUnits(a.perStep.writeUnits),
      `~${FLOOR.writeUnits}`,
      `+${fmtUnits(a.perStep.writeUnits - FLOOR.writeUnits)}`,
    ],
    ['  of which table', '', fmtUnits(a.perStep.writeUnitsTable), '', ''],
    ...Object.entries(a.perStep.writeUnitsGsi).map(([g, u]) => [`  of which ${g}`, '', fmtUnits(u), '', '']),
    ['  write calls', '', fmtUnits(a.perStep.writeCalls), '', ''],
    ['DynamoDB read units', fmtUnits(a.readUnits), fmtUnits(a.perStep.readUnits), '', ''],
    ['emails sent', a.emails, a.perStep.approvalEmails, '', ''],
  ],
  [false, true, true, true, true],
);
const gsiPerStep = Object.entries(a.perStep.writeUnitsGsi);
const gsiTotal = gsiPerStep.reduce((n, [, u]) => n + u, 0);
console.log(
  `  Gap: per step ${fmtUnits(a.perStep.writeCalls)} writes to the approval item (createApproval, which also claims its first email's key; ledger.confirm, which also sets emailedAt; recordDecision) = ${fmtUnits(a.perStep.writeUnitsTable)} table units, the floor;` +
    ` +${fmtUnits(gsiTotal)} index units (${gsiPerStep.map(([g, u]) => `${g} ${fmtUnits(u)}`).join(', ')}): the approval's entry in the sparse KEYS_ONLY ByApprovalId index, written when the approval is created; later updates change no projected attribute, so they write no index.`,
);
console.log(`  Per step = the calls made by requestApproval and decideApproval (attribution ${a.attribution}), ÷ ${a.steps}.`);
console.log('  Transitions per step = (total − RecordOutcome) ÷ steps. Emails: one approval email per step, plus the outcome emails (requester, DTI).');
console.log(
  `  Capacity as DynamoDB Local reports it with ReturnConsumedCapacity (the app asks for TOTAL, which here ${local.capacityReporting.totalIncludesGsiWrites ? 'includes' : 'does NOT include'} GSI writes; the bench asks for INDEXES to split them out). Recorder matches the app's meter: ${a.recorderMatchesMeter ? 'yes' : 'NO'}.`,
);

printTable(
  'Where the capacity goes (one approved request), by function and store method',
  ['phase(s)', 'function', 'store call', 'calls', 'read units', 'write units', 'table', ...Object.keys(a.perStep.writeUnitsGsi)],
  a.operations.map((o) => [
    o.phases.join(', '),
    o.fn,
    o.op,
    o.calls,
    fmtUnits(o.read),
    fmtUnits(o.write),
    fmtUnits(o.table),
    ...Object.keys(a.perStep.writeUnitsGsi).map((g) => fmtUnits(o.gsi[g] ?? 0)),
  ]),
  [false, false, false, ...Object.keys(a.perStep.writeUnitsGsi).map(() => true), true, true, true, true],
);

printTable(
  'By phase (each starts with nothing running)',
  ['phase', 'covers', 'read units', 'write units'],
  a.phases.map((p, i) => [
    p.phase,
    i === 0
      ? 'POST /requests + step 1 task (email, park token)'
      : i < a.phases.length - 1
        ? `decision ${i} + step ${i + 1} task`
        : `decision ${i} + RecordOutcome`,
    fmtUnits(p.read),
    fmtUnits(p.write),
  ]),
  [false, false, true, true],
);

const l = local.latency;
printTable(
  `Submit → first approval email in the SES store (${l.requests} requests, one at a time, after ${l.warmupExcluded} earlier requests)`,
  ['measure', 'median', 'p90', 'min', 'max'],
  [
    [
      'submit → approval email',
      `${l.submitToFirstApprovalEmailMs.median} ms`,
      `${l.submitToFirstApprovalEmailMs.p90} ms`,
      `${l.submitToFirstApprovalEmailMs.min} ms`,
      `${l.submitToFirstApprovalEmailMs.max} ms`,
    ],
    [
      'POST /requests response',
      `${l.submitResponseMs.median} ms`,
      `${l.submitResponseMs.p90} ms`,
      `${l.submitResponseMs.min} ms`,
      `${l.submitResponseMs.max} ms`,
    ],
  ],
  [false, true, true, true, true],
);
console.log(`  ${l.note}`);

const off = local.offboarding;
type OffSize = (typeof off.sizes)[number];
const [small, large] = off.sizes as [OffSize, OffSize];
const figures: { key: string; measure: string; of: (s: OffSize) => number | undefined; within?: number }[] = [
  {
    key: 'hrEventToRotationEmailsMs',
    measure: `HR event → every rotation email in SES (ms, median of ${off.timedRuns})`,
    of: (s) => s.hrEventToRotationEmailsMs.median,
    within: LINEAR_WITHIN_TIME,
  },
  { key: 'hrEventToParkedMs', measure: 'HR event → parked at AwaitTasks (ms, median)', of: (s) => s.hrEventToParkedMs.median, within: LINEAR_WITHIN_TIME },
  {
    key: 'revealAndConfirmAllMs',
    measure: 'reveal + confirm all, one after another, to SUCCEEDED (ms, median)',
    of: (s) => s.revealAndConfirmAllMs.median,
    within: LINEAR_WITHIN_TIME,
  },
  { key: 'transitionsAtRotationEmails', measure: 'state transitions when the last rotation email landed', of: (s) => s.transitions.atRotationEmails },
  { key: 'transitionsParked', measure: 'state transitions until parked (every rotation emailed)', of: (s) => s.transitions.parked },
  { key: 'transitionsTotal', measure: 'state transitions in total (every rotation confirmed)', of: (s) => s.transitions.total },
  { key: 'readUnitsRevokeRotate', measure: 'DynamoDB read units, revoke + rotate', of: (s) => s.capacity.revokeRotate.read },
  { key: 'writeUnitsRevokeRotate', measure: 'DynamoDB write units, revoke + rotate', of: (s) => s.capacity.revokeRotate.write },
  { key: 'readUnitsRevealConfirm', measure: 'DynamoDB read units, reveal + confirm', of: (s) => s.capacity.revealConfirm.read },
  { key: 'writeUnitsRevealConfirm', measure: 'DynamoDB write units, reveal + confirm', of: (s) => s.capacity.revealConfirm.write },
  { key: 'emails', measure: 'emails in total', of: (s) => s.emails.total },
  { key: 'rotationEmails', measure: '  rotation task emails (to the co-admin)', of: (s) => s.emails.rotation },
  { key: 'summaryEmails', measure: '  summaries (DTI, Coordinator; started, finished)', of: (s) => s.emails.summaries },
];
const growth = figures.map((f) => {
  const [t1, t2] = [f.of(small), f.of(large)];
  if (t1 === undefined || t2 === undefined) return { key: f.key, measure: f.measure, verdict: 'not measured' };
  const [n1, n2] = [small.accounts, large.accounts];
  const [p1, p2] = [t1 / n1, t2 / n2];
  const ratio = p2 / p1;
  // Through both points: total ≈ fixed + perAccount × accounts.
  const perAccount = (t2 - t1) / (n2 - n1);
  const fixed = t1 - perAccount * n1;
  const within = f.within ?? LINEAR_WITHIN;
  // A timing is too noisy here to tell a small fixed part from noise: it is linear unless it grows faster.
  const timing = f.within !== undefined;
  const verdict = ratio > 1 + within ? `super-linear (per account ×${ratio.toFixed(2)})` : timing || ratio >= 1 - within ? 'linear' : 'linear + a fixed part';
  return {
    key: f.key,
    measure: f.measure,
    [`at${n1}`]: { total: round(t1, 2), perAccount: round(p1, 3) },
    [`at${n2}`]: { total: round(t2, 2), perAccount: round(p2, 3) },
    perAccountRatio: round(ratio, 3),
    fit: { fixed: round(fixed, 2), perAccount: round(perAccount, 3) },
    verdict,
  };
});
const fmtFig = (n: number | undefined) =>
  n === undefined ? 'n/a' : Number.isInteger(n) ? fmtInt(n) : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
printTable(
  `Offboarding one employee on the local stack (one co-admin per account; capacity without the local dev sign-in; ${small.accounts} vs ${large.accounts} accounts)`,
  [
    'measure',
    `${small.accounts} accounts`,
    'per account',
    `${large.accounts} accounts`,
    'per account',
    `per acct ${large.accounts}÷${small.accounts}`,
    'grows',
  ],
  figures.map((f, i) => {
    const g = growth[i] as { perAccountRatio?: number; verdict: string; fit?: { fixed: number; perAccount: number } };
    const [t1, t2] = [f.of(small), f.of(large)];
    return [
      f.measure,
      fmtFig(t1),
      t1 === undefined ? 'n/a' : fmtFig(t1 / small.accounts),
      fmtFig(t2),
      t2 === undefined ? 'n/a' : fmtFig(t2 / large.accounts),
      g.perAccountRatio === undefined ? '' : `×${g.perAccountRatio.toFixed(2)}`,
      (g.verdict === 'linear + a fixed part' || f.within !== undefined) && g.fit
        ? `${g.verdict} (≈ ${fmtFig(g.fit.fixed)} + ${fmtFig(g.fit.perAccount)}/account)`
        : g.verdict,
    ];
  }),
  [false, true, true, true, true, true, false],
);
console.log(
  `  Times: ${off.timedRuns} runs per size with metering off (samples in latest.json); GET /store polled every ${off.pollMs} ms once the Map has entered its last iteration, so a figure is late by up to one poll plus one GET. Everything (functions, engine, SES emulator) shares this process; DynamoDB Local has its data on disk.`,
);
console.log(
  `  Local dev sign-in (the local host's cookie lookup; the AWS authorizer verifies a JWT and reads no table), left out above: ${fmtUnits(small.capacity.localDevSignIn.read)} and ${fmtUnits(large.capacity.localDevSignIn.read)} read units. Recorder matches the app's meter: ${off.sizes.every((s) => s.capacity.recorderMatchesMeter) ? 'yes' : 'NO'}. Transitions and emails the same in every run of a size: ${off.sizes.every((s) => s.transitions.stableAcrossRuns && s.emailsStableAcrossRuns) ? 'yes' : 'NO'}.`,
);

const fnKeys = [...new Set(off.sizes.flatMap((s) => s.capacity.byFunction.map((f) => `${f.phase}\u0000${f.fn}`)))];
const perAcct = (s: OffSize, phase: string, fn: string) => {
  const f = s.capacity.byFunction.find((x) => x.phase === phase && x.fn === fn);
  return { calls: (f?.calls ?? 0) / s.accounts, read: (f?.read ?? 0) / s.accounts, write: (f?.write ?? 0) / s.accounts };
};
const fmtPer = (n: number) => (n === 0 ? '0' : n.toFixed(n >= 10 ? 1 : 2));
printTable(
  'Where the capacity goes, per account, by phase and function (calls, read units, write units)',
  [
    'phase',
    'function',
    `calls/acct ${small.accounts}`,
    String(large.accounts),
    `read/acct ${small.accounts}`,
    String(large.accounts),
    `write/acct ${small.accounts}`,
    String(large.accounts),
  ],
  fnKeys.map((k) => {
    const [phase, fn] = k.split('\u0000') as [string, string];
    const [a, b] = [perAcct(small, phase, fn), perAcct(large, phase, fn)];
    return [phase, fn, fmtPer(a.calls), fmtPer(b.calls), fmtPer(a.read), fmtPer(b.read), fmtPer(a.write), fmtPer(b.write)];
  }),
  [false, false, true, true, true, true, true, true],
);

// The store calls whose cost per account differs between the sizes: the fixed costs (falling) and the growing ones.
const callKeys = [...new Set(off.sizes.flatMap((s) => s.capacity.byCall.map((c) => `${c.phase}\u0000${c.fn}\u0000${c.op}`)))];
const callOf = (s: OffSize, k: string) => {
  const c = s.capacity.byCall.find((x) => `${x.phase}\u0000${x.fn}\u0000${x.op}` === k);
  return { calls: c?.calls ?? 0, units: (c?.read ?? 0) + (c?.write ?? 0), gsiWrite: c?.gsiWrite ?? 0 };
};
const changing = callKeys
  .map((k) => {
    const [a, b] = [callOf(small, k), callOf(large, k)];
    const [pa, pb] = [a.units / small.accounts, b.units / large.accounts];
    return { k, a, b, pa, pb, delta: pb - pa };
  })
  .filter((c) => Math.abs(c.delta) > LINEAR_WITHIN * Math.max(c.pa, c.pb) && (c.pa > 0 || c.pb > 0))
  .sort((x, y) => y.delta - x.delta);
printTable(
  `Store calls whose units per account change from ${small.accounts} to ${large.accounts} accounts (growing first, then fixed costs spread thinner)`,
  [
    'phase',
    'function',
    'store call',
    `calls ${small.accounts}`,
    String(large.accounts),
    `units/call ${small.accounts}`,
    String(large.accounts),
    `units/acct ${small.accounts}`,
    String(large.accounts),
  ],
  changing.map(({ k, a, b, pa, pb }) => {
    const [phase, fn, op] = k.split('\u0000') as [string, string, string];
    return [
      phase,
      fn,
      op,
      a.calls,
      b.calls,
      a.calls ? fmtUnits(round(a.units / a.calls, 2)) : '-',
      b.calls ? fmtUnits(round(b.units / b.calls, 2)) : '-',
      fmtPer(pa),
      fmtPer(pb),
    ];
  }),
  [false, false, false, true, true, true, true, true, true],
);

// The note: what grows how, with the figures measured above.
const callNamed = (s: OffSize, phase: string, fn: string, opPrefix: string) => {
  const c = s.capacity.byCall.find((x) => x.phase === phase && x.fn === fn && x.op.startsWith(opPrefix));
  return c ? { calls: c.calls, perCall: (c.read + c.write) / c.calls } : undefined;
};
const openQuery = off.sizes.map((s) => callNamed(s, 'reveal+confirm', 'completeOffboardingTask', 'anyOpen ('));
const everythingQuery = off.sizes.map((s) => callNamed(s, 'reveal+confirm', 'reportOffboarding', 'everything ('));
const g = Object.fromEntries(growth.map((x) => [x.key, x])) as Record<string, (typeof growth)[number] & { fit?: { fixed: number; perAccount: number } }>;
const e = (s: OffSize) => s.transitions.entries;
const nested = off.sizes.every(
  (s) => e(s) && e(s)?.inMapIterations === s.accounts && s.transitions.total === (e(s)?.topLevel ?? 0) + (e(s)?.inMapIterations ?? 0),
);
console.log('\n  Does it grow linearly in accounts?');
const callsOf = (s: OffSize, phase: string, fn: string) => s.capacity.byCall.filter((c) => c.phase === phase && c.fn === fn);
/** "method units, …" per account for one function's reads or writes in one phase. */
const perAccountCalls = (s: OffSize, phase: string, fn: string, pick: 'read' | 'write', skip = '') =>
  callsOf(s, phase, fn)
    .filter((c) => c[pick] > 0 && (!skip || !c.op.startsWith(skip)))
    .map((c) => `${c.op.split(' (')[0]} ${round(c[pick] / s.accounts, 2)}`)
    .join(', ');
const recordWrites = (s: OffSize) =>
  s.capacity.byCall
    .filter((c) => c.write > 0 && / OFFBOARD\/META\)$/.test(c.op))
    .map((c) => `${c.op.split(' (')[0]} ${round(c.write / c.calls, 2)}`)
    .join(', ');
const fitText = (key: string) => {
  const f = g[key]?.fit;
  if (!f) return '';
  return `≈ ${fmtFig(f.fixed)} + ${fmtFig(f.perAccount)} per account`;
};
const noteLines = [
  `Transitions: ${g.transitionsTotal?.verdict}. Each account adds one state, OffboardAccount in its Map iteration; the rest is a fixed ${e(small)?.topLevel ?? '?'} top-level states (${Object.keys(
    e(small)?.byState ?? {},
  )
    .filter((name) => name !== 'OffboardAccount')
    .join(
      ', ',
    )}). The local host counts the Map iterations' states: ${nested ? `yes. Its count equals the top-level plus the in-iteration StateEntered events (${e(large)?.topLevel} + ${e(large)?.inMapIterations} at ${large.accounts} accounts), because aws-local-stepfunctions forwards each iteration's events to the root event log (forwardNestedMapEvent, tagged with the iteration index)` : 'NOT as expected (see transitions.entries in latest.json)'}. AWS Standard Workflows bill the states inside each Inline Map iteration too (not the iteration itself), and retries; there were no retries here (${off.sizes.map((s) => e(s)?.retries ?? '?').join(', ')}).`,
  `Read units, reveal + confirm: ${g.readUnitsRevealConfirm?.verdict}. Each confirmation asks whether any task is still open by reading one open-task marker (OffboardingStore.anyOpen; each task has a marker while it is open): ${openQuery.map((t, i) => `${t ? fmtUnits(round(t.perCall, 2)) : '?'} read units per confirmation at ${off.sizes[i]?.accounts} accounts`).join(', ')}. The rest is constant per account too (${perAccountCalls(large, 'reveal+confirm', 'completeOffboardingTask', 'read', 'anyOpen (')}).`,
  `Read units, revoke + rotate: ${g.readUnitsRevokeRotate?.verdict}. Per account, offboardAccount reads the same (${perAccountCalls(large, 'revoke+rotate', 'offboardAccount', 'read')}: makePlan gets each person one by one). The fixed part, openOffboarding, planOffboarding, ReportStarted and AwaitTasks, includes one O(n) query made once (everything, for the summary). The offboarding record, read consistently by every offboardAccount and by every reveal and confirm, stays small because the account list is kept beside it: ${fmtInt(small.recordItemBytes)} bytes at ${small.accounts} accounts, ${fmtInt(large.recordItemBytes)} at ${large.accounts} (as JSON).`,
  `Write units: revoke + rotate ${g.writeUnitsRevokeRotate?.verdict} (${fitText('writeUnitsRevokeRotate')}), reveal + confirm ${g.writeUnitsRevealConfirm?.verdict} (${fitText('writeUnitsRevealConfirm')}). Per account: ${perAccountCalls(large, 'revoke+rotate', 'offboardAccount', 'write')} (a grant carries GSI2 keys, projection ALL, and a link its ByApprovalId key, so each costs an index write too); then ${perAccountCalls(large, 'reveal+confirm', 'completeOffboardingTask', 'write')}. The fixed part is a fixed number of writes to the offboarding record (${recordWrites(small)} units each at ${small.accounts} accounts; ${recordWrites(large)} at ${large.accounts}), each billed twice since the record carries GSI1 keys (projection ALL) for the list of offboardings.`,
  `Final report: ReportFinished reads every item of the offboarding once (everything: ${everythingQuery.map((t, i) => `${t ? fmtUnits(round(t.perCall, 2)) : '?'} units at ${off.sizes[i]?.accounts}`).join(', ')}), O(n) once. Emails: ${g.emails?.verdict}: one rotation email per account, plus ${small.emails.summaries} summaries (started and finished, each to DTI and the Communications Coordinator) whatever the size. The finished summary lists every account (${fmtInt(small.emails.finishedSummaryBytes)} bytes at ${small.accounts}, ${fmtInt(large.emails.finishedSummaryBytes)} at ${large.accounts}, text and HTML), so its size grows, not the count.`,
  `Time: HR event → every rotation email ${g.hrEventToRotationEmailsMs?.verdict} (${fitText('hrEventToRotationEmailsMs')}, in ms; the Map runs 10 accounts at once); reveal + confirm of all ${g.revealAndConfirmAllMs?.verdict} (${fitText('revealAndConfirmAllMs')}, in ms, one person, one after another). Timings on this shared machine vary a lot between runs (min and max in latest.json).`,
];
for (const line of noteLines) console.log(`  - ${line}`);

// ---------------------------------------------------------------------------------------------
// D. A restart with requests stored but never started: bench/restart.ts, in a process of its own

async function benchRestart(): Promise<RestartResults> {
  const dir = mkdtempSync(join(tmpdir(), 'smg-bench-restart-out-'));
  const out = join(dir, 'restart.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'restart.ts'), out], {
      cwd: repoRoot,
      env: givenEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench/restart.ts exited with ${code}`);
    return JSON.parse(readFileSync(out, 'utf8')) as RestartResults;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\nD. A restart with 100 requests stored by the submit handler but never started (a fresh stack per run, in a process of its own)…');
const restart = await section('D. restart', benchRestart);
const rr = restart.runs;
const n = restart.requests;
const msStats = (f: (r: RestartRun) => number) => {
  const xs = rr.map(f);
  return { median: round(median(xs), 1), min: round(Math.min(...xs), 1), max: round(Math.max(...xs), 1), samples: xs.map((x) => round(x, 1)) };
};
const restartTimes = {
  startMs: msStats((r) => r.startMs),
  untilReconcilerMs: msStats((r) => r.untilReconcilerMs),
  reconcilerMs: msStats((r) => r.reconcilerMs),
  lastExecutionStartedMs: msStats((r) => r.lastExecutionStartedMs),
  allDescribedMs: msStats((r) => r.allDescribedMs),
  allFirstEmailsMs: msStats((r) => r.allFirstEmailsMs),
  allParkedMs: msStats((r) => r.allParkedMs),
};
const fmtMs = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const restartRow = (measure: string, st: { median: number; min: number; max: number }, perRequest = false) => [
  measure,
  fmtMs(st.median),
  fmtMs(st.min),
  fmtMs(st.max),
  perRequest ? `${(st.median / n).toFixed(1)} ms` : '',
];
printTable(
  `Restart with ${n} stored requests that have no execution (from the call to startLocalStack; median of ${rr.length} runs, DynamoDB Local ${restart.dynamo === 'disk' ? 'with its data on disk' : 'in memory, kept across the restart'})`,
  ['measure', 'median', 'min', 'max', `÷ ${n}`],
  [
    restartRow('startLocalStack → returned (the reconciler runs before it returns)', restartTimes.startMs),
    restartRow('  before the reconciler (DynamoDB Local, emulators, functions, HTTP API, resume)', restartTimes.untilReconcilerMs),
    restartRow('  the reconciler at start-up (reconcileStarts, invoked → returned)', restartTimes.reconcilerMs, true),
    restartRow('→ the last of the executions started (its startDate in the host)', restartTimes.lastExecutionStartedMs),
    restartRow(`→ every one of the ${n} found by stack.sfn.describe, RUNNING`, restartTimes.allDescribedMs),
    restartRow(`→ every first approval email in the SES emulator`, restartTimes.allFirstEmailsMs),
    restartRow('→ every execution parked at AwaitDecision', restartTimes.allParkedMs),
  ],
  [false, true, true, true, true],
);
const lastRestart = rr[rr.length - 1] as RestartRun;
const restartGsis = [...new Set(lastRestart.capacity.byCall.flatMap((c) => Object.keys(c.gsi)))].sort();
const perRequest = (x: number) => String(round(x / n, 3));
printTable(
  `Where the restart's DynamoDB capacity goes (last run), by function and store call; per request = ÷ ${n}`,
  ['function', 'store call', 'calls', 'read units', 'write units', 'table', ...restartGsis, 'read/request', 'write/request'],
  lastRestart.capacity.byCall.map((c) => [
    c.fn,
    c.op,
    c.calls,
    fmtUnits(c.read),
    fmtUnits(c.write),
    fmtUnits(c.table),
    ...restartGsis.map((g) => fmtUnits(c.gsi[g] ?? 0)),
    perRequest(c.read),
    perRequest(c.write),
  ]),
  [false, false, true, true, true, true, ...restartGsis.map(() => true), true, true],
);
const unitsBy = (r: RestartRun, fn: string) =>
  r.capacity.byCall.filter((c) => c.fn === fn).reduce((s, c) => ({ read: s.read + c.read, write: s.write + c.write }), { read: 0, write: 0 });
const reconcilerUnits = unitsBy(lastRestart, 'reconcileStarts');
const firstTaskUnits = unitsBy(lastRestart, 'requestApproval');
const restartStable = rr.every((r) => JSON.stringify(unitsBy(r, 'reconcileStarts')) === JSON.stringify(reconcilerUnits));
const restartSummary = {
  reconcilerUnits: { ...reconcilerUnits, perRequest: { read: round(reconcilerUnits.read / n, 3), write: round(reconcilerUnits.write / n, 3) } },
  firstTaskUnits: { ...firstTaskUnits, perRequest: { read: round(firstTaskUnits.read / n, 3), write: round(firstTaskUnits.write / n, 3) } },
  reconcilerUnitsStableAcrossRuns: restartStable,
};
console.log(
  `  The reconciler: ${fmtUnits(reconcilerUnits.read)} read and ${fmtUnits(reconcilerUnits.write)} write units for the ${n} (${perRequest(reconcilerUnits.read)} and ${perRequest(reconcilerUnits.write)} per request${restartStable ? ', the same in every run' : '; NOT the same in every run, see latest.json'}); each execution's first task (requestApproval, its email and parked token) ${perRequest(firstTaskUnits.read)} and ${perRequest(firstTaskUnits.write)} more. Step Functions' own bookkeeping (the local host's executions table) is not the app's DynamoDB and is not counted.`,
);
console.log(
  `  Reconciled at start-up: ${rr.map((r) => `${r.reconciled.started} started, ${r.reconciled.existing} existing, ${r.reconciled.cleared} cleared`).join('; ')}. Executions resumed: ${rr.map((r) => r.resumed).join(', ')}. Recorder matches the app's meter: ${rr.every((r) => r.capacity.recorderMatchesMeter) ? 'yes' : 'NO'}. A stored request is ${fmtInt(lastRestart.requestItemBytes)} bytes (as JSON, with its pendingStart marker).`,
);
console.log(
  `  Set-up per run: ${n} POST /requests (${restart.seedConcurrency} at a time), each handler stopped at its start:before-start-execution checkpoint, so it stored the request and answered 201 but never called StartExecution; checked: all ${n} in ByPendingStart, none with an execution. Then stop() and startLocalStack() on the same table, data dir and ports. The reconciler starts them ten at a time while the executions it has started run their first task in the same process (one process on this machine: the engine, the functions and the emulators share its cores, so the ten at a time barely shortens it here). The mailbox is read every ${restart.pollMs} ms once every first task has begun (before that not every email can be there), so a figure is late by up to one poll plus one GET.`,
);

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
  bundles: { importRuns: IMPORT_RUNS, options: { ...bundleOptions, metafile: undefined, logLevel: undefined }, ...bundles },
  ...local,
  offboarding: { ...local.offboarding, growth, notes: noteLines },
  restart: { ...restart, times: restartTimes, ...restartSummary },
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
