import { describe, expect, it } from 'vitest';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { closeRequest, type OutcomePorts } from '#approval-chain/outcome';
import type { Approval } from '#core/approval';
import { RequestNotFoundError } from '#core/errors';
import type { OutcomeStore, RequestBase } from '#core/request-kind';
import { accountRequest, approval } from '../fixtures.ts';

/*
 * The outcome over its ports, with the store answering as a re-run finds it: the request already
 * closed by an earlier run, or gone. (The full path against DynamoDB Local and the SES emulator is
 * in test/statemachines; record-outcome's handler test covers the adapters.)
 */

const directorApproved: Approval = approval({
  step: 0,
  decision: { outcome: 'APPROVED', decidedAt: '2025-03-02T10:00:00.000Z', decidedById: 'E100', decidedByName: 'Pat Director', approvalId: 'a0' },
});

function ports(answers: { approve: 'ok' | 'closed'; stored: RequestBase | undefined; closes?: boolean }) {
  const sent: string[] = [];
  const store: OutcomeStore = {
    request: async () => answers.stored,
    closeRequest: async () => answers.closes ?? true,
    approveIntoRegistry: async () => answers.approve,
    grantsOn: async () => [],
    approvePostingAuthority: async () => 'ok',
    approveWith: async () => ({ result: answers.approve }),
  };
  const p: OutcomePorts = {
    store,
    notify: async (_id, audience) => {
      sent.push(audience);
    },
    dtiEmail: 'dti@example.invalid',
    baseUrl: 'https://governance.example.invalid/',
    now: () => '2025-03-03T00:00:00.000Z',
    log: () => {},
    openCredentialCapture: async (account, admins) => {
      sent.push(`capture ${account.accountId} for ${admins.map((a) => a.id).join(',')}`);
    },
  };
  return { p, sent };
}

describe('closing a request', () => {
  it('tells the requester and DTI once each when a new account is approved into the registry', async () => {
    const { p, sent } = ports({ approve: 'ok', stored: undefined });
    const result = await closeRequest(p, { request: accountRequest(), approvals: [directorApproved], decision: { outcome: 'APPROVED' } });
    expect(result).toEqual({ status: 'APPROVED', accountId: 'acct-20250301-0123456789abcdef' });
    // The capture of its first login opens before anyone is told (O.b), for the named admins.
    expect(sent).toEqual([
      `capture acct-20250301-0123456789abcdef for ${accountRequest()
        .admins.map((a) => a.id)
        .join(',')}`,
      'requester',
      'dti',
    ]);
  });

  it('opens the credential capture again when a re-run finds the account approved (each of its steps is idempotent)', async () => {
    const { p, sent } = ports({ approve: 'closed', stored: { ...accountRequest(), status: 'APPROVED' } });
    await closeRequest(p, { request: accountRequest(), approvals: [directorApproved], decision: { outcome: 'APPROVED' } });
    expect(sent[0]).toBe(
      `capture acct-20250301-0123456789abcdef for ${accountRequest()
        .admins.map((a) => a.id)
        .join(',')}`,
    );
  });

  it('repeats nothing of an approval when a re-run finds the request closed as rejected', async () => {
    const { p, sent } = ports({ approve: 'closed', stored: { ...accountRequest(), status: 'REJECTED' } });
    const result = await closeRequest(p, { request: accountRequest(), approvals: [directorApproved], decision: { outcome: 'APPROVED' } });
    expect(result).toEqual({ status: 'REJECTED', accountId: null });
    expect(sent).toEqual([]);
  });

  it('fails the task, sending nothing, when a re-run finds the request gone', async () => {
    const { p, sent } = ports({ approve: 'closed', stored: undefined });
    await expect(
      closeRequest(p, { request: accountRequest() as GovernanceRequest, approvals: [directorApproved], decision: { outcome: 'APPROVED' } }),
    ).rejects.toBeInstanceOf(RequestNotFoundError);
    expect(sent).toEqual([]);
  });
});
