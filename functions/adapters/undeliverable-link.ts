import type { Approval } from '#core/approval';
import { approvalLink, hashSecret, newApprovalId } from '#core/approval-link';
import { type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import { approvalEmail } from '#approval-chain/emails';
import { dueAt } from '#approval-chain/progress';
import { metricNames } from '#core/metrics';
import { env } from '#adapters/env';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
import type { MailEventStore } from '#adapters/mail-event-store';
import { routeNow } from '#adapters/routing-reads';
import { approvalKey } from '#adapters/store';

export type EscalationResult = { movedTo: string } | { whyNot: 'no-designee' | 'changed' };

/**
 * An approver's link email bounced for good: the step goes to its designee now instead of after
 * its reminders and its wait. Only the state machine's own timeout escalates a step (its wait runs
 * to the end, whatever happens to the email), so this writes what its escalation would have left:
 * the designee's link in the escalation's slot (round 1), the first link superseded. The designee's
 * link carries the execution's sealed token as a directory hand-over does (sealedFor), so their
 * decision ends the wait that is running; when that wait runs out instead, requestApproval finds
 * the escalation's link, re-arms it and goes on reminding the designee, then expires (as it does
 * after a restart between an escalation's creation and its run). The designee is who the step's
 * routing names now (core/routing.ts, the same as requestApproval's escalation), emailed the link
 * saying why it comes to them (approvalEmail's `handover`, as a hand-over's is).
 */
export async function escalateUndeliverable(store: MailEventStore, approval: Approval, request: GovernanceRequest, reason: string): Promise<EscalationResult> {
  let current: Approval | undefined = approval;
  for (let attempt = 0; attempt < 3 && current; attempt += 1) {
    if (current.decision || current.round !== 0) return { whyNot: 'changed' };
    if (current.supersededAt) return resumeEscalation(store, current, request);
    const routing = await routeNow(store, request, current.step);
    const targetId = 'nobody' in routing ? null : (routing.escalateToId ?? (routing.approverId !== current.approverId ? routing.approverId : null));
    const [target] = targetId ? (await store.peopleById([targetId])).values() : [];
    if (!target || target.id === current.approverId || target.email.toLowerCase() === current.approverEmail.toLowerCase()) return { whyNot: 'no-designee' };
    const approvalId = newApprovalId();
    const to: Approval = {
      requestId: current.requestId,
      step: current.step,
      round: 1,
      approvalId,
      role: current.role,
      approverId: target.id,
      approverName: target.name,
      approverEmail: target.email,
      secretHash: hashSecret(await linkKeys().linkSecret(approvalId)),
      ...(current.sealedToken ? { sealedToken: current.sealedToken, sealedFor: current.sealedFor ?? current.approvalId } : {}),
      createdAt: new Date().toISOString(),
      remindersSent: 0,
      routedBecause: reason,
      handedOverFrom: { approverId: current.approverId, approverName: current.approverName, approvalId: current.approvalId },
    };
    if ((await store.escalateNow(current, to, reason)) === 'escalated') {
      logger.info('undeliverable link escalated', { requestId: to.requestId, step: to.step });
      // Once: a later delivery of the same event finds the first link superseded (resumeEscalation).
      countMetric(metricNames.escalated, kindOf(request).stateMachine);
      await emailEscalation(to, request, current, true);
      return { movedTo: to.approverName };
    }
    current = await store.approval(current.requestId, current.step, 0);
    const fresh = await store.request(request.requestId, true);
    if (fresh?.status !== 'PENDING') return { whyNot: 'changed' };
    request = fresh;
  }
  return { whyNot: 'changed' };
}

/**
 * The first link is superseded already: by this escalation on an earlier delivery of the same
 * event, which may have ended before its email was confirmed (sent now, the ledger marking the one
 * case where two may arrive), or by something else (the state machine's escalation, a hand-over).
 */
async function resumeEscalation(store: MailEventStore, first: Approval, request: GovernanceRequest): Promise<EscalationResult> {
  const escalation = await store.approval(first.requestId, first.step, 1);
  if (escalation?.handedOverFrom?.approvalId !== first.approvalId) return { whyNot: 'changed' };
  if (!escalation.emailedAt && !escalation.decision && !escalation.supersededAt) await emailEscalation(escalation, request, first, false);
  return { movedTo: escalation.approverName };
}

/** The designee's link, once (its slot was claimed as the escalation was written; a re-run resends only an unconfirmed one). */
async function emailEscalation(to: Approval, request: GovernanceRequest, from: Approval, claimed: boolean) {
  const link = approvalLink(env().PUBLIC_BASE_URL, to.approvalId, await linkKeys().linkSecret(to.approvalId));
  const email = approvalEmail({ request, approval: to, link, kind: 'handover', dueBy: dueAt(from) });
  return sendOnce({ ...approvalKey(to), key: 'first' }, { to: [to.approverEmail], ...email }, { claimed, record: { emailedAt: new Date().toISOString() } });
}
