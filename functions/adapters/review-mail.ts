import type { EmailContent } from '#core/email-layout';
import { type ReviewEmailKind, reviewPageEmail } from '#annual-review/emails';
import { currentReviewer, pageKey, pagePath, type Review, type ReviewPage } from '#annual-review/review';
import { env } from '#adapters/env';
import { sendOnce } from '#adapters/mail-ledger';
import type { MailSlot } from '#adapters/mail-slots';

/**
 * The review's emails, each once (mail-ledger.ts). A page's slots live on an item of their own
 * beside it (REVIEW#id / MAIL#<page>), not on the page, which holds every account of a department
 * and would be rewritten whole by every claim.
 */
export const pageMailSlot = (page: Pick<ReviewPage, 'reviewId'> & Parameters<typeof pageKey>[0], key: string): MailSlot => ({
  PK: `REVIEW#${page.reviewId}`,
  SK: `MAIL#${pageKey(page)}`,
  key,
  ownItem: true,
});

export const reviewUrl = (path: string) => `${env().PUBLIC_BASE_URL.replace(/\/+$/, '')}${path}`;

/** The page's email to whoever it is with now: the first one, a reminder, or the escalation. */
export async function sendPageEmail(review: Review, page: ReviewPage, kind: ReviewEmailKind, sweep: number, waitSeconds: number): Promise<string> {
  const recipient = currentReviewer(page);
  if (!recipient) return 'skipped';
  const email = reviewPageEmail({
    review,
    page,
    recipient,
    link: reviewUrl(pagePath(page)),
    kind,
    sweep,
    nextSweepAt: new Date(Date.now() + waitSeconds * 1000).toISOString(),
  });
  return sendOnce(pageMailSlot(page, `${kind}-${sweep}-${page.stage}-${recipient.id}`), { to: [recipient.email], ...email });
}

/** Any other email about a page (a revoked grant's notice), keyed by what it is about. */
export function sendAboutPage(page: ReviewPage, key: string, to: string, email: EmailContent) {
  return sendOnce(pageMailSlot(page, key), { to: [to], ...email });
}
