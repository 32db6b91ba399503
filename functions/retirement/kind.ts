import { ConfigurationError } from '#core/errors';
import { capitalized, chainFact, type RequestDescription } from '#core/description';
import { policy } from '#core/policy';
import type { Account, Grant } from '#core/registry';
import type { Closing, OutcomeResult, OutcomeStore, RequestKindModule } from '#core/request-kind';
import { retiredSentence } from '#retirement/active-account';
import { retirementNoticeEmail } from '#retirement/emails';
import {
  accountWriteIndex,
  contentPlanWords,
  deleteAfterFor,
  grantsPerRetirement,
  grantsToRevoke,
  parseRetirementForm,
  type RetiredFacts,
  type RetirementRequest,
  retirementIdPrefix,
  retirementSteps,
  retirementWrites,
} from '#retirement/retirement';

/*
 * Retiring an account as a kind of request (issue 14), decided by the account department's
 * director. Approval closes the request and retires the account, its grants and its credential in
 * one transaction (retirement.ts `retirementWrites`, the same writes the annual review makes);
 * a retry finds the request closed and repeats only the emails, each sent once.
 */

const accountOf = (r: Pick<RetirementRequest, 'platformName' | 'handle'>) => `${r.platformName} ${r.handle}`;

/**
 * What closing a retirement reads besides the request: the account and its grants. The approval
 * chain's store (adapters/store.ts GovernanceStore) has both; OutcomeStore does not declare them,
 * so they are checked here (and test/unit/retirement checks the store offers them).
 */
export interface RetirementReads {
  account(accountId: string): Promise<(Account & RetiredFacts) | undefined>;
  grantsForAccount(accountId: string, consistent?: boolean): Promise<Grant[]>;
}

export function retirementReads(store: OutcomeStore): RetirementReads {
  const s = store as OutcomeStore & Partial<RetirementReads>;
  if (typeof s.account !== 'function' || typeof s.grantsForAccount !== 'function') {
    throw new ConfigurationError('The outcome store cannot read accounts and grants, which closing a retirement needs.');
  }
  return s as OutcomeStore & RetirementReads;
}

function describeRetirement(request: RetirementRequest): RequestDescription {
  const account = accountOf(request);
  const title = `retirement of ${account}`;
  const days = policy.credentials.retainRetiredDays;
  const effect = `Every posting authority on it is revoked (kept on record, B); the registry lists it as retired; its credential on file is kept ${days} days for the records, then deleted (O.b); its records stay exportable (H).`;
  return {
    title,
    subject: `Retire ${account} (${request.departmentName})`,
    article: 'the ',
    outcomeTitle: capitalized(title),
    rules: 'B, H, O.b',
    ask: `retire ${account}`,
    approvedNote: `${account} is retired. ${effect} DTI has been told; its content is to be handled as asked: ${contentPlanWords[request.contentPlan].toLowerCase()}.`,
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Account', account],
      ['Department', request.departmentName],
      ['Reason', request.reason],
      ['Its content', contentPlanWords[request.contentPlan]],
      ['When approved', effect],
      chainFact(request, 'the requester'),
    ],
    afterApproval: [`${account} is retired at once: ${effect}`],
    related: [{ label: `${account} in the registry`, href: `/accounts/${encodeURIComponent(request.accountId)}` }],
  };
}

/** How many times close() reads the grants again when one changed (revoked elsewhere) between its read and its write. */
const maxGrantRaces = 3;

/**
 * Approved: the request closes and the account, its active grants and its credential are retired
 * in one transaction. A grant revoked elsewhere meanwhile reads the grants again; an account retired
 * meanwhile (the annual review) or one with more active grants than one transaction holds fails the
 * request with the reason, told to the requester and DTI, and changes nothing.
 */
async function close(c: Closing<RetirementRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const reads = retirementReads(c.store);
  let written: Awaited<ReturnType<OutcomeStore['approveWith']>> = { result: 'conflict', failed: -1 };
  for (let attempt = 0; attempt < maxGrantRaces && written.result === 'conflict'; attempt += 1) {
    const active = grantsToRevoke(request.accountId, await reads.grantsForAccount(request.accountId, true));
    if (active.length > grantsPerRetirement) {
      return c.fail(
        `${accountOf(request)} has ${active.length} active grants, more than one retirement revokes at once (${grantsPerRetirement}); revoke some, then ask again`,
      );
    }
    const writes = retirementWrites({ accountId: request.accountId, activeGrants: active, at: c.now, reason: request.reason, bySourceId: request.requestId });
    written = await c.store.approveWith(request.requestId, c.now, writes);
    if (written.result === 'conflict' && written.failed === accountWriteIndex) {
      const now = await reads.account(request.accountId);
      return c.fail(now ? `${retiredSentence(now)} It cannot be retired twice` : `${accountOf(request)} is no longer in the registry`);
    }
  }
  if (written.result === 'conflict') return c.fail(`the posting authority on ${accountOf(request)} kept changing while the retirement was recorded`);
  if (written.result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return settled;
  }
  // Told from what is stored, so a retry after the commit tells the same (each email is sent once).
  const retiredAt = (await c.store.request(request.requestId, true))?.closedAt ?? c.now;
  const revoked = (await reads.grantsForAccount(request.accountId, true)).filter((g) => g.revokedBySourceId === request.requestId);
  await c.tell('APPROVED');
  await c.tellDti('dti', retirementNoticeEmail({ request, revoked, retiredAt, deleteAfter: deleteAfterFor(retiredAt), registryUrl: c.registryUrl }));
  c.log('account retired', { requestId: request.requestId, accountId: request.accountId, revoked: revoked.length, result: written.result });
  return { status: 'APPROVED', accountId: request.accountId };
}

export const retirementKind: RequestKindModule<RetirementRequest, typeof parseRetirementForm, typeof retirementSteps> = {
  kind: 'RETIRE_ACCOUNT',
  idPrefix: retirementIdPrefix,
  entity: 'RetirementRequest',
  label: 'Retirement request',
  stateMachine: 'accountRetirementApproval',
  parseForm: parseRetirementForm,
  planSteps: retirementSteps,
  describe: describeRetirement,
  contextNeeds: () => ({ approvals: false }),
  // The requester hears the outcome; DTI is told separately (O.b).
  interested: () => [],
  listed: (r) => ({ handle: r.handle, accountId: r.accountId, contentPlan: r.contentPlan }),
  // The account is linked from the description (`related`), where its retirement shows.
  pageExtras: () => ({}),
  details: (r) => ({ contentPlan: r.contentPlan, credentialKeptDays: policy.credentials.retainRetiredDays }),
  exportCells: (r) => ({ subject: `Retire ${accountOf(r)}`, reason: r.reason, action: r.contentPlan }),
  accountOf: (r) => r.accountId,
  close,
};
