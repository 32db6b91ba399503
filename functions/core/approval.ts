import { secretMatches } from '#core/approval-link';
import { InvalidInputError } from '#core/errors';
import { fieldErrors, type PlannedStep, type RequestStatus } from '#core/request';
import * as z from '#core/zod';

export type Outcome = 'APPROVED' | 'REJECTED';

export interface Decision {
  outcome: Outcome;
  reason?: string;
  decidedAt: string;
  decidedById: string;
  decidedByName: string;
  approvalId: string;
}

/** One link sent to one approver for one step of one request. Round 0: the approver; round 1: escalation. */
export interface Approval {
  requestId: string;
  step: number;
  round: 0 | 1;
  approvalId: string;
  role: string;
  approverId: string;
  approverName: string;
  approverEmail: string;
  secretHash: string;
  /** The task token, sealed (encrypted) so the table never holds it in clear. */
  sealedToken?: string;
  /**
   * The approval id the token was sealed for, when not this one's: a hand-over moves the sealed
   * token to the new approver's link as it is (sealing again would need the key's decrypt right).
   */
  sealedFor?: string;
  /** Why this link went to someone other than the step's planned approver (a hand-over, a vacant post). */
  routedBecause?: string;
  /** The approver this link was handed over from, when a directory change moved it. */
  handedOverFrom?: { approverId: string; approverName: string; approvalId: string };
  createdAt: string;
  emailedAt?: string;
  remindersSent: number;
  lastRemindedAt?: string;
  decision?: Decision;
  supersededAt?: string;
  supersededByName?: string;
  /** Why it stopped working, when not an escalation (the approver left the post). */
  supersededReason?: string;
}

/** What an approval link leads to; decided by the stored state, never by the request that follows it. */
export type LinkState =
  | { kind: 'forbidden' }
  | { kind: 'decided'; decision: Decision }
  | { kind: 'superseded'; to: string; at: string; reason?: string }
  | { kind: 'closed'; status: RequestStatus }
  | { kind: 'open' };

export function linkState(approval: Approval, requestStatus: RequestStatus, secret: string | undefined): LinkState {
  if (!secretMatches(secret, approval.secretHash)) return { kind: 'forbidden' };
  if (approval.decision) return { kind: 'decided', decision: approval.decision };
  if (approval.supersededAt) {
    const reason = approval.supersededReason ? { reason: approval.supersededReason } : {};
    return { kind: 'superseded', to: approval.supersededByName ?? 'a designee', at: approval.supersededAt, ...reason };
  }
  if (requestStatus !== 'PENDING') return { kind: 'closed', status: requestStatus };
  return { kind: 'open' };
}

const decisionSchema = z
  .object({
    s: z.string().check(z.minLength(1, 'the link is incomplete: open it again from the email')),
    outcome: z.enum(['APPROVED', 'REJECTED'], { error: 'choose Approve or Reject' }),
    reason: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'keep the reason under 2000 characters'))),
    // The page's "Yes, reject" / "Yes, approve" after it showed what the decision will do.
    confirmed: z.optional(z.string()),
  })
  .check(
    z.superRefine((d, ctx) => {
      if (d.outcome === 'REJECTED' && (d.reason ?? '').length < 5) {
        ctx.addIssue({ code: 'custom', path: ['reason'], message: 'give the requester a reason for the rejection (at least 5 characters)' });
      }
    }),
  );

export interface DecisionInput {
  s: string;
  outcome: Outcome;
  reason?: string;
  /** The person confirmed this decision on the page that said it is final (`confirmed=yes`). */
  confirmed: boolean;
}

/**
 * How a step is answered: `decide` (Approve or Reject, a reason to reject), or `confirm`, where the
 * requester says they did what was approved (a post removal, M.c) and there is nothing to reject.
 */
export type StepMode = 'decide' | 'confirm';

export const stepMode = (step: Pick<PlannedStep, 'role'> | undefined): StepMode => (step?.role === 'REQUESTER' ? 'confirm' : 'decide');

export function parseDecision(raw: unknown, mode: StepMode = 'decide'): DecisionInput {
  const result = decisionSchema.safeParse(raw ?? {});
  if (!result.success) throw new InvalidInputError('The decision has fields to fix.', fieldErrors(result.error));
  // A confirm link only confirms: the page offers no Reject, and a hand-made POST gets none either.
  if (mode === 'confirm' && result.data.outcome !== 'APPROVED') {
    throw new InvalidInputError('The decision has fields to fix.', { outcome: 'this link only confirms that it is done: press “I have removed it”' });
  }
  const { confirmed, ...decision } = result.data;
  return { ...decision, reason: decision.reason || undefined, confirmed: confirmed === 'yes' };
}

/**
 * The decision that authorizes posting (B): the approval of the chain's Department Director step,
 * by the director or, after escalation or self-routing, the designee who decided it.
 */
export function directorDecision(steps: PlannedStep[], approvals: Approval[]): Decision | undefined {
  const step = steps.findIndex((s) => s.role === 'DEPARTMENT_DIRECTOR');
  return approvals.find((a) => a.step === step && a.decision?.outcome === 'APPROVED')?.decision;
}
