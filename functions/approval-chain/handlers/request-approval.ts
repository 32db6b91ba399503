import type { Approval, Decision } from '#core/approval';
import { type ApprovalTask, approvalTaskSchema } from '#approval-chain/task';
import { approvalLink, hashSecret, newApprovalId } from '#core/approval-link';
import { type AfterWait, type ApprovalEmailKind, approvalEmail, receiptEmail } from '#approval-chain/emails';
import { dueAt } from '#approval-chain/progress';
import { ConfigurationError, InvalidInputError, RequestNotFoundError } from '#core/errors';
import { describeContext, type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import type { DescribeContext } from '#core/description';
import { metricNames } from '#core/metrics';
import { policy } from '#core/policy';
import { fieldErrors } from '#core/request';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { checkpoint } from '#adapters/checkpoints';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
import { RecordsStore } from '#adapters/records-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { approvalKey } from '#adapters/store';
import { HandOverStore } from '#adapters/hand-over-store';
import { routeNow } from '#adapters/routing-reads';
import { tellDti } from '#adapters/tell-dti';

let store: HandOverStore | undefined;
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
  store ??= new HandOverStore();
  const s = store;
  const request = await s.request(task.requestId, true);
  if (!request) throw new RequestNotFoundError(`No request ${task.requestId}.`);
  const step = request.steps[task.step];
  if (!step) throw new InvalidInputError(`Request ${task.requestId} has no step ${task.step}.`);

  const keys = linkKeys();
  const finish = async (result: StepResult) => {
    await sfnCallbacks.succeed(task.taskToken, result);
    logger.info('step already settled', { requestId: task.requestId, step: task.step, outcome: result.outcome });
    return { waiting: false };
  };

  // The step's current link: the escalation's once there is one (a re-run after a restart starts
  // again at round 0, but must wait on the link that can still decide), else the first approver's.
  let approval = (await s.approval(task.requestId, task.step, 1)) ?? (task.escalated ? undefined : await s.approval(task.requestId, task.step, 0));
  let created = false;
  if (!approval) {
    const round = task.escalated ? 1 : 0;
    const first = round === 1 ? await s.approval(task.requestId, task.step, 0) : undefined;
    // The first approver may have decided just as the wait ran out: their decision stands.
    if (first?.decision) return finish(first.decision);
    // Whoever holds the step's post now (core/routing.ts): never someone who has left it.
    const routing = await routeNow(s, request, task.step);
    if ('nobody' in routing) throw new ConfigurationError(routing.nobody);
    const escalateTo = routing.escalateToId ?? (routing.approverId !== (first?.approverId ?? step.approverId) ? routing.approverId : null);
    if (round === 1 && !escalateTo)
      return finish({ outcome: 'EXPIRED', reason: `No designee could take over from ${first?.approverName ?? step.approverName}.` });
    const approverId = round === 0 ? routing.approverId : (escalateTo as string);
    const fresh = { ...(await draftApproval(s, task, round, approverId, step.title)), ...(routing.because ? { routedBecause: routing.because } : {}) };
    if (round === 0 && (routing.approverId !== step.approverId || routing.escalateToId !== step.escalateToId)) {
      await s.replanStep(request.requestId, task.step, {
        ...step,
        approverId: routing.approverId,
        approverName: routing.approverName,
        escalateToId: routing.escalateToId,
      });
    }
    created = await s.createApproval(fresh);
    // Escalated once: only the run whose conditional put made the designee's link counts it.
    if (created && round === 1) countMetric(metricNames.escalated, kindOf(request).stateMachine);
    if (created && routing.fallback) await tellDti(fresh, step.title, routing.because ?? 'nobody in the post can act', fresh.approverName);
    // Losing the conditional put means a concurrent run created it: carry on with theirs.
    approval = created ? fresh : await s.approval(task.requestId, task.step, round);
    if (!approval) throw new Error('approval vanished after a conditional write');
  }
  if (approval.round === 1) {
    // The first link stops working once the step is escalated (also after a crash between the
    // escalation's creation and this): unless its approver decided first, whose decision stands.
    const first = await s.approval(task.requestId, task.step, 0);
    if (first?.decision) return finish(first.decision);
    if (first && !first.supersededAt && !(await s.supersede(first, approval.approverName, approval.createdAt))) {
      const again = await s.approval(task.requestId, task.step, 0);
      if (again?.decision) return finish(again.decision);
    }
  }
  if (approval.decision) return finish(approval.decision);
  if (!created) {
    // An existing wait (reminder, retry, redrive, restart) is re-armed with this run's token. A
    // decision written before the re-arm makes it fail, and is returned here; one written after
    // it reads this token in the same write (recordDecision returns the item as it wrote it).
    await checkpoint('requestApproval:before-rearm', { requestId: task.requestId, step: task.step, round: approval.round });
    if (!(await s.storeToken(approval, await keys.sealToken(task.taskToken, approval.approvalId)))) {
      const decided = await s.approval(task.requestId, task.step, approval.round);
      if (decided?.decision) return finish(decided.decision);
    }
  }

  const context = describing(request);
  // The requester's receipt goes out before the first approver's link, so an approval recorded as
  // emailed (or decided: nobody decides before the link exists) has its receipt confirmed already,
  // and only a first run, or a re-run of one that ended before its link was sent, looks at the slot.
  const receiptDue = task.step === 0 && approval.round === 0 && !approval.emailedAt;
  const receipt = receiptDue ? await sendReceipt(request, approval, context) : 'skipped';
  const first = approval.round === 1 ? 'escalation' : 'initial';
  const sent = await sendLink(task, approval, first, request, context, { claimed: created });
  const reminded = task.reminder > 0 ? await sendLink(task, approval, 'reminder', request, context) : 'skipped';
  // The mail ledger sends each reminder once ('skipped' on a retry that finds it sent).
  if (reminded !== 'skipped') countMetric(metricNames.reminderSent, kindOf(request).stateMachine);
  logger.info('waiting for decision', { requestId: task.requestId, step: task.step, round: approval.round, receipt, first: sent, reminder: reminded });
  return { waiting: true };
}

