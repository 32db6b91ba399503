import { capitalized, chainFact, type RequestDescription } from '#core/description';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import { platformAddedNoticeEmail } from '#platform-proposal/emails';
import {
  approvalWrites,
  approvingDecision,
  type PlatformProposalRequest,
  parsePlatformProposalForm,
  platformPath,
  platformProposalIdPrefix,
  platformProposalSteps,
} from '#platform-proposal/platform-proposal';

/*
 * A new platform (O.a) as a kind of request: a department proposes a platform not on DTI's list,
 * DTI's director (or designee) decides. Approval adds it to the list, approved but incomplete (no
 * P document yet), in the same transaction as the request's close; the requester and DTI's mailbox
 * are told, DTI with the link to the platform's page where it records the P documents.
 */

function describePlatformProposal(request: PlatformProposalRequest): RequestDescription {
  const name = request.platformName;
  const title = `new platform ${name}`;
  const path = platformPath(request.platformId);
  return {
    title,
    subject: `${capitalized(title)} for ${request.departmentName}`,
    article: '',
    outcomeTitle: capitalized(title),
    rules: 'O.a, P',
    approvedNote: `${name} is on DTI’s list of approved platforms (O.a) at ${path}, marked incomplete: no new account may use it until DTI records its user guidelines, account-management standards and branding standards (P). DTI has been told.`,
    facts: [
      ['Request', request.requestId],
      ['Proposed by', `${request.requester.name} (${request.requester.email})`],
      ['Department', request.departmentName],
      ['Platform', name],
      ['Site', request.siteUrl],
      ['What it is', request.description],
      ['Why the department wants it', request.reason],
      ['Usage agreement', request.agreementUrl],
      ['Usage agreement read on', request.agreementReadOn ?? 'Not given'],
      ['Its page on the list, once approved', path],
      chainFact(request, 'the requester'),
    ],
    factShapes: { Site: 'link', 'Usage agreement': 'link' },
    afterApproval: [`${name} joins DTI’s list marked incomplete; DTI records its three P documents on ${path} before any new account may use it.`],
    related: [
      request.status === 'APPROVED'
        ? { label: `${name} on DTI’s list of approved platforms`, href: path }
        : { label: 'DTI’s list of approved platforms', href: '/platforms' },
    ],
  };
}

/**
 * Approved: the request closes and the platform and its first change are put (write-once) in one
 * transaction. A re-run finds the request closed and repeats only the emails (each sent once, by
 * audience). A platform that took the id meanwhile fails the request with the reason, told to the
 * requester and DTI; nothing is added.
 */
async function close(c: Closing<PlatformProposalRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const decision = approvingDecision(c.approvals);
  if (!decision) return c.fail(`request ${request.requestId} has no approval by the DTI Director (O.a) to record`);
  const { platform, writes } = approvalWrites(request, decision, c.now);
  const written = await c.store.approveWith(request.requestId, c.now, writes);
  if (written.result === 'conflict') {
    return c.fail(`a platform with the id ${request.platformId} was added to DTI’s list while ${request.platformName} was waiting for a decision`);
  }
  if (written.result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return settled;
  }
  await c.tell('APPROVED');
  const base = c.registryUrl.replace(/\/accounts$/, '');
  await c.tellDti(
    'dti',
    platformAddedNoticeEmail({
      request,
      platform,
      approvedBy: { name: decision.decidedByName, at: decision.decidedAt },
      platformUrl: `${base}${platformPath(request.platformId)}`,
    }),
  );
  c.log('platform proposal approved', { requestId: request.requestId, platformId: request.platformId, result: written.result });
  return { status: 'APPROVED', accountId: null };
}

export const platformProposalKind: RequestKindModule<PlatformProposalRequest, typeof parsePlatformProposalForm, typeof platformProposalSteps> = {
  kind: 'PLATFORM_PROPOSAL',
  idPrefix: platformProposalIdPrefix,
  entity: 'PlatformProposalRequest',
  label: 'New platform proposal (O.a)',
  stateMachine: 'platformProposalApproval',
  parseForm: parsePlatformProposalForm,
  planSteps: platformProposalSteps,
  describe: describePlatformProposal,
  contextNeeds: () => ({ approvals: false }),
  // Only the requester hears its outcome (and DTI's mailbox, on approval); DTI decided it.
  interested: () => [],
  listed: (r) => ({ proposedPlatformId: r.platformId, siteUrl: r.siteUrl }),
  // The platform's page (once approved) is linked from the description (`related`).
  pageExtras: () => ({}),
  details: (r) => ({ platformHref: r.status === 'APPROVED' ? platformPath(r.platformId) : null }),
  exportCells: (r) => ({ subject: r.platformName, purpose: r.description, reason: r.reason }),
  // About no account: filed under the department's records (DEPARTMENT_RECORDS#code).
  accountOf: () => undefined,
  close,
};
