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
 *
 * Prints tables and writes bench/results/latest.json (git-ignored).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';
import { type FunctionKey, functions } from '#catalogue';
import { validForm } from '../test/support/forms.ts';

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
// A stuck stack must not hang CI: exiting runs startDynamo's exit hook, which kills DynamoDB Local.
setTimeout(() => {
  console.error('bench: still running after 4 minutes; giving up.');
  process.exit(1);
}, 240_000).unref();

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

interface Op {
  phase: string;
  fn: string;
  op: string;
  read: number;
  write: number;
  table: number;
  gsi: Record<string, number>;
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'S' in v ? String((v as { S: unknown }).S) : '');
const kind = (v: unknown) => str(v).split('#')[0] ?? '';

/** Names a DynamoDB call after the GovernanceStore method that makes it (functions/adapters/store.ts). */
function describeOp(commandName: string, input: Record<string, unknown>): string {
  // The middleware sees the client command (GetItem, PutItem, TransactWriteItems…) under the document client's.
  const command = commandName.replace(/Command$/, '');
  const cmd = command.replace(/Items?$/, '');
  const key = (input.Key ?? input.Item ?? {}) as Record<string, unknown>;
  const where = `${kind(key.PK)}/${kind(key.SK)}`;
  const label = (method: string | undefined, detail = where) => `${method ?? '?'} (${command} ${detail})`;
  if (cmd === 'Get') {
    const detail = `${where}${input.ConsistentRead ? ', consistent' : ''}`;
    if (String(input.ProjectionExpression ?? '').includes('notified')) return label('wasNotified', detail);
    const gets: Record<string, string> = {
      'PERSON/PROFILE': 'person',
      'DEPT/PROFILE': 'department',
      'PLATFORM/PROFILE': 'platform',
      'HANDLE/CLAIM': 'handleTaken',
      'ACCOUNT/PROFILE': 'account',
      'REQ/META': 'request',
      'REQ/APPR': 'approval',
    };
    return label(gets[where], detail);
  }
  const puts: Record<string, string> = { 'REQ/META': 'createRequest', 'REQ/APPR': 'createApproval' };
  if (cmd === 'Put') return label(puts[where]);
  if (cmd === 'Update') {
    const expr = String(input.UpdateExpression ?? '');
    const methods: [RegExp, string][] = [
      [/^SET emailedAt/, 'markEmailed'],
      [/^SET decision/, 'recordDecision'],
      [/^SET sealedToken/, 'storeToken'],
      [/^SET remindersSent/, 'markReminded'],
      [/^SET supersededAt/, 'supersede'],
      [/^SET notified\./, 'markNotified'],
      [/^SET #status = :status/, 'closeRequest'],
    ];
    return label(methods.find(([re]) => re.test(expr))?.[1]);
  }
  if (cmd === 'Query') {
    const index = typeof input.IndexName === 'string' ? input.IndexName : 'table';
    const target = kind((input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':pk']);
    const queries: Record<string, string> = {
      'GSI1 EMAIL': 'personByEmail',
      'GSI1 APPROVAL': 'approvalById',
      'GSI1 ROLES': 'roleHolders',
      'GSI1 DEPARTMENTS': 'departments',
      'GSI1 PLATFORMS': 'approvedPlatforms',
      'GSI2 PEOPLE': 'people',
      'table REQ': 'requestWithApprovals',
    };
    return label(queries[`${index} ${target}`], `${index} ${target}`);
  }
  if (cmd === 'TransactWrite') return label('approveIntoRegistry', `${((input.TransactItems as unknown[]) ?? []).length} items`);
  return label(undefined);
}

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
    // After the app's capacityMeter (which asks for TOTAL): ask for INDEXES instead, so each call
    // also says how much was the table and how much each GSI. Totals are the same either way.
    documentClient.middlewareStack.addRelativeTo(
      ((next: (args: unknown) => Promise<{ output: { ConsumedCapacity?: Capacity | Capacity[] } }>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          if (!recording) return next(args);
          const op = describeOp(context.commandName ?? '', args.input);
          args.input.ReturnConsumedCapacity = 'INDEXES';
          const inHandlerFn = fnContext.getStore()?.fn;
          const first = phaseOps === 0;
          phaseOps += 1;
          const result = await next(args);
          const isWrite = /Put|Update|Delete|Write/.test(context.commandName ?? '');
          const consumed = result.output.ConsumedCapacity;
          for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            const total = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
            const gsi = Object.fromEntries(Object.entries(c.GlobalSecondaryIndexes ?? {}).map(([k, v]) => [k, v.CapacityUnits ?? 0]));
            // The local host's development sign-in (the Cognito-verifying Lambda authorizer in AWS) looks the person up before the handler runs.
            const fn = inHandlerFn ?? (first && phase === 'submit' && op.startsWith('person') ? 'local dev sign-in' : httpFn);
            ops.push({ phase, fn, op, read: isWrite ? 0 : total, write: isWrite ? total : 0, table: c.Table?.CapacityUnits ?? total, gsi });
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

    // Group the calls by function and store method.
    const byOp = new Map<
      string,
      { fn: string; op: string; phases: string[]; calls: number; read: number; write: number; table: number; gsi: Record<string, number> }
    >();
    for (const o of last.ops) {
      const k = `${o.fn}\u0000${o.op}`;
      const agg = byOp.get(k) ?? { fn: o.fn, op: o.op, phases: [], calls: 0, read: 0, write: 0, table: 0, gsi: {} };
      if (!agg.phases.includes(o.phase)) agg.phases.push(o.phase);
      agg.calls += 1;
      agg.read += o.read;
      agg.write += o.write;
      agg.table += o.table;
      for (const [g, u] of Object.entries(o.gsi)) agg.gsi[g] = (agg.gsi[g] ?? 0) + u;
      byOp.set(k, agg);
    }
    const operations = [...byOp.values()];
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
    };
  } finally {
    capacityMeter.enabled = false;
    await stack.stop();
    await memoryDynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

console.log(
  `Benchmark: Node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), ${platform()} ${arch()}, load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}`,
);
console.log(`A. Bundling ${Object.keys(functions).length} functions as the CDK stack does, then ${IMPORT_RUNS} cold imports of each…`);
const bundles = await benchBundles();

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
const local = await benchLocalStack();
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
  `  Gap: per step ${fmtUnits(a.perStep.writeCalls)} writes to the approval item (createApproval, markEmailed, recordDecision) = ${fmtUnits(a.perStep.writeUnitsTable)} table units, the floor;` +
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
};
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote bench/results/latest.json (${results.durationSeconds} s).`);
process.exit(0);
