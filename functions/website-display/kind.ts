import { capitalized, chainFact, type RequestDescription } from '#core/description';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import { approveStanding } from '#core/standing';
import { websiteDisplayNoticeEmail } from '#website-display/emails';
import {
  cityDay,
  displayStanding,
  displayStandingItem,
  parseWebsiteDisplayForm,
  type WebsiteDisplayRequest,
  websiteDisplayIdPrefix,
  websiteDisplaySteps,
} from '#website-display/website-display';

/*
 * Showing an account's content on a City website (Q) as a kind of request, decided by DTI's
 * director (or designee). Approval puts the display's standing on the account, in the same
 * transaction as the close and only while the account is still active; the requester and DTI's
 * registry mailbox are told.
 */

const accountOf = (r: WebsiteDisplayRequest) => `${r.platformName} ${r.handle}`;

function describeWebsiteDisplay(request: WebsiteDisplayRequest): RequestDescription {
  const title = `display of ${accountOf(request)} on ${request.webPageUrl}`;
  return {
    title,
    subject: `${capitalized(title)} for ${request.departmentName}`,
    article: 'a ',
    outcomeTitle: capitalized(title),
    rules: 'Q',
    approvedNote: `${accountOf(request)} may now be shown on ${request.webPageUrl}, moderated as described (Q). The display is shown on the account's page and in the annual review; DTI has been told.`,
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Account', accountOf(request)],
      ['Department', request.departmentName],
      ['Web page', request.webPageUrl],
      ...(request.pageTitle ? [['Page title', request.pageTitle] as [string, string]] : []),
      ['Content shown', request.content],
      ['Automatic feed of uncensored content', 'No'],
      ['Moderation (monitoring protocol)', request.moderation],
      chainFact(request, 'the requester'),
    ],
    factShapes: { 'Web page': 'link' },
    related: [
      {
        label: request.status === 'APPROVED' ? `${accountOf(request)} in the registry, where this display is shown` : `${accountOf(request)} in the registry`,
        href: `/accounts/${encodeURIComponent(request.accountId)}`,
      },
    ],
  };
}

/**
 * Approved: the request closes and the standing is put (write-once) with a check that the account
 * is still active, in one transaction. A re-run finds the request closed and tells only what is
 * owed (each email once, by audience); an account retired in between fails the request with the
 * reason, told to the requester and DTI.
 */
async function close(c: Closing<WebsiteDisplayRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const approved = await approveStanding(c, {
    standing: (decision) => displayStandingItem(request, decision),
    what: 'a display',
    account: accountOf(request),
    decider: 'the DTI Director',
  });
  if (approved.settled) return approved.settled;
  const { decision } = approved;
  await c.tell('APPROVED');
  await c.tellDti(
    'dti',
    websiteDisplayNoticeEmail({
      request,
      standing: displayStanding(request, decision),
      accountUrl: `${c.registryUrl}/${encodeURIComponent(request.accountId)}`,
    }),
  );
  c.log('website display approved', { requestId: request.requestId, accountId: request.accountId });
  return { status: 'APPROVED', accountId: request.accountId };
}

export const websiteDisplayKind: RequestKindModule<WebsiteDisplayRequest, typeof parseWebsiteDisplayForm, typeof websiteDisplaySteps> = {
  kind: 'WEBSITE_DISPLAY',
  idPrefix: websiteDisplayIdPrefix,
  entity: 'WebsiteDisplayRequest',
  label: 'City website display request (Q)',
  stateMachine: 'websiteDisplayApproval',
  parseForm: parseWebsiteDisplayForm,
  planSteps: websiteDisplaySteps,
  describe: describeWebsiteDisplay,
  contextNeeds: () => ({ approvals: false }),
  // Only the requester hears its outcome (and DTI's mailbox, on approval); DTI decided it.
  interested: () => [],
  listed: (r) => ({ handle: r.handle, accountId: r.accountId, webPageUrl: r.webPageUrl, ...(r.pageTitle ? { pageTitle: r.pageTitle } : {}) }),
  // The account it concerns is linked from the description (`related`), where the standing shows.
  pageExtras: () => ({}),
  details: (r) => ({ webPageUrl: r.webPageUrl, automaticFeed: r.automaticFeed }),
  exportCells: (r) => ({
    subject: r.pageTitle ?? r.webPageUrl,
    webPageUrl: r.webPageUrl,
    purpose: r.content,
    reason: r.moderation,
    startsOn: r.status === 'APPROVED' && r.closedAt ? cityDay(r.closedAt) : null,
  }),
  accountOf: (r) => r.accountId,
  close,
};
