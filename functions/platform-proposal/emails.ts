import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import { type Platform, platformDocumentKinds, platformDocumentTitles } from '#core/platform';
import type { PlatformProposalRequest } from '#platform-proposal/platform-proposal';

/**
 * DTI keeps the list (O.a) and adopts each platform's documents (P): its mailbox hears of each
 * platform added by a department's proposal, which is on the list incomplete until its three P
 * documents are recorded, with the link to the platform's page where DTI records them.
 */
export function platformAddedNoticeEmail(input: {
  request: PlatformProposalRequest;
  platform: Platform;
  approvedBy: { name: string; at: string };
  platformUrl: string;
}): EmailContent {
  const { request, platform } = input;
  const subject = `Platform list: ${platform.name} added, P documents to record`;
  const documents = platformDocumentKinds.map((k) => platformDocumentTitles[k].toLowerCase()).join(', ');
  const lead = `${platform.name} was approved for DTI’s list of platforms (O.a) and is on it, marked incomplete. No New Social Media form offers it until its ${documents} (P) are recorded on its page.`;
  const facts: [string, string][] = [
    ['Platform', `${platform.name} (${platform.id})`],
    ['Site', request.siteUrl],
    ['Usage agreement', request.agreementUrl],
    ['What it is', request.description],
    ['Why', request.reason],
    ['Proposed by', `${request.requester.name} (${request.requester.email}) for ${request.departmentName}`],
    ['Approved by', `${input.approvedBy.name}, ${formatWhen(input.approvedBy.at)}`],
    ['Request', request.requestId],
  ];
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p>${emailButton(input.platformUrl, 'Record the P documents')}${emailFacts(facts)}`),
    text: `${lead}\n\nRecord the P documents: ${input.platformUrl}\n\n${emailFactsText(facts)}`,
  };
}
