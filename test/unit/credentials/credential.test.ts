import { describe, expect, it } from 'vitest';
import {
  captureCaseId,
  captureCaseIdPattern,
  type CredentialRecord,
  credentialHealth,
  mayManageCredential,
  mayViewCredential,
} from '../../../functions/credentials/credential.ts';
import { parseAdminChange, parseChangeForm, parseLoginForm, parseViewReason } from '../../../functions/credentials/forms.ts';

const roles = [
  { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E502', designeeId: 'E500' },
  { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
];
const grant = (personId: string, role = 'ADMIN', status = 'ACTIVE', receivesCredential = true) => ({ personId, role, status, receivesCredential });
const confirmed = (confirmedAt: string, extra: Partial<CredentialRecord> = {}): CredentialRecord => ({
  accountId: 'acct-1',
  status: 'CONFIRMED',
  currentVersionId: 'v1',
  confirmedAt,
  login: { username: 'u', recoveryContact: 'r', twoFactor: true, twoFactorHolder: 'the Parks phone' },
  updatedAt: confirmedAt,
  ...extra,
});
const people = new Map<string, { separatedOn?: string }>([
  ['E1', {}],
  ['E2', {}],
  ['E3', { separatedOn: '2026-11-01' }],
]);
const health = (credential: CredentialRecord | undefined, grants = [grant('E1'), grant('E2')]) =>
  credentialHealth({ credential, grants, people, now: '2026-12-01T12:00:00.000Z', maxAgeDays: 365, minPeopleWithAccess: 2 });

describe('who may see and change a credential', () => {
  it('lets DTI and the Coordinator (holder and designee) view, nobody else, and nobody separated', () => {
    expect(mayViewCredential({ id: 'E400', departmentCode: 'DTI' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(true);
    expect(mayViewCredential({ id: 'E502', departmentCode: 'CMO' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(true);
    expect(mayViewCredential({ id: 'E500', departmentCode: 'CMO' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(true);
    // The Communications Director's designee holds no viewing role.
    expect(mayViewCredential({ id: 'E501', departmentCode: 'CMO' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(false);
    expect(mayViewCredential({ id: 'E102', departmentCode: 'PRD' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(false);
    expect(mayViewCredential({ id: 'E400', departmentCode: 'DTI', separatedOn: '2026-11-30' }, roles, ['COMMUNICATIONS_COORDINATOR'])).toBe(false);
  });

  it('lets the account’s current admins and its director or designee record and change it, not a poster or a former admin', () => {
    const grants = [grant('E102'), grant('E104', 'POSTER'), grant('E105', 'ADMIN', 'REVOKED')];
    const department = { directorId: 'E100', designeeId: 'E101' };
    expect(['E102', 'E100', 'E101'].map((id) => mayManageCredential({ id }, grants, department))).toEqual([true, true, true]);
    expect(['E104', 'E105', 'E400'].map((id) => mayManageCredential({ id }, grants, department))).toEqual([false, false, false]);
    expect(mayManageCredential({ id: 'E102', separatedOn: '2026-11-30' }, grants, department)).toBe(false);
  });
});

describe('O.c: can the City act on the account at once', () => {
  it('passes a confirmed, current credential held by two current employees', () => {
    expect(health(confirmed('2026-06-01T12:00:00.000Z'))).toEqual({
      onFile: true,
      confirmed: true,
      ageDays: 183,
      twoFactor: 'on, held by the Parks phone',
      peopleWithAccess: 2,
      problems: [],
    });
  });

  it('fails a credential not on file, or recorded and not confirmed (never reported confirmed)', () => {
    expect(health(undefined).problems).toEqual(['No credential is on file with DTI (O.b).']);
    const recorded = health({ accountId: 'acct-1', status: 'RECORDED', pendingVersionId: 'v1', updatedAt: '2026-12-01T00:00:00.000Z' });
    expect(recorded.confirmed).toBe(false);
    expect(recorded.problems).toEqual(['A login is recorded but nobody has confirmed it works yet.']);
  });

  it('fails a password older than allowed, and too few current employees (a separated one does not count)', () => {
    const h = health(confirmed('2025-11-30T12:00:00.000Z'), [grant('E1'), grant('E3'), grant('E2', 'POSTER', 'ACTIVE', false)]);
    expect(h.ageDays).toBe(366);
    expect(h.peopleWithAccess).toBe(1);
    expect(h.problems).toEqual([
      'The password is 366 days old, over the 365 days allowed.',
      'Only 1 current City employee can sign in; at least 2 must (O.c).',
    ]);
  });

  it('fails two-factor on with nobody named as holding it', () => {
    const h = health(confirmed('2026-11-01T12:00:00.000Z', { login: { username: 'u', recoveryContact: 'r', twoFactor: true } }));
    expect(h.twoFactor).toBe('on, held by someone not named');
    expect(h.problems).toEqual(['Two-factor sign-in is on but nobody is named as holding the second factor.']);
  });

  it('reports nothing to fix on a retired account', () => {
    expect(health(confirmed('2020-01-01T00:00:00.000Z', { status: 'RETIRED' })).problems).toEqual([]);
  });
});

describe('the credential page’s forms', () => {
  const login = {
    username: ' parks@cabq.gov ',
    password: 'correct horse',
    passwordAgain: 'correct horse',
    recoveryContact: '505-555-0100',
    twoFactor: 'yes',
    twoFactorHolder: 'Ana',
  };

  it('parses a whole login, trimmed, and never keeps the holder when two-factor is off', () => {
    expect(parseLoginForm(login)).toEqual({
      ok: true,
      password: 'correct horse',
      login: { username: 'parks@cabq.gov', recoveryContact: '505-555-0100', twoFactor: true, twoFactorHolder: 'Ana' },
    });
    expect(parseLoginForm({ ...login, twoFactor: 'no' })).toEqual({
      ok: true,
      password: 'correct horse',
      login: { username: 'parks@cabq.gov', recoveryContact: '505-555-0100', twoFactor: false },
    });
  });

  it('names each field to fix and never repeats the password', () => {
    const parsed = parseLoginForm({ ...login, passwordAgain: 'correct horsf', twoFactorHolder: '', username: '' });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        username: 'enter the username or email address the account signs in with',
        passwordAgain: 'the two passwords do not match',
        twoFactorHolder: 'name who holds the second factor (a person, a shared phone or mailbox)',
      },
    });
    expect(JSON.stringify(parsed)).not.toContain('correct horse');
  });

  it('parses a change: generated, or their own typed twice', () => {
    expect(parseChangeForm({ mode: 'generate' })).toEqual({ ok: true, mode: 'generate' });
    expect(parseChangeForm({ mode: 'own', password: 'a-new-password', passwordAgain: 'a-new-password' })).toEqual({
      ok: true,
      mode: 'own',
      password: 'a-new-password',
    });
    expect(parseChangeForm({ mode: 'own', password: 'short', passwordAgain: 'short' })).toEqual({
      ok: false,
      errors: { password: 'enter the password (at least 8 characters)' },
    });
    expect(parseChangeForm({})).toEqual({ ok: false, errors: { mode: 'choose: generate a new password, or record one you set on the platform' } });
  });

  it('asks a reason of at least 10 characters for a view, and a direction for an admin change', () => {
    expect(parseViewReason({ reason: '  records request 42  ' })).toEqual({ ok: true, reason: 'records request 42' });
    expect(parseViewReason({})).toEqual({
      ok: false,
      errors: { reason: 'say why you need to see the login (at least 10 characters); it is recorded and the admins are told' },
    });
    expect(parseAdminChange({ change: 'ADDED', person: 'E102' })).toEqual({ ok: true, change: 'ADDED' });
    expect(parseAdminChange({ change: 'MAYBE', person: 'E102' })).toEqual({
      ok: false,
      errors: { change: 'say whether someone was added or removed as an admin on the platform' },
    });
  });

  it('names a capture case after its account, as an execution name can be', () => {
    expect(captureCaseId('acct-20261202-0123456789abcdef')).toBe('cap-20261202-0123456789abcdef');
    expect(captureCaseIdPattern.test(captureCaseId('acct-20261202-0123456789abcdef'))).toBe(true);
    expect(captureCaseIdPattern.test('cap-../x')).toBe(false);
  });
});
