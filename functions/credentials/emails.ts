import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import type { NamedPerson } from '#core/request';

/*
 * The credential's emails. None ever carries a password, a username or a recovery contact: they say
 * what happened and link to the account's credential page, where the signed-in may see what they may.
 */

function notice(subject: string, lead: string, facts: [string, string][], url: string, label: string): EmailContent {
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p>${emailButton(url, label)}${emailFacts(facts)}`),
    text: `${lead}\n\n${label}: ${url}\n\n${emailFactsText(facts)}`,
  };
}

/** To each admin of the account: DTI or the Communications Coordinator viewed its login, and why (O.b). */
export function credentialViewedEmail(input: { accountLabel: string; viewer: NamedPerson; at: string; reason: string; url: string }): EmailContent {
  return notice(
    `The login of ${input.accountLabel} was viewed`,
    `${input.viewer.name} viewed the login of ${input.accountLabel}, which you are an admin of. Each view is recorded with its reason (O.b). If you did not expect this, ask DTI.`,
    [
      ['Viewed by', `${input.viewer.name} (${input.viewer.email})`],
      ['When', formatWhen(input.at)],
      ['Reason given', input.reason],
    ],
    input.url,
    'Open the account\u2019s credential page',
  );
}

/** To DTI and the Communications Coordinator: a credential was recorded or changed (O.b: "inform DTI of any administrative or password changes"). */
export function credentialChangedEmail(input: { accountLabel: string; by: NamedPerson; at: string; what: string; url: string }): EmailContent {
  return notice(
    `Credential change: ${input.accountLabel}`,
    `${input.by.name} ${input.what} The new credential is in the City's vault; nothing secret is in this email.`,
    [
      ['Account', input.accountLabel],
      ['By', `${input.by.name} (${input.by.email})`],
      ['When', formatWhen(input.at)],
    ],
    input.url,
    'Open the account\u2019s credential page',
  );
}
