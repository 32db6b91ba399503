import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import type { Grant } from '#core/registry';
import { credentialWords, type PostingAuthorityRequest } from '#posting-authority/posting-authority';

/**
 * DTI keeps the credential registry (O.b): it hears of every posting authority granted, whether the
 * person is to receive the shared credential, and which earlier grant it replaced. Someone who had
 * the credential and no longer does still knows it, so DTI is told to rotate it (C).
 */
export function postingAuthorityNoticeEmail(input: { request: PostingAuthorityRequest; grant: Grant; replaced: Grant[]; registryUrl: string }): EmailContent {
  const { request, grant } = input;
  const who = request.grantee.name;
  const account = `${request.platformName} ${request.handle}`;
  const subject = `Registry: posting authority for ${who} on ${account} (${grant.role.toLowerCase()})`;
  const credential = grant.receivesCredential
    ? `${who} is to receive the shared credential of ${account}.`
    : `${who} is not to receive the shared credential of ${account}.`;
  const lostCredential = !grant.receivesCredential && input.replaced.some((g) => g.receivesCredential);
  const replaced = input.replaced.map((g) => `${g.role.toLowerCase()}, ${credentialWords(g.receivesCredential)} (from ${g.sourceRequestId})`).join('; ');
  const facts: [string, string][] = [
    ['Person', `${who} (${request.grantee.email})`],
    ['Account', `${account} (${request.accountId})`],
    ['Department', request.departmentName],
    ['Role', grant.role.toLowerCase()],
    ['Shared credential', grant.receivesCredential ? 'to be given' : 'not to be given'],
    ['Authorized by', `${grant.authorizedByName}, ${formatWhen(grant.authorizedAt)}`],
    ['Replaces', replaced || 'nothing'],
    ['Request', request.requestId],
  ];
  const rotate = lostCredential ? `${who} had the shared credential before: rotate it (C).` : '';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>Posting authority was approved (B) and recorded in the registry (O.b). <strong>${credential}</strong> ${rotate}</p>
      ${emailButton(input.registryUrl, 'Open the registry')}${emailFacts(facts)}`,
    ),
    text: `Posting authority was approved (B) and recorded in the registry (O.b). ${credential}${rotate ? ` ${rotate}` : ''}\n\nOpen the registry: ${input.registryUrl}\n\n${emailFactsText(facts)}`,
  };
}
