/**
 * C. Separation offboarding on the local stack: one employee holding 10, then 50 accounts (one
 * co-admin each): the time from the HR event to every rotation email, state transitions, DynamoDB
 * capacity per account by phase (revoke + rotate, reveal + confirm), function and store call, and
 * emails. How each figure grows in accounts is offboarding-growth.ts.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StackSession } from './stack-session.ts';
import { type StateEntries, tapStateEntries } from './state-entries.ts';
import { round, sleep, spread } from './stats.ts';
import { capacityByCall, type Op } from './store-calls.ts';

/** Accounts held by the separated employee, each with one remaining admin (the co-admin). */
export const OFFBOARDING_SIZES = [10, 50] as const;
/** Timed offboardings per size, metering off, after one metered offboarding of each size. */
export const OFFBOARDING_TIMED_RUNS = 5;
const OFFBOARDING_POLL_MS = 10;
/** Per-account figures at both sizes within this fraction of each other count as linear in accounts. */
export const LINEAR_WITHIN = 0.05;
export const LINEAR_WITHIN_TIME = 0.2;

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

export async function benchOffboarding({ stack, meter: capacityMeter, recorder, clearMailbox }: StackSession) {
  // Imported once the stack is up: they load the app's stores, whose meter reads METER_DYNAMODB at import.
  const { mailbox } = await import('../test/support/harness.ts');
  const { grantFor, hire, rotate, seedAccounts, separate, taskLinkIn } = await import('../test/support/offboarding.ts');
  // Outside any function, only the local host's development sign-in reads the table (the AWS authorizer verifies a JWT).
  recorder.outside = () => 'local dev sign-in';
  const entries = tapStateEntries(stack.sfn, 'separationOffboarding');
  // Unmetered: the bench's own reads of the record.
  const db = DynamoDBDocumentClient.from(stack.client);

  const offboard = async (accounts: number, metered: boolean): Promise<OffboardingRun> => {
    const leaver = await hire(stack, 'PRD', 'Bench leaver');
    const coAdmin = await hire(stack, 'PRD', 'Bench co-admin');
    await seedAccounts(stack, accounts, [grantFor(leaver), grantFor(coAdmin)]);
    await clearMailbox();
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

  const sizes = metered.map((m) => {
    const ops = m.ops ?? [];
    const n = m.accounts;
    const local = (o: Op) => o.fn === 'local dev sign-in';
    const units = (phase: string, f: (o: Op) => number, include: (o: Op) => boolean = (o) => !local(o)) =>
      ops.filter((o) => o.phase === phase && include(o)).reduce((s, o) => s + f(o), 0);
    const runs = timed.filter((t) => t.accounts === n);
    const { byFn, byOp } = capacityByCall(ops);
    const recorded = { read: ops.reduce((s, o) => s + o.read, 0), write: ops.reduce((s, o) => s + o.write, 0) };
    const metre = (m.phases ?? []).reduce((s, p) => ({ read: s.read + p.read, write: s.write + p.write }), { read: 0, write: 0 });
    return {
      accounts: n,
      offboardingId: m.offboardingId,
      timedRuns: runs.length,
      hrEventToRotationEmailsMs: spread(runs.map((r) => r.hrEventToRotationEmailsMs)),
      hrEventToParkedMs: spread(runs.map((r) => r.hrEventToParkedMs)),
      revealAndConfirmAllMs: spread(runs.map((r) => r.revealAndConfirmAllMs)),
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
        byFunction: byFn,
        byCall: byOp,
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

export type OffboardingResults = Awaited<ReturnType<typeof benchOffboarding>>;
