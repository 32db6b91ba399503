import type { Approval } from '#core/approval';
import type { StepState } from '#core/components';
import { formatDate, formatWhen } from '#core/html';
import { type Policy, policy } from '#core/policy';
import type { RequestBase } from '#core/request-kind';

/**
 * Where a request stands in its chain, for its requester (My work, the request page): which step
 * of how many, with whom since when, and when that person is due to answer (after which a reminder,
 * then the designee, then expiry). Read from the request's own approvals, nothing else.
 */
export interface Progress {
  stepNumber: number;
  stepCount: number;
  stepTitle: string;
  /** Who holds the current step, and since when; absent before the first link is sent. */
  with?: { name: string; since: string; due: string };
  steps: StepState[];
}

/** The open approval of a pending request: the latest round of the highest step not yet decided or superseded. */
export function openApproval(approvals: readonly Approval[]): Approval | undefined {
  return [...approvals].filter((a) => !a.decision && !a.supersededAt).sort((a, b) => b.step - a.step || b.round - a.round)[0];
}

/** When an approval's holder is due to answer: `waits.decisionWaitSeconds` after the link was made. */
export function dueAt(approval: Pick<Approval, 'createdAt'>, p: Policy = policy): string {
  return new Date(Date.parse(approval.createdAt) + p.waits.decisionWaitSeconds * 1000).toISOString();
}

export function requestProgress(request: Pick<RequestBase, 'status' | 'steps'>, approvals: readonly Approval[], p: Policy = policy): Progress {
  const decided = new Set(approvals.filter((a) => a.decision?.outcome === 'APPROVED').map((a) => a.step));
  const open = request.status === 'PENDING' ? openApproval(approvals) : undefined;
  const current = open?.step ?? (request.status === 'PENDING' ? request.steps.findIndex((_, i) => !decided.has(i)) : -1);
  const steps: StepState[] = request.steps.map((s, i) => ({
    label: s.title,
    state: decided.has(i) ? 'complete' : i === current ? 'current' : 'incomplete',
  }));
  const index = current >= 0 ? current : request.steps.length - 1;
  return {
    stepNumber: index + 1,
    stepCount: request.steps.length,
    stepTitle: request.steps[index]?.title ?? '',
    ...(open ? { with: { name: open.approverName, since: open.createdAt, due: dueAt(open, p) } } : {}),
    steps,
  };
}

/**
 * "Step 1 of 2, Department Director (Parks and Recreation): with Dolores Baca since Mar 1, 2025 ·
 * due Mar 4, 2025, 9:00:05 AM MST". The due time is to the second: a reminder or the designee follows it.
 */
export function progressLine(progress: Progress): string {
  const where = `Step ${progress.stepNumber} of ${progress.stepCount}, ${progress.stepTitle}`;
  if (!progress.with) return `${where}: the approval email is on its way`;
  return `${where}: with ${progress.with.name} since ${formatDate(progress.with.since)} · due ${formatWhen(progress.with.due)}`;
}
