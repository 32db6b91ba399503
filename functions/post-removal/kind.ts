import type { Approval } from '#core/approval';
import { chainFact, type DescribeContext, type RequestDescription } from '#core/description';
import { RequestNotFoundError } from '#core/errors';
import { formatWhen, html, type SafeHtml } from '#core/html';
import { policy } from '#core/policy';
import { type GovernanceRecord, recordIntact } from '#core/records';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import {
  type PostRemovalRequest,
  parsePostRemovalForm,
  postRemovalIdPrefix,
  removalClosing,
  removalConfirmation,
  removalSteps,
  supervisorApproval,
} from '#post-removal/post-removal';

/*
 * Supervisor-approved post removal (M.c, H) as a kind of request: its content is preserved as a
 * write-once record before anything else; the supervisor decides, then the requester confirms the
 * removal. Its description and page read the record and the decisions so far.
 */

const removalVerb = (request: PostRemovalRequest) => request.action.toLowerCase();

function describePostRemoval(request: PostRemovalRequest, context: DescribeContext): RequestDescription {
  const account = request.accountLabel;
  const actionLabel = policy.postRemoval.actions[request.action] ?? request.action;
  const approved = context.approvals ? supervisorApproval(request, context.approvals) : undefined;
  const approvedBy = approved?.decision.decidedByName ?? request.steps[0]?.approverName ?? 'Your supervisor';
  const removal = context.approvals ? removalConfirmation(request, context.approvals) : undefined;
  const content = context.record?.preserved?.content;
  const target = request.action === 'MERGE' && request.mergeTargetRef ? `, into ${request.mergeTargetRef}` : '';
  const title = `removal of a post from ${account} (${removalVerb(request)})`;
  const preserved: [string, string][] = content
    ? [
        ['Post text, as it stands', content.text || '(no text)'],
        ['Author', content.author],
        ['Published', content.publishedAt],
        ['Media links', content.mediaLinks.join('\n') || 'none'],
        ['Preserved as record (H)', request.recordId],
      ]
    : [['Preserved as record (H)', request.recordId]];
  return {
    title,
    subject: `removal of a post from ${account}`,
    article: 'the ',
    ask: `remove a post from ${account}`,
    outcomeTitle: `Removal of a post from ${account}`,
    rules: 'M.c, H',
    approvedNote: `${
      removal
        ? `${removal.removedByName} confirmed on ${formatWhen(removal.removedAt)} that the post ${request.postRef} is removed from ${account} (${removalVerb(request)})`
        : `The post ${request.postRef} is confirmed removed from ${account} (${removalVerb(request)})`
    }, as ${approvedBy} approved (M.c). Its content as it stood is kept as public record ${request.recordId} (H).`,
    behalfNote: 'You approved this removal (M.c). ',
    expiredNote: approved
      ? `${approvedBy} approved removing the post, but it was never confirmed removed, so the request has expired and the approval has lapsed. If the post is still up and is to come down, ask again.`
      : `Nobody decided it in time (your supervisor${request.steps[0]?.escalateToId ? ', then their supervisor' : ''}), so it has expired. Do not remove the post without approval (M.c); you can ask again.`,
    afterApproval: [`${request.requester.name} will be asked to remove the post now and confirm it. Both of you will hear when it is done.`],
    confirmation: {
      heading: `Approved by ${approvedBy}: remove it now, then confirm`,
      subject: `Approved by ${approvedBy}: remove it now, then confirm — ${account}`,
      reminderSubject: `Reminder: remove the post from ${account}, then confirm`,
      instruction: `${approvedBy} approved your request (M.c): ${actionLabel} — ${request.postRef} on ${account}${target}. Do it on ${request.platformName} now, then press “I have removed it” so that when, and by whom, is recorded.`,
      link: 'Confirm the removal',
      button: 'I have removed it',
      done: 'confirmed removed',
      recorded: `Your confirmation that the post is removed is recorded. You and ${approvedBy} will be emailed that it is done; the request page keeps its history.`,
    },
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Account', account],
      ['Department', request.departmentName],
      ['Action', actionLabel],
      ['Post', request.postRef],
      ...(request.action === 'MERGE' && request.mergeTargetRef ? ([['Merged into', request.mergeTargetRef]] as [string, string][]) : []),
      ['Reason', request.reason],
      ...preserved,
      ...(request.retention ? ([['Retention (I)', `${request.retention.label}: kept until ${request.retention.retainUntil}`]] as [string, string][]) : []),
      chainFact(request, 'the requester'),
    ],
    // The approver opens the post to see it as it stands (only an http(s) address becomes a link).
    factShapes: { Post: 'link', 'Merged into': 'link', ...(content?.mediaLinks.length ? { 'Media links': 'links' as const } : {}) },
    related: [{ label: `${account} in the registry`, href: `/accounts/${encodeURIComponent(request.accountId)}` }],
  };
}

