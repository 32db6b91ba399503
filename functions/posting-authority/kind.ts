import { capitalized, chainFact, type RequestDescription } from '#core/description';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import { postingAuthorityNoticeEmail } from '#posting-authority/emails';
import {
  credentialWords,
  type PostingAuthorityRequest,
  parsePostingAuthorityForm,
  postingAuthorityIdPrefix,
  postingAuthoritySteps,
  postingGrantFor,
  replacedGrants,
} from '#posting-authority/posting-authority';

/*
 * Posting authority (B) as a kind of request: "person X may post for account Y", decided by the
 * account department's director; approval records a grant (replacing what the person held on the
 * account) and tells DTI, who keeps the shared credential (O.b).
 */

function describePostingAuthority(request: PostingAuthorityRequest): RequestDescription {
  const account = `${request.platformName} ${request.handle}`;
  const title = `posting authority for ${request.grantee.name} on ${account} (${request.role.toLowerCase()}, ${credentialWords(request.receivesCredential)})`;
  return {
    title,
    subject: capitalized(title),
    article: '',
    outcomeTitle: capitalized(title),
    rules: 'B',
    approvedNote: `${request.grantee.name} may now post for ${account} as ${request.role.toLowerCase()} (B). DTI has been told (O.b)${
      request.receivesCredential ? ' and will arrange the shared credential' : '; the shared credential is not to be given'
    }.`,
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['For', `${request.grantee.name} (${request.grantee.email})`],
      ['Account', account],
      ['Department', request.departmentName],
      ['Role', request.role === 'ADMIN' ? 'Admin (manages the account and posts)' : 'Poster (posts for the account)'],
      ['Shared credential', request.receivesCredential ? 'Receives the shared credential (from DTI, O.b)' : 'Does not receive the shared credential'],
      ['Reason', request.reason],
      chainFact(request, request.grantee.id === request.requester.id ? 'the requester' : 'the requester or the person it is for'),
    ],
    related: [
      {
        label:
          request.status === 'APPROVED'
            ? `${account} in the registry, where ${request.grantee.name} holds this posting authority`
            : `${account} in the registry`,
        href: `/accounts/${encodeURIComponent(request.accountId)}`,
      },
    ],
  };
}

/**
 * Approved: the grant is recorded and what it replaces revoked, in one transaction. An offboarding
 * may revoke a grant between the read and the write, so it reads again and retries (three times).
 */
async function close(c: Closing<PostingAuthorityRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const grant = postingGrantFor(request, c.director());
  let result: Awaited<ReturnType<typeof c.store.approvePostingAuthority>> = 'grants-changed';
  for (let attempt = 0; attempt < 3 && result === 'grants-changed'; attempt += 1) {
    const held = await c.store.grantsOn(request.accountId, request.grantee.id);
    result = await c.store.approvePostingAuthority(request.requestId, grant, replacedGrants(request, held, c.now), c.now);
  }
  if (result === 'grants-changed') return c.fail(`the grants of ${request.grantee.name} on ${request.handle} kept changing while this approval was recorded`);
  if (result === 'account-gone') return c.fail(`${request.platformName} ${request.handle} is no longer an active account in the registry`);
  if (result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return settled;
  }
  // Read back what this request replaced, so a re-run tells DTI the same as the first run would have.
  const replaced = (await c.store.grantsOn(request.accountId, request.grantee.id)).filter((g) => g.revokedBySourceId === request.requestId);
  await c.tell('APPROVED');
  await c.tellDti('dti', postingAuthorityNoticeEmail({ request, grant, replaced, registryUrl: c.registryUrl }));
  c.log('posting authority approved', { requestId: request.requestId, accountId: request.accountId, replaced: replaced.length, result });
  return { status: 'APPROVED', accountId: request.accountId };
}

export const postingAuthorityKind: RequestKindModule<PostingAuthorityRequest, typeof parsePostingAuthorityForm, typeof postingAuthoritySteps> = {
  kind: 'POSTING_AUTHORITY',
  idPrefix: postingAuthorityIdPrefix,
  entity: 'PostingAuthorityRequest',
  label: 'Posting authority request (B)',
  stateMachine: 'postingAuthorityApproval',
  parseForm: parsePostingAuthorityForm,
  planSteps: postingAuthoritySteps,
  describe: describePostingAuthority,
  contextNeeds: () => ({ approvals: false }),
  // The person it is for sees it and hears its outcome, when someone else asked.
  interested: (r) => (r.grantee.id === r.requester.id ? [] : [{ audience: 'grantee', person: r.grantee }]),
  listed: (r) => ({ handle: r.handle, accountId: r.accountId, grantee: r.grantee, role: r.role }),
  // The account it concerns is linked from the description (`related`).
  pageExtras: () => ({}),
  details: () => ({}),
  exportCells: (r) => ({ granteeId: r.grantee.id, granteeName: r.grantee.name, role: r.role, receivesCredential: r.receivesCredential, reason: r.reason }),
  accountOf: (r) => r.accountId,
  close,
};
