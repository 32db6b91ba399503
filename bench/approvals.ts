/**
 * B. Approved requests on the local stack (submit → Department Director → Communications Director →
 * outcome): state transitions, DynamoDB capacity and emails, per approval step next to the issue's
 * floor, with the units attributed to each function and store call; then the time from submit to
 * the first approval email over many requests.
 */
import { randomBytes } from 'node:crypto';
import { validForm } from '../test/support/forms.ts';
import type { StackSession } from './stack-session.ts';
import { percentile, round, median, sleep } from './stats.ts';
import { type Op, totalsByCall } from './store-calls.ts';

export const METERED_RUNS = 3;
export const LATENCY_WARMUP = 3;
export const LATENCY_REQUESTS = 50;
const POLL_MS = 5;
/** The floor for one approval step. */
export const FLOOR = { transitions: 4, writeUnits: 3 };

const requester = 'E102';
/** PRD's chain: Department Director, then Communications Director. */
const approvers = ['dbaca@cabq.example', 'emartinez@cabq.example'];

interface MeteredRun {
  requestId: string;
  transitions: number;
  read: number;
  write: number;
  emails: number;
  phases: { phase: string; read: number; write: number }[];
  ops: Op[];
}

export async function benchApprovals({ stack, meter, recorder, mailbox, clearMailbox }: StackSession) {
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
        const email = (await mailbox()).find((e) => e.destination.to.includes(to) && (e.body.text ?? '').includes('/approvals/'));
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
  const units = () => ({ read: meter.read, write: meter.write });

  // The local host's development sign-in (the Cognito-verifying Lambda authorizer in AWS) looks the
  // person up before the submit handler runs; no other call of B is made outside a function.
  let httpFn = '';
  recorder.outside = (op, callsInPhase, phase) =>
    callsInPhase === 0 && phase === 'submit' && op.startsWith('GovernanceStore.person (') ? 'local dev sign-in' : httpFn;

  // --- Fully approved requests, metered phase by phase. Each phase starts with nothing running.
  const runs: MeteredRun[] = [];
  for (let run = 0; run < METERED_RUNS; run += 1) {
    await clearMailbox();
    meter.reset();
    const phases: MeteredRun['phases'] = [];
    let before = units();
    const startPhase = (name: string, fn: string) => {
      httpFn = fn;
      recorder.start(name);
      before = units();
    };
    const endPhase = (name: string) => phases.push({ phase: name, read: meter.read - before.read, write: meter.write - before.write });

    startPhase('submit', 'submitRequest');
    const requestId = await requestIdOf(await submit());
    let link = await linkFor(requestId, approvers[0] as string);
    endPhase('submit');
    for (let step = 1; step < approvers.length; step += 1) {
      startPhase(`decision ${step}`, 'decideApproval');
      await approve(link);
      link = await linkFor(requestId, approvers[step] as string);
      endPhase(`decision ${step}`);
    }
    startPhase(`decision ${approvers.length}`, 'decideApproval');
    await approve(link);
    const record = await stack.sfn.result(requestId);
    endPhase(`decision ${approvers.length}`);
    const ops = recorder.stop();
    const emails = await mailbox();
    const status = record?.output ? (JSON.parse(record.output) as { result?: { status?: string } }).result?.status : undefined;
    if (record?.status !== 'SUCCEEDED' || status !== 'APPROVED') throw new Error(`request ${requestId} ended ${record?.status} / ${status}`);
    runs.push({ requestId, transitions: record.transitions, read: meter.read, write: meter.write, emails: emails.length, phases, ops });
  }

  const last = runs[runs.length - 1] as MeteredRun;
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
  meter.enabled = false;
  const submitMs: number[] = [];
  const firstEmailMs: number[] = [];
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_REQUESTS; i += 1) {
    await clearMailbox();
    const t0 = performance.now();
    // Poll from the start: the email may land before the POST's response does.
    const posted = submit().then(async (res) => ({ id: await requestIdOf(res), ms: performance.now() - t0 }));
    let emailAt: number | undefined;
    const deadline = Date.now() + 15_000;
    while (emailAt === undefined) {
      if ((await mailbox()).some((e) => e.destination.to.includes(approvers[0] as string))) emailAt = performance.now() - t0;
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

  return {
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
      attribution: "by function (the local stack's aroundInvoke hook)",
      perStep,
      floor: FLOOR,
    },
    latency: {
      requests: LATENCY_REQUESTS,
      warmupExcluded: LATENCY_WARMUP + METERED_RUNS,
      concurrency: 1,
      pollMs: POLL_MS,
      note: `Sequential (one request at a time). GET /store polled every ${POLL_MS} ms from the start of the POST, so each figure is late by up to one poll interval plus one GET round trip. The stack runs in this process; DynamoDB metering off.`,
      submitToFirstApprovalEmailMs: { ...stats(firstEmailMs), samples: firstEmailMs.map((x) => round(x, 1)) },
      submitResponseMs: stats(submitMs),
    },
  };
}

export type ApprovalResults = Awaited<ReturnType<typeof benchApprovals>>;
