import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#core/errors';
import { mayHaveNewAccounts, type Platform, platformChangeItem, platformItem } from '#core/platform';
import { namedSteps } from '#core/request';
import {
  approvalWrites,
  assertNotListedOrProposed,
  type PlatformProposalRequest,
  parsePlatformProposalForm,
  platformIdFor,
  platformProposalRequest,
  platformProposalSteps,
  platformSlug,
} from '#platform-proposal/platform-proposal';
import { department, person, roleHolders } from '../fixtures.ts';

const today = '2026-03-10';

const valid = {
  submissionId: 'sub-12345678',
  name: ' Threads ',
  siteUrl: 'https://www.threads.net',
  description: 'A text-first social network run by Meta.',
  reason: 'Our followers are moving there for event updates.',
  agreementUrl: 'https://help.instagram.com/769983657850450',
  agreementReadOn: '',
};

const fieldsOf = (raw: Record<string, unknown>) => {
  try {
    parsePlatformProposalForm(raw, today);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.fields;
    throw error;
  }
  return {};
};

function pending(overrides: Partial<PlatformProposalRequest> = {}): PlatformProposalRequest {
  const requester = person('E103');
  const steps = platformProposalSteps({ requester, department: department('PRD'), roleHolders, dti: department('DTI') });
  return {
    ...platformProposalRequest({
      requester,
      department: department('PRD'),
      form: parsePlatformProposalForm(valid, today),
      platformId: 'threads',
      steps: namedSteps(steps, [person('E400')]),
      submissionId: 'sub-12345678',
      now: new Date('2026-03-10T16:00:00.000Z'),
    }),
    ...overrides,
  };
}

describe('the new-platform form (O.a)', () => {
  it('trims what was typed and treats an empty read-on day as not given', () => {
    expect(parsePlatformProposalForm(valid, today)).toEqual({
      submissionId: 'sub-12345678',
      name: 'Threads',
      siteUrl: 'https://www.threads.net',
      description: 'A text-first social network run by Meta.',
      reason: 'Our followers are moving there for event updates.',
      agreementUrl: 'https://help.instagram.com/769983657850450',
    });
    expect(parsePlatformProposalForm({ ...valid, agreementReadOn: '2026-03-10' }, today).agreementReadOn).toBe('2026-03-10');
  });

  it('names every field to fix, in the form’s order, each with its own message', () => {
    expect(fieldsOf({ agreementReadOn: '2026-03-11' })).toEqual({
      name: 'give the platform’s name, as people know it (at most 80 characters)',
      siteUrl: 'give the platform’s site as an https:// address, for example https://www.threads.net',
      description: 'say what the platform is and what the City would post there (at least 10 characters)',
      reason: 'say why your department wants to use it (at least 10 characters)',
      agreementUrl: 'give the address of its usage agreement or terms of service, starting https://',
      agreementReadOn: 'the day you read the usage agreement is in the future; give 2026-03-10 or earlier',
    });
  });

  it('refuses an address with credentials in it or without a host', () => {
    expect(fieldsOf({ ...valid, siteUrl: 'https://user:pw@www.threads.net' })).toEqual({
      siteUrl: 'give the platform’s site as an https:// address, for example https://www.threads.net',
    });
    expect(Object.keys(fieldsOf({ ...valid, agreementUrl: 'https://localhost/terms' }))).toEqual(['agreementUrl']);
  });
});

describe('the id a proposed platform gets', () => {
  it('is its name as a slug, accents dropped', () => {
    expect(platformSlug('Bluesky Social!')).toBe('bluesky-social');
    expect(platformSlug('Señal Pública')).toBe('senal-publica');
    expect(platformSlug('!!!')).toBe('');
  });

  it('takes the next free suffix when a platform or a pending proposal has it, and never "new"', () => {
    expect(platformIdFor('X', ['x', 'x-2'])).toBe('x-3');
    expect(platformIdFor('New', [])).toBe('new-2');
    expect(platformIdFor('Threads', ['facebook'])).toBe('threads');
  });
});

