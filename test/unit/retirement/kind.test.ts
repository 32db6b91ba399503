import { describe, expect, it } from 'vitest';
import { closeRequest, type OutcomePorts } from '#approval-chain/outcome';
import { describeRequest, kindOf, requestIdPattern } from '#approval-chain/kinds';
import type { EmailContent } from '#core/email-layout';
import type { Grant } from '#core/registry';
import type { OutcomeStore, OutcomeWrite, RequestBase } from '#core/request-kind';
import { GovernanceStore } from '#adapters/store';
import { type RetirementReads, retirementKind, retirementReads } from '#retirement/kind';
import type { RetirementRequest } from '#retirement/retirement';
import { account, accountId, approval, grant, named } from '../fixtures.ts';

const requestId = 'ra-20260312-00112233445566ff';
const now = '2026-03-12T17:00:05.000Z';

function retirement(overrides: Partial<RetirementRequest> = {}): RetirementRequest {
  return {
    requestId,
    kind: 'RETIRE_ACCOUNT',
    status: 'PENDING',
    requester: named('E102'),
    accountId,
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    reason: 'The pool program moved to the main Parks account.',
    contentPlan: 'ARCHIVE_THEN_READ_ONLY',
    steps: [
      {
        role: 'DEPARTMENT_DIRECTOR',
        title: 'Department Director (Parks and Recreation)',
        approverId: 'E100',
        approverName: 'Dolores Baca',
        escalateToId: 'E101',
        routedToDesignee: false,
      },
    ],
    createdAt: '2026-03-12T16:00:00.000Z',
    ...overrides,
  };
}

const directorApproved = approval({
  requestId,
  decision: { outcome: 'APPROVED', decidedAt: '2026-03-12T17:00:00.000Z', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId: 'a0' },
});

const poster = grant({
  personId: 'E103',
  personName: 'Tom Sandoval',
  role: 'POSTER',
  receivesCredential: false,
  sourceRequestId: 'pa-20250310-fedcba9876543210',
});

/** The approval chain's ports over a fake store that answers `approveWith` in turn, and the account's grants as each read finds them. */
function ports(answers: ({ result: 'ok' | 'closed' } | { result: 'conflict'; failed: number })[], reads: Grant[][], stored?: Partial<RequestBase>) {
  const sent: { audience: string; email: EmailContent }[] = [];
  const writes: OutcomeWrite[][] = [];
  const closed: string[] = [];
  let read = 0;
  const store: OutcomeStore & RetirementReads = {
    request: async () => ({ ...retirement(), status: 'APPROVED', closedAt: '2026-03-12T17:00:05.000Z', ...stored }) as RequestBase,
    closeRequest: async (_id, status, _at, reason) => {
      closed.push(`${status}: ${reason}`);
      return true;
    },
    approveIntoRegistry: async () => 'ok',
    grantsOn: async () => [],
    approvePostingAuthority: async () => 'ok',
    approveWith: async (_id, _at, w) => {
      writes.push([...w]);
      return answers[writes.length - 1] ?? { result: 'ok' };
    },
    account: async () => ({ ...account({ status: 'RETIRED' }), retiredAt: '2026-03-01T17:00:00.000Z', retiredBySourceId: 'rev-2026-PRD' }),
    grantsForAccount: async () => reads[Math.min(read++, reads.length - 1)] ?? [],
  };
  const p: OutcomePorts = {
    store,
    notify: async (_id, audience, _to, email) => {
      sent.push({ audience, email });
    },
    dtiEmail: 'dti@example.invalid',
    baseUrl: 'https://governance.example.invalid/',
    now: () => now,
    log: () => {},
    openCredentialCapture: async () => {
      throw new Error('only a new account opens a credential capture');
    },
  };
  return { p, sent, writes, closed };
}

const revokedBy = (g: Grant): Grant => ({ ...g, status: 'REVOKED', revokedAt: now, revokedBySourceId: requestId });
const close = (p: OutcomePorts, outcome: 'APPROVED' | 'REJECTED' = 'APPROVED', reason?: string) =>
  closeRequest(p, { request: retirement(), approvals: [directorApproved], decision: { outcome, ...(reason ? { reason } : {}) } });

