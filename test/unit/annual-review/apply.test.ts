import { describe, expect, it } from 'vitest';
import { type ApplyPorts, applyPage } from '#annual-review/apply';
import type { ReviewPage } from '#annual-review/review';
import type { NamedPerson } from '#core/request';
import { policy } from '#core/policy';
import { ana, departmentPage, directory, dolores, instagramLine, namedOf, platformsPage, reviewed, samuel } from './review-fixtures.ts';

const at = '2027-02-10T16:00:00.000Z';

/** Ports that do nothing but write down each call, in order. */
function recordingPorts(people: Map<string, NamedPerson> = new Map([...directory().values()].map((p) => [p.id, namedOf(p)]))) {
  const calls: unknown[][] = [];
  const ports: ApplyPorts = {
    revokeGrant: async (...args) => {
      calls.push(['revokeGrant', ...args]);
      return true;
    },
    putGrant: async (...args) => {
      calls.push(['putGrant', ...args]);
      return true;
    },
    retireAccount: async (...args) => {
      calls.push(['retireAccount', ...args]);
      return true;
    },
    person: async (id) => {
      calls.push(['person', id]);
      return people.get(id);
    },
    notify: async (page, key, to, email) => {
      calls.push(['notify', page.reviewId, key, to, email.subject]);
    },
    markApplied: async (page, when) => {
      calls.push(['markApplied', page.reviewId, when]);
      return true;
    },
    platforms: {
      reviewed: async (...args) => {
        calls.push(['platforms.reviewed', ...args]);
      },
      retire: async (...args) => {
        calls.push(['platforms.retire', ...args]);
      },
    },
  };
  return { calls, ports };
}

/** Parks' submitted page: its X account retired, Tom's Instagram posting authority revoked and Isabel made a second Instagram admin. */
const submittedParks = (overrides: Partial<Extract<ReviewPage, { kind: 'DEPARTMENT' }>> = {}) =>
  departmentPage({
    status: 'SUBMITTED',
    submittedBy: namedOf(dolores),
    submittedAt: at,
    accounts: [
      instagramLine({ accountId: 'acct-x', label: 'X @ABQParks', platformId: 'x', platformName: 'X', grants: [reviewed(ana, 'ADMIN', 'na-x')] }),
      instagramLine(),
    ],
    answers: {
      'acct-x': { inUse: 'no' },
      'acct-ig': {
        inUse: 'yes',
        keep: { E102: 'yes', E103: 'no' },
        newAdminEmail: 'iromero@cabq.example',
        newAdminId: 'E202',
        newAdminName: 'Isabel Romero',
        officialSite: 'yes',
        purposeNotice: 'yes',
      },
    },
    ...overrides,
  });

describe('applyPage on a department page', () => {
  it('retires, revokes and appoints in order, tells each revoked person, and marks the page applied once', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(submittedParks(), ports, at)).toBe(3);
    expect(calls).toEqual([
      ['revokeGrant', { accountId: 'acct-x', personId: 'E102', sourceRequestId: 'na-x' }, at, 'Account retired in the 2027 annual review', 'rev-2027-PRD'],
      ['person', 'E102'],
      ['notify', '2027', 'revoked-acct-x-E102', 'agallegos@cabq.example', 'Your posting authority for X @ABQParks has ended'],
      ['retireAccount', 'acct-x', at, 'No longer in use (2027 annual review)', 'rev-2027-PRD'],
      ['revokeGrant', { accountId: 'acct-ig', personId: 'E103', sourceRequestId: 'pa-ig-tom' }, at, 'No longer needed (2027 annual review, B)', 'rev-2027-PRD'],
      ['person', 'E103'],
      ['notify', '2027', 'revoked-acct-ig-E103', 'tsandoval@cabq.example', 'Your posting authority for Instagram @ABQParks has ended'],
      [
        'putGrant',
        {
          accountId: 'acct-ig',
          personId: 'E202',
          personName: 'Isabel Romero',
          role: 'ADMIN',
          receivesCredential: true,
          authorizedById: 'E100',
          authorizedByName: 'Dolores Baca',
          authorizedAt: at,
          sourceRequestId: 'rev-2027-PRD',
          status: 'ACTIVE',
        },
      ],
      ['markApplied', '2027', at],
    ]);
  });

  it('revokes on a department review as rev-<year>-<department>', async () => {
    const { calls, ports } = recordingPorts();
    await applyPage(submittedParks({ reviewId: '2027-PRD' }), ports, at);
    expect(calls.filter((c) => c[0] === 'revokeGrant').map((c) => c[4])).toEqual(['rev-2027-PRD', 'rev-2027-PRD']);
  });

  it('still revokes, without a notice, when the person is no longer in the directory', async () => {
    const { calls, ports } = recordingPorts(new Map());
    await applyPage(submittedParks({ answers: { 'acct-ig': { inUse: 'yes', keep: { E102: 'yes', E103: 'no' } } } }), ports, at);
    expect(calls).toEqual([
      ['revokeGrant', { accountId: 'acct-ig', personId: 'E103', sourceRequestId: 'pa-ig-tom' }, at, 'No longer needed (2027 annual review, B)', 'rev-2027-PRD'],
      ['person', 'E103'],
      ['markApplied', '2027', at],
    ]);
  });

  it('does nothing to a page already applied', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(submittedParks({ appliedAt: '2027-02-10T16:00:01.000Z' }), ports, at)).toBe(0);
    expect(calls).toEqual([]);
  });

  it('does nothing to a page that was not submitted', async () => {
    for (const status of ['OPEN', 'NOT_ATTESTED', 'NOTHING_TO_REVIEW'] as const) {
      const { calls, ports } = recordingPorts();
      expect(await applyPage(submittedParks({ status }), ports, at)).toBe(0);
      expect(calls).toEqual([]);
    }
  });
});

