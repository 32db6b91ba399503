/**
 * How C's figures grow from the smaller offboarding to the larger: per account at both sizes, a
 * straight line through both points (fixed + per account × accounts), a verdict (linear, linear with
 * a fixed part, super-linear), and notes saying why, from the store calls measured. Written to
 * latest.json with C's figures and printed by the report.
 */
import type { OffboardingResults } from './offboarding.ts';
import { LINEAR_WITHIN, LINEAR_WITHIN_TIME } from './offboarding.ts';
import { fmtFig, fmtInt, fmtUnits } from './print.ts';
import { round } from './stats.ts';
import { methodOf } from './store-calls.ts';

export type OffSize = OffboardingResults['sizes'][number];

/** One figure of the offboarding table; `within` marks a timing (noisier, so a looser tolerance). */
export interface GrowthFigure {
  key: string;
  measure: string;
  of: (s: OffSize) => number | undefined;
  within?: number;
}

export function growthFigures(timedRuns: number): GrowthFigure[] {
  return [
    {
      key: 'hrEventToRotationEmailsMs',
      measure: `HR event → every rotation email in SES (ms, median of ${timedRuns})`,
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
}

/** Each figure's growth from the smaller size to the larger, and the notes that explain it. */
export function offboardingGrowth(off: OffboardingResults) {
  const [small, large] = off.sizes as [OffSize, OffSize];
  const figures = growthFigures(off.timedRuns);
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
  const callNamed = (s: OffSize, phase: string, fn: string, opPrefix: string) => {
    const c = s.capacity.byCall.find((x) => x.phase === phase && x.fn === fn && x.op.startsWith(opPrefix));
    return c ? { calls: c.calls, perCall: (c.read + c.write) / c.calls } : undefined;
  };
  const openQuery = off.sizes.map((s) => callNamed(s, 'reveal+confirm', 'completeOffboardingTask', 'OffboardingStore.anyOpen (Query'));
  // A marker found is checked against its task (GetItem) before anyOpen answers: that read is anyOpen's too.
  const openCheck = off.sizes.map((s) => callNamed(s, 'reveal+confirm', 'completeOffboardingTask', 'OffboardingStore.anyOpen (GetItem'));
  const everythingQuery = off.sizes.map((s) => callNamed(s, 'reveal+confirm', 'reportOffboarding', 'OffboardingStore.everything ('));
  const g = Object.fromEntries(growth.map((x) => [x.key, x])) as Record<string, (typeof growth)[number] & { fit?: { fixed: number; perAccount: number } }>;
  const e = (s: OffSize) => s.transitions.entries;
  const nested = off.sizes.every(
    (s) => e(s) && e(s)?.inMapIterations === s.accounts && s.transitions.total === (e(s)?.topLevel ?? 0) + (e(s)?.inMapIterations ?? 0),
  );
  const callsOf = (s: OffSize, phase: string, fn: string) => s.capacity.byCall.filter((c) => c.phase === phase && c.fn === fn);
  /** "method units, …" per account for one function's reads or writes in one phase. */
  const perAccountCalls = (s: OffSize, phase: string, fn: string, pick: 'read' | 'write', skip = '') => {
    const byMethod = new Map<string, number>();
    for (const c of callsOf(s, phase, fn))
      if (c[pick] > 0 && methodOf(c.op) !== skip) byMethod.set(methodOf(c.op), (byMethod.get(methodOf(c.op)) ?? 0) + c[pick]);
    return [...byMethod].map(([method, units]) => `${method} ${round(units / s.accounts, 2)}`).join(', ');
  };
  const recordWrites = (s: OffSize) =>
    s.capacity.byCall
      .filter((c) => c.write > 0 && / OFFBOARD\/META\)$/.test(c.op))
      .map((c) => `${methodOf(c.op)} ${round(c.write / c.calls, 2)}`)
      .join(', ');
  const fitText = (key: string) => {
    const f = g[key]?.fit;
    if (!f) return '';
    return `≈ ${fmtFig(f.fixed)} + ${fmtFig(f.perAccount)} per account`;
  };
  const notes = [
    `Transitions: ${g.transitionsTotal?.verdict}. Each account adds one state, OffboardAccount in its Map iteration; the rest is a fixed ${e(small)?.topLevel ?? '?'} top-level states (${Object.keys(
      e(small)?.byState ?? {},
    )
      .filter((name) => name !== 'OffboardAccount')
      .join(
        ', ',
      )}). The local host counts the Map iterations' states: ${nested ? `yes. Its count equals the top-level plus the in-iteration StateEntered events (${e(large)?.topLevel} + ${e(large)?.inMapIterations} at ${large.accounts} accounts), because aws-local-stepfunctions forwards each iteration's events to the root event log (forwardNestedMapEvent, tagged with the iteration index)` : 'NOT as expected (see transitions.entries in latest.json)'}. AWS Standard Workflows bill the states inside each Inline Map iteration too (not the iteration itself), and retries; there were no retries here (${off.sizes.map((s) => e(s)?.retries ?? '?').join(', ')}).`,
    `Read units, reveal + confirm: ${g.readUnitsRevealConfirm?.verdict}. Each confirmation asks whether any task is still open by reading one open-task marker and, when there is one, its task (OffboardingStore.anyOpen; each task has a marker while it is open): ${openQuery.map((t, i) => `${t ? fmtUnits(round(t.perCall, 2)) : '?'} read units per confirmation for the marker and ${fmtUnits(round(((openCheck[i]?.calls ?? 0) * (openCheck[i]?.perCall ?? 0)) / (t?.calls || 1), 2))} for its task at ${off.sizes[i]?.accounts} accounts`).join(', ')}. The rest is constant per account too (${perAccountCalls(large, 'reveal+confirm', 'completeOffboardingTask', 'read', 'OffboardingStore.anyOpen')}).`,
    `Read units, revoke + rotate: ${g.readUnitsRevokeRotate?.verdict}. Per account, offboardAccount reads the same (${perAccountCalls(large, 'revoke+rotate', 'offboardAccount', 'read')}: makePlan gets each person one by one). The fixed part, openOffboarding, planOffboarding, ReportStarted and AwaitTasks, includes one O(n) query made once (everything, for the summary). The offboarding record, read consistently by every offboardAccount and by every reveal and confirm, stays small because the account list is kept beside it: ${fmtInt(small.recordItemBytes)} bytes at ${small.accounts} accounts, ${fmtInt(large.recordItemBytes)} at ${large.accounts} (as JSON).`,
    `Write units: revoke + rotate ${g.writeUnitsRevokeRotate?.verdict} (${fitText('writeUnitsRevokeRotate')}), reveal + confirm ${g.writeUnitsRevealConfirm?.verdict} (${fitText('writeUnitsRevealConfirm')}). Per account: ${perAccountCalls(large, 'revoke+rotate', 'offboardAccount', 'write')} (a grant carries GSI2 keys, projection ALL, and a link its ByApprovalId key, so each costs an index write too); then ${perAccountCalls(large, 'reveal+confirm', 'completeOffboardingTask', 'write')}. The fixed part is a fixed number of writes to the offboarding record (${recordWrites(small)} units each at ${small.accounts} accounts; ${recordWrites(large)} at ${large.accounts}), each billed twice since the record carries GSI1 keys (projection ALL) for the list of offboardings.`,
    `Final report: ReportFinished reads every item of the offboarding once (everything: ${everythingQuery.map((t, i) => `${t ? fmtUnits(round(t.perCall, 2)) : '?'} units at ${off.sizes[i]?.accounts}`).join(', ')}), O(n) once. Emails: ${g.emails?.verdict}: one rotation email per account, plus ${small.emails.summaries} summaries (started and finished, each to DTI and the Communications Coordinator) whatever the size. The finished summary lists every account (${fmtInt(small.emails.finishedSummaryBytes)} bytes at ${small.accounts}, ${fmtInt(large.emails.finishedSummaryBytes)} at ${large.accounts}, text and HTML), so its size grows, not the count.`,
    `Time: HR event → every rotation email ${g.hrEventToRotationEmailsMs?.verdict} (${fitText('hrEventToRotationEmailsMs')}, in ms; the Map runs 10 accounts at once); reveal + confirm of all ${g.revealAndConfirmAllMs?.verdict} (${fitText('revealAndConfirmAllMs')}, in ms, one person, one after another). Timings on this shared machine vary a lot between runs (min and max in latest.json).`,
  ];
  return { growth, notes };
}
