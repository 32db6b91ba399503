import { type Approval, type ApprovalTask, approvalTaskSchema, type Decision } from '#domain/approval';
import { approvalLink, hashSecret, newApprovalId } from '#domain/approval-link';
import { type ApprovalEmailKind, approvalEmail } from '#domain/emails';
import { InvalidInputError, RequestNotFoundError } from '#domain/errors';
import { fieldErrors, type GovernanceRequest } from '#domain/new-account';
import { describeContext } from '#domain/pages';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { sesMailer } from '#adapters/mailer';
import { RecordsStore } from '#adapters/records-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

type StepResult = Decision | { outcome: 'EXPIRED'; reason: string };

/**
 * State machine task (waitForTaskToken). Idempotent, so a retry, a redrive or a local re-run after
 * a restart is safe: a decided step hands back its stored decision at once; an undecided one gets
 * the new task token and keeps its link; an email already sent is not sent again.
 */
export async function requestApproval(input: unknown): Promise<{ waiting: boolean }> {
  const parsed = approvalTaskSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The approval task input is invalid.', fieldErrors(parsed.error));
  const task = parsed.data;
  store ??= new GovernanceStore();
  const request = await store.request(task.requestId, true);
  if (!request) throw new RequestNotFoundError(`No request ${task.requestId}.`);
  const step = request.steps[task.step];
  if (!step) throw new InvalidInputError(`Request ${task.requestId} has no step ${task.step}.`);

  const round = task.escalated ? 1 : 0;
  const keys = linkKeys();
  const finish = async (result: StepResult) => {
    await sfnCallbacks.succeed(task.taskToken, result);
    logger.info('step already settled', { requestId: task.requestId, step: task.step, outcome: result.outcome });
    return { waiting: false };
  };

  let approval = await store.approval(task.requestId, task.step, round);
  let created = false;
  if (!approval) {
    if (round === 1) {
      // The first approver may have decided just as the wait ran out: their decision stands.
      const first = await store.approval(task.requestId, task.step, 0);
      if (first?.decision) return finish(first.decision);
      if (!step.escalateToId) return finish({ outcome: 'EXPIRED', reason: `No designee could take over from ${step.approverName}.` });
    }
    const fresh = await draftApproval(store, task, round, round === 0 ? step.approverId : (step.escalateToId as string), step.title);
    created = await store.createApproval(fresh);
    // Losing the conditional put means a concurrent run created it: carry on with theirs.
    approval = created ? fresh : await store.approval(task.requestId, task.step, round);
    if (!approval) throw new Error('approval vanished after a conditional write');
    if (created && round === 1 && !(await store.supersede({ ...fresh, round: 0 }, fresh.approverName, fresh.createdAt))) {
      const first = await store.approval(task.requestId, task.step, 0);
      if (first?.decision) return finish(first.decision);
    }
  }
  if (approval.decision) return finish(approval.decision);
  // An existing wait (retry, redrive, restart) is re-armed with this run's token; a decision that
  // lands meanwhile wins.
  if (!created && !(await store.storeToken(approval, await keys.sealToken(task.taskToken, approval.approvalId)))) {
    const decided = await store.approval(task.requestId, task.step, round);
    if (decided?.decision) return finish(decided.decision);
  }

  const kind: ApprovalEmailKind | undefined = !approval.emailedAt
    ? round === 1
      ? 'escalation'
      : 'initial'
    : task.reminder > approval.remindersSent && (await store.markReminded(approval, task.reminder, new Date().toISOString()))
      ? 'reminder'
      : undefined;
  if (kind) await sendLink(task, approval, kind, request);
  logger.info('waiting for decision', { requestId: task.requestId, step: task.step, round, email: kind ?? 'none' });
  return { waiting: true };
}

/** A new approval for one step and round: its link secret hashed, the task token sealed. */
async function draftApproval(s: GovernanceStore, task: ApprovalTask, round: 0 | 1, approverId: string, role: string): Promise<Approval> {
  const approver = await s.person(approverId);
  if (!approver) throw new InvalidInputError(`Approver ${approverId} is not in the directory.`);
  const keys = linkKeys();
  const approvalId = newApprovalId();
  return {
    requestId: task.requestId,
    step: task.step,
    round,
    approvalId,
    role,
    approverId: approver.id,
    approverName: approver.name,
    approverEmail: approver.email,
    secretHash: hashSecret(await keys.linkSecret(approvalId)),
    sealedToken: await keys.sealToken(task.taskToken, approvalId),
    createdAt: new Date().toISOString(),
    remindersSent: 0,
  };
}

async function sendLink(task: ApprovalTask, approval: Approval, kind: ApprovalEmailKind, request: GovernanceRequest) {
  const secret = await linkKeys().linkSecret(approval.approvalId);
  const link = approvalLink(env().PUBLIC_BASE_URL, approval.approvalId, secret);
  const dueBy = new Date(Date.now() + task.waitSeconds * 1000).toISOString();
  const step = request.steps[task.step];
  // A removal's email shows the post as preserved (H) and, on the confirm step, who approved it.
  const s = store ?? new GovernanceStore();
  records ??= new RecordsStore();
  const r = records;
  const context = await describeContext(request, {
    record: (id) => r.record(id),
    approvals: async (id) => (await s.requestWithApprovals(id)).approvals,
  });
  const email = approvalEmail({ request, approval, link, kind, dueBy, escalatedFrom: step?.approverName, context });
  await sesMailer.send({ to: [approval.approverEmail], ...email });
  if (kind !== 'reminder') await store?.markEmailed(approval, new Date().toISOString());
}

export const handler = taskHandler(requestApproval);
