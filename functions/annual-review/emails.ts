import { type EmailContent, emailButton, emailFacts, emailFactsText, emailLayout, emailNoteStyle } from '#core/email-layout';
import { formatDate, html } from '#core/html';
import type { NamedPerson } from '#core/request';
import { type ReviewPage, type Review, type ReviewProgress, pageAction } from '#annual-review/review';

export type ReviewEmailKind = 'initial' | 'reminder' | 'escalation';

const reviewName = (review: Pick<Review, 'year' | 'departmentCode'>) =>
  `${review.year} annual review${review.departmentCode ? ` of ${review.departmentCode}` : ''}`;

/** What happens if this page is still open at the next sweep (pageAction, which this email is sent after). */
function nextStep(page: ReviewPage, sweep: number): string {
  const next = pageAction({ ...page, lastSweep: sweep }, sweep + 1);
  if (next === 'escalate') return `If it is not submitted by then, it goes to ${page.chain[page.stage + 1]?.name ?? 'someone else'} instead.`;
  if (next === 'not-attested') return 'If it is not submitted by its due date, it is reported to DTI as not attested.';
  return 'If it is not submitted by then, you will get a reminder.';
}

/** One email per page (a department's every account, or DTI's every platform), not one per account. */
export function reviewPageEmail(input: {
  review: Pick<Review, 'year' | 'departmentCode'>;
  page: ReviewPage;
  recipient: NamedPerson;
  link: string;
  kind: ReviewEmailKind;
  nextSweepAt: string;
  sweep: number;
}): EmailContent {
  const { page, recipient, link, kind } = input;
  const what =
    page.kind === 'PLATFORMS'
      ? `review the ${page.platforms.length} approved platforms (O.a, P)`
      : `review the ${page.accounts.length} social media account${page.accounts.length === 1 ? '' : 's'} of ${page.departmentName}`;
  const subject = `${kind === 'reminder' ? 'Reminder: ' : kind === 'escalation' ? 'Escalated to you: ' : ''}${reviewName(input.review)}: ${what}`;
  const lead =
    kind === 'escalation'
      ? 'Nobody answered this review in time, so it now comes to you. The answers saved so far are kept.'
      : kind === 'reminder'
        ? 'This review is still waiting for you.'
        : 'Once a year every approved platform and every City social media account is reviewed (policy O.a, P, B, C, O.b).';
  const ask =
    page.kind === 'PLATFORMS'
      ? 'For each platform: keep it, keep it with changes, or retire it. The page shows what the system found (usage agreements, the P documents, accounts on it).'
      : 'For each account: is it still in use, does each admin and poster still need posting authority, does it have two admins, and does it still show the official-site characteristics (E) and the purpose notice (J)? The page shows what the system found beside each question. Nothing changes until you submit.';
  const due = `Next step ${formatDate(input.nextSweepAt)}; due ${formatDate(page.dueAt)}. ${nextStep(page, input.sweep)}`;
  const note = 'Sign in as yourself to open it. You can save partial answers and come back; it is also listed under My work.';
  return {
    subject,
    html: emailLayout(
      subject,
      html`<p>${recipient.name},</p><p>${lead}</p><p>${ask}</p><p><strong>${due}</strong></p>${emailButton(link, 'Open the review')}<p style="${emailNoteStyle}">${note}</p>`,
    ),
    text: `${recipient.name},\n\n${lead}\n\n${ask}\n\n${due}\n\nOpen the review: ${link}\n\n${note}`,
  };
}

/** The person whose posting authority a review revoked is told (B). */
export function authorityRevokedEmail(input: { person: NamedPerson; accountLabel: string; by: NamedPerson; year: number; retired: boolean }): EmailContent {
  const subject = `Your posting authority for ${input.accountLabel} has ended`;
  const why = input.retired
    ? `In the ${input.year} annual review, ${input.by.name} retired ${input.accountLabel}: it is no longer in use, so every posting authority on it has ended (policy B). Its records are kept.`
    : `In the ${input.year} annual review, ${input.by.name} confirmed that you no longer need posting authority for ${input.accountLabel} (policy B).`;
  const after = 'Please do not post for it any more. If this is a mistake, ask for posting authority again from the account\u2019s page in the registry.';
  return {
    subject,
    html: emailLayout(subject, html`<p>${input.person.name},</p><p>${why}</p><p>${after}</p>`),
    text: `${input.person.name},\n\n${why}\n\n${after}`,
  };
}

/** A grant nobody confirmed by the due date, where the policy makes that lapse it (noAnswerRevokesGrants). */
export function authorityLapsedEmail(input: { person: NamedPerson; accountLabel: string; year: number }): EmailContent {
  const subject = `Your posting authority for ${input.accountLabel} has ended`;
  const why = `The ${input.year} annual review of ${input.accountLabel} was not answered by its due date, and City policy ends every posting authority nobody confirmed (policy B).`;
  const after = 'Please do not post for it any more. If you still need it, ask for posting authority again from the account\u2019s page in the registry.';
  return {
    subject,
    html: emailLayout(subject, html`<p>${input.person.name},</p><p>${why}</p><p>${after}</p>`),
    text: `${input.person.name},\n\n${why}\n\n${after}`,
  };
}

/** DTI and the Communications Coordinator, when the review starts and when it ends. */
export function reviewSummaryEmail(input: {
  review: Review;
  stage: 'STARTED' | 'FINISHED';
  progress: ReviewProgress;
  reportUrl: string;
  notAttested: string[];
  noDirector: string[];
  failed?: string[];
}): EmailContent {
  const { review, progress } = input;
  const subject = `${reviewName(review)} ${input.stage === 'STARTED' ? 'has started' : 'is finished'}`;
  const facts: [string, string][] = [
    [
      'Departments',
      `${progress.done} of ${progress.departments} done (${progress.submitted} submitted, ${progress.notAttested} not attested, ${progress.nothingToReview} with nothing to review)`,
    ],
    ['Accounts', `${progress.answered} of ${progress.accounts} answered`],
    ['Findings', String(progress.findings)],
    ['Changes applied', String(progress.changesApplied)],
    ['Due', formatDate(review.dueAt)],
  ];
  if (input.notAttested.length) facts.push(['Not attested', input.notAttested.join(', ')]);
  if (input.noDirector.length) facts.push(['No director or designee (sent to the Communications Director)', input.noDirector.join(', ')]);
  if (input.failed?.length) facts.push(['Could not be prepared (see the report)', input.failed.join(', ')]);
  const lead =
    input.stage === 'STARTED'
      ? 'Each department with accounts has its review page and one email; DTI has the platforms page.'
      : 'Every review page is submitted or past its due date. The report has what was found, decided, by whom, and changed.';
  return {
    subject,
    html: emailLayout(subject, html`<p>${lead}</p>${emailFacts(facts)}${emailButton(input.reportUrl, 'Open the report')}`),
    text: `${lead}\n\n${emailFactsText(facts)}\n\nReport: ${input.reportUrl}`,
  };
}

export function reviewAlertEmail(input: { reviewId: string; error?: string; reportUrl: string }): EmailContent {
  const subject = `The ${input.reviewId} annual review failed`;
  const body = `A step of the review failed for good${input.error ? ` (${input.error})` : ''}. The answers given so far are kept on its pages; the execution history has the details. Once the cause is fixed, redrive the execution from the Step Functions console: it picks up where it stopped.`;
  return {
    subject,
    html: emailLayout(subject, html`<p>${body}</p>${emailButton(input.reportUrl, 'Open the review')}`),
    text: `${body}\n\n${input.reportUrl}`,
  };
}