/**
 * A removal's records copy (H): the record's id, who preserved it when, its checksum and whether the
 * content still matches it, its retention (I), and when and by whom the post was confirmed removed.
 */
function removalRecordCard(request: PostRemovalRequest, approvals: Approval[], record: GovernanceRecord | undefined): SafeHtml {
  const removal = removalConfirmation(request, approvals);
  const removed = removal
    ? html`<strong>Removed</strong>: confirmed by ${removal.removedByName} on ${formatWhen(removal.removedAt)}`
    : request.status === 'PENDING'
      ? 'Not removed yet: it waits for the supervisor’s approval, then the requester’s confirmation.'
      : 'Not confirmed removed.';
  const integrity = record
    ? recordIntact(record)
      ? html`<span class="app-status app-status--approved">intact</span> the content matches the checksum taken when it was preserved`
      : html`<span class="app-status app-status--failed">changed</span> the content does not match the checksum taken when it was preserved`
    : html`<span class="app-status app-status--failed">missing</span> the record could not be read`;
  return html`<div class="card"><h2>Public record (H)</h2><dl>
    <dt>Removal</dt><dd>${removed}</dd>
    <dt>Record</dt><dd>${request.recordId}</dd>
    ${record ? html`<dt>Preserved</dt><dd>${formatWhen(record.recordedAt)} by ${record.recordedByName}, before any step of the removal</dd><dt>SHA-256</dt><dd><code>${record.sha256}</code></dd>` : ''}
    <dt>Integrity</dt><dd>${integrity}</dd>
    ${record?.retention ? html`<dt>Retention (I)</dt><dd>${record.retention.label}: kept until ${record.retention.retainUntil}</dd>` : ''}
  </dl></div>`;
}

/**
 * Closes: approved and confirmed removed → the requester and the supervisor who approved are told it
 * is done; rejected → the requester gets the reason; expired → the requester is told whether it was
 * never decided or never confirmed removed.
 */
async function close(c: Closing<PostRemovalRequest>): Promise<OutcomeResult> {
  const { request, decision } = c;
  const closing = removalClosing(request, c.approvals, decision.outcome, decision.reason);
  if (!(await c.store.closeRequest(request.requestId, closing.status, c.now, closing.reason, closing.removal))) {
    // A re-run: repeat only the emails the recorded outcome owes.
    const current = await c.store.request(request.requestId, true);
    if (!current) throw new RequestNotFoundError(`Request ${request.requestId} vanished while it was being closed.`);
    if (current.status === 'FAILED') return c.fail(current.outcomeReason ?? 'a step failed');
    if (current.status !== closing.status) return { status: current.status, accountId: null };
  }
  await c.tell(closing.status, { reason: decision.reason, to: closing.tell });
  c.log('post removal closed', { requestId: request.requestId, outcome: closing.status, removedAt: closing.removal?.removedAt });
  return { status: closing.status, accountId: closing.status === 'APPROVED' ? request.accountId : null };
}

export const postRemovalKind: RequestKindModule<PostRemovalRequest, typeof parsePostRemovalForm, typeof removalSteps> = {
  kind: 'POST_REMOVAL',
  idPrefix: postRemovalIdPrefix,
  entity: 'PostRemovalRequest',
  label: 'Post removal request (M.c)',
  stateMachine: 'postRemovalApproval',
  parseForm: parsePostRemovalForm,
  planSteps: removalSteps,
  describe: describePostRemoval,
  // Its description quotes the preserved post (H) and says who approved and confirmed.
  contextNeeds: (r) => ({ recordId: r.recordId, approvals: true }),
  interested: () => [],
  listed: (r) => ({ handle: r.handle, accountId: r.accountId, postRef: r.postRef, action: r.action }),
  pageExtras: (r, context) => ({ card: removalRecordCard(r, context.approvals ?? [], context.record) }),
  details: (r, context) => ({
    record: context.record ?? null,
    recordIntact: context.record ? recordIntact(context.record) : false,
    removal: removalConfirmation(r, context.approvals ?? []) ?? null,
  }),
  exportCells: (r) => ({
    postRef: r.postRef,
    action: r.action,
    reason: r.reason,
    preservedRecordId: r.recordId,
    removedAt: r.removal?.removedAt ?? null,
    removedByName: r.removal?.removedByName ?? null,
  }),
  accountOf: (r) => r.accountId,
  close,
};
