/**
 * F. The annual review (statemachines/annual-review.asl.json) on the local stack: a City-wide review
 * of 100 accounts in 5 departments, and of 500 in 25 (20 accounts a department, 2 admins and a
 * poster on each). Per size: the time from the start (POST /reviews as DTI) to every department's
 * email, and to the execution parked at AwaitAnswers; state transitions; DynamoDB read and write
 * units per account by phase, function and store call; emails by kind. Then phase 2: DTI keeps every
 * platform, every director submits "keep all", one after another, and the review completes.
 *
 * A City-wide review covers every department in the directory, only this year or the next can be
 * started, and one review per year per table. So each size runs in processes of its own (a process
 * hosts one stack: the functions keep the table they were first loaded with), each on a fresh table
 * whose directory holds exactly the size's departments plus DTI (the demo directory's other six
 * departments are deleted; DTI is kept, with no accounts, for the platforms page and its director,
 * who starts the review). In each process the review of this year is metered, then the review of
 * next year, on the same accounts, is timed with metering off. DynamoDB Local runs in memory
 * (BENCH_DYNAMO=memory, as E): units do not depend on it.
 *
 * `tsx bench/review.ts out.json <accounts> <departments>` runs one process alone; bench/run.ts runs
 * F with benchReview (`BENCH_ONLY=review npm run bench` runs it alone with the report).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runBenchChild } from './child.ts';
import { fmtFig, fmtInt } from './print.ts';
import type { StackSession } from './stack-session.ts';
import { type StateEntries, tapStateEntries } from './state-entries.ts';
import { round, sleep, spread } from './stats.ts';
import { capacityByCall, methodOf, type Op } from './store-calls.ts';

/** The sizes reviewed: accounts, in this many departments (the same accounts per department at both). */
export const REVIEW_SIZES = [
  { accounts: 100, departments: 5 },
  { accounts: 500, departments: 25 },
] as const;
/**
 * Processes per size; each has one metered review (this year) and one timed review (next year). The
 * full run has one (F took 90 s with two, in a 565 s run on this loaded 2-core machine, too near the
 * 10-minute guard); BENCH_ONLY=review, run alone, has three, for a median of three.
 */
export const REVIEW_PROCESSES = 1;
export const REVIEW_PROCESSES_ALONE = 3;
const REVIEW_POLL_MS = 10;
/** Per-account (or per-department) figures at both sizes within this fraction of each other count as linear. */
const LINEAR_WITHIN = 0.05;
const LINEAR_WITHIN_TIME = 0.2;
/** DTI's director: starts the review (O.a) and answers the platforms page. */
const DTI_DIRECTOR = 'E400';
const LOCAL = 'local dev sign-in';

export interface ReviewRun {
  accounts: number;
  departments: number;
  metered: boolean;
  reviewId: string;
  /** POST /reviews sent → the last department's email in the SES emulator's store. */
  startToDepartmentEmailsMs: number;
  /** POST /reviews sent → the execution parked at AwaitAnswers (every page open, DTI and the Coordinator told). */
  startToParkedMs: number;
  /** DTI's platforms page submitted (keep every platform). */
  platformsSubmitMs: number;
  /** Every director's "keep all", one after another, until the execution has finished. */
  submitAllMs: number;
  transitionsAtDepartmentEmails?: number;
  transitionsParked?: StateEntries;
  transitionsFinal?: StateEntries;
  /** The host's own count (ExecutionRecord.transitions). */
  transitionsTotal: number;
  emails: { total: number; departmentPages: number; platformPage: number; summaries: number; other: number };
  /** Stored items as JSON: a department page at the end, and the review. */
  pageItemBytes: number;
  reviewItemBytes: number;
  progress?: unknown;
  phases?: { phase: string; read: number; write: number }[];
  ops?: Op[];
}

export interface ReviewProcessResults {
  accounts: number;
  departments: number;
  stackStartMs: number;
  seedMs: number;
  seededItems: number;
  runs: ReviewRun[];
}

