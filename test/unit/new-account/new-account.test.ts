import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#core/errors';
import { canViewRequest, requestIdPattern } from '#approval-chain/kinds';
import { parseNewAccountForm } from '#new-account/new-account';
import { accountRequest, postingAuthorityRequest, roleHolders } from '../fixtures.ts';
import { approvalExecutionInput, requestIdFor } from '#core/request';

const allChecklist = ['cityName', 'cityLogo', 'linkToCabq', 'purposeNotice', 'commentGuidelines'];

const validForm = {
  submissionId: 'sub-12345678',
  departmentCode: 'PRD',
  platformId: 'instagram',
  purpose: 'Promote summer programs and pool schedules to families.',
  audience: 'Families in Albuquerque',
  riskAssessment: 'Negative comments; we moderate daily under rule K.',
  proposedHandle: '@ABQParks',
  adminIds: ['E102', 'E103'],
  checklist: allChecklist,
};

function fieldsOf(raw: unknown): Record<string, string> {
  try {
    parseNewAccountForm(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected the form to be refused');
}

describe('parseNewAccountForm', () => {
  it('accepts a complete form', () => {
    expect(parseNewAccountForm(validForm)).toMatchObject({ departmentCode: 'PRD', adminIds: ['E102', 'E103'], checklist: allChecklist });
  });

  it.each([
    ['purpose', { purpose: 'Too short' }, /at least 20 characters/],
    ['proposedHandle', { proposedHandle: 'abq parks!' }, /letters, digits/],
    ['adminIds', { adminIds: [] }, /at least one proposed admin/],
    ['adminIds', { adminIds: ['E102', 'E102'] }, /each admin only once/],
    ['checklist', { checklist: allChecklist.slice(1) }, /every item of the official-site checklist/],
    ['departmentCode', { departmentCode: 'parks' }, /choose your department/],
    ['riskAssessment', { riskAssessment: 'none' }, /assess the risks/],
  ])('names %s when it is invalid (%o)', (field, change, message) => {
    const fields = fieldsOf({ ...validForm, ...change });
    expect(Object.keys(fields)).toEqual([field]);
    expect(fields[field]).toMatch(message);
  });

  it('reports every invalid field at once', () => {
    const fields = fieldsOf({ ...validForm, purpose: 'short', proposedHandle: '!', adminIds: '', checklist: undefined });
    expect(Object.keys(fields).sort()).toEqual(['adminIds', 'checklist', 'proposedHandle', 'purpose']);
  });

  it('refuses an empty body with a message for each required field', () => {
    const fields = fieldsOf(undefined);
    expect(Object.keys(fields).sort()).toEqual(
      ['adminIds', 'audience', 'checklist', 'departmentCode', 'platformId', 'proposedHandle', 'purpose', 'riskAssessment'].sort(),
    );
  });

  it('accepts a single admin sent as one form-encoded string', () => {
    expect(parseNewAccountForm({ ...validForm, adminIds: 'E102' }).adminIds).toEqual(['E102']);
  });

  it('accepts comma-separated lists, trimming blanks', () => {
    const form = parseNewAccountForm({ ...validForm, adminIds: 'E102, E103,', checklist: allChecklist.join(',') });
    expect(form.adminIds).toEqual(['E102', 'E103']);
    expect(form.checklist).toEqual(allChecklist);
  });

  it('accepts repeated form keys as arrays', () => {
    expect(parseNewAccountForm({ ...validForm, adminIds: ['E103', 'E102'] }).adminIds).toEqual(['E103', 'E102']);
  });

  it('drops fields that are not part of the form, such as a claimed requester', () => {
    const form = parseNewAccountForm({ ...validForm, requester: { id: 'E500' } });
    expect(form).not.toHaveProperty('requester');
  });

  it('trims the text it keeps', () => {
    expect(parseNewAccountForm({ ...validForm, proposedHandle: '  @ABQParks  ' }).proposedHandle).toBe('@ABQParks');
  });
});

describe('requestIdFor', () => {
  const now = new Date('2025-03-01T16:00:00Z');

  it('gives the same id for the same requester and submission', () => {
    expect(requestIdFor('E102', 'sub-12345678', now, 'na')).toBe(requestIdFor('E102', 'sub-12345678', new Date('2025-03-01T23:59:00Z'), 'na'));
  });

  it('gives another requester a different id for the same submission id', () => {
    expect(requestIdFor('E103', 'sub-12345678', now, 'na')).not.toBe(requestIdFor('E102', 'sub-12345678', now, 'na'));
  });

  it('gives a different id for a different submission', () => {
    expect(requestIdFor('E102', 'sub-87654321', now, 'na')).not.toBe(requestIdFor('E102', 'sub-12345678', now, 'na'));
  });

  it('matches requestIdPattern and carries the UTC day', () => {
    const id = requestIdFor('E102', 'sub-12345678', now, 'na');
    expect(id).toMatch(requestIdPattern);
    expect(id.startsWith('na-20250301-')).toBe(true);
  });

  it('prefixes each kind of request by its kind, from the same requester and submission', () => {
    const pa = requestIdFor('E102', 'sub-12345678', now, 'pa');
    expect(pa).toMatch(/^pa-20250301-[0-9a-f]{16}$/);
    expect(pa.slice(3)).toBe(requestIdFor('E102', 'sub-12345678', now, 'na').slice(3));
  });
});

describe('requestIdPattern', () => {
  it.each(['na-20250301-0123456789abcdef', 'pa-20250301-0123456789abcdef'])('accepts %s', (id) => {
    expect(id).toMatch(requestIdPattern);
  });

  it.each([
    'xx-20250301-0123456789abcdef',
    'pa-2025031-0123456789abcdef',
    'pa-20250301-0123456789ABCDEF',
    'na-20250301-0123456789abcdef0',
    'acct-20250301-0123456789abcdef',
  ])('refuses %s', (id) => {
    expect(id).not.toMatch(requestIdPattern);
  });
});

describe('canViewRequest', () => {
  const request = accountRequest();
  const prd = { directorId: 'E100', designeeId: 'E101' };
  const view = (viewer: { id: string; departmentCode: string }, approverIds: string[] = []) =>
    canViewRequest({ request, approverIds, viewer, department: prd, roleHolders });

  it.each([
    ['the requester', { id: 'E102', departmentCode: 'PRD' }],
    ['a step’s approver', { id: 'E500', departmentCode: 'CMO' }],
    ['a step’s escalation designee', { id: 'E501', departmentCode: 'CMO' }],
    ['the department director', { id: 'E100', departmentCode: 'PRD' }],
    ['the department designee', { id: 'E101', departmentCode: 'PRD' }],
    ['a City-wide role holder', { id: 'E310', departmentCode: 'APD' }],
    ['a City-wide role designee', { id: 'E311', departmentCode: 'APD' }],
    ['anyone in DTI', { id: 'E401', departmentCode: 'DTI' }],
  ])('lets %s read the request', (_who, viewer) => {
    expect(view(viewer)).toBe(true);
  });

  it('lets anyone who was sent a link read the request', () => {
    expect(view({ id: 'E202', departmentCode: 'LIB' }, ['E202'])).toBe(true);
  });

  it('lets the person a posting-authority request is for read it, and no other colleague', () => {
    const forTom = postingAuthorityRequest({ requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' } });
    const viewPa = (viewer: { id: string; departmentCode: string }) =>
      canViewRequest({ request: forTom, approverIds: [], viewer, department: prd, roleHolders });
    expect(viewPa({ id: 'E103', departmentCode: 'PRD' })).toBe(true);
    expect(viewPa({ id: 'E202', departmentCode: 'LIB' })).toBe(false);
  });

  it('refuses a colleague who is neither requester, approver nor role holder', () => {
    expect(view({ id: 'E103', departmentCode: 'PRD' })).toBe(false);
    expect(view({ id: 'E202', departmentCode: 'LIB' })).toBe(false);
  });
});

describe('approvalExecutionInput', () => {
  it('starts the state machine at step 0 with the policy’s waits', () => {
    const input = approvalExecutionInput(accountRequest(), { decisionWaitSeconds: 600, remindersBeforeEscalation: 2 });
    expect(input).toEqual({
      requestId: accountRequest().requestId,
      stepCount: 2,
      maxReminders: 2,
      approval: { Payload: { requestId: accountRequest().requestId, step: 0, reminder: 0, escalated: false, waitSeconds: 600 } },
    });
  });
});