/** What a request's emails need to describe it (a removal's preserved record, its decisions), read once per run and only when an email needs it. */
function describing(request: GovernanceRequest): () => Promise<DescribeContext> {
  let read: Promise<DescribeContext> | undefined;
  return () => {
    const s = store ?? new HandOverStore();
    records ??= new RecordsStore();
    const r = records;
    read ??= describeContext(request, {
      record: (id) => r.record(id),
      approvals: async (id) => (await s.requestWithApprovals(id)).approvals,
    });
    return read;
  };
}

/**
 * The requester's receipt, once per request (every kind goes through step 0 round 0 once): its slot
 * is an item beside the request (the request item is copied into an ALL index), so a retry, a
 * redrive or a restart that re-runs this task finds it sent. The first approver is due to answer
 * `waits.decisionWaitSeconds` after their link was made, as the request page says (progress.ts).
 */
async function sendReceipt(request: GovernanceRequest, approval: Approval, context: () => Promise<DescribeContext>) {
  const requestUrl = `${env().PUBLIC_BASE_URL.replace(/\/+$/, '')}/requests/${request.requestId}`;
  const email = receiptEmail({ request, firstApprover: approval.approverName, dueBy: dueAt(approval), requestUrl, context: await context() });
  return sendOnce(ledgerBeside(`REQ#${request.requestId}`, 'receipt'), { to: [request.requester.email], ...email });
}

/** What happens when this wait runs out, as the state machine's AfterTimeout decides it. */
function afterWait(task: ApprovalTask, escalateToId: string | null | undefined): AfterWait {
  if (task.reminder < policy.waits.remindersBeforeEscalation) return 'reminder';
  return !task.escalated && escalateToId ? 'escalation' : 'expiry';
}

/** A new approval for one step and round: its link secret hashed, the task token sealed. */
async function draftApproval(s: HandOverStore, task: ApprovalTask, round: 0 | 1, approverId: string, role: string): Promise<Approval> {
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

/** The approval's emails, each sent once: its first email (claimed as the approval is created) and each reminder. */
const mailKey = (kind: ApprovalEmailKind, reminder: number) => (kind === 'reminder' ? `reminder-${reminder}` : 'first');

async function sendLink(
  task: ApprovalTask,
  approval: Approval,
  kind: ApprovalEmailKind,
  request: GovernanceRequest,
  context: () => Promise<DescribeContext>,
  options: { claimed?: boolean } = {},
) {
  // What the approval item says is sent needs no look at its slot (the confirmation wrote both).
  if (kind === 'reminder' ? task.reminder <= approval.remindersSent : approval.emailedAt) return 'skipped';
  const slot = { ...approvalKey(approval), key: mailKey(kind, task.reminder) };
  const secret = await linkKeys().linkSecret(approval.approvalId);
  const link = approvalLink(env().PUBLIC_BASE_URL, approval.approvalId, secret);
  const dueBy = new Date(Date.now() + task.waitSeconds * 1000).toISOString();
  const step = request.steps[task.step];
  // A removal's email shows the post as preserved (H) and, on the confirm step, who approved it.
  const email = approvalEmail({
    request,
    approval,
    link,
    kind,
    dueBy,
    after: afterWait(task, step?.escalateToId),
    escalatedFrom: step?.approverName,
    context: await context(),
  });
  const at = new Date().toISOString();
  const record: Record<string, string | number> = kind === 'reminder' ? { remindersSent: task.reminder, lastRemindedAt: at } : { emailedAt: at };
  return sendOnce(slot, { to: [approval.approverEmail], ...email }, { claimed: options.claimed, record });
}

export const handler = taskHandler(requestApproval);
