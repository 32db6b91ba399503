import { describe, expect, it } from 'vitest';
import { describeRequest, type GovernanceRequest, kindOf, requestIdPattern, requestKinds } from '#approval-chain/kinds';
import { requestItem } from '#adapters/store';
import { namedSteps } from '#core/request';
import { postRemovalRequest, removalSteps } from '#post-removal/post-removal';
import { parsePostRemovalForm } from '#post-removal/post-removal';
import { account, accountRequest, person, postingAuthorityRequest } from '../fixtures.ts';

/*
 * The registry of request kinds is complete: every registered kind declares every part the system
 * asks a kind for, under ids and entity names that never change (they are stored).
 */

/** Every part a kind's module declares (core/request-kind.ts), by name. */
const parts = ['parseForm', 'planSteps', 'describe', 'contextNeeds', 'interested', 'listed', 'pageExtras', 'details', 'exportCells', 'accountOf', 'close'];

/** The records export's request cells a kind may fill (records/export-rows.ts). */
const cells = [
  'granteeId',
  'granteeName',
  'role',
  'receivesCredential',
  'purpose',
  'audience',
  'riskAssessment',
  'proposedAdmins',
  'postRef',
  'action',
  'reason',
  'preservedRecordId',
  'removedAt',
  'removedByName',
  'subject',
  'startsOn',
  'endsOn',
  'webPageUrl',
  'documentSha256',
];

async function removal(): Promise<GovernanceRequest> {
  const requester = person('E102');
  const steps = await removalSteps(requester, async (id) => person(id));
  const { request } = postRemovalRequest({
    requester,
    account: account(),
    form: parsePostRemovalForm({
      submissionId: 'sub-12345678',
      postRef: 'https://www.instagram.com/p/Cx1yZ2abc/',
      action: 'DELETE',
      reason: 'The post gave the wrong date for the pool opening.',
      content: { text: 'Pools open June 1!', author: 'ABQ Parks', publishedAt: '2025-05-20T15:04:00Z', mediaLinks: [] },
    }),
    steps: namedSteps(
      steps,
      steps.map((s) => person(s.approverId)),
    ),
    submissionId: 'sub-12345678',
    now: new Date('2025-05-21T16:00:00.000Z'),
  });
  return request;
}

const samples = async (): Promise<GovernanceRequest[]> => [accountRequest(), postingAuthorityRequest(), await removal()];

describe('the registry of request kinds', () => {
  it('registers every kind of approval the policy names', () => {
    expect(Object.keys(requestKinds).sort()).toEqual([
      'DEPARTMENT_POLICY',
      'EXCEPTION',
      'NEW_ACCOUNT',
      'PLATFORM_PROPOSAL',
      'POSTING_AUTHORITY',
      'POST_REMOVAL',
      'RETIRE_ACCOUNT',
      'WEBSITE_DISPLAY',
    ]);
  });

  it('runs each kind on its own state machine (issue 12: one per workflow, none on the retired shared chain)', () => {
    expect(Object.fromEntries(Object.values(requestKinds).map((k) => [k.kind, k.stateMachine]))).toEqual({
      NEW_ACCOUNT: 'newAccountApproval',
      POSTING_AUTHORITY: 'postingAuthorityApproval',
      POST_REMOVAL: 'postRemovalApproval',
      DEPARTMENT_POLICY: 'departmentPolicyApproval',
      EXCEPTION: 'exceptionApproval',
      WEBSITE_DISPLAY: 'websiteDisplayApproval',
      PLATFORM_PROPOSAL: 'platformProposalApproval',
      RETIRE_ACCOUNT: 'accountRetirementApproval',
    });
  });

  it.each(Object.entries(requestKinds))('files %s under its own name and declares every part', (key, module) => {
    expect(module.kind).toBe(key);
    for (const part of parts) expect(typeof (module as unknown as Record<string, unknown>)[part], `${key}.${part}`).toBe('function');
    expect(module.idPrefix).toMatch(/^[a-z]{2}$/);
  });

  it('keeps the stored id prefixes and entity names (existing items and ids carry them)', () => {
    const stored = Object.fromEntries(Object.values(requestKinds).map((k) => [k.kind, [k.idPrefix, k.entity]]));
    expect(stored).toEqual({
      NEW_ACCOUNT: ['na', 'AccountRequest'],
      POSTING_AUTHORITY: ['pa', 'PostingAuthorityRequest'],
      POST_REMOVAL: ['pr', 'PostRemovalRequest'],
      DEPARTMENT_POLICY: ['dp', 'DepartmentPolicyRequest'],
      EXCEPTION: ['ex', 'ExceptionRequest'],
      WEBSITE_DISPLAY: ['wd', 'WebsiteDisplayRequest'],
      PLATFORM_PROPOSAL: ['pp', 'PlatformProposalRequest'],
      RETIRE_ACCOUNT: ['ra', 'RetirementRequest'],
    });
  });

  it('accepts the ids of every registered kind and no other prefix', () => {
    expect('na-20250301-0123456789abcdef').toMatch(requestIdPattern);
    expect('pa-20250301-0123456789abcdef').toMatch(requestIdPattern);
    expect('pr-20250301-0123456789abcdef').toMatch(requestIdPattern);
    for (const prefix of ['dp', 'ex', 'wd', 'pp', 'ra']) expect(`${prefix}-20250301-0123456789abcdef`).toMatch(requestIdPattern);
    expect('xx-20250301-0123456789abcdef').not.toMatch(requestIdPattern);
    expect('off-E102-20260115').not.toMatch(requestIdPattern);
  });

  it('describes a request of every kind with its id among the facts an approver reads', async () => {
    for (const request of await samples()) {
      const described = describeRequest(request);
      expect(described.title.length, request.kind).toBeGreaterThan(10);
      expect(described.facts[0], request.kind).toEqual(['Request', request.requestId]);
      expect(described.facts.at(-1)?.[0], request.kind).toBe('Approval chain');
    }
  });

  it('fills only the records export cells the export has, for every kind', async () => {
    for (const request of await samples()) {
      const filled = Object.keys(kindOf(request).exportCells(request));
      expect(filled.length, request.kind).toBeGreaterThan(0);
      for (const cell of filled) expect(cells, `${request.kind}.${cell}`).toContain(cell);
    }
  });

  it('stores each kind under its entity name, under its account when it is about one (else its department), listed to start on its own state machine', async () => {
    const [na, pa, pr] = await samples();
    expect(requestItem(na as GovernanceRequest, kindOf(na as GovernanceRequest))).toMatchObject({
      entity: 'AccountRequest',
      PK: `REQ#${na?.requestId}`,
      GSI1PK: 'DEPARTMENT_RECORDS#PRD',
      pendingStart: 'newAccountApproval',
    });
    expect(requestItem(pa as GovernanceRequest, kindOf(pa as GovernanceRequest))).toMatchObject({
      entity: 'PostingAuthorityRequest',
      GSI1PK: 'ACCOUNT_RECORDS#acct-20250301-0123456789abcdef',
      pendingStart: 'postingAuthorityApproval',
    });
    expect(requestItem(pr as GovernanceRequest, kindOf(pr as GovernanceRequest))).toMatchObject({
      entity: 'PostRemovalRequest',
      GSI1PK: 'ACCOUNT_RECORDS#acct-20250301-0123456789abcdef',
    });
  });
});
