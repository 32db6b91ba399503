import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatDate, formatWhen, html } from '#core/html';
import type { NamedPerson } from '#core/request';
import { type ExceptionRequest, lastDayOf, standardTitle } from '#exception/exception';

/*
 * An approved exception's life, told to its requester and to the Communications Coordinator (F.d):
 * that it is ending (policy.exceptions.noticeDaysBeforeEnd days before its end date), and that it
 * has lapsed. Neither carries a link that acts: only the account's page, where the exception shows.
 */

const accountOf = (r: ExceptionRequest) => `${r.platformName} ${r.handle}`;

function facts(request: ExceptionRequest, extra: [string, string][] = []): [string, string][] {
  return [
    ['Account', `${accountOf(request)} (${request.departmentName})`],
    ['Standard', standardTitle(request.standard)],
    ['Reason', request.reason],
    ['From', formatDate(request.startsOn)],
    ['Lapses', formatDate(request.endsOn)],
    ['Asked by', `${request.requester.name} (${request.requester.email})`],
    ...extra,
    ['Request', request.requestId],
  ];
}

const greeting = (to: NamedPerson, request: ExceptionRequest) =>
  to.id === request.requester.id ? 'You asked for this exception.' : `${request.requester.name} asked for this exception; you approve exceptions (F.d).`;

/** The notice before the end: the exception still holds through the day before its end date. */
export function exceptionEndingEmail(input: { request: ExceptionRequest; to: NamedPerson; accountUrl: string }): EmailContent {
  const { request, to } = input;
  const subject = `Ending ${formatDate(request.endsOn)}: exception to ${standardTitle(request.standard)} for ${accountOf(request)}`;
  const lead = `The exception to ${standardTitle(request.standard)} for ${accountOf(request)} lapses by itself on ${formatDate(request.endsOn)}; the last day it holds is ${formatDate(lastDayOf(request))}.`;
  const next =
    'If the account still needs it, ask for a new exception from the account’s page before then; otherwise make sure the account meets the standard by that day.';
  const rows = facts(request);
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${lead}</p><p>${greeting(to, request)} ${next}</p>${emailButton(input.accountUrl, 'Open the account')}${emailFacts(rows)}`,
    ),
    text: `${lead}\n\n${greeting(to, request)} ${next}\n\nOpen the account: ${input.accountUrl}\n\n${emailFactsText(rows)}`,
  };
}

/** The exception has lapsed: from now on the account is held to the standard again. */
export function exceptionLapsedEmail(input: { request: ExceptionRequest; to: NamedPerson; lapsedAt: string; accountUrl: string }): EmailContent {
  const { request, to } = input;
  const subject = `Lapsed: exception to ${standardTitle(request.standard)} for ${accountOf(request)}`;
  const lead = `The exception to ${standardTitle(request.standard)} for ${accountOf(request)} reached its end date and has lapsed (F.d). The account is held to the standard again.`;
  const rows = facts(request, [['Lapsed', formatWhen(input.lapsedAt)]]);
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p><p>${greeting(to, request)}</p>${emailButton(input.accountUrl, 'Open the account')}${emailFacts(rows)}`),
    text: `${lead}\n\n${greeting(to, request)}\n\nOpen the account: ${input.accountUrl}\n\n${emailFactsText(rows)}`,
  };
}
