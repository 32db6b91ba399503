import { chainFact, type RequestDescription } from '#core/description';
import { policy } from '#core/policy';
import type { NamedPerson } from '#core/request';
import type { Closing, OutcomeResult, RequestKindModule } from '#core/request-kind';
import { registryNoticeEmail } from '#new-account/emails';
import { type AccountRequest, newAccountIdPrefix, newAccountSteps, parseNewAccountForm, registryEntriesFor } from '#new-account/new-account';

/*
 * The New Social Media request (D, S.a) as a kind of request: a department asks for a new City
 * account; its director and then the Communications Director decide; approval enters the account in
 * the registry with its admins' posting authority (B) and tells DTI (O.b).
 */

/** The official-site checklist (E), one item a line, each as the requester marked it (an item added to the policy since shows as not confirmed). */
function checklistLines(request: AccountRequest): string {
  return policy.newAccountApproval.officialSiteChecklist
    .map((c) => `${c.label}: ${request.checklist.includes(c.id) ? 'confirmed' : 'not confirmed'}`)
    .join('\n');
}

function describeNewAccount(request: AccountRequest): RequestDescription {
  const title = `new ${request.platformName} account ${request.proposedHandle}`;
  return {
    title,
    subject: `${title} for ${request.departmentName}`,
    article: 'a ',
    outcomeTitle: `${request.platformName} account ${request.proposedHandle}`,
    rules: `D${request.departmentCode === 'APD' ? ', S.a' : ''}`,
    approvedNote:
      'Your request is approved. The account is in the City registry and your named admins hold posting authority (B). DTI has been told (O.b). Its admins are emailed a task to record the account\u2019s login with DTI once it is set up.',
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Department', request.departmentName],
      ['Platform', request.platformName],
      ['Proposed handle', request.proposedHandle],
      ['Purpose and strategy', request.purpose],
      ['Audience', request.audience],
      ['Risk assessment', request.riskAssessment],
      ['Proposed admins', request.admins.map((a) => a.name).join(', ')],
      ['Official-site checklist (E)', checklistLines(request)],
      chainFact(request, 'the requester'),
    ],
    factShapes: { 'Official-site checklist (E)': 'list' },
    related: request.accountId
      ? [{ label: `${request.platformName} account ${request.proposedHandle} in the registry`, href: `/accounts/${encodeURIComponent(request.accountId)}` }]
      : [],
  };
}

/** Approved: the account and its admins' grants enter the registry in one transaction; the requester and DTI are told. */
async function close(c: Closing<AccountRequest>): Promise<OutcomeResult> {
  if (c.decision.outcome !== 'APPROVED') return c.closeAsDecided();
  const { request } = c;
  const { account, grants } = registryEntriesFor(request, c.director(), c.now);
  const result = await c.store.approveIntoRegistry(request.requestId, account, grants, c.now);
  if (result === 'handle-taken') return c.fail(`the handle ${account.handle} was registered by another request meanwhile`);
  if (result === 'closed') {
    const settled = await c.alreadyClosed();
    if (settled) return settled;
  }
  // Before the emails: a retry after a crash here still opens it (each step of it is idempotent).
  await c.openCredentialCapture(account, request.admins);
  await c.tell('APPROVED');
  await c.tellDti('dti', registryNoticeEmail({ request, account, registryUrl: c.registryUrl }));
  c.log('request approved', { requestId: request.requestId, accountId: account.accountId, grants: grants.length, result });
  return { status: 'APPROVED', accountId: account.accountId };
}

export const newAccountKind: RequestKindModule<AccountRequest, typeof parseNewAccountForm, typeof newAccountSteps> = {
  kind: 'NEW_ACCOUNT',
  idPrefix: newAccountIdPrefix,
  entity: 'AccountRequest',
  label: 'New account request',
  stateMachine: 'newAccountApproval',
  parseForm: parseNewAccountForm,
  planSteps: newAccountSteps,
  describe: describeNewAccount,
  contextNeeds: () => ({ approvals: false }),
  interested: () => [],
  listed: (r) => ({ proposedHandle: r.proposedHandle }),
  // The account it created is linked from the description (`related`).
  pageExtras: () => ({}),
  details: () => ({}),
  exportCells: (r) => ({
    purpose: r.purpose,
    audience: r.audience,
    riskAssessment: r.riskAssessment,
    proposedAdmins: r.admins.map((a: NamedPerson) => `${a.name} (${a.id})`),
  }),
  accountOf: () => undefined,
  close,
};
