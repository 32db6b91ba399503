import { capitalized, chainFact, type RequestDescription } from '#core/description';
import { formatDate } from '#core/html';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import { approveStanding } from '#core/standing';
import {
  type ExceptionRequest,
  exceptionIdPrefix,
  exceptionStandingItem,
  exceptionSteps,
  exceptionTimeline,
  lastDayOf,
  parseExceptionForm,
  standardTitle,
} from '#exception/exception';

/*
 * An exception to F.a–c for one account (F.d) as a kind of request, decided by the Communications
 * Coordinator (or designee). Approval puts the exception's standing on the account, in the same
 * transaction as the close and only while the account is still active; the state machine then
 * waits for its notice day and its end date (statemachines/exception-approval.asl.json).
 */

const accountOf = (r: ExceptionRequest) => `${r.platformName} ${r.handle}`;

function describeException(request: ExceptionRequest): RequestDescription {
  const standard = standardTitle(request.standard);
  const title = `exception to ${standard} for ${accountOf(request)}`;
  const { noticeOn } = exceptionTimeline(request.endsOn);
  return {
    title,
    subject: `${capitalized(title)} until ${formatDate(request.endsOn)}`,
    article: 'an ',
    outcomeTitle: capitalized(title),
    rules: 'F.d',
    approvedNote: `The exception to ${standard} for ${accountOf(request)} holds from ${formatDate(request.startsOn)} through ${formatDate(
      lastDayOf(request),
    )} and lapses by itself on ${formatDate(request.endsOn)} (F.d). It is shown on the account's page; you and the Communications Coordinator are told on ${formatDate(noticeOn)} that it is ending.`,
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Account', accountOf(request)],
      ['Department', request.departmentName],
      ['Standard', standard],
      ['Reason', request.reason],
      ['From', formatDate(request.startsOn)],
      ['Until', `${formatDate(request.endsOn)} (it lapses that day; the last day it holds is ${formatDate(lastDayOf(request))})`],
      chainFact(request, 'the requester'),
    ],
    related: [
      {
        label: request.status === 'APPROVED' ? `${accountOf(request)} in the registry, where this exception is shown` : `${accountOf(request)} in the registry`,
        href: `/accounts/${encodeURIComponent(request.accountId)}`,
      },
    ],
  };
}

/**
 * Approved: the request closes and the standing is put (write-once) with a check that the account
 * is still active, in one transaction. A re-run finds the request closed and tells only what is
 * owed; an account retired in between fails the request with the reason, told to the requester and DTI.
 */
async function close(c: Closing<ExceptionRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const approved = await approveStanding(c, {
    standing: (decision) => exceptionStandingItem(request, decision),
    what: 'an exception',
    account: accountOf(request),
    decider: 'the Communications Coordinator',
  });
  if (approved.settled) return approved.settled;
  await c.tell('APPROVED');
  c.log('exception approved', { requestId: request.requestId, accountId: request.accountId, endsOn: request.endsOn });
  return { status: 'APPROVED', accountId: request.accountId };
}

export const exceptionKind: RequestKindModule<ExceptionRequest, typeof parseExceptionForm, typeof exceptionSteps> = {
  kind: 'EXCEPTION',
  idPrefix: exceptionIdPrefix,
  entity: 'ExceptionRequest',
  label: 'Exception request (F.d)',
  stateMachine: 'exceptionApproval',
  parseForm: parseExceptionForm,
  planSteps: exceptionSteps,
  describe: describeException,
  contextNeeds: () => ({ approvals: false }),
  // Only the requester hears its outcome; the Coordinator decided it.
  interested: () => [],
  listed: (r) => ({ handle: r.handle, accountId: r.accountId, standard: r.standard, startsOn: r.startsOn, endsOn: r.endsOn }),
  // The account it concerns is linked from the description (`related`), where the standing shows.
  pageExtras: () => ({}),
  // When it is to be told it is ending, and when it lapses.
  details: (r) => ({ timeline: exceptionTimeline(r.endsOn) }),
  exportCells: (r) => ({ subject: standardTitle(r.standard), reason: r.reason, startsOn: r.startsOn, endsOn: r.endsOn }),
  accountOf: (r) => r.accountId,
  close,
};
