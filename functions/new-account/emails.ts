import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { html } from '#core/html';
import type { Account } from '#core/registry';
import type { AccountRequest } from '#new-account/new-account';

/** DTI keeps the registry (O.b): it hears of every new account. */
export function registryNoticeEmail(input: { request: AccountRequest; account: Account; registryUrl: string }): EmailContent {
  const { account, request } = input;
  const subject = `Registry: new ${account.platformName} account ${account.handle} (${account.departmentName})`;
  const facts: [string, string][] = [
    ['Account', account.accountId],
    ['Platform', account.platformName],
    ['Handle', account.handle],
    ['Department', account.departmentName],
    ['Admins', account.admins.map((a) => a.name).join(', ')],
    ['Request', request.requestId],
  ];
  const lead = 'A new City social media account was approved and entered in the registry (O.b).';
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p>${emailButton(input.registryUrl, 'Open the registry')}${emailFacts(facts)}`),
    text: `${lead}\n\nOpen the registry: ${input.registryUrl}\n\n${emailFactsText(facts)}`,
  };
}