async function main(outFile: string | undefined, accounts: number, departments: number) {
  // A stuck stack must not hang the benchmark: exiting runs startDynamo's exit hook, which kills DynamoDB Local.
  setTimeout(() => {
    console.error('bench (review): still running after 4 minutes; giving up.');
    process.exit(1);
  }, 240_000).unref();
  process.env.BENCH_DYNAMO = 'memory'; // see the header
  const { openStackSession } = await import('./stack-session.ts');
  const session = await openStackSession();
  try {
    const results = await measure(session, accounts, departments);
    const json = `${JSON.stringify(results, null, 2)}\n`;
    if (outFile) writeFileSync(outFile, json);
    else process.stdout.write(json);
  } finally {
    await session.close();
  }
}

/** A letter code per department: RVA, RVB, … (department codes are 2–8 capitals). */
const codeOf = (i: number) => `RV${String.fromCharCode(65 + (i % 26))}${i >= 26 ? String.fromCharCode(65 + Math.floor(i / 26) - 1) : ''}`;

async function measure(session: StackSession, accounts: number, departments: number): Promise<ReviewProcessResults> {
  const { stack, meter: capacityMeter, recorder, clearMailbox } = session;
  // Imported once the stack is up: they load the app's stores, whose meter reads METER_DYNAMODB at import.
  const { DeleteCommand, DynamoDBDocumentClient, GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { as, mailbox } = await import('../test/support/harness.ts');
  const { seedAccounts } = await import('../test/support/offboarding.ts');
  const { keepAll, startReview, submitDepartment } = await import('../test/support/reviews.ts');
  const { demoDirectory } = await import('#local/stack');
  const { DirectoryStore } = await import('#adapters/directory-store');
  type Person = import('#core/policy').Person;
  type Department = import('#core/policy').Department;

  recorder.outside = () => LOCAL;
  capacityMeter.enabled = false;
  const entries = tapStateEntries(stack.sfn, 'annualReview');
  // Unmetered: the bench's own set-up and reads.
  const db = DynamoDBDocumentClient.from(stack.client);

  // --- The directory: exactly this size's departments, plus DTI (no accounts) for the platforms page.
  const t = performance.now();
  for (const d of demoDirectory.departments) {
    if (d.code !== 'DTI') await db.send(new DeleteCommand({ TableName: stack.tableName, Key: { PK: `DEPT#${d.code}`, SK: 'PROFILE' } }));
  }
  const perDepartment = accounts / departments;
  const people: Person[] = [];
  const depts: (Department & { staff: [string, string, string] })[] = [];
  for (let i = 0; i < departments; i += 1) {
    const code = codeOf(i);
    const person = (suffix: string, role: string): string => {
      const id = `${code}-${suffix}`;
      people.push({ id, name: `${role} ${code}`, email: `${id.toLowerCase()}@cabq.example`, departmentCode: code, title: role });
      return id;
    };
    const directorId = person('D', 'Director');
    const designeeId = person('S', 'Designee');
    const staff: [string, string, string] = [person('A1', 'Admin one'), person('A2', 'Admin two'), person('P', 'Poster')];
    depts.push({ code, name: `Review department ${code}`, directorId, designeeId, staff });
  }
  await new DirectoryStore().putDirectory({ people, departments: depts.map(({ staff: _, ...d }) => d), roles: [], platforms: [] });
  const name = new Map(people.map((p) => [p.id, p.name]));
  const seeded: { code: string; directorId: string; staff: string[]; accountIds: string[] }[] = [];
  for (const d of depts) {
    const ids = await seedAccounts(
      stack,
      perDepartment,
      [
        { personId: d.staff[0], personName: name.get(d.staff[0]), role: 'ADMIN' },
        { personId: d.staff[1], personName: name.get(d.staff[1]), role: 'ADMIN' },
        { personId: d.staff[2], personName: name.get(d.staff[2]), role: 'POSTER' },
      ],
      { code: d.code, name: d.name },
    );
    seeded.push({ code: d.code, directorId: d.directorId, staff: d.staff, accountIds: ids.map((x) => x.accountId) });
  }
  const seedMs = performance.now() - t;
  const seededItems = people.length + depts.length + accounts * 4;
  const directorEmails = new Set(depts.map((d) => people.find((p) => p.id === d.directorId)?.email ?? ''));
  console.log(
    `  ${accounts} accounts in ${departments} departments (+ DTI): ${seededItems} items written in ${(seedMs / 1000).toFixed(1)} s; a metered review, then a timed one…`,
  );

  const review = async (year: number, metered: boolean): Promise<ReviewRun> => {
    await clearMailbox();
    const phases: { phase: string; read: number; write: number }[] = [];
    const ops: Op[] = [];
    capacityMeter.reset();
    capacityMeter.enabled = metered;
    const phase = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
      if (metered) recorder.start(label);
      const before = { read: capacityMeter.read, write: capacityMeter.write };
      try {
        return await work();
      } finally {
        if (metered) {
          ops.push(...recorder.stop());
          phases.push({ phase: label, read: capacityMeter.read - before.read, write: capacityMeter.write - before.write });
        }
      }
    };
    const reviewId = String(year);
    const execution = `annual-review-${reviewId}`;
    const isDepartmentPage = (e: { to: string[]; text: string }) =>
      e.text.includes(`/reviews/${reviewId}/departments/`) && e.to.some((to) => directorEmails.has(to));
    const timing = { emails: 0, parked: 0, platforms: 0, submits: 0 };
    const failure = async () => {
      const d = await stack.sfn.describe(execution);
      return d ? `${execution} ${d.status}${d.error ? `: ${d.error} ${d.cause ?? ''}` : ''}` : `no execution ${execution}`;
    };
    let transitionsAtDepartmentEmails: number | undefined;

    await phase('open', async () => {
      const t0 = performance.now();
      const started = await startReview(stack, { year: String(year) }, DTI_DIRECTOR);
      if (started.status !== 202) throw new Error(`review ${reviewId} not started: ${started.status} ${await started.text()}`);
      const deadline = Date.now() + 60_000;
      const failed = () => Boolean(entries?.(execution)?.byState.ReportFailure);
      // Reading the whole store costs this process (which runs the stack) time: until the Map's last iteration has
      // started no department's email can be the last, so the cheap in-process count is watched first.
      while ((entries?.(execution)?.byState.PrepareDepartmentReview ?? departments + 1) < departments + 1) {
        if (failed() || Date.now() > deadline) throw new Error(`${execution}: the Map did not reach its last department within 60 s (${await failure()})`);
        await sleep(2);
      }
      for (;;) {
        const mail = (await mailbox(stack)).filter(isDepartmentPage);
        if (mail.length >= departments) break;
        if (failed() || Date.now() > deadline) throw new Error(`${mail.length} of ${departments} department emails within 60 s (${await failure()})`);
        await sleep(REVIEW_POLL_MS);
      }
      timing.emails = performance.now() - t0;
      const seen = entries?.(execution);
      transitionsAtDepartmentEmails = seen && seen.topLevel + seen.inMapIterations;
      while (stack.sfn.waitingOn(execution).length === 0) {
        if (failed() || Date.now() > deadline) throw new Error(`${execution} never parked at AwaitAnswers (${await failure()})`);
        await sleep(2);
      }
      timing.parked = performance.now() - t0;
    });
    const transitionsParked = entries?.(execution);

    await phase('platforms', async () => {
      const t0 = performance.now();
      const answers = Object.fromEntries(demoDirectory.platforms.map((p) => [`p.${p.id}.decision`, 'KEEP']));
      const res = await as(stack, DTI_DIRECTOR).post(`/reviews/${reviewId}/platforms`, { action: 'submit', confirmed: true, ...answers });
      if (res.status !== 200) throw new Error(`platforms submit: ${res.status} ${await res.text()}`);
      timing.platforms = performance.now() - t0;
    });

    const record = await phase('submit', async () => {
      const t0 = performance.now();
      for (const d of seeded) {
        const answers = Object.assign({}, ...d.accountIds.map((id) => keepAll(id, d.staff)));
        const res = await submitDepartment(stack, d.directorId, reviewId, d.code, answers);
        if (res.status !== 200) throw new Error(`${d.code} submit: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
      const finished = await stack.sfn.result(execution);
      timing.submits = performance.now() - t0;
      return finished;
    });
    capacityMeter.enabled = false;
    const status = record?.output ? (JSON.parse(record.output) as { result?: { status?: string } }).result?.status : undefined;
    if (record?.status !== 'SUCCEEDED' || status !== 'COMPLETED') throw new Error(`review ${reviewId} ended ${record?.status} / ${status}`);

    const mail = await mailbox(stack);
    const departmentPages = mail.filter(isDepartmentPage).length;
    const platformPage = mail.filter((e) => e.text.includes(`/reviews/${reviewId}/platforms`)).length;
    const summaries = mail.filter((e) => e.subject === `${year} annual review has started` || e.subject === `${year} annual review is finished`).length;
    const item = async (SK: string) =>
      Buffer.byteLength(
        JSON.stringify((await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `REVIEW#${reviewId}`, SK }, ConsistentRead: true }))).Item ?? {}),
      );
    const report = await as(stack, DTI_DIRECTOR).get(`/reviews/${reviewId}`);
    const progress = report.status === 200 ? ((await report.json()) as { progress?: unknown }).progress : undefined;
    return {
      accounts,
      departments,
      metered,
      reviewId,
      startToDepartmentEmailsMs: round(timing.emails, 1),
      startToParkedMs: round(timing.parked, 1),
      platformsSubmitMs: round(timing.platforms, 1),
      submitAllMs: round(timing.submits, 1),
      transitionsAtDepartmentEmails,
      transitionsParked,
      transitionsFinal: entries?.(execution),
      transitionsTotal: record.transitions,
      emails: { total: mail.length, departmentPages, platformPage, summaries, other: mail.length - departmentPages - platformPage - summaries },
      pageItemBytes: await item(`PAGE#DEPT#${seeded[0]?.code}`),
      reviewItemBytes: await item('META'),
      progress,
      ...(metered ? { phases, ops } : {}),
    };
  };

  const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
  const runs = [await review(year, true), await review(year + 1, false)];
  return { accounts, departments, stackStartMs: Math.round(session.startMs), seedMs: round(seedMs, 0), seededItems, runs };
}

// --- The parent's half: runs the processes, sums up per size, and how each figure grows ---------------

/** Runs one process of its own (see the header) and hands back what it measured. */
function runProcess(repoRoot: string, env: NodeJS.ProcessEnv, accounts: number, departments: number): Promise<ReviewProcessResults> {
  return runBenchChild<ReviewProcessResults>(repoRoot, env, 'review.ts', [String(accounts), String(departments)]);
}

const PHASES = ['open', 'platforms', 'submit'] as const;

/** One size: its metered runs (one per process) summed up by phase, function and store call, and its timed runs' spread. */
function summarize(processes: ReviewProcessResults[]) {
  const first = processes[0] as ReviewProcessResults;
  const metered = processes.map((p) => p.runs.find((r) => r.metered) as ReviewRun);
  const timed = processes.map((p) => p.runs.find((r) => !r.metered) as ReviewRun);
  const m = metered[0] as ReviewRun;
  const ops = m.ops ?? [];
  const n = m.accounts;
  const local = (o: Op) => o.fn === LOCAL;
  const units = (phase: string, pick: 'read' | 'write', include: (o: Op) => boolean = (o) => !local(o)) =>
    round(
      ops.filter((o) => o.phase === phase && include(o)).reduce((s, o) => s + o[pick], 0),
      2,
    );
  const { byFn, byOp } = capacityByCall(ops);
  const recorded = { read: ops.reduce((s, o) => s + o.read, 0), write: ops.reduce((s, o) => s + o.write, 0) };
  const metre = (m.phases ?? []).reduce((s, p) => ({ read: s.read + p.read, write: s.write + p.write }), { read: 0, write: 0 });
  const capacityOf = (r: ReviewRun) => JSON.stringify(r.phases);
  const total = (x: StateEntries | undefined) => x && x.topLevel + x.inMapIterations;
  const samples = (pick: (r: ReviewRun) => number) => spread(timed.map(pick));
  return {
    accounts: n,
    departments: m.departments,
    accountsPerDepartment: n / m.departments,
    reviewIds: [m.reviewId, ...timed.map((r) => r.reviewId).filter((id, i, all) => all.indexOf(id) === i)],
    processes: processes.length,
    stackStartMs: processes.map((p) => p.stackStartMs),
    seed: { items: first.seededItems, ms: processes.map((p) => p.seedMs) },
    timedRuns: timed.length,
    startToDepartmentEmailsMs: samples((r) => r.startToDepartmentEmailsMs),
    startToParkedMs: samples((r) => r.startToParkedMs),
    platformsSubmitMs: samples((r) => r.platformsSubmitMs),
    submitAllMs: samples((r) => r.submitAllMs),
    meteredRunMs: metered.map((r) => ({
      startToDepartmentEmails: r.startToDepartmentEmailsMs,
      startToParked: r.startToParkedMs,
      platformsSubmit: r.platformsSubmitMs,
      submitAll: r.submitAllMs,
    })),
    transitions: {
      atDepartmentEmails: m.transitionsAtDepartmentEmails,
      parked: total(m.transitionsParked),
      total: m.transitionsTotal,
      mapIterations: m.transitionsFinal?.inMapIterations,
      entries: m.transitionsFinal,
      stableAcrossRuns: [...metered, ...timed].every((r) => r.transitionsTotal === m.transitionsTotal),
    },
    capacity: {
      ...Object.fromEntries(PHASES.map((p) => [p, { read: units(p, 'read'), write: units(p, 'write') }])),
      localDevSignIn: {
        read: round(
          PHASES.reduce((s, p) => s + units(p, 'read', local), 0),
          2,
        ),
      },
      recorderMatchesMeter: round(recorded.read, 3) === round(metre.read, 3) && round(recorded.write, 3) === round(metre.write, 3),
      stableAcrossProcesses: metered.every((r) => capacityOf(r) === capacityOf(m)),
      byFunction: byFn.map((f) => ({ ...f, read: round(f.read, 2), write: round(f.write, 2) })),
      byCall: byOp.map((c) => ({ ...c, read: round(c.read, 2), write: round(c.write, 2), gsiWrite: round(c.gsiWrite, 2) })),
    } as {
      open: { read: number; write: number };
      platforms: { read: number; write: number };
      submit: { read: number; write: number };
      localDevSignIn: { read: number };
      recorderMatchesMeter: boolean;
      stableAcrossProcesses: boolean;
      byFunction: { phase: string; fn: string; calls: number; read: number; write: number }[];
      byCall: { phase: string; fn: string; op: string; calls: number; read: number; write: number; gsiWrite: number }[];
    },
    emails: m.emails,
    emailsStableAcrossRuns: [...metered, ...timed].every((r) => JSON.stringify(r.emails) === JSON.stringify(m.emails)),
    pageItemBytes: m.pageItemBytes,
    reviewItemBytes: m.reviewItemBytes,
    progress: m.progress,
  };
}

export type ReviewSize = ReturnType<typeof summarize>;

/** One figure of F's table; `per` is what it should grow with; `within` marks a timing (a looser tolerance). */
export interface ReviewFigure {
  key: string;
  measure: string;
  per: 'account' | 'department';
  of: (s: ReviewSize) => number | undefined;
  within?: number;
}

export function reviewFigures(timedRuns: number): ReviewFigure[] {
  const t = LINEAR_WITHIN_TIME;
  return [
    {
      key: 'startToDepartmentEmailsMs',
      measure: `start → every department's email in SES (ms, ${timedRuns === 1 ? 'one timed run' : `median of ${timedRuns}`})`,
      per: 'department',
      of: (s) => s.startToDepartmentEmailsMs.median,
      within: t,
    },
    {
      key: 'startToParkedMs',
      measure: `start → parked at AwaitAnswers (ms${timedRuns === 1 ? '' : ', median'})`,
      per: 'department',
      of: (s) => s.startToParkedMs.median,
      within: t,
    },
    {
      key: 'submitAllMs',
      measure: `every "keep all" submit, one after another, to SUCCEEDED (ms${timedRuns === 1 ? '' : ', median'})`,
      per: 'account',
      of: (s) => s.submitAllMs.median,
      within: t,
    },
    {
      key: 'transitionsAtDepartmentEmails',
      measure: "state transitions when the last department's email landed",
      per: 'department',
      of: (s) => s.transitions.atDepartmentEmails,
    },
    { key: 'transitionsParked', measure: 'state transitions until parked (every page open)', per: 'department', of: (s) => s.transitions.parked },
    { key: 'transitionsTotal', measure: 'state transitions in total (review completed)', per: 'department', of: (s) => s.transitions.total },
    { key: 'readOpen', measure: 'DynamoDB read units, open (start → parked)', per: 'account', of: (s) => s.capacity.open.read },
    { key: 'writeOpen', measure: 'DynamoDB write units, open', per: 'account', of: (s) => s.capacity.open.write },
    { key: 'readPlatforms', measure: "DynamoDB read units, DTI's platforms submit", per: 'account', of: (s) => s.capacity.platforms.read },
    { key: 'writePlatforms', measure: "DynamoDB write units, DTI's platforms submit", per: 'account', of: (s) => s.capacity.platforms.write },
    { key: 'readSubmit', measure: 'DynamoDB read units, "keep all" submits → completed', per: 'account', of: (s) => s.capacity.submit.read },
    { key: 'writeSubmit', measure: 'DynamoDB write units, "keep all" submits → completed', per: 'account', of: (s) => s.capacity.submit.write },
    { key: 'emails', measure: 'emails in total', per: 'department', of: (s) => s.emails.total },
    { key: 'departmentEmails', measure: "  department pages (one to each department's director)", per: 'department', of: (s) => s.emails.departmentPages },
    { key: 'platformEmails', measure: "  the platforms page (to DTI's director)", per: 'department', of: (s) => s.emails.platformPage },
    { key: 'summaryEmails', measure: '  summaries (DTI, Coordinator; started, finished)', per: 'department', of: (s) => s.emails.summaries },
  ];
}

/** Each figure's growth from the smaller review to the larger, per account or per department, and the notes that explain it. */
export function reviewGrowth(sizes: ReviewSize[]) {
  const [small, large] = sizes as [ReviewSize, ReviewSize];
  const figures = reviewFigures(small.timedRuns);
  const growth = figures.map((f) => {
    const [t1, t2] = [f.of(small), f.of(large)];
    if (t1 === undefined || t2 === undefined) return { key: f.key, measure: f.measure, per: f.per, verdict: 'not measured' };
    const [n1, n2] = f.per === 'account' ? [small.accounts, large.accounts] : [small.departments, large.departments];
    const ratio = t1 === 0 ? (t2 === 0 ? 1 : Number.POSITIVE_INFINITY) : t2 / n2 / (t1 / n1);
    const slope = (t2 - t1) / (n2 - n1);
    const fixed = t1 - slope * n1;
    const within = f.within ?? LINEAR_WITHIN;
    const timing = f.within !== undefined;
    const verdict =
      timing && small.timedRuns === 1
        ? `one run each: ×${ratio.toFixed(2)} per ${f.per}, too noisy to judge`
        : t1 === t2
          ? 'constant'
          : ratio > 1 + within
            ? `super-linear (per ${f.per} ×${ratio.toFixed(2)})`
            : timing || ratio >= 1 - within
              ? `linear in ${f.per}s`
              : `linear in ${f.per}s + a fixed part`;
    return {
      key: f.key,
      measure: f.measure,
      per: f.per,
      small: { total: round(t1, 2), [`per${f.per}`]: round(t1 / n1, 3) },
      large: { total: round(t2, 2), [`per${f.per}`]: round(t2 / n2, 3) },
      perUnitRatio: round(ratio, 3),
      fit: { fixed: round(fixed, 2), [`per${f.per}`]: round(slope, 3) },
      verdict,
    };
  });
  const g = Object.fromEntries(growth.map((x) => [x.key, x])) as Record<string, (typeof growth)[number]>;
  const fitText = (key: string) => {
    const x = g[key] as { fit?: Record<string, number>; per: string } | undefined;
    if (!x?.fit) return '';
    return `≈ ${fmtFig(x.fit.fixed)} + ${fmtFig(x.fit[`per${x.per}`])} per ${x.per}`;
  };
  /** "method units, …" per account for one phase's reads or writes, largest first (none that rounds to 0). */
  const perAccount = (s: ReviewSize, phase: string, pick: 'read' | 'write', top = 4) => {
    const byMethod = new Map<string, number>();
    for (const c of s.capacity.byCall)
      if (c.phase === phase && c.fn !== LOCAL && c[pick] > 0)
        byMethod.set(`${c.fn} ${methodOf(c.op)}`, (byMethod.get(`${c.fn} ${methodOf(c.op)}`) ?? 0) + c[pick]);
    return [...byMethod]
      .map(([method, u]) => [method, round(u / s.accounts, 2)] as const)
      .filter(([, u]) => u > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([method, u]) => `${method} ${u}`)
      .join(', ');
  };
  const call = (s: ReviewSize, phase: string, fn: string, op: string) => s.capacity.byCall.find((c) => c.phase === phase && c.fn === fn && c.op === op);
  const putPage = call(large, 'open', 'prepareDepartmentReview', 'ReviewStore.putPage (TransactWriteItems 2 items)');
  const putGsi = putPage && round(putPage.gsiWrite / putPage.calls, 1);
  const pageWrites = large.capacity.byCall.filter((c) => c.phase === 'submit' && c.fn === 'answerReview' && c.op.endsWith('(UpdateItem REVIEW/PAGE)'));
  const perCall = (c: (typeof pageWrites)[number] | undefined, part: 'table' | 'gsi' = 'table') =>
    c ? round((part === 'gsi' ? c.gsiWrite : c.write - c.gsiWrite) / c.calls, 1) : undefined;
  // An update is billed by the larger of the item before and after, in 1 kB units: the page's size in DynamoDB's terms.
  const pageKb = Math.max(0, ...pageWrites.map((c) => perCall(c) ?? 0));
  const kbPerAccount = pageKb / large.accountsPerDepartment;
  // DynamoDB Local reports no units for a Query that matches nothing; DynamoDB bills at least 0.5 (eventually consistent) for each.
  const free = new Map<string, number>();
  for (const c of large.capacity.byCall)
    if (c.fn !== LOCAL && c.read === 0 && c.write === 0 && / \(Query /.test(c.op)) free.set(methodOf(c.op), (free.get(methodOf(c.op)) ?? 0) + c.calls);
  const freeCalls = [...free.values()].reduce((n, k) => n + k, 0);
  const e = (s: ReviewSize) => s.transitions.entries;
  const perIteration = sizes.every(
    (s) => e(s)?.inMapIterations === s.departments + 1 && s.transitions.total === (e(s)?.topLevel ?? 0) + (e(s)?.inMapIterations ?? 0),
  );
  const notes = [
    `Transitions: ${g.transitionsTotal?.verdict} (${fitText('transitionsTotal')}). Each department adds one state, PrepareDepartmentReview in its Map iteration (DTI, kept in the directory with no accounts, is one more iteration: its page has nothing to review and no email); the rest is a fixed ${e(small)?.topLevel ?? '?'} top-level states (${Object.keys(
      e(small)?.byState ?? {},
    )
      .filter((s) => s !== 'PrepareDepartmentReview')
      .join(
        ', ',
      )}) whatever the accounts: the Map is over departments, never accounts, and a department's accounts are read in batches by its one task. ${perIteration ? `The host's count equals the top-level plus the in-iteration StateEntered events (${e(large)?.topLevel} + ${e(large)?.inMapIterations} at ${large.departments} departments)` : 'The host count is NOT top-level + iterations as expected (see transitions.entries)'}; no retries (${sizes.map((s) => e(s)?.retries ?? '?').join(', ')}). With no reminder due, nothing loops: each sweep (ChaseAnswers + CountSweep + AwaitAnswers) would add 3.`,
    `Open: read units ${g.readOpen?.verdict} (${fitText('readOpen')}), write units ${g.writeOpen?.verdict} (${fitText('writeOpen')}). Per account at ${large.accounts}: reads ${perAccount(large, 'open', 'read')}; writes ${perAccount(large, 'open', 'write')}. Most of it is the department's page, one item holding every account with its findings (${fmtInt(large.pageItemBytes)} bytes as JSON for ${large.accountsPerDepartment} accounts at both sizes): its put, in a transaction with its open marker, costs ${fmtFig(putPage && putPage.write / putPage.calls)} units (transactions bill twice; its ByAssignee entry is KEYS_ONLY, ${fmtFig(putGsi)}); then one grantsOn query per account. ${freeCalls ? `Not counted: Queries that matched nothing, for which DynamoDB Local reports no units (${[...free].map(([method, k]) => `${method} ${fmtInt(k)}`).join(', ')} at ${large.accounts} accounts: no records were seeded, and only one platform and no DTI account); DynamoDB bills each at least 0.5, so ${fmtFig(freeCalls / 2 / large.accounts)} more read units per account on AWS.` : ''}`,
    `Submits: read units ${g.readSubmit?.verdict} (${fitText('readSubmit')}), write units ${g.writeSubmit?.verdict} (${fitText('writeSubmit')}). Per account at ${large.accounts}: reads ${perAccount(large, 'submit', 'read')}; writes ${perAccount(large, 'submit', 'write')}. A "keep all" changes no grant: what it costs is the page, read consistently and then written ${pageWrites.length} times (${pageWrites.map((c) => `${methodOf(c.op)} ${fmtFig(perCall(c))}${c.gsiWrite ? ` + ${fmtFig(perCall(c, 'gsi'))} for leaving ByAssignee` : ''}`).join(', ')} units each), each billed by the page's size, so it goes with the accounts on each page; ReportFinished reads every page twice (before and after applying). The page is about ${fmtFig(kbPerAccount)} kB an account in DynamoDB's terms: one department would reach the 400 kB item limit at about ${kbPerAccount ? fmtInt(Math.floor(400 / kbPerAccount / 10) * 10) : '?'} accounts. DTI's platforms page is a fixed cost (${fmtFig(large.capacity.platforms.read)} read, ${fmtFig(large.capacity.platforms.write)} write units).`,
    `Emails: ${g.departmentEmails?.verdict}: one page email per department with accounts (${small.emails.departmentPages} and ${large.emails.departmentPages}), not per account; plus ${small.emails.platformPage} platforms page to DTI's director and ${small.emails.summaries} summaries (started and finished, each to DTI and the Communications Coordinator) whatever the size; ${small.emails.other + large.emails.other} others (a "keep all" revokes nothing, so nobody is told).`,
    small.timedRuns === 1
      ? `Time: one timed run per size, too noisy on this shared machine to judge how it grows (BENCH_ONLY=review runs three per size): start → every department's email ${fmtFig(small.startToDepartmentEmailsMs.median)} and ${fmtFig(large.startToDepartmentEmailsMs.median)} ms (the Map runs 10 departments at once), the submits, one director after another, ${fmtFig(small.submitAllMs.median)} and ${fmtFig(large.submitAllMs.median)} ms; the metered runs' times are in the JSON; everything shares this machine's cores.`
      : `Time: start → every department's email ${g.startToDepartmentEmailsMs?.verdict} (${fitText('startToDepartmentEmailsMs')}, in ms; the Map runs 10 departments at once); the submits ${g.submitAllMs?.verdict} (${fitText('submitAllMs')}, in ms, one director after another). One timed run per process, ${small.timedRuns} per size (samples in the JSON); everything shares this machine's cores.`,
  ];
  return { growth, notes };
}

/** F: every size in processes of its own, then the summary and how each figure grows. */
export async function benchReview(repoRoot: string, env: NodeJS.ProcessEnv, processesPerSize = REVIEW_PROCESSES) {
  const sizes: ReviewSize[] = [];
  for (const size of REVIEW_SIZES) {
    const processes: ReviewProcessResults[] = [];
    for (let i = 0; i < processesPerSize; i += 1) processes.push(await runProcess(repoRoot, env, size.accounts, size.departments));
    sizes.push(summarize(processes));
  }
  const { growth, notes } = reviewGrowth(sizes);
  return {
    sizes,
    processesPerSize,
    pollMs: REVIEW_POLL_MS,
    dynamo: 'memory',
    directory:
      'exactly the size’s departments (RVA…, each a director, a designee, two admins and a poster) plus DTI, kept with no accounts for the platforms page; the demo directory’s people and role holders kept',
    grantsPerAccount: '2 admins + 1 poster',
    growth,
    notes,
  };
}

export type ReviewResults = Awaited<ReturnType<typeof benchReview>>;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2], Number(process.argv[3] ?? 100), Number(process.argv[4] ?? 5));
  process.exit(0);
}
