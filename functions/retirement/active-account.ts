import { ConflictError } from '#core/errors';
import { formatDate, html, type SafeHtml } from '#core/html';
import type { Account } from '#core/registry';
import type { RetiredFacts } from '#retirement/retirement';

/*
 * What a retired account refuses (issue 14): new posting authority, post removals, exceptions,
 * displays on a City website, credential changes. Each form's handler checks here, right after it
 * reads the account, so the refusal says the same everywhere and nothing is stored.
 */

/** "the 2027 annual review" for a review's source id (rev-2027-PRD), else "request ra-…". */
export function retiredByWords(sourceId: string | undefined): string {
  if (!sourceId) return 'an earlier change';
  const review = /^rev-(\d{4})-/.exec(sourceId);
  return review ? `the ${review[1]} annual review` : `request ${sourceId}`;
}

/** One sentence: "Instagram @ABQParks was retired on Mar 12, 2026 by request ra-… (why)." */
export function retiredSentence(account: Account & RetiredFacts): string {
  const when = account.retiredAt ? ` on ${formatDate(account.retiredAt)}` : '';
  return `${account.platformName} ${account.handle} was retired${when} by ${retiredByWords(account.retiredBySourceId)}${
    account.retiredReason ? ` (${account.retiredReason})` : ''
  }.`;
}

/** Refuses (409) anything new on a retired account, saying when and by what it was retired; `what` is what was asked ("posting authority"). */
export function assertAccountActive(account: Account & RetiredFacts, what: string): void {
  if (account.status === 'ACTIVE') return;
  throw new ConflictError(`${retiredSentence(account)} A retired account takes no new ${what}; its records stay in the registry and in the records export.`);
}

/** The registry's Status line for a retired account: the tag, the day, and a link to the request that retired it. */
export function retiredStatusLine(account: Account & RetiredFacts, badge: SafeHtml): SafeHtml {
  const source = account.retiredBySourceId;
  const by =
    source && /^ra-/.test(source)
      ? html` through <a href="/requests/${encodeURIComponent(source)}">${source}</a>`
      : source
        ? html` in ${retiredByWords(source)}`
        : '';
  return html`${badge}${account.retiredAt ? html` on ${formatDate(account.retiredAt)}` : ''}${by}${account.retiredReason ? html`. Why: ${account.retiredReason}` : ''}`;
}
