import { describe, expect, it } from 'vitest';
import type { Decision } from '#core/approval';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import {
  assertMayAsk,
  assertNotAlreadyAuthorized,
  granteeIdOf,
  parsePostingAuthorityForm,
  postingAuthorityRequest,
  postingGrantFor,
  replacedGrants,
} from '#posting-authority/posting-authority';
import { account, accountId, department, grant, paRequestId, person, postingAuthorityRequest as pendingRequest } from '../fixtures.ts';
import { requestIdPattern } from '#approval-chain/kinds';

const form = { submissionId: 'sub-12345678', granteeId: 'E103', role: 'POSTER', receivesCredential: true, reason: 'Posts the weekly pool schedule.' };
const tom = person('E103');

/** The fields a form is refused for; `found` is the grantee as the directory has them (null: not there). */
function fieldsOf(raw: Record<string, unknown>, found: typeof tom | null = tom): Record<string, string> {
  try {
    parsePostingAuthorityForm(raw, found ?? undefined);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected the form to be refused');
}

describe('parsePostingAuthorityForm', () => {
  it('accepts a complete form with the grantee found in the directory', () => {
    expect(parsePostingAuthorityForm(form, tom)).toEqual({ ...form, grantee: tom });
  });

  it.each([
    ['a ticked checkbox ("on")', 'on', true],
    ['"true"', 'true', true],
    ['JSON true', true, true],
    ['JSON false', false, false],
    ['an empty value', '', false],
    ['no value (an unticked checkbox)', undefined, false],
  ])('reads the shared-credential box from %s', (_what, value, expected) => {
    expect(parsePostingAuthorityForm({ ...form, receivesCredential: value }, tom).receivesCredential).toBe(expected);
  });

  it.each([
    ['role', { role: 'OWNER' }, /choose Admin or Poster/],
    ['role', { role: undefined }, /choose Admin or Poster/],
    ['reason', { reason: 'too short' }, /at least 10 characters/],
    ['reason', { reason: `   ${'x'.repeat(9)}   ` }, /at least 10 characters/],
    ['reason', { reason: 'x'.repeat(2001) }, /under 2000 characters/],
    ['reason', { reason: undefined }, /at least 10 characters/],
    ['receivesCredential', { receivesCredential: 'maybe' }, /tick the box/],
    ['submissionId', { submissionId: 'x' }, /reload the form/],
  ])('names %s when it is invalid (%o)', (field, change, message) => {
    const fields = fieldsOf({ ...form, ...change });
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it('accepts a reason of exactly 10 and of 2000 characters, trimmed', () => {
    expect(parsePostingAuthorityForm({ ...form, reason: `  ${'x'.repeat(10)}  ` }, tom).reason).toBe('x'.repeat(10));
    expect(parsePostingAuthorityForm({ ...form, reason: 'x'.repeat(2000) }, tom).reason).toHaveLength(2000);
  });

  it('names the person when they are not in the directory, along with every other field', () => {
    expect(fieldsOf({ ...form, granteeId: 'E999', reason: 'short' }, null)).toEqual({
      granteeId: expect.stringMatching(/not in the directory/),
      reason: expect.stringMatching(/at least 10 characters/),
    });
  });

  it('refuses a person who has separated from the City (C)', () => {
    expect(fieldsOf(form, { ...tom, separatedOn: '2025-03-01' })).toEqual({
      granteeId: 'Tom Sandoval separated from the City on 2025-03-01; choose someone who works here',
    });
  });

  it('drops fields that are not part of the form, such as a claimed requester', () => {
    expect(parsePostingAuthorityForm({ ...form, requester: { id: 'E100' } }, tom)).not.toHaveProperty('requester');
  });
});

describe('granteeIdOf', () => {
  it('is the named person, trimmed', () => {
    expect(granteeIdOf({ granteeId: ' E202 ' }, tom)).toBe('E202');
  });

  it('is the requester when nobody is named', () => {
    expect(granteeIdOf({}, tom)).toBe('E103');
    expect(granteeIdOf({ granteeId: '  ' }, tom)).toBe('E103');
  });
});

describe('assertMayAsk', () => {
  const grants = [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER' }), grant({ personId: 'E101', status: 'REVOKED' })];
  const ask = (requesterId: string, granteeId: string) => () => assertMayAsk({ requester: person(requesterId), granteeId, account: account(), grants });

  it('lets anyone ask for themselves, even with no grant on the account', () => {
    expect(ask('E202', 'E202')).not.toThrow();
  });

  it('lets an active admin ask for someone else', () => {
    expect(ask('E102', 'E202')).not.toThrow();
  });

  it.each([
    ['a poster', 'E103'],
    ['someone whose admin grant was revoked', 'E101'],
    ['someone with no grant on the account', 'E202'],
  ])('refuses %s asking for someone else with 403, saying who may ask', (_who, requesterId) => {
    expect(ask(requesterId, 'E100')).toThrow(ForbiddenError);
    expect(ask(requesterId, 'E100')).toThrow(/Only an active admin of Instagram @ABQParks can ask for posting authority for someone else/);
  });

  it('does not count an admin grant on another account', () => {
    const elsewhere = [grant({ accountId: 'acct-other' })];
    expect(() => assertMayAsk({ requester: person('E102'), granteeId: 'E202', account: account(), grants: elsewhere })).toThrow(ForbiddenError);
  });
});

describe('assertNotAlreadyAuthorized', () => {
  const check =
    (change: { role: 'ADMIN' | 'POSTER'; receivesCredential: boolean }, grants = [grant()]) =>
    () =>
      assertNotAlreadyAuthorized({ form: change, grantee: person('E102'), account: account(), grants });

  it('refuses with 409 an active grant with the same role and credential, saying who authorized it', () => {
    expect(check({ role: 'ADMIN', receivesCredential: true })).toThrow(ConflictError);
    expect(check({ role: 'ADMIN', receivesCredential: true })).toThrow(
      'Ana Gallegos is already authorized on Instagram @ABQParks as admin (receives the shared credential), by Dolores Baca.',
    );
  });

  it.each([
    ['another role', { role: 'POSTER', receivesCredential: true }],
    ['another credential', { role: 'ADMIN', receivesCredential: false }],
  ] as const)('allows %s', (_what, change) => {
    expect(check(change)).not.toThrow();
  });

  it('allows asking again for what a revoked grant held', () => {
    expect(check({ role: 'ADMIN', receivesCredential: true }, [grant({ status: 'REVOKED' })])).not.toThrow();
  });
});

describe('postingAuthorityRequest', () => {
  const build = (submissionId: string, requester = tom) =>
    postingAuthorityRequest({
      requester,
      grantee: tom,
      account: account(),
      department: department('PRD'),
      form: { ...parsePostingAuthorityForm(form, tom) },
      steps: pendingRequest().steps,
      submissionId,
      now: new Date('2025-03-10T16:00:00Z'),
    });

  it('has a pa- id that every request-id schema accepts', () => {
    const { requestId } = build('sub-12345678');
    expect(requestId).toMatch(/^pa-20250310-[0-9a-f]{16}$/);
    expect(requestId).toMatch(requestIdPattern);
  });

  it('gives a repeated submission the same id, and another submission or requester a different one', () => {
    expect(build('sub-12345678').requestId).toBe(build('sub-12345678').requestId);
    expect(build('sub-87654321').requestId).not.toBe(build('sub-12345678').requestId);
    expect(build('sub-12345678', person('E102')).requestId).not.toBe(build('sub-12345678').requestId);
  });

  it('records the account, its department and what was asked', () => {
    expect(build('sub-12345678')).toMatchObject({
      kind: 'POSTING_AUTHORITY',
      status: 'PENDING',
      requester: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
      grantee: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
      accountId,
      handle: '@ABQParks',
      departmentCode: 'PRD',
      role: 'POSTER',
      receivesCredential: true,
      reason: form.reason,
    });
  });
});

describe('postingGrantFor and replacedGrants', () => {
  const decision: Decision = {
    outcome: 'APPROVED',
    decidedAt: '2025-03-11T16:00:00.000Z',
    decidedById: 'E101',
    decidedByName: 'Marcus Chavez',
    approvalId: 'a',
  };
  const request = pendingRequest({ grantee: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' } });

  it('grants what was asked, authorized by whoever decided the director’s step, from this request', () => {
    expect(postingGrantFor(request, decision)).toEqual({
      accountId,
      personId: 'E102',
      personName: 'Ana Gallegos',
      role: 'POSTER',
      receivesCredential: true,
      authorizedById: 'E101',
      authorizedByName: 'Marcus Chavez',
      authorizedAt: '2025-03-11T16:00:00.000Z',
      sourceRequestId: paRequestId,
      status: 'ACTIVE',
    });
  });

  it('revokes only the grantee’s active grants on this account, recording why and by which request', () => {
    const held = [
      grant(),
      grant({ sourceRequestId: 'pa-20250305-0000000000000001', status: 'REVOKED', revokedAt: '2025-03-05T00:00:00.000Z' }),
      grant({ accountId: 'acct-other' }),
      grant({ personId: 'E103' }),
    ];
    expect(replacedGrants(request, held, '2025-03-11T17:00:00.000Z')).toEqual([
      {
        ...grant(),
        status: 'REVOKED',
        revokedAt: '2025-03-11T17:00:00.000Z',
        revokedReason: `replaced by ${paRequestId}`,
        revokedBySourceId: paRequestId,
      },
    ]);
  });

  it('never revokes the grant this request made (a re-run)', () => {
    expect(replacedGrants(request, [postingGrantFor(request, decision)], '2025-03-11T17:00:00.000Z')).toEqual([]);
  });
});
