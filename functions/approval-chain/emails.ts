import { type Approval, stepMode } from '#core/approval';
import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout, emailNoteStyle } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import { describeRequest, type GovernanceRequest } from '#approval-chain/kinds';
import { capitalized, type DescribeContext } from '#core/description';
import type { NamedPerson } from '#core/request';
import type { OutcomeKind } from '#core/request-kind';

/** `handover`: the step's link moved to this approver from someone who left the post (directory/hand-over.ts). */
export type ApprovalEmailKind = 'initial' | 'reminder' | 'escalation' | 'handover';

/**
 * What the workflow does when this wait runs out (statemachines/approval-chain.asl.json): another
 * reminder while `policy.waits.remindersBeforeEscalation` allows one, then the step's designee (a
 * new link, the old one stops working), and once there is nobody left to ask, the request expires.
 */
export type AfterWait = 'reminder' | 'escalation' | 'expiry';

const afterWaitWords = (after: AfterWait, confirm: boolean, supervisor: boolean): string => {
  const unanswered = confirm ? 'If it is not confirmed by then' : 'If there is no decision by then';
  if (after === 'reminder') return `${unanswered}, you will get a reminder.`;
  if (after === 'escalation')
    return `${unanswered}, it goes to ${supervisor ? 'your supervisor' : 'your designee'} to decide instead, and this link stops working.`;
  return `${unanswered}, the request expires.`;
};

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
  /** What happens when `dueBy` passes with no answer; unsaid when not given. */
  after?: AfterWait;
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
        : kind === 'handover'
          ? `Moved to you: decision needed on ${described.article}${described.subject}`
          : `Decision needed: ${described.ask ?? described.subject}`;
  const intro = confirmation
    ? `${kind === 'reminder' ? 'This removal is still waiting for your confirmation. ' : ''}${confirmation.instruction}`
    : kind === 'escalation'
      ? `${input.escalatedFrom ?? 'The approver'} did not answer in time, so this decision (${step?.title ?? 'approval'}) now comes to you as ${
          step?.role === 'SUPERVISOR' ? 'their supervisor' : 'designee'
        }.`
      : kind === 'handover'
        ? `This decision (${step?.title ?? 'approval'}) was waiting for ${approval.handedOverFrom?.approverName ?? 'someone else'}. It now comes to you: ${approval.routedBecause ?? 'they no longer hold the post'}. ${request.requester.name} asks for approval (policy ${described.rules}).`
        : kind === 'reminder'
          ? `This request is still waiting for your decision as ${as}.`
          : `${request.requester.name} asks for your approval as ${as} (policy ${described.rules}).${approval.routedBecause ? ` It comes to you because ${approval.routedBecause}.` : ''}`;
  const due = `Please ${confirmation ? 'confirm' : 'decide'} by ${formatWhen(input.dueBy)}.${
    input.after ? ` ${afterWaitWords(input.after, Boolean(confirmation), step?.role === 'SUPERVISOR')}` : ''
  }`;
  const action = confirmation?.link ?? 'Review and decide';
  const pressing = confirmation ? `“${confirmation.button}”` : 'Approve or Reject';
  const note = `This link is for you alone; do not forward it. Opening it changes nothing until you press ${pressing}.`;
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${approval.approverName},</p><p>${intro}</p><p><strong>${due}</strong></p>${emailButton(link, action)}
      ${emailFacts(described.facts)}<p style="${emailNoteStyle}">${note}</p>`,
    ),
    text: `${approval.approverName},\n\n${intro}\n\n${due}\n\n${action}: ${link}\n\n${emailFactsText(described.facts)}\n\n${note}`,
  };
}

/**
 * The requester's receipt, sent once when the first approver's link goes out (requestApproval, step
 * 0 round 0): what was asked, its reference, who decides first and by when, and where to follow it.
 * The requester hears again when the request closes (outcomeEmail), not at each decision.
 */
export function receiptEmail(input: {
  request: GovernanceRequest;
  firstApprover: string;
  dueBy: string;
  requestUrl: string;
  context?: DescribeContext;
}): EmailContent {
  const { request } = input;
  const described = describeRequest(request, input.context);
  const step = request.steps[0];
  const subject = `Received: ${described.subject}`;
  const steps = request.steps.length;
  const lead = `Your request for ${described.article}${described.title} is submitted. Its reference is ${request.requestId}.`;
  const first = `${steps === 1 ? 'It is decided' : `It goes through ${steps} steps; the first is decided`} by ${input.firstApprover}${
    step ? ` (${step.title})` : ''
  }, who is asked to answer by ${formatWhen(input.dueBy)}.`;
  const later = 'You will get an email when the request is approved, rejected or expires. Its page shows where it stands at any time.';
  const facts: [string, string][] = [
    ['Reference', request.requestId],
    ['Asked for', capitalized(described.title)],
    ['Department', request.departmentName],
    ['Approval chain', request.steps.map((s, i) => `${i + 1}. ${s.title}: ${s.approverName}`).join('\n')],
    ['Submitted', formatWhen(request.createdAt)],
  ];
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${request.requester.name},</p><p>${lead}</p><p>${first}</p><p>${later}</p>${emailButton(input.requestUrl, 'See the request')}${emailFacts(facts)}`,
    ),
    text: `${request.requester.name},\n\n${lead}\n\n${first}\n\n${later}\n\nThe request: ${input.requestUrl}\n\n${emailFactsText(facts)}`,
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
        `Nobody decided ${theRequest} in time, so it has expired. ${forOther ? `${request.requester.name} can` : 'You can'} submit it again.`,
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
    text: `${to.name},\n\n${body}\n\nSee the request and its history: ${input.requestUrl}`,
  };
}

/** DTI hears of every workflow that could not finish, so a broken step is never silent. */
export function failureNoticeEmail(input: { request: GovernanceRequest; reason: string; requestUrl?: string }): EmailContent {
  const subject = `Workflow failure on request ${input.request.requestId}`;
  const body = `Request ${input.request.requestId} (${describeRequest(input.request).subject}, ${input.request.departmentName}) could not complete: ${input.reason}. Check the execution history.`;
  const url = input.requestUrl;
  return {
    subject,
    html: emailLayout(subject, html`<p>${body}</p>${url ? emailButton(url, 'See the request and its history') : ''}`),
    text: `${body}${url ? `\n\nSee the request and its history: ${url}` : ''}`,
  };
}
