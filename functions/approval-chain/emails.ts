import { type Approval, stepMode } from '#core/approval';
import { type EmailContent, emailButton, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import { describeRequest, type GovernanceRequest } from '#approval-chain/kinds';
import { requestSummary } from '#approval-chain/pages';
import { capitalized, type DescribeContext } from '#core/description';
import type { NamedPerson } from '#core/request';
import type { OutcomeKind } from '#core/request-kind';

/** The same facts as the html summary, as plain text. */
const summaryText = (request: GovernanceRequest, context: DescribeContext = {}) =>
  describeRequest(request, context)
    .facts.map(([label, value]) => `${label}: ${value}`)
    .join('\n');

export type ApprovalEmailKind = 'initial' | 'reminder' | 'escalation';

/**
 * The decision request an approver receives; the link is the only way to decide. On a confirm step
 * (stepMode 'confirm') the requester is asked instead to do what was approved and say so.
 */
export function approvalEmail(input: {
  request: GovernanceRequest;
  approval: Approval;
  link: string;
  kind: ApprovalEmailKind;
  dueBy: string;
  escalatedFrom?: string;
  context?: DescribeContext;
}): EmailContent {
  const { request, approval, link, kind, context } = input;
  const step = request.steps[approval.step];
  const described = describeRequest(request, context);
  const confirmation = stepMode(step) === 'confirm' ? described.confirmation : undefined;
  // A supervisor decides as the requester's supervisor; on escalation, as that supervisor's own.
  const as = step?.role === 'SUPERVISOR' ? 'their supervisor' : (step?.title ?? 'approver');
  const subject = confirmation
    ? kind === 'reminder'
      ? confirmation.reminderSubject
      : confirmation.subject
    : kind === 'reminder'
      ? `Reminder: your decision is needed on ${described.article}${described.subject}`
      : kind === 'escalation'
        ? `Escalated to you: decision needed on ${described.article}${described.subject}`
        : `Decision needed: ${described.ask ?? described.subject}`;
  const intro = confirmation
    ? `${kind === 'reminder' ? 'This removal is still waiting for your confirmation. ' : ''}${confirmation.instruction}`
    : kind === 'escalation'
      ? `${input.escalatedFrom ?? 'The approver'} did not answer in time, so this decision (${step?.title ?? 'approval'}) now comes to you as ${
          step?.role === 'SUPERVISOR' ? 'their supervisor' : 'designee'
        }.`
      : kind === 'reminder'
        ? `This request is still waiting for your decision as ${as}.`
        : `${request.requester.name} asks for your approval as ${as} (policy ${described.rules}).`;
  const due = `Please ${confirmation ? 'confirm' : 'decide'} by ${formatWhen(input.dueBy)} (Mountain time).`;
  const action = confirmation?.link ?? 'Review and decide';
  const pressing = confirmation ? `“${confirmation.button}”` : 'Approve or Reject';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${approval.approverName},</p><p>${intro} ${due}</p>${emailButton(link, action)}
      ${requestSummary(request, context)}<p style="color:#5b6878;font-size:13px">This link is for you alone; do not forward it. Opening it changes nothing until you press ${pressing}.</p>`,
    ),
    text: `${approval.approverName},\n\n${intro} ${due}\n\n${action}: ${link}\n\n${summaryText(request, context)}\n\nThis link is for you alone; do not forward it.`,
  };
}

/**
 * What the requester (and, for posting authority, the person it was for) is told when the request
 * closes. `to` defaults to the requester; anyone else is told who asked on their behalf.
 */
export function outcomeEmail(input: {
  request: GovernanceRequest;
  to?: NamedPerson;
  outcome: OutcomeKind;
  reason?: string;
  decidedBy?: string;
  requestUrl: string;
  context?: DescribeContext;
}): EmailContent {
  const { request, outcome } = input;
  const to = input.to ?? request.requester;
  const described = describeRequest(request, input.context);
  const what = described.outcomeTitle;
  const forOther = to.id !== request.requester.id;
  const theRequest = forOther ? `the request ${request.requester.name} made for you` : 'your request';
  const lines: Record<OutcomeKind, { subject: string; body: string }> = {
    APPROVED: {
      subject: `Approved: ${what}`,
      body: `${forOther ? (described.behalfNote ?? `${request.requester.name} asked for this on your behalf. `) : ''}${described.approvedNote}`,
    },
    REJECTED: {
      subject: `Not approved: ${what}`,
      body: `${input.decidedBy ?? 'An approver'} rejected ${theRequest}. Reason: ${input.reason ?? '(none given)'}`,
    },
    EXPIRED: {
      subject: `Expired: ${what}`,
      body:
        described.expiredNote ??
        `Nobody decided ${theRequest} in time, even after reminders and escalation, so it has expired. ${forOther ? `${request.requester.name} can` : 'You can'} submit it again.`,
    },
    FAILED: {
      subject: `Could not complete: ${what}`,
      body: `${capitalized(theRequest)} could not be completed${input.reason ? `: ${input.reason}` : ''}. DTI has been told.`,
    },
  };
  const { subject, body } = lines[outcome];
  return {
    subject,
    html: emailLayout(subject, html`<p>${to.name},</p><p>${body}</p>${emailButton(input.requestUrl, 'See the request and its history')}`),
    text: `${to.name},\n\n${body}\n\nThe request and its history: ${input.requestUrl}`,
  };
}

/** DTI hears of every workflow that could not finish, so a broken step is never silent. */
export function failureNoticeEmail(input: { request: GovernanceRequest; reason: string }): EmailContent {
  const subject = `Workflow failure on request ${input.request.requestId}`;
  const body = `Request ${input.request.requestId} (${describeRequest(input.request).subject}, ${input.request.departmentName}) could not complete: ${input.reason}. Check the execution history.`;
  return { subject, html: emailLayout(subject, html`<p>${body}</p>`), text: body };
}