describe('the retirement kind', () => {
  it('is registered under its ra- prefix, on its own state machine, filed under its account', () => {
    expect(kindOf(retirement())).toBe(retirementKind);
    expect(requestId).toMatch(requestIdPattern);
    expect([retirementKind.idPrefix, retirementKind.entity, retirementKind.stateMachine]).toEqual(['ra', 'RetirementRequest', 'accountRetirementApproval']);
    expect(retirementKind.accountOf(retirement())).toBe(accountId);
  });

  it('reads for the director as what approval does, with the reason and the content plan', () => {
    const d = describeRequest(retirement());
    expect(d.subject).toBe('Retire Instagram @ABQParks (Parks and Recreation)');
    expect(d.facts[0]).toEqual(['Request', requestId]);
    expect(d.facts).toContainEqual(['Its content', 'Archive its content, then leave the account on the platform, read-only (no new posts)']);
    expect(d.facts).toContainEqual(['Reason', 'The pool program moved to the main Parks account.']);
    expect(d.facts.find(([label]) => label === 'When approved')?.[1]).toContain('kept 2555 days for the records, then deleted (O.b)');
    expect(d.facts.at(-1)).toEqual(['Approval chain', 'Department Director (Parks and Recreation): Dolores Baca']);
  });

  it('fills the export’s subject, reason and action', () => {
    expect(retirementKind.exportCells(retirement())).toEqual({
      subject: 'Retire Instagram @ABQParks',
      reason: 'The pool program moved to the main Parks account.',
      action: 'ARCHIVE_THEN_READ_ONLY',
    });
  });

  it('finds the account and grant reads it needs on the approval chain’s store', () => {
    // The type says it offers them; the check finds them on the object the approval chain passes.
    const reads: RetirementReads = new GovernanceStore({} as never, 'governance-test');
    expect(retirementReads(reads as unknown as OutcomeStore)).toBe(reads);
    expect(() => retirementReads({} as OutcomeStore)).toThrow(/cannot read accounts and grants/);
  });
});

describe('closing a retirement', () => {
  it('retires the account, its active grants and its credential in the closing transaction, then tells the requester and DTI', async () => {
    const { p, sent, writes } = ports(
      [{ result: 'ok' }],
      [
        [grant(), poster, grant({ personId: 'E200', status: 'REVOKED' })],
        [revokedBy(grant()), revokedBy(poster)],
      ],
    );
    expect(await close(p)).toEqual({ status: 'APPROVED', accountId });
    expect(writes).toHaveLength(1);
    const keys = writes[0]?.map((w) => ('update' in w ? w.update.key.SK : ''));
    // The already revoked grant is not written again.
    expect(keys).toEqual(['PROFILE', 'CREDENTIAL', 'GRANT#E102#na-20250301-0123456789abcdef', 'GRANT#E103#pa-20250310-fedcba9876543210']);
    expect(sent.map((s) => s.audience)).toEqual(['requester', 'dti']);
    const dti = sent.find((s) => s.audience === 'dti')?.email;
    expect(dti?.subject).toBe('Registry: Instagram @ABQParks retired (Parks and Recreation)');
    expect(dti?.text).toContain('On the platform: archive its content, then leave the account on the platform, read-only (no new posts).');
    expect(dti?.text).toContain('Credential kept until: Mar 10, 2033');
    expect(dti?.text).toContain('Posting authority revoked: Ana Gallegos (admin, had the shared credential); Tom Sandoval (poster)');
  });

  it('reads the grants again when one was revoked elsewhere between the read and the write', async () => {
    const { p, writes } = ports([{ result: 'conflict', failed: 3 }, { result: 'ok' }], [[grant(), poster], [grant()], [revokedBy(grant())]]);
    expect((await close(p)).status).toBe('APPROVED');
    expect(writes.map((w) => w.length)).toEqual([4, 3]);
  });

  it('fails the request with the reason when the account was retired meanwhile, writing nothing', async () => {
    const { p, sent, closed } = ports([{ result: 'conflict', failed: 0 }], [[grant()]]);
    expect(await close(p)).toEqual({ status: 'FAILED', accountId: null });
    expect(closed).toEqual(['FAILED: Instagram @ABQParks was retired on Mar 1, 2026 by the 2026 annual review. It cannot be retired twice']);
    expect(sent.map((s) => s.audience)).toEqual(['requester', 'dti-failure']);
  });

  it('fails, changing nothing, when the account has more active grants than one transaction revokes', async () => {
    const many = Array.from({ length: 98 }, (_, i) => grant({ personId: `E9${String(i).padStart(2, '0')}` }));
    const { p, writes, closed } = ports([], [many]);
    expect((await close(p)).status).toBe('FAILED');
    expect(writes).toEqual([]);
    expect(closed[0]).toMatch(/has 98 active grants, more than one retirement revokes at once \(97\)/);
  });

  it('on a re-run after the commit, tells what is owed from what is stored, without writing again', async () => {
    const { p, sent, writes } = ports([{ result: 'closed' }], [[], [revokedBy(grant())]]);
    expect(await close(p)).toEqual({ status: 'APPROVED', accountId });
    expect(writes).toHaveLength(1);
    expect(sent.find((s) => s.audience === 'dti')?.email.text).toContain('Posting authority revoked: Ana Gallegos (admin, had the shared credential)');
  });

  it('closes a rejection with the reason and retires nothing', async () => {
    const { p, sent, writes, closed } = ports([], [[grant()]]);
    expect(await close(p, 'REJECTED', 'The account still runs the summer program.')).toEqual({ status: 'REJECTED', accountId: null });
    expect(writes).toEqual([]);
    expect(closed).toEqual(['REJECTED: The account still runs the summer program.']);
    expect(sent.map((s) => s.audience)).toEqual(['requester']);
  });
});
