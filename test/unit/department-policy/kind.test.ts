import { describe, expect, it } from 'vitest';
import type { Approval } from '#core/approval';
import { namedSteps } from '#core/request';
import type { Closing, OutcomeResult, OutcomeStore, OutcomeWrite } from '#core/request-kind';
import { type DepartmentPolicyRequest, departmentPolicyRequest, departmentPolicySteps, parseDepartmentPolicyForm } from '#department-policy/department-policy';
import { departmentPolicyKind } from '#department-policy/kind';
import { department, person, roleHolders } from '../fixtures.ts';

const text = 'Staff reply to comments within one business day.';

function pending(overrides: Partial<DepartmentPolicyRequest> = {}): DepartmentPolicyRequest {
  const requester = person('E102');
  const steps = departmentPolicySteps({ requester, department: department('PRD'), roleHolders });
  return {
    ...departmentPolicyRequest({
      requester,
      department: department('PRD'),
      form: parseDepartmentPolicyForm({ version: '2027.1', text, additions: 'Reply times and a weekend rota for comments.' }),
      steps: namedSteps(steps, [person('E500')]),
      approvedBefore: 0,
      submissionId: 'sub-12345678',
      now: new Date('2027-01-05T16:00:00.000Z'),
    }),
    ...overrides,
  };
}

const approval: Approval = {
  requestId: 'dp-20270105-2a85ee76db88b8e0',
  step: 0,
  round: 0,
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  role: 'COMMUNICATIONS_DIRECTOR',
  approverId: 'E500',
  approverName: 'Elena Martinez',
  approverEmail: 'emartinez@cabq.example',
  secretHash: 'x',
  createdAt: '2027-01-05T16:00:01.000Z',
  remindersSent: 0,
  decision: {
    outcome: 'APPROVED',
    decidedAt: '2027-01-06T17:00:00.000Z',
    decidedById: 'E500',
    decidedByName: 'Elena Martinez',
    approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  },
};

describe('the departmental policy kind', () => {
  it('reads as the department’s policy and version, with the text and its SHA-256 for the approver', () => {
    const described = departmentPolicyKind.describe(pending(), {});
    expect(described.subject).toBe('Parks and Recreation social media policy 2027.1');
    expect(described.rules).toBe('R');
    expect(described.facts).toContainEqual(['SHA-256 of the text', '58f867af684abc120f7aa15abce4ca8509c1c9812008cfd585a231b5f239d3b7']);
    expect(described.facts).toContainEqual(['Policy text', text]);
    expect(described.facts[0]).toEqual(['Request', 'dp-20270105-2a85ee76db88b8e0']);
    expect(described.facts.at(-1)).toEqual(['Approval chain', 'Communications Director: Elena Martinez']);
    expect(described.related).toEqual([{ label: 'Parks and Recreation social media policies', href: '/departments/PRD/policies' }]);
  });

  it('fills its records export cells, the record id once approved', () => {
    expect(departmentPolicyKind.exportCells(pending())).toEqual({
      subject: 'Parks and Recreation social media policy 2027.1',
      documentSha256: '58f867af684abc120f7aa15abce4ca8509c1c9812008cfd585a231b5f239d3b7',
      reason: 'Reply times and a weekend rota for comments.',
      preservedRecordId: null,
    });
    expect(departmentPolicyKind.exportCells(pending({ status: 'APPROVED' })).preservedRecordId).toBe('rec-policy-20270105-2a85ee76db88b8e0');
  });

  it('is about no account', () => {
    expect(departmentPolicyKind.accountOf(pending())).toBeUndefined();
    expect(departmentPolicyKind.interested(pending())).toEqual([]);
  });
});

/** A close() run against a store that answers approveWith from `answers`, in order, recording every write list it was given. */
function closing(request: DepartmentPolicyRequest, answers: Awaited<ReturnType<OutcomeStore['approveWith']>>[], status = 'APPROVED') {
  const calls: { writes: readonly OutcomeWrite[]; extra?: Record<string, string> }[] = [];
  const told: string[] = [];
  const failed: string[] = [];
  const store = {
    approveWith: async (_id: string, _at: string, writes: readonly OutcomeWrite[], extra?: Record<string, string>) => {
      calls.push({ writes, extra });
      return answers.shift() ?? { result: 'ok' as const };
    },
    request: async () => ({ ...request, status }),
  } as unknown as OutcomeStore;
  const c = {
    request,
    approvals: [approval],
    decision: { outcome: 'APPROVED' },
    store,
    now: '2027-01-06T17:00:01.000Z',
    tell: async (outcome: string) => {
      told.push(outcome);
    },
    fail: async (reason: string): Promise<OutcomeResult> => {
      failed.push(reason);
      return { status: 'FAILED', accountId: null };
    },
    alreadyClosed: async () => (status === 'APPROVED' ? undefined : { status, accountId: null }),
    closeAsDecided: async () => ({ status: 'REJECTED', accountId: null }),
    log: () => undefined,
  } as unknown as Closing<DepartmentPolicyRequest>;
  return { c, calls, told, failed };
}

describe('closing an approved departmental policy', () => {
  it('records the version with the request’s close and tells the requester', async () => {
    const { c, calls, told } = closing(pending(), [{ result: 'ok' }]);
    expect(await departmentPolicyKind.close(c)).toEqual({ status: 'APPROVED', accountId: null });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.extra).toEqual({ recordId: 'rec-policy-20270105-2a85ee76db88b8e0' });
    expect(told).toEqual(['APPROVED']);
  });

  it('supersedes a version approved meanwhile: the pointer write that lost is retried one position on', async () => {
    const { c, calls } = closing(pending({ approvedBefore: 2 }), [{ result: 'conflict', failed: 1 }, { result: 'ok' }]);
    expect((await departmentPolicyKind.close(c)).status).toBe('APPROVED');
    expect(calls.map((call) => call.writes[1])).toEqual([
      { update: expect.objectContaining({ ifEquals: { sequence: 2 }, set: expect.objectContaining({ sequence: 3 }) }) },
      { update: expect.objectContaining({ ifEquals: { sequence: 3 }, set: expect.objectContaining({ sequence: 4 }) }) },
    ]);
  });

  it('writes nothing twice on a retry after the commit, and tells again only through the idempotent tell', async () => {
    const { c, calls, told, failed } = closing(pending(), [{ result: 'closed' }]);
    expect(await departmentPolicyKind.close(c)).toEqual({ status: 'APPROVED', accountId: null });
    expect(calls).toHaveLength(1);
    expect(told).toEqual(['APPROVED']);
    expect(failed).toEqual([]);
  });

  it('fails, naming the write, when the request no longer holds its version', async () => {
    const { c, failed, told } = closing(pending(), [{ result: 'conflict', failed: 2 }]);
    expect((await departmentPolicyKind.close(c)).status).toBe('FAILED');
    expect(failed).toEqual(['the record of Parks and Recreation social media policy 2027.1 could not be written (write 2 refused)']);
    expect(told).toEqual([]);
  });
});
