import { describe, expect, it } from 'vitest';
import type { Decision } from '#core/approval';
import { ConflictError, ConfigurationError, ForbiddenError, InvalidInputError } from '#core/errors';
import { namedSteps } from '#core/request';
import {
  approvalWrites,
  assertMaySubmit,
  assertVersionFree,
  type DepartmentPolicyRecord,
  departmentPolicyRequest,
  departmentPolicySteps,
  parseDepartmentPolicyForm,
  policyVersions,
  textSha256,
} from '#department-policy/department-policy';
import { department, person, roleHolders } from '../fixtures.ts';

const text = 'Staff reply to comments within one business day.';
const form = { submissionId: 'sub-12345678', version: '2027.1', text, additions: 'Reply times and a weekend rota for comments.' };
const parks = department('PRD');

/** The fields a form is refused for. */
function fieldsOf(raw: Record<string, unknown>): Record<string, string> {
  try {
    parseDepartmentPolicyForm(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected the form to be refused');
}

describe('textSha256', () => {
  it('is the SHA-256 of the text’s UTF-8 bytes', () => {
    expect(textSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(textSha256('café')).toBe('850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e');
  });
});

describe('parseDepartmentPolicyForm', () => {
  it('accepts a complete form, with or without the adopted document', () => {
    expect(parseDepartmentPolicyForm(form)).toEqual(form);
    expect(parseDepartmentPolicyForm({ ...form, documentUrl: 'https://www.cabq.gov/parks/social-media-policy.pdf' }).documentUrl).toBe(
      'https://www.cabq.gov/parks/social-media-policy.pdf',
    );
    expect(parseDepartmentPolicyForm({ ...form, documentUrl: '  ' })).not.toHaveProperty('documentUrl');
  });

  it('keeps the text with LF line breaks, trimmed, whichever way it was sent', () => {
    expect(parseDepartmentPolicyForm({ ...form, text: '  Rule one applies.\r\nRule two applies.\n' }).text).toBe('Rule one applies.\nRule two applies.');
    expect(textSha256(parseDepartmentPolicyForm({ ...form, text: 'Rule one applies.\r\nRule two applies.' }).text)).toBe(
      'cf0873c12e7073d37c7e3beec2e10371af58cf08a8adf8a922b2d12156be6df1',
    );
  });

  it('accepts 50000 characters of text, 20 characters, and a version of 20 characters', () => {
    expect(parseDepartmentPolicyForm({ ...form, text: 'x'.repeat(50_000) }).text).toHaveLength(50_000);
    expect(parseDepartmentPolicyForm({ ...form, text: 'x'.repeat(20) }).text).toHaveLength(20);
    expect(parseDepartmentPolicyForm({ ...form, version: 'v2027.1-draft_2.a.b' }).version).toBe('v2027.1-draft_2.a.b');
    expect(parseDepartmentPolicyForm({ ...form, version: 'x'.repeat(20) }).version).toBe('xxxxxxxxxxxxxxxxxxxx');
  });

  it.each([
    ['version', { version: undefined }, /1 to 20 letters, digits, dots, dashes or underscores/],
    ['version', { version: '2027 1' }, /1 to 20 letters, digits, dots, dashes or underscores/],
    ['version', { version: 'x'.repeat(21) }, /1 to 20 letters/],
    ['version', { version: '2027/1' }, /1 to 20 letters/],
    ['text', { text: undefined }, /paste the policy’s full text \(at least 20 characters\)/],
    ['text', { text: 'x'.repeat(19) }, /at least 20 characters/],
    ['text', { text: 'x'.repeat(50_001) }, /at most 50000 characters/],
    ['additions', { additions: 'short' }, /say what the policy adds to the City’s social media policy \(at least 10 characters\)/],
    ['additions', { additions: 'x'.repeat(4001) }, /under 4000 characters/],
    ['documentUrl', { documentUrl: 'http://www.cabq.gov/policy.pdf' }, /https:\/\//],
    ['documentUrl', { documentUrl: 'javascript:alert(1)' }, /https:\/\//],
    ['submissionId', { submissionId: 'x' }, /reload the form/],
  ])('names %s when it is invalid (%#)', (field, change, message) => {
    const fields = fieldsOf({ ...form, ...change });
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it('names every field at once', () => {
    expect(Object.keys(fieldsOf({ version: '', text: '', additions: '' })).sort()).toEqual(['additions', 'text', 'version']);
  });
});

describe('who may submit, and which versions', () => {
  it('lets someone of the department submit, and refuses anyone else naming who may', () => {
    expect(() => assertMaySubmit(person('E103'), parks)).not.toThrow();
    expect(() => assertMaySubmit(person('E202'), parks)).toThrow(ForbiddenError);
    expect(() => assertMaySubmit(person('E202'), parks)).toThrow(/^Only staff of Parks and Recreation can submit its social media policy \(R\)/);
  });

  it('refuses a version approved or pending, and frees one that was rejected or expired', () => {
    expect(() => assertVersionFree('2027.1', parks, { requestId: 'dp-20270105-2a85ee76db88b8e0', status: 'APPROVED' })).toThrow(
      new ConflictError(
        'Version 2027.1 of the Parks and Recreation social media policy is already approved (request dp-20270105-2a85ee76db88b8e0). Give the new version its own number.',
      ),
    );
    expect(() => assertVersionFree('2027.1', parks, { requestId: 'dp-20270105-2a85ee76db88b8e0', status: 'PENDING' })).toThrow(
      /already waiting for the Communications Director’s decision \(request dp-20270105-2a85ee76db88b8e0\)/,
    );
    for (const status of ['REJECTED', 'EXPIRED', 'FAILED'] as const)
      expect(() => assertVersionFree('2027.1', parks, { requestId: 'dp-x', status })).not.toThrow();
    expect(() => assertVersionFree('2027.1', parks, undefined)).not.toThrow();
  });
});

describe('departmentPolicySteps (R)', () => {
  it('asks the Communications Director, escalating to the designee', () => {
    expect(departmentPolicySteps({ requester: person('E102'), department: parks, roleHolders })).toEqual([
      { role: 'COMMUNICATIONS_DIRECTOR', title: 'Communications Director', approverId: 'E500', escalateToId: 'E501', routedToDesignee: false },
    ]);
  });

  it('routes the Communications Director’s own department’s policy to the designee', () => {
    expect(departmentPolicySteps({ requester: person('E500'), department: department('CMO'), roleHolders })).toEqual([
      { role: 'COMMUNICATIONS_DIRECTOR', title: 'Communications Director', approverId: 'E501', escalateToId: null, routedToDesignee: true },
    ]);
  });

  it('names the missing role when nobody holds it', () => {
    expect(() => departmentPolicySteps({ requester: person('E102'), department: parks, roleHolders: [] })).toThrow(ConfigurationError);
  });
});

const decision: Decision = {
  outcome: 'APPROVED',
  decidedAt: '2027-01-06T17:00:00.000Z',
  decidedById: 'E500',
  decidedByName: 'Elena Martinez',
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
};

function pending() {
  const requester = person('E102');
  const steps = departmentPolicySteps({ requester, department: parks, roleHolders });
  return departmentPolicyRequest({
    requester,
    department: parks,
    form: parseDepartmentPolicyForm(form),
    steps: namedSteps(steps, [person('E500')]),
    approvedBefore: 0,
    submissionId: 'sub-12345678',
    now: new Date('2027-01-05T16:00:00.000Z'),
  });
}

describe('departmentPolicyRequest', () => {
  it('is about the department on every platform, with the SHA-256 of its text', () => {
    expect(pending()).toMatchObject({
      requestId: 'dp-20270105-2a85ee76db88b8e0',
      kind: 'DEPARTMENT_POLICY',
      status: 'PENDING',
      departmentCode: 'PRD',
      departmentName: 'Parks and Recreation',
      platformId: '',
      platformName: 'All platforms',
      version: '2027.1',
      sha256: '58f867af684abc120f7aa15abce4ca8509c1c9812008cfd585a231b5f239d3b7',
      approvedBefore: 0,
    });
  });
});

describe('approvalWrites', () => {
  it('writes the first version’s record once and creates the pointer, checking the request holds its version', () => {
    const { record, writes } = approvalWrites(pending(), decision, 0, '2027-01-06T17:00:01.000Z');
    expect(record).toMatchObject({
      recordId: 'rec-policy-20270105-2a85ee76db88b8e0',
      sequence: 1,
      approvedByName: 'Elena Martinez',
      approvedAt: decision.decidedAt,
    });
    expect(writes[0]).toEqual({
      mustBeNew: true,
      put: expect.objectContaining({
        PK: 'RECORD#rec-policy-20270105-2a85ee76db88b8e0',
        SK: 'RECORD',
        GSI1PK: 'DEPARTMENT_POLICIES#PRD',
        GSI1SK: '2027-01-06T17:00:01.000Z#rec-policy-20270105-2a85ee76db88b8e0',
        sha256: '58f867af684abc120f7aa15abce4ca8509c1c9812008cfd585a231b5f239d3b7',
        text,
      }),
    });
    expect(writes[1]).toEqual({
      mustBeNew: true,
      put: expect.objectContaining({ PK: 'DEPARTMENT_POLICY#PRD', SK: 'CURRENT', sequence: 1, version: '2027.1' }),
    });
    expect(writes[2]).toEqual({ check: { key: { PK: 'DEPARTMENT_POLICY#PRD', SK: 'VERSION#2027.1' }, equals: { requestId: 'dp-20270105-2a85ee76db88b8e0' } } });
  });

  it('moves the pointer on from a later version only if it still holds the one before', () => {
    const { writes } = approvalWrites(pending(), decision, 3, '2027-01-06T17:00:01.000Z');
    expect(writes[1]).toEqual({
      update: {
        key: { PK: 'DEPARTMENT_POLICY#PRD', SK: 'CURRENT' },
        set: expect.objectContaining({ sequence: 4, recordId: 'rec-policy-20270105-2a85ee76db88b8e0' }),
        ifEquals: { sequence: 3 },
      },
    });
  });
});

describe('policyVersions', () => {
  const record = (sequence: number, version: string): DepartmentPolicyRecord => ({
    ...approvalWrites(pending(), decision, sequence - 1, '2027-01-06T17:00:01.000Z').record,
    recordId: `rec-policy-2027010${sequence}-000000000000000${sequence}`,
    version,
  });

  it('makes the pointer’s record current and every other superseded by the next one approved, newest first', () => {
    const [one, two, three] = [record(1, '2025.1'), record(2, '2026.1'), record(3, '2027.1')];
    const { current, superseded } = policyVersions([one, two, three], { recordId: three.recordId });
    expect(current?.version).toBe('2027.1');
    expect(superseded.map((s) => [s.record.version, s.supersededBy?.version])).toEqual([
      ['2026.1', '2027.1'],
      ['2025.1', '2026.1'],
    ]);
  });

  it('has no current policy without a pointer', () => {
    expect(policyVersions([], undefined)).toEqual({ current: undefined, superseded: [] });
  });
});
