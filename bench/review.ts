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
 * `tsx bench/review.ts out.json <accounts> <departments>` runs one process alone and writes what it
 * measured; bench/review-summary.ts (benchReview) runs the processes for bench/run.ts and sums them
 * up (`BENCH_ONLY=review npm run bench` runs F alone with the report).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { StackSession } from './stack-session.ts';
import { type StateEntries, tapStateEntries } from './state-entries.ts';
import { round, sleep } from './stats.ts';
import type { Op } from './store-calls.ts';

export const REVIEW_POLL_MS = 10;
/** DTI's director: starts the review (O.a) and answers the platforms page. */
const DTI_DIRECTOR = 'E400';
/** The local dev sign-in's calls (the local host's cookie lookup): kept apart from the review's own. */
export const LOCAL = 'local dev sign-in';

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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2], Number(process.argv[3] ?? 100), Number(process.argv[4] ?? 5));
  process.exit(0);
}
