import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import type { Standing } from '#core/standing';
import type { WebsiteDisplayRequest } from '#website-display/website-display';

/**
 * DTI keeps the registry (O.b) and is consulted on every display (Q): its mailbox hears of each one
 * approved, with the monitoring protocol the department committed to, so whoever checks City pages
 * knows what to hold it to. No link in it acts: only the account's page, where the display shows.
 */
export function websiteDisplayNoticeEmail(input: { request: WebsiteDisplayRequest; standing: Standing; accountUrl: string }): EmailContent {
  const { request, standing } = input;
  const account = `${request.platformName} ${request.handle}`;
  const subject = `Registry: ${account} shown on ${request.webPageUrl}`;
  const lead = `Showing ${account} on a City website was approved (Q) and recorded on the account. The department is to moderate it as below; an automatic feed of uncensored content is not allowed.`;
  const facts: [string, string][] = [
    ['Web page', request.webPageUrl],
    ...(request.pageTitle ? [['Page', request.pageTitle] as [string, string]] : []),
    ['Account', `${account} (${request.accountId})`],
    ['Department', request.departmentName],
    ['Content', request.content],
    ['Moderation', request.moderation],
    ['Approved by', `${standing.approvedByName}, ${formatWhen(standing.approvedAt)}`],
    ['Asked by', `${request.requester.name} (${request.requester.email})`],
    ['Request', request.requestId],
  ];
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p>${emailButton(input.accountUrl, 'Open the account')}${emailFacts(facts)}`),
    text: `${lead}\n\nOpen the account: ${input.accountUrl}\n\n${emailFactsText(facts)}`,
  };
}
