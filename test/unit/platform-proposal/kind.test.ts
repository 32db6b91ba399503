import { describe, expect, it } from 'vitest';
import type { Approval } from '#core/approval';
import { namedSteps } from '#core/request';
import type { Closing, OutcomeResult, OutcomeStore, OutcomeWrite } from '#core/request-kind';
import { platformProposalKind } from '#platform-proposal/kind';
import { type PlatformProposalRequest, parsePlatformProposalForm, platformProposalRequest, platformProposalSteps } from '#platform-proposal/platform-proposal';
import { department, person, roleHolders } from '../fixtures.ts';

function pending(overrides: Partial<PlatformProposalRequest> = {}): PlatformProposalRequest {
  const requester = person('E103');
  const steps = platformProposalSteps({ requester, department: department('PRD'), roleHolders, dti: department('DTI') });
  return {
    ...platformProposalRequest({
      requester,
      department: department('PRD'),
      form: parsePlatformProposalForm(
        {
          name: 'Threads',
          siteUrl: 'https://www.threads.net',
          description: 'A text-first social network run by Meta.',
          reason: 'Our followers are moving there for event updates.',
          agreementUrl: 'https://help.instagram.com/769983657850450',
          agreementReadOn: '2026-03-01',
        },
        '2026-03-10',
      ),
      platformId: 'threads',
      steps: namedSteps(steps, [person('E400')]),
      submissionId: 'sub-12345678',
      now: new Date('2026-03-10T16:00:00.000Z'),
    }),
    ...overrides,
  };
}

const approval: Approval = {
  requestId: 'pp-20260310-0000000000000000',
  step: 0,
  round: 0,
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  role: 'DTI_DIRECTOR',
  approverId: 'E400',
  approverName: 'Samuel Ortiz',
  approverEmail: 'sortiz@cabq.example',
  secretHash: 'x',
  createdAt: '2026-03-10T16:00:01.000Z',
  remindersSent: 0,
  decision: {
    outcome: 'APPROVED',
    decidedAt: '2026-03-11T17:00:00.000Z',
    decidedById: 'E400',
    decidedByName: 'Samuel Ortiz',
    approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  },
};

describe('the new-platform kind', () => {
  it('reads as the platform proposed for the department, with what DTI needs to decide', () => {
    const request = pending();
    const described = platformProposalKind.describe(request, {});
    expect([described.title, described.subject, described.outcomeTitle, described.rules]).toEqual([
      'new platform Threads',
      'New platform Threads for Parks and Recreation',
      'New platform Threads',
      'O.a, P',
    ]);
    expect(described.facts).toEqual([
      ['Request', request.requestId],
      ['Proposed by', 'Tom Sandoval (tsandoval@cabq.example)'],
      ['Department', 'Parks and Recreation'],
      ['Platform', 'Threads'],
      ['Site', 'https://www.threads.net'],
      ['What it is', 'A text-first social network run by Meta.'],
      ['Why the department wants it', 'Our followers are moving there for event updates.'],
      ['Usage agreement', 'https://help.instagram.com/769983657850450'],
      ['Usage agreement read on', '2026-03-01'],
      ['Its page on the list, once approved', '/platforms/threads'],
      ['Approval chain', 'DTI Director (Department of Technology and Innovation): Samuel Ortiz'],
    ]);
    expect(described.related).toEqual([{ label: 'DTI’s list of approved platforms', href: '/platforms' }]);
    expect(platformProposalKind.describe(pending({ status: 'APPROVED' }), {}).related).toEqual([
      { label: 'Threads on DTI’s list of approved platforms', href: '/platforms/threads' },
    ]);
  });

  it('fills its records export cells and is filed under no account', () => {
    expect(platformProposalKind.exportCells(pending())).toEqual({
      subject: 'Threads',
      purpose: 'A text-first social network run by Meta.',
      reason: 'Our followers are moving there for event updates.',
    });
    expect(platformProposalKind.accountOf(pending())).toBeUndefined();
    expect(platformProposalKind.interested(pending())).toEqual([]);
    expect(platformProposalKind.details(pending(), {})).toEqual({ platformHref: null });
  });
});

/** A close() run against a store answering approveWith from `answers`, recording every write list and email. */
function closing(request: PlatformProposalRequest, answers: Awaited<ReturnType<OutcomeStore['approveWith']>>[], outcome = 'APPROVED') {
  const calls: (readonly OutcomeWrite[])[] = [];
  const told: string[] = [];
  const dti: { audience: string; subject: string; text: string }[] = [];
  const failed: string[] = [];
  const store = {
    approveWith: async (_id: string, _at: string, writes: readonly OutcomeWrite[]) => {
      calls.push(writes);
      return answers.shift() ?? { result: 'ok' as const };
    },
  } as unknown as OutcomeStore;
  const c = {
    request,
    approvals: [approval],
    decision: { outcome },
    store,
    now: '2026-03-11T17:00:01.000Z',
    registryUrl: 'https://smg.cabq.example/accounts',
    tell: async (o: string) => {
      told.push(o);
    },
    tellDti: async (audience: string, email: { subject: string; text: string }) => {
      dti.push({ audience, subject: email.subject, text: email.text });
    },
    fail: async (reason: string): Promise<OutcomeResult> => {
      failed.push(reason);
      return { status: 'FAILED', accountId: null };
    },
    alreadyClosed: async () => undefined,
    closeAsDecided: async () => ({ status: 'REJECTED', accountId: null }),
    log: () => undefined,
  } as unknown as Closing<PlatformProposalRequest>;
  return { c, calls, told, dti, failed };
}

describe('closing a new-platform proposal', () => {
  it('adds the platform with the request’s close, tells the requester, and tells DTI where to record the P documents', async () => {
    const { c, calls, told, dti } = closing(pending(), [{ result: 'ok' }]);
    expect(await platformProposalKind.close(c)).toEqual({ status: 'APPROVED', accountId: null });
    expect(calls).toHaveLength(1);
    expect(told).toEqual(['APPROVED']);
    expect(dti.map((d) => [d.audience, d.subject])).toEqual([['dti', 'Platform list: Threads added, P documents to record']]);
    expect(dti[0]?.text).toContain('Record the P documents: https://smg.cabq.example/platforms/threads');
  });

  it('writes nothing twice on a retry after the commit: the close finds the request closed and only the idempotent emails repeat', async () => {
    const { c, calls, told, dti, failed } = closing(pending(), [{ result: 'closed' }]);
    expect(await platformProposalKind.close(c)).toEqual({ status: 'APPROVED', accountId: null });
    expect(calls).toHaveLength(1);
    expect([told, dti.map((d) => d.audience), failed]).toEqual([['APPROVED'], ['dti'], []]);
  });

  it('fails, naming the id, when a platform took it meanwhile; nobody is told of an approval', async () => {
    const { c, failed, told, dti } = closing(pending(), [{ result: 'conflict', failed: 0 }]);
    expect((await platformProposalKind.close(c)).status).toBe('FAILED');
    expect(failed).toEqual(['a platform with the id threads was added to DTI’s list while Threads was waiting for a decision']);
    expect([told, dti]).toEqual([[], []]);
  });

  it('closes a rejection as decided, writing nothing', async () => {
    const { c, calls } = closing(pending(), [], 'REJECTED');
    expect(await platformProposalKind.close(c)).toEqual({ status: 'REJECTED', accountId: null });
    expect(calls).toEqual([]);
  });
});
