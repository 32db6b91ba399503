import type { Approval } from '#core/approval';
import { newApprovalId, approvalLink, hashSecret } from '#core/approval-link';
import type { Routed } from '#core/routing';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { approvalEmail } from '#approval-chain/emails';
import { dueAt } from '#approval-chain/progress';
import { DirectoryApplier } from '#directory/apply';
import { tellDti } from '#adapters/tell-dti';
import { checkpoint } from '#adapters/checkpoints';
import { DirectoryWrites } from '#adapters/directory-writes';
import { env } from '#adapters/env';
import { HandOverStore } from '#adapters/hand-over-store';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { sendOnce } from '#adapters/mail-ledger';
import { MyWorkStore } from '#adapters/my-work-store';
import { routeNow } from '#adapters/routing-reads';
import { approvalKey } from '#adapters/store';
import { ReviewStore } from '#adapters/review-store';
import { sendPageEmail } from '#adapters/review-mail';
import type { ReviewPage } from '#annual-review/review';
import { policy } from '#core/policy';

let reviews: ReviewStore | undefined;
let stores: { writes: DirectoryWrites; store: HandOverStore; work: MyWorkStore } | undefined;
const tables = () => (stores ??= { writes: new DirectoryWrites(), store: new HandOverStore(), work: new MyWorkStore() });

/** The person one round of a step goes to under `routed`: the first approver, or on escalation the designee (or the first, if none). */
export const targetOf = (routed: Routed, round: 0 | 1) => (round === 0 ? routed.approverId : (routed.escalateToId ?? routed.approverId));

/**
 * Moves one open approval to whoever holds its step's post now, if that is someone else: a new
 * link for them (emailed at once, saying why), the old link kept on record and answering who has
 * the step now, the request's step naming the new approver. When nobody can act, the link stays
 * where it is and DTI is told. Conditional throughout: a decision, re-arm or other hand-over that
 * lands first wins, and this reads again.
 */
export async function moveApproval(
  approval: Approval,
  request: GovernanceRequest,
  reason: string,
  outbox?: { PK: string; SK: string },
): Promise<'moved' | 'unchanged' | 'unroutable'> {
  const { store } = tables();
  let current: Approval | undefined = approval;
  for (let attempt = 0; attempt < 4 && current; attempt += 1) {
    if (current.decision || current.supersededAt) return 'unchanged';
    const routing = await routeNow(store, request, current.step);
    const step = request.steps[current.step];
    if (!step) return 'unchanged';
    if ('nobody' in routing) {
      await tellDti(current, step.title, routing.nobody);
      logger.warn('nobody can take over an approval', { requestId: request.requestId, step: current.step, round: current.round });
      return 'unroutable';
    }
    const targetId = targetOf(routing, current.round);
    if (targetId === current.approverId) return 'unchanged';
    const [target] = (await store.peopleById([targetId])).values();
    if (!target) return 'unchanged';
    const approvalId = newApprovalId();
    const because = routing.because ? `${reason}; ${routing.because}` : reason;
    const to: Approval = {
      requestId: current.requestId,
      step: current.step,
      round: current.round,
      approvalId,
      role: current.role,
      approverId: target.id,
      approverName: target.name,
      approverEmail: target.email,
      secretHash: hashSecret(await linkKeys().linkSecret(approvalId)),
      ...(current.sealedToken ? { sealedToken: current.sealedToken, sealedFor: current.sealedFor ?? current.approvalId } : {}),
      createdAt: new Date().toISOString(),
      remindersSent: current.remindersSent,
      routedBecause: because,
      handedOverFrom: { approverId: current.approverId, approverName: current.approverName, approvalId: current.approvalId },
    };
    const nextStep =
      current.round === 0
        ? { ...step, approverId: target.id, approverName: target.name, escalateToId: routing.escalateToId }
        : { ...step, escalateToId: target.id };
    await checkpoint('handOver:before-move', { requestId: request.requestId, step: current.step });
    const moved = await store.handOver({ from: current, to, reason: because, step: nextStep, stepIndex: current.step, ...(outbox ? { outbox } : {}) });
    if (moved === 'moved') {
      logger.info('approval handed over', { requestId: request.requestId, step: to.step, round: to.round, fallback: routing.fallback });
      await emailHandOver(to, { ...request, steps: request.steps.map((s, i) => (i === to.step ? nextStep : s)) } as GovernanceRequest, current);
      if (routing.fallback) await tellDti(to, step.title, because, target.name);
      return 'moved';
    }
    current = await store.approval(current.requestId, current.step, current.round);
    const fresh = await store.request(request.requestId, true);
    if (fresh?.status !== 'PENDING') return 'unchanged';
    request = fresh;
  }
  return 'unchanged';
}