describe('applyPage on a page not attested', () => {
  const lapsing = { ...policy, annualReview: { ...policy.annualReview, noAnswerRevokesGrants: true } };
  const unanswered = () =>
    submittedParks({ status: 'NOT_ATTESTED', submittedBy: undefined, submittedAt: undefined, answers: { 'acct-ig': { inUse: 'yes', keep: { E102: 'yes' } } } });

  it('revokes nothing for a non-answer under the default policy', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(unanswered(), ports, at)).toBe(0);
    expect(calls).toEqual([]);
  });

  it('lets every grant nobody confirmed lapse, and tells each holder, when the policy turns the default decision on', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(unanswered(), ports, at, lapsing)).toBe(2);
    const reason = 'Not confirmed by the due date of the 2027 annual review (B)';
    expect(calls.filter((c) => c[0] === 'revokeGrant')).toEqual([
      ['revokeGrant', { accountId: 'acct-x', personId: 'E102', sourceRequestId: 'na-x' }, at, reason, 'rev-2027-PRD'],
      ['revokeGrant', { accountId: 'acct-ig', personId: 'E103', sourceRequestId: 'pa-ig-tom' }, at, reason, 'rev-2027-PRD'],
    ]);
    expect(calls.filter((c) => c[0] === 'notify').map((c) => c[2])).toEqual(['lapsed-acct-x-E102', 'lapsed-acct-ig-E103']);
    expect(calls.filter((c) => c[0] === 'markApplied')).toHaveLength(1);
  });
});

describe('applyPage on the platforms page', () => {
  const submitted = (answers: Extract<ReviewPage, { kind: 'PLATFORMS' }>['answers']) =>
    platformsPage({ status: 'SUBMITTED', submittedBy: namedOf(samuel), submittedAt: at, answers });

  it('marks kept platforms reviewed (with the note only for a change) and retires the retired one', async () => {
    const { calls, ports } = recordingPorts();
    const page = submitted({
      instagram: { decision: 'KEEP', note: 'Nothing to add' },
      tiktok: { decision: 'CHANGE', note: 'New terms of service' },
      x: { decision: 'RETIRE', note: 'No longer used by any department' },
    });
    expect(await applyPage(page, ports, at)).toBe(3);
    expect(calls).toEqual([
      ['platforms.reviewed', 'instagram', undefined, namedOf(samuel), at],
      ['platforms.reviewed', 'tiktok', 'New terms of service', namedOf(samuel), at],
      ['platforms.retire', 'x', 'No longer used by any department', namedOf(samuel), at],
      ['markApplied', '2027', at],
    ]);
  });

  it('skips a platform without a decision and gives a retirement without a note a reason', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(submitted({ x: { decision: 'RETIRE' } }), ports, at)).toBe(1);
    expect(calls).toEqual([
      ['platforms.retire', 'x', 'Retired in the annual review', namedOf(samuel), at],
      ['markApplied', '2027', at],
    ]);
  });

  it('does nothing to a platforms page already applied', async () => {
    const { calls, ports } = recordingPorts();
    expect(await applyPage(platformsPage({ status: 'SUBMITTED', appliedAt: at, answers: { x: { decision: 'RETIRE' } } }), ports, at)).toBe(0);
    expect(calls).toEqual([]);
  });
});
