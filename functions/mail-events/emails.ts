import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout } from '#core/email-layout';
import { formatWhen, html } from '#core/html';
import type { MailEvent } from './notification.ts';
import type { About, WhyNotMoved } from './undeliverable.ts';

/** What became of the step whose email could not be delivered. */
export type StepOutcome = { movedTo: string } | { whyNot: WhyNotMoved | 'no-designee' | 'changed' };

const kindWords: Record<MailEvent['kind'], string> = {
  'bounce-permanent': 'Permanent bounce (the address does not accept mail; SES will not send to it again)',
  'bounce-transient': 'Temporary bounce (SES retried and gave up: a full mailbox, a server that was down)',
  'bounce-undetermined': 'Bounce of an undetermined kind',
  complaint: 'Complaint (the recipient marked it as spam)',
};

const reference = (about: About): string => {
  switch (about.kind) {
    case 'approval':
      return `request ${about.requestId}`;
    case 'request':
      return `request ${about.requestId}`;
    case 'offboarding':
      return `offboarding ${about.offboardingId}`;
    case 'review':
      return `annual review ${about.reviewId}`;
    case 'account':
      return `account ${about.accountId}`;
  }
};

/** Where DTI can see the item the email was about. */
export function pageOf(about: About, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (about.kind === 'approval' || about.kind === 'request') return `${base}/requests/${about.requestId}`;
  if (about.kind === 'offboarding') return `${base}/offboardings/${about.offboardingId}`;
  if (about.kind === 'review') return `${base}/reviews/${about.reviewId}`;
  return `${base}/accounts/${about.accountId}`;
}

function whatItWas(about: About, mailKey: string, stepTitle?: string): string {
  if (about.kind === 'approval') {
    const whose = about.round === 1 ? 'the designee’s decision link' : 'the decision link';
    return `${whose} for step ${about.step + 1}${stepTitle ? ` (${stepTitle})` : ''} of ${reference(about)}${mailKey.startsWith('reminder-') ? ', a reminder' : ''}`;
  }
  return `an email about ${reference(about)} (${mailKey})`;
}

function whatHappened(outcome: StepOutcome, about: About): string {
  if ('movedTo' in outcome) return `The step went at once to ${outcome.movedTo}, the designee, with a new link; the undelivered link no longer works.`;
  switch (outcome.whyNot) {
    case 'no-designee':
      return 'Nobody else can take the step (the directory names no designee who could), so it still waits for this address, where its reminders will not arrive either.';
    case 'designee-link':
      return 'This was the designee’s link: there is nobody further to send it to, and the request expires if nobody decides.';
    case 'not-permanent':
      return 'Nothing was moved: the address may work again, and the reminders still go to it.';
    case 'complaint':
      return 'Nothing was changed; the recipient’s provider may filter the next emails too.';
    case 'decided':
    case 'changed':
      return 'The step had already been decided or moved on, so nothing else changed.';
    case 'request-closed':
      return 'The request is closed, so nothing else changed.';
    default:
      return `It is recorded on ${reference(about)}; nothing else changed.`;
  }
}

/** DTI's notice of an email that could not be delivered (or drew a complaint): which address, about what, and what was done. */
export function undeliverableNotice(input: { event: MailEvent; about: About; outcome: StepOutcome; stepTitle?: string; pageUrl: string }): EmailContent {
  const { event, about } = input;
  const addresses = event.recipients.join(', ');
  const subject =
    event.kind === 'complaint' ? `Spam complaint from ${addresses} about ${reference(about)}` : `Email not delivered to ${addresses}: ${reference(about)}`;
  const happened = whatHappened(input.outcome, about);
  const ask = 'Please check the address in the directory, or with the person.';
  const facts: [string, string][] = [
    ['Address', addresses],
    ['The email', `${whatItWas(about, event.ref.key, input.stepTitle)}${event.subject ? `: “${event.subject}”` : ''}`],
    ['What happened', kindWords[event.kind]],
    ...(event.detail ? ([['The receiving server said', event.detail]] as [string, string][]) : []),
    ['Reported', formatWhen(event.at)],
  ];
  return {
    subject,
    html: emailLayout(subject, html`<p>DTI,</p><p>${happened}</p><p>${ask}</p>${emailFacts(facts)}${emailButton(input.pageUrl, `Open ${reference(about)}`)}`),
    text: `DTI,\n\n${happened}\n\n${ask}\n\n${emailFactsText(facts)}\n\n${reference(about)}: ${input.pageUrl}`,
  };
}
