/**
 * The parent's half of benchmark F: bench/review.ts measures one size in a process of its own (see
 * its header); this runs those processes for each size, sums up each size (by phase, function and
 * store call, the timed runs' spread), and says how each figure grows from the smaller size to the
 * larger, per account or per department. bench/report-review.ts prints what benchReview returns.
 */
import { runBenchChild } from './child.ts';
import { fmtFig, fmtInt } from './print.ts';
import { LOCAL, REVIEW_POLL_MS, type ReviewProcessResults, type ReviewRun } from './review.ts';
import type { StateEntries } from './state-entries.ts';
import { round, spread } from './stats.ts';
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
/** Per-account (or per-department) figures at both sizes within this fraction of each other count as linear. */
const LINEAR_WITHIN = 0.05;
const LINEAR_WITHIN_TIME = 0.2;

/** Runs bench/review.ts in a process of its own (see its header) and hands back what it measured. */
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
    `Open: read units ${g.readOpen?.verdict} (${fitText('readOpen')}), write units ${g.writeOpen?.verdict} (${fitText('writeOpen')}). Per account at ${large.accounts}: reads ${perAccount(large, 'open', 'read')}; writes ${perAccount(large, 'open', 'write')}. Most of it is the department's page, one item holding every account with its findings (${fmtInt(large.pageItemBytes)} bytes as JSON for ${large.accountsPerDepartment} accounts at both sizes): its put, in a transaction with its open marker, costs ${fmtFig(putPage && putPage.write / putPage.calls)} units (transactions bill twice; its ByAssignee entry is KEYS_ONLY, ${fmtFig(putGsi)}); then one holdingsOf query per account (its grants and standings). ${freeCalls ? `Not counted: Queries that matched nothing, for which DynamoDB Local reports no units (${[...free].map(([method, k]) => `${method} ${fmtInt(k)}`).join(', ')} at ${large.accounts} accounts: no records were seeded, and only one platform and no DTI account); DynamoDB bills each at least 0.5, so ${fmtFig(freeCalls / 2 / large.accounts)} more read units per account on AWS.` : ''}`,
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
