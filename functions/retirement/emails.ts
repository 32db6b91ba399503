import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatDate, formatWhen, html } from '#core/html';
import type { Grant } from '#core/registry';
import { contentPlanWords, type RetirementRequest } from '#retirement/retirement';

/**
 * DTI keeps the registry and the credentials (O.b): it hears of every retirement, with what it
 * still has to do on the platform (archive the content, then delete the account or leave it
 * read-only, as asked), whose posting authority ended, and until when the credential is kept.
 */
export function retirementNoticeEmail(input: {
  request: RetirementRequest;
  revoked: readonly Grant[];
  retiredAt: string;
  deleteAfter: string;
  registryUrl: string;
}): EmailContent {
  const { request } = input;
  const account = `${request.platformName} ${request.handle}`;
  const subject = `Registry: ${account} retired (${request.departmentName})`;
  const plan = contentPlanWords[request.contentPlan];
  const todo = `On the platform: ${plan.toLowerCase()}. The credential on file is kept until ${formatDate(input.deleteAfter)} (records retention), then deleted; it is not deleted now.`;
  const revoked = input.revoked.map((g) => `${g.personName} (${g.role.toLowerCase()}${g.receivesCredential ? ', had the shared credential' : ''})`).join('; ');
  const facts: [string, string][] = [
    ['Account', `${account} (${request.accountId})`],
    ['Department', request.departmentName],
    ['Retired', formatWhen(input.retiredAt)],
    ['Reason', request.reason],
    ['Its content', plan],
    ['Posting authority revoked', revoked || 'nobody held any'],
    ['Credential kept until', formatDate(input.deleteAfter)],
    ['Asked by', `${request.requester.name} (${request.requester.email})`],
    ['Request', request.requestId],
  ];
  const lead = `${account} was retired: its department director approved (B). Every posting authority on it was revoked and it is listed as retired in the registry (O.b); its records stay exportable (H).`;
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p><p><strong>${todo}</strong></p>${emailButton(input.registryUrl, 'Open the registry')}${emailFacts(facts)}`),
    text: `${lead}\n\n${todo}\n\nOpen the registry: ${input.registryUrl}\n\n${emailFactsText(facts)}`,
  };
}