/**
 * A department's annual review page (O.a, P) with a reviewer who left their post goes on to the
 * next person in its chain who can act (designee, then the Communications Director), as its
 * escalation would, and they are emailed the page. Whoever holds the post next year is asked then.
 */
async function handOnReview(page: ReviewPage, personId: string, reason: string): Promise<boolean> {
  const { store } = tables();
  reviews ??= new ReviewStore();
  const people = await store.peopleById(page.chain.map((p) => p.id));
  const canAct = (id: string) => id !== personId && Boolean(people.get(id)) && !people.get(id)?.separatedOn;
  const stage = page.chain.findIndex((p, i) => i > page.stage && canAct(p.id));
  if (stage < 0) {
    logger.warn('nobody left in a review page’s chain to take it over', { reviewId: page.reviewId });
    return false;
  }
  const at = new Date().toISOString();
  if (!(await reviews.handOn(page, stage, at, reason))) return false;
  const review = await reviews.review(page.reviewId);
  const moved = { ...page, stage, escalatedAt: at };
  if (review) await sendPageEmail(review, moved, 'escalation', page.lastSweep ?? 0, policy.annualReview.reminderEveryDays * 86_400);
  logger.info('review page handed on', { reviewId: page.reviewId, stage });
  return true;
}

/** The new approver's link, once (its slot was claimed as the hand-over wrote it; a re-run resends only an unconfirmed one). */
async function emailHandOver(to: Approval, request: GovernanceRequest, from: Approval, claimed = true) {
  const link = approvalLink(env().PUBLIC_BASE_URL, to.approvalId, await linkKeys().linkSecret(to.approvalId));
  const email = approvalEmail({ request, approval: to, link, kind: 'handover', dueBy: dueAt(from) });
  return sendOnce({ ...approvalKey(to), key: 'first' }, { to: [to.approverEmail], ...email }, { claimed, record: { emailedAt: new Date().toISOString() } });
}

/**
 * The hand-over a directory change owes (directory-writes.ts): every open approval assigned to
 * the people who left a post moves to whoever holds it now. Runs at once after the change, again
 * on a redelivery of the same event, and from the reconciler's sweep for any a crash left undone;
 * each move is conditional, so running it twice moves nothing twice.
 */
export async function handOverWork(marker: { PK: string; SK: string }): Promise<{ moved: number; unroutable: number }> {
  // Only the key: the sweep hands over the whole pending item, and DynamoDB refuses a key with more attributes.
  const key = { PK: marker.PK, SK: marker.SK };
  const { writes, store, work } = tables();
  const pending = await writes.pendingHandOver(key);
  if (!pending) return { moved: 0, unroutable: 0 };
  const counts = { moved: 0, unroutable: 0 };
  for (const personId of pending.personIds) {
    const { approvals, reviews } = await work.assignedTo(personId);
    for (const { approval, request } of approvals) {
      const result = await moveApproval(approval, request, pending.reason, key);
      if (result !== 'unchanged') counts[result] += 1;
    }
    for (const { page } of reviews) if (await handOnReview(page, personId, pending.reason)) counts.moved += 1;
  }
  // A link moved by an earlier run that ended before its email was confirmed is sent now.
  await resendUnconfirmed(store, pending.movedLinks);
  await writes.handOverDone(key, counts.moved, new Date().toISOString());
  logger.info('directory hand-over done', { handOver: key.PK, ...counts });
  return counts;
}

/**
 * Links an earlier run of this hand-over moved whose first email is not confirmed sent (it ended
 * between the move and the send): sent now, the ledger marking the one case where two may arrive.
 */
async function resendUnconfirmed(store: HandOverStore, moved: ReadonlySet<string> | undefined) {
  for (const entry of moved ?? []) {
    const [requestId, sk] = entry.split(' ');
    const match = /^APPR#(\d{2})#([01])$/.exec(sk ?? '');
    if (!requestId || !match) continue;
    const approval = await store.approval(requestId, Number(match[1]), Number(match[2]));
    if (!approval || approval.emailedAt || approval.decision || approval.supersededAt || !approval.handedOverFrom) continue;
    const request = await store.request(requestId, true);
    if (request?.status !== 'PENDING') continue;
    await emailHandOver(approval, request, approval, false);
  }
}

/** The applier every writer of the directory uses (HR's consumer, DTI's pages): hand-overs run at once. */
export function directoryApplier(): DirectoryApplier {
  return new DirectoryApplier(new DirectoryWrites(), handOverWork, (message, fields) => logger.info(message, fields));
}
