import { type EmailContent, emailButton, emailLayout, emailNoteStyle } from '#core/email-layout';
import { formatWhen, html, type SafeHtml } from '#core/html';
import { type Policy, policy } from '#core/policy';
import type { NamedPerson } from '#core/request';
import type { AccountSummary, Offboarding, OffboardingTask } from '#offboarding/offboarding';

export type TaskEmailKind = 'initial' | 'reminder' | 'escalation';

export { taskLink } from '#core/approval-link';

/**
 * What the next sweep does to a task still open (chaseAction in offboarding.ts, which this email is
 * sent after): a reminder while `waits.remindersBeforeEscalation` allows one (counted afresh after
 * an escalation), then the escalation, then expiry, which the final summary reports.
 */
function afterWait(task: OffboardingTask, p: Policy): 'reminder' | 'escalation' | 'expiry' {
  if (task.remindersSent < p.waits.remindersBeforeEscalation) return 'reminder';
  return task.round === 0 && task.escalateTo ? 'escalation' : 'expiry';
}

/** A rotation or appointment link for one recipient. */
export function taskEmail(input: {
  task: OffboardingTask;
  recipient: NamedPerson;
  link: string;
  kind: TaskEmailKind;
  dueBy: string;
  policy?: Policy;
}): EmailContent {
  const { task, recipient, link, kind } = input;
  const what = {
    ROTATE: `change the shared password of ${task.accountLabel} (${task.departmentName})`,
    APPOINT: `appoint a new admin for ${task.accountLabel} (${task.departmentName})`,
    CAPTURE: `record the login of ${task.accountLabel} (${task.departmentName})`,
  }[task.kind];
  const subject = `${kind === 'reminder' ? 'Reminder: ' : kind === 'escalation' ? 'Escalated to you: ' : 'Action needed: '}${what}`;
  const why = {
    ROTATE: `${task.employeeName} has separated from the City and could know this account's shared password (policy C). A new password has been generated and is waiting in the City's credential vault. Open the link, sign in, reveal it, set it on the platform, then confirm.`,
    APPOINT: `${task.employeeName} has separated from the City and was this account's only admin (policy B, C). Open the link, sign in, and appoint a new admin from the directory.`,
    CAPTURE: `The new account is approved and you are its admin. DTI keeps the login of every City account (policy O.b): set the account up on the platform, then open the link, sign in, record its login (username, password, recovery contact, two-factor) and confirm it works.`,
  }[task.kind];
  const lead = kind === 'escalation' ? 'Nobody acted on this in time, so it now comes to you.' : kind === 'reminder' ? 'This is still waiting for you.' : '';
  const afterWords = {
    reminder: 'If it is not done by then, you will get a reminder.',
    escalation: `If it is not done by then, it goes to ${task.escalateTo?.name ?? 'someone else'} instead, and this link stops working.`,
    expiry:
      task.kind === 'CAPTURE'
        ? 'If it is not done by then, the account stays on DTI\u2019s list of accounts without a credential on file.'
        : 'If it is not done by then, it is reported to DTI and the Communications Coordinator as not done.',
  };
  const due = `Please act by ${formatWhen(input.dueBy)}. ${afterWords[afterWait(task, input.policy ?? policy)]}`;
  const label = { ROTATE: 'Open the password change', APPOINT: 'Appoint an admin', CAPTURE: 'Record the login' }[task.kind];
  const note = 'This link is for you alone and works only when you are signed in as yourself. Opening it changes nothing and shows no password.';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${recipient.name},</p><p>${lead} ${why}</p><p><strong>${due}</strong></p>${emailButton(link, label)}<p style="${emailNoteStyle}">${note}</p>`,
    ),
    text: `${recipient.name},\n\n${lead ? `${lead} ` : ''}${why}\n\n${due}\n\n${label}: ${link}\n\n${note}`,
  };
}

/**
 * Each account as a block of lines (a table would not fit a phone), and as plain-text lines: the
 * same in every summary and alert.
 */
function accountRows(summaries: AccountSummary[]): { html: SafeHtml; text: string } {
  const line = 'margin:0';
  const rows = summaries.map(
    (s) => html`<li style="margin:0 0 12px;padding:8px 12px;border-left:4px solid ${s.failure ? '#b50909' : '#dfe1e2'};background:#f7f9fa">
      <p style="${line};font-weight:bold">${s.accountLabel}</p><p style="${line};color:#565c65">${s.departmentName}</p>${
        s.failure ? html`<p style="${line};color:#b50909;font-weight:bold">${s.failure}</p>` : ''
      }
      <p style="${line}">Access: ${s.revoked}</p><p style="${line}">Shared password: ${s.rotation}</p><p style="${line}">Admin: ${s.appointment}</p></li>`,
  );
  return {
    html: html`<ul style="list-style:none;margin:16px 0;padding:0">${rows}</ul>`,
    text: summaries
      .map(
        (s) =>
          `- ${s.accountLabel} (${s.departmentName})${s.failure ? `\n  ${s.failure}` : ''}\n  access: ${s.revoked}\n  password: ${s.rotation}\n  admin: ${s.appointment}`,
      )
      .join('\n'),
  };
}

const accounts = (n: number) => `${n} account${n === 1 ? '' : 's'}`;

/** DTI and the Communications Coordinator: every account, revoked, rotated, pending, escalated, failed (O.b). */
export function offboardingSummaryEmail(input: {
  offboarding: Offboarding;
  summaries: AccountSummary[];
  stage: 'STARTED' | 'FINISHED';
  recordUrl: string;
}): EmailContent {
  const { offboarding, summaries } = input;
  const who = `${offboarding.employee.name} (${offboarding.employee.id})`;
  const open = summaries.filter((s) => s.attention).length;
  const failed = summaries.filter((s) => s.failed).length;
  const failedNote = failed
    ? ` ${accounts(failed)} FAILED and need${failed === 1 ? 's' : ''} DTI: the reason is on ${failed === 1 ? 'its line' : 'their lines'} below, with what is still owed by hand.`
    : '';
  const subject =
    input.stage === 'STARTED'
      ? `Offboarding started: ${who}, ${accounts(summaries.length)}${failed ? ` (${failed} FAILED)` : ''}`
      : `Offboarding ${open ? 'finished with items needing attention' : 'complete'}: ${who}`;
  const intro =
    input.stage === 'STARTED'
      ? `${who} separated on ${offboarding.separationDate}. Their posting grants are revoked on every account below${failed ? ' where they could be' : ''}; password changes and admin appointments have been sent to the people responsible.${failedNote}`
      : `The offboarding of ${who} (separated ${offboarding.separationDate}) has finished.${open ? ` ${open} account(s) still need attention: see below.` : ''}${failedNote}`;
  const none = summaries.length === 0 ? 'They held no posting grants: there was nothing to revoke or rotate.' : '';
  const rows = accountRows(summaries);
  return {
    subject,
    html: emailLayout(subject, html`<p>${intro} ${none}</p>${summaries.length ? rows.html : ''}${emailButton(input.recordUrl, 'Open the offboarding record')}`),
    text: `${intro} ${none}\n\n${rows.text}\n\nOpen the offboarding record: ${input.recordUrl}`,
  };
}

/** A separation that cannot be processed is never silent. A failed one lists what each account had reached. */
export function offboardingAlertEmail(input: {
  employeeId: string;
  separationDate: string;
  problem: 'UNKNOWN_EMPLOYEE' | 'FAILED';
  error?: string;
  recordUrl?: string;
  summaries?: AccountSummary[];
}): EmailContent {
  const subject =
    input.problem === 'UNKNOWN_EMPLOYEE'
      ? `Offboarding not started: employee ${input.employeeId} is not in the directory`
      : `Offboarding failed: employee ${input.employeeId}`;
  const body =
    input.problem === 'UNKNOWN_EMPLOYEE'
      ? `HR reported the separation of employee ${input.employeeId} on ${input.separationDate}, but no such person is in the directory. Nothing was changed. Check the employee id with HR; if they hold City social media access under another id, offboard them by hand.`
      : `The offboarding of employee ${input.employeeId} (separated ${input.separationDate}) stopped with ${input.error ?? 'an error'}. Check the execution history and the record; access may not be fully removed.`;
  const rows = input.summaries?.length ? accountRows(input.summaries) : undefined;
  const reached = rows ? 'Where each account had got to when it stopped:' : '';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${body}</p>${rows ? html`<p>${reached}</p>${rows.html}` : ''}${input.recordUrl ? emailButton(input.recordUrl, 'Open the offboarding record') : ''}`,
    ),
    text: `${body}${rows ? `\n\n${reached}\n${rows.text}` : ''}${input.recordUrl ? `\n\nOpen the offboarding record: ${input.recordUrl}` : ''}`,
  };
}
