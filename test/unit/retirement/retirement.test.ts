import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { html } from '#core/html';
import { accountItem } from '#adapters/registry-store';
import { assertAccountActive, retiredStatusLine } from '#retirement/active-account';
import {
  assertMayAskRetirement,
  deleteAfterFor,
  mayAskRetirement,
  parseRetirementForm,
  retiredIndexKeys,
  retirementRequest,
  retirementSteps,
  retirementWrites,
} from '#retirement/retirement';
import { account, accountId, department, grant, person, requestId as naRequestId, roleHolders } from '../fixtures.ts';

const raId = 'ra-20260312-00112233445566ff';
const poster = grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', sourceRequestId: 'pa-20250310-fedcba9876543210' });
const grants = [grant(), poster];
const prd = department('PRD');

describe('the retirement form', () => {
  it('takes a reason and what becomes of the content', () => {
    expect(
      parseRetirementForm({ submissionId: 'sub-12345678', reason: '  The pool program moved to the main account.  ', contentPlan: 'ARCHIVE_THEN_READ_ONLY' }),
    ).toEqual({
      submissionId: 'sub-12345678',
      reason: 'The pool program moved to the main account.',
      contentPlan: 'ARCHIVE_THEN_READ_ONLY',
    });
  });

  it('refuses a missing reason and an unknown content plan, one message per field', () => {
    let error: unknown;
    try {
      parseRetirementForm({ reason: 'short', contentPlan: 'DELETE_NOW' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields).toEqual({
      reason: 'say why the account is to be retired (at least 10 characters)',
      contentPlan: 'choose what becomes of its content: deleted or left read-only, after it is archived',
    });
  });
});

describe('who may ask to retire an account', () => {
  it('lets an active admin, the department director and the designee ask, and nobody else', () => {
    const may = (id: string) => mayAskRetirement({ requester: person(id), account: account(), grants, department: prd });
    expect(['E102', 'E100', 'E101'].map(may)).toEqual([true, true, true]);
    expect(may('E103')).toBe(false);
    // A revoked admin grant no longer counts.
    expect(mayAskRetirement({ requester: person('E102'), account: account(), grants: [grant({ status: 'REVOKED' })], department: prd })).toBe(false);
  });

  it('refuses anyone else with 403, naming the admins and the director', () => {
    expect(() => assertMayAskRetirement({ requester: person('E103'), account: account(), grants, department: prd, directorName: 'Dolores Baca' })).toThrow(
      new ForbiddenError(
        'Only an admin of Instagram @ABQParks (Ana Gallegos) or the director of Parks and Recreation (Dolores Baca) or their designee can ask to retire it. Ask one of them.',
      ),
    );
  });

  it('is decided by the department director, or by the designee when the director asks', () => {
    expect(retirementSteps({ requester: person('E102'), department: prd, roleHolders })).toEqual([
      expect.objectContaining({ role: 'DEPARTMENT_DIRECTOR', approverId: 'E100', escalateToId: 'E101', routedToDesignee: false }),
    ]);
    expect(retirementSteps({ requester: person('E100'), department: prd, roleHolders })).toEqual([
      expect.objectContaining({ approverId: 'E101', escalateToId: null, routedToDesignee: true }),
    ]);
  });

  it('stores the request about the account with an ra- id', () => {
    const request = retirementRequest({
      requester: person('E102'),
      account: account(),
      department: prd,
      form: { reason: 'The pool program moved to the main account.', contentPlan: 'ARCHIVE_THEN_DELETE' },
      steps: [],
      submissionId: 'sub-12345678',
      now: new Date('2026-03-12T16:00:00.000Z'),
    });
    expect(request).toMatchObject({ kind: 'RETIRE_ACCOUNT', status: 'PENDING', accountId, handle: '@ABQParks', contentPlan: 'ARCHIVE_THEN_DELETE' });
    expect(request.requestId).toMatch(/^ra-20260312-[0-9a-f]{16}$/);
  });
});

describe('the writes that retire an account', () => {
  const at = '2026-03-12T17:00:00.000Z';
  const writes = retirementWrites({ accountId, activeGrants: grants, at, reason: 'No longer in use', bySourceId: raId });

  it('keeps the credential 2555 days (policy.credentials.retainRetiredDays), then it is due for deletion', () => {
    expect(deleteAfterFor(at)).toBe('2033-03-10T17:00:00.000Z');
  });

  it('retires the account while active, revokes each grant while active, and retires the credential (created if missing)', () => {
    expect(writes).toEqual([
      {
        update: {
          key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' },
          set: {
            status: 'RETIRED',
            GSI1PK: 'ACCOUNTS#RETIRED',
            GSI2PK: 'ACCOUNTS_BY_DEPARTMENT#RETIRED',
            GSI3PK: 'ACCOUNTS_BY_HANDLE#RETIRED',
            retiredAt: at,
            retiredReason: 'No longer in use',
            retiredBySourceId: raId,
          },
          ifEquals: { status: 'ACTIVE' },
        },
      },
      {
        update: {
          key: { PK: `ACCOUNT#${accountId}`, SK: 'CREDENTIAL' },
          set: {
            entity: 'Credential',
            accountId,
            status: 'RETIRED',
            retiredAt: at,
            deleteAfter: '2033-03-10T17:00:00.000Z',
            retiredBySourceId: raId,
            updatedAt: at,
          },
        },
      },
      {
        update: {
          key: { PK: `ACCOUNT#${accountId}`, SK: `GRANT#E102#${naRequestId}` },
          set: { status: 'REVOKED', revokedAt: at, revokedReason: 'Account retired: No longer in use', revokedBySourceId: raId },
          ifEquals: { status: 'ACTIVE' },
        },
      },
      {
        update: {
          key: { PK: `ACCOUNT#${accountId}`, SK: 'GRANT#E103#pa-20250310-fedcba9876543210' },
          set: { status: 'REVOKED', revokedAt: at, revokedReason: 'Account retired: No longer in use', revokedBySourceId: raId },
          ifEquals: { status: 'ACTIVE' },
        },
      },
    ]);
  });

  it('moves the account to the same index partitions the registry files a retired account under', () => {
    const filed = accountItem(account({ status: 'RETIRED' }));
    expect(retiredIndexKeys).toEqual({ GSI1PK: filed.GSI1PK, GSI2PK: filed.GSI2PK, GSI3PK: filed.GSI3PK });
    // Only the partitions move with the status; the sort keys stay as they are.
    expect(accountItem(account()).GSI1SK).toBe(filed.GSI1SK);
  });
});

describe('a retired account', () => {
  const retired = { ...account({ status: 'RETIRED' }), retiredAt: '2026-03-12T17:00:00.000Z', retiredReason: 'No longer in use', retiredBySourceId: raId };

  it('refuses anything new with 409, saying when and by which request it was retired', () => {
    expect(() => assertAccountActive(retired, 'posting authority')).toThrow(
      new ConflictError(
        `Instagram @ABQParks was retired on Mar 12, 2026 by request ${raId} (No longer in use). A retired account takes no new posting authority; its records stay in the registry and in the records export.`,
      ),
    );
    expect(() => assertAccountActive(account(), 'posting authority')).not.toThrow();
  });

  it('names the annual review when the review retired it', () => {
    expect(() => assertAccountActive({ ...retired, retiredBySourceId: 'rev-2027-PRD' }, 'exceptions')).toThrow(
      /retired on Mar 12, 2026 by the 2027 annual review/,
    );
  });

  it('shows the day and a link to the request on the registry’s status line', () => {
    expect(retiredStatusLine(retired, html`<span>retired</span>`).toString()).toBe(
      `<span>retired</span> on Mar 12, 2026 through <a href="/requests/${raId}">${raId}</a>. Why: No longer in use`,
    );
  });
});
