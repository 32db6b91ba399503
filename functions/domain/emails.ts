import type { Approval } from '#domain/approval';
import { formatWhen, html, type SafeHtml } from '#domain/html';
import type { AccountRequest } from '#domain/new-account';
import { requestSummary } from '#domain/pages';
import type { Account } from '#domain/registry';

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

function layout(heading: string, body: SafeHtml): string {
  return `<!doctype html>${html`<html><body style="font-family:system-ui,sans-serif;color:#1d2733;max-width:40rem">
  <h2 style="color:#0b5394">${heading}</h2>${body}
  <p style="color:#5b6878;font-size:13px">City of Albuquerque social media governance · Administrative Instruction 1-19</p></body></html>`}`;
}

const button = (href: string, label: string) =>
  html`<p><a href="${href}" style="display:inline-block;background:#0b5394;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${label}</a></p>`;

function summaryText(request: AccountRequest): string {
  return [
    `Request: ${request.requestId}`,
    `Requested by: ${request.requester.name}`,
    `Department: ${request.departmentName}`,
    `Platform: ${request.platformName}`,
    `Proposed handle: ${request.proposedHandle}`,
    `Purpose and strategy: ${request.purpose}`,
    `Audience: ${request.audience}`,
    `Risk assessment: ${request.riskAssessment}`,
    `Proposed admins: ${request.admins.map((a) => a.name).join(', ')}`,
  ].join('\n');
}

export type ApprovalEmailKind = 'initial' | 'reminder' | 'escalation';

/** The decision request an approver receives; the link is the only way to decide. */
export function approvalEmail(input: {
  request: AccountRequest;
  approval: Approval;
  link: string;
  kind: ApprovalEmailKind;
  dueBy: string;
  escalatedFrom?: string;
}): EmailContent {
  const { request, approval, link, kind } = input;
  const step = request.steps[approval.step];
  const what = `new ${request.platformName} account ${request.proposedHandle} for ${request.departmentName}`;
  const subject =
    kind === 'reminder'
      ? `Reminder: your decision is needed on a ${what}`
      : kind === 'escalation'
        ? `Escalated to you: decision needed on a ${what}`
        : `Decision needed: ${what}`;
  const intro =
    kind === 'escalation'
      ? `${input.escalatedFrom ?? 'The approver'} did not answer in time, so this decision (${step?.title ?? 'approval'}) now comes to you as designee.`
      : kind === 'reminder'
        ? `This request is still waiting for your decision as ${step?.title ?? 'approver'}.`
        : `${request.requester.name} asks for your approval as ${step?.title ?? 'approver'} (policy D${request.departmentCode === 'APD' ? ', S.a' : ''}).`;
  const due = `Please decide by ${formatWhen(input.dueBy)} (Mountain time).`;
  return {
    subject,
    html: layout(
      subject,
      html`<p>${approval.approverName},</p><p>${intro} ${due}</p>${button(link, 'Review and decide')}
      ${requestSummary(request)}<p style="color:#5b6878;font-size:13px">This link is for you alone; do not forward it. Opening it changes nothing until you press Approve or Reject.</p>`,
    ),
    text: `${approval.approverName},\n\n${intro} ${due}\n\nReview and decide: ${link}\n\n${summaryText(request)}\n\nThis link is for you alone; do not forward it.`,
  };
}

export type OutcomeKind = 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'FAILED';

/** What the requester is told when the request closes. */
export function outcomeEmail(input: { request: AccountRequest; outcome: OutcomeKind; reason?: string; decidedBy?: string; requestUrl: string }): EmailContent {
  const { request, outcome } = input;
  const what = `${request.platformName} account ${request.proposedHandle}`;
  const lines: Record<OutcomeKind, { subject: string; body: string }> = {
    APPROVED: {
      subject: `Approved: ${what}`,
      body: `Your request is approved. The account is in the City registry and your named admins hold posting authority (B). DTI has been told (O.b).`,
    },
    REJECTED: {
      subject: `Not approved: ${what}`,
      body: `${input.decidedBy ?? 'An approver'} rejected your request. Reason: ${input.reason ?? '(none given)'}`,
    },
    EXPIRED: {
      subject: `Expired: ${what}`,
      body: `Nobody decided your request in time, even after reminders and escalation, so it has expired. You can submit it again.`,
    },
    FAILED: {
      subject: `Could not complete: ${what}`,
      body: `Your request could not be completed${input.reason ? `: ${input.reason}` : ''}. DTI has been told.`,
    },
  };
  const { subject, body } = lines[outcome];
  return {
    subject,
    html: layout(subject, html`<p>${request.requester.name},</p><p>${body}</p>${button(input.requestUrl, 'See the request and its history')}`),
    text: `${request.requester.name},\n\n${body}\n\nThe request and its history: ${input.requestUrl}`,
  };
}

/** DTI keeps the registry (O.b): it hears of every new account. */
export function registryNoticeEmail(input: { request: AccountRequest; account: Account; registryUrl: string }): EmailContent {
  const { account, request } = input;
  const subject = `Registry: new ${account.platformName} account ${account.handle} (${account.departmentName})`;
  const admins = account.admins.map((a) => a.name).join(', ');
  return {
    subject,
    html: layout(
      subject,
      html`<p>A new City social media account was approved and entered in the registry (O.b).</p>
      <dl><dt>Account</dt><dd>${account.accountId}</dd><dt>Platform</dt><dd>${account.platformName}</dd><dt>Handle</dt><dd>${account.handle}</dd>
      <dt>Department</dt><dd>${account.departmentName}</dd><dt>Admins</dt><dd>${admins}</dd><dt>Request</dt><dd>${request.requestId}</dd></dl>
      ${button(input.registryUrl, 'Open the registry')}`,
    ),
    text: `A new City social media account was approved and entered in the registry (O.b).\n\nAccount: ${account.accountId}\nPlatform: ${account.platformName}\nHandle: ${account.handle}\nDepartment: ${account.departmentName}\nAdmins: ${admins}\nRequest: ${request.requestId}\n\nRegistry: ${input.registryUrl}`,
  };
}

/** DTI hears of every workflow that could not finish, so a broken step is never silent. */
export function failureNoticeEmail(input: { request: AccountRequest; reason: string }): EmailContent {
  const subject = `Workflow failure on request ${input.request.requestId}`;
  const body = `Request ${input.request.requestId} (${input.request.platformName} ${input.request.proposedHandle}, ${input.request.departmentName}) could not complete: ${input.reason}. Check the execution history.`;
  return { subject, html: layout(subject, html`<p>${body}</p>`), text: body };
}