describe('duplicate names', () => {
  const platforms = [{ id: 'x', name: 'X (Twitter)', approved: false, status: 'RETIRED' }] as Platform[];

  it('refuses a name on the list whatever its status, case and spaces aside', () => {
    expect(() => assertNotListedOrProposed({ name: '  x (TWITTER)', platforms, pending: [] })).toThrow(
      'X (Twitter) is already on DTI’s list of platforms (retired): see /platforms/x. Ask DTI about it instead of proposing it again.',
    );
  });

  it('refuses a name proposed and pending, but not a closed proposal or the request itself', () => {
    const other = pending({ requestId: 'pp-20260310-0000000000000001' });
    expect(() => assertNotListedOrProposed({ name: 'THREADS', platforms, pending: [other] })).toThrow(
      'Threads is already proposed by Tom Sandoval for Parks and Recreation (request pp-20260310-0000000000000001) and is waiting for DTI’s decision.',
    );
    expect(() => assertNotListedOrProposed({ name: 'Threads', platforms, pending: [{ ...other, status: 'REJECTED' }] })).not.toThrow();
    expect(() => assertNotListedOrProposed({ name: 'Threads', platforms, pending: [other], ownRequestId: other.requestId })).not.toThrow();
  });
});

describe('who decides a new platform', () => {
  it('is the DTI director, escalating to the DTI designee', () => {
    expect(platformProposalSteps({ requester: person('E103'), department: department('PRD'), roleHolders, dti: department('DTI') })).toEqual([
      {
        role: 'DTI_DIRECTOR',
        title: 'DTI Director (Department of Technology and Innovation)',
        approverId: 'E400',
        escalateToId: 'E401',
        routedToDesignee: false,
      },
    ]);
  });

  it('is the DTI designee when the DTI director proposes', () => {
    expect(platformProposalSteps({ requester: person('E400'), department: department('DTI'), roleHolders, dti: department('DTI') })).toEqual([
      expect.objectContaining({ approverId: 'E401', escalateToId: null, routedToDesignee: true }),
    ]);
  });
});

describe('the stored request', () => {
  it('is for the requester’s department, under the proposed platform’s id-to-be and name', () => {
    expect(pending()).toMatchObject({
      requestId: expect.stringMatching(/^pp-20260310-[0-9a-f]{16}$/),
      kind: 'PLATFORM_PROPOSAL',
      status: 'PENDING',
      requester: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
      departmentCode: 'PRD',
      departmentName: 'Parks and Recreation',
      platformId: 'threads',
      platformName: 'Threads',
    });
    expect(pending()).not.toHaveProperty('agreementReadOn');
  });
});

describe('what approving writes', () => {
  const decision = { decidedAt: '2026-03-11T05:30:00.000Z', decidedById: 'E400', decidedByName: 'Samuel Ortiz' };

  it('adds the platform approved, at version 1, with no P document, so it is incomplete and offered to no new account', () => {
    const { platform, change, writes } = approvalWrites(pending(), decision, '2026-03-11T05:30:02.000Z');
    expect(platform).toEqual({
      id: 'threads',
      name: 'Threads',
      approved: true,
      status: 'APPROVED',
      siteUrl: 'https://www.threads.net',
      // The decision's day in Albuquerque (the evening before in UTC terms).
      usageAgreement: { title: 'Threads usage agreement', url: 'https://help.instagram.com/769983657850450', reviewedOn: '2026-03-10' },
      documents: {},
      version: 1,
      updatedAt: '2026-03-11T05:30:02.000Z',
      updatedById: 'E400',
      updatedByName: 'Samuel Ortiz',
    });
    expect(mayHaveNewAccounts(platform)).toBe(false);
    expect(change).toMatchObject({
      platformId: 'threads',
      version: 1,
      kind: 'ADDED',
      byName: 'Samuel Ortiz',
      reason: `Added by approval of ${pending().requestId}`,
      requestId: pending().requestId,
    });
    expect(writes).toEqual([
      { put: expect.objectContaining({ PK: 'PLATFORM#threads', SK: 'PROFILE', GSI1PK: 'PLATFORMS', GSI1SK: 'Threads' }), mustBeNew: true },
      { put: expect.objectContaining({ PK: 'PLATFORM#threads', SK: 'CHANGE#000001', GSI2PK: 'PLATFORM_CHANGES' }), mustBeNew: true },
    ]);
  });

  it('keys the items as the platforms list reads them (one builder, core/platform.ts, for the store and the approval)', () => {
    const { platform, change } = approvalWrites(pending(), decision, '2026-03-11T05:30:02.000Z');
    expect(platformItem(platform)).toMatchObject({ PK: 'PLATFORM#threads', SK: 'PROFILE', GSI1PK: 'PLATFORMS', GSI1SK: 'Threads', entity: 'Platform' });
    expect(platformChangeItem(change)).toMatchObject({
      PK: 'PLATFORM#threads',
      SK: 'CHANGE#000001',
      GSI2PK: 'PLATFORM_CHANGES',
      GSI2SK: '2026-03-11T05:30:02.000Z#threads#000001',
      entity: 'PlatformChange',
    });
  });
});
