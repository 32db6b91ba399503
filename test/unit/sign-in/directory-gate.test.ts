import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotInDirectoryError } from '#core/errors';
import type { Person } from '#core/policy';
import { DirectoryEmptyError, type DirectoryLookup, decideSignIn, firstAdminEmails, isFirstAdmin, refusalError, signInVerdict } from '#sign-in/directory-gate';
import { person } from '../fixtures.ts';

const ana = person('E102');
const separated: Person = { ...ana, separatedOn: '2026-12-01' };
const stranger = 'nobody@cabq.example';

describe('signInVerdict', () => {
  it('lets in a directory person who has not separated', () => {
    expect(signInVerdict({ person: ana, email: ana.email, firstAdmin: false, directoryEmpty: false })).toEqual({ outcome: 'allowed', person: ana });
  });

  it('refuses a separated person, naming the date', () => {
    expect(signInVerdict({ person: separated, email: ana.email, firstAdmin: false, directoryEmpty: false })).toEqual({
      outcome: 'refused',
      reason: 'separated',
      message: 'Ana Gallegos separated from the City on 2026-12-01 and can no longer use this service.',
    });
  });

  it('refuses an email the directory does not know, and says to ask DTI', () => {
    expect(signInVerdict({ person: undefined, email: stranger, firstAdmin: false, directoryEmpty: false })).toEqual({
      outcome: 'refused',
      reason: 'notInDirectory',
      message: 'nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.',
    });
  });

  it('lets a first administrator in while the directory is empty (the setup page)', () => {
    expect(signInVerdict({ person: undefined, email: 'dti.admin@cabq.example', firstAdmin: true, directoryEmpty: true })).toEqual({
      outcome: 'firstAdmin',
      email: 'dti.admin@cabq.example',
    });
  });

  it('gives first-administrator status no weight once the directory has people', () => {
    expect(signInVerdict({ person: undefined, email: 'dti.admin@cabq.example', firstAdmin: true, directoryEmpty: false })).toMatchObject({
      outcome: 'refused',
      reason: 'notInDirectory',
    });
    // A first administrator who is in the directory is just that person, and separated is separated.
    expect(signInVerdict({ person: ana, email: ana.email, firstAdmin: true, directoryEmpty: false })).toEqual({ outcome: 'allowed', person: ana });
    expect(signInVerdict({ person: separated, email: ana.email, firstAdmin: true, directoryEmpty: false })).toMatchObject({ reason: 'separated' });
  });

  it('refuses anyone else while the directory is empty', () => {
    expect(signInVerdict({ person: undefined, email: stranger, firstAdmin: false, directoryEmpty: true })).toMatchObject({
      outcome: 'refused',
      reason: 'notInDirectory',
    });
  });
});

describe('first administrators', () => {
  it('reads FIRST_ADMIN_EMAILS as a comma-separated list, trimmed and lower-cased', () => {
    expect(firstAdminEmails(' A.Admin@CABQ.gov, b@cabq.gov ,,')).toEqual(['a.admin@cabq.gov', 'b@cabq.gov']);
    expect(firstAdminEmails(undefined)).toEqual([]);
    expect(firstAdminEmails('')).toEqual([]);
  });

  it('matches an email whatever its case', () => {
    expect(isFirstAdmin('A.Admin@Cabq.Gov ', ['a.admin@cabq.gov'])).toBe(true);
    expect(isFirstAdmin('a.admin@cabq.gov.evil', ['a.admin@cabq.gov'])).toBe(false);
    expect(isFirstAdmin('a.admin@cabq.gov', [])).toBe(false);
  });
});

describe('decideSignIn', () => {
  function directory(known: Person[], hasPeople: boolean) {
    const calls: string[] = [];
    const lookup: DirectoryLookup = {
      personByEmail: async (email) => {
        calls.push(`personByEmail ${email}`);
        return known.find((p) => p.email === email);
      },
      hasPeople: async () => {
        calls.push('hasPeople');
        return hasPeople;
      },
    };
    return { lookup, calls };
  }

  it('asks whether the directory is empty only for a first administrator it does not know', async () => {
    const known = directory([ana], true);
    expect((await decideSignIn(known.lookup, ana.email, true)).outcome).toBe('allowed');
    expect((await decideSignIn(known.lookup, stranger, false)).outcome).toBe('refused');
    expect(known.calls).toEqual([`personByEmail ${ana.email}`, `personByEmail ${stranger}`]);

    const empty = directory([], false);
    expect(await decideSignIn(empty.lookup, 'dti.admin@cabq.example', true)).toEqual({ outcome: 'firstAdmin', email: 'dti.admin@cabq.example' });
    expect(empty.calls).toEqual(['personByEmail dti.admin@cabq.example', 'hasPeople']);
  });

  it('refuses a first administrator it does not know once the directory has people', async () => {
    expect((await decideSignIn(directory([ana], true).lookup, 'dti.admin@cabq.example', true)).outcome).toBe('refused');
  });
});

describe('refusals as errors', () => {
  it('is NotInDirectoryError (401, no sign-in loop) or ForbiddenError (403), with the verdict\u2019s words', () => {
    const notIn = refusalError({ reason: 'notInDirectory', message: 'm1' });
    expect(notIn).toBeInstanceOf(NotInDirectoryError);
    expect(notIn.status).toBe(401);
    expect(notIn.message).toBe('m1');
    const gone = refusalError({ reason: 'separated', message: 'm2' });
    expect(gone).toBeInstanceOf(ForbiddenError);
    expect(gone.status).toBe(403);
  });

  it('the empty directory is a 503 that names the import command and the go-live checklist', () => {
    const error = new DirectoryEmptyError('dti.admin@cabq.example');
    expect(error.status).toBe(503);
    expect(error.name).toBe('DirectoryEmptyError');
    expect(error.message).toBe(
      'The directory is empty: nobody can use social media governance until DTI imports it (npm run directory -- import people.csv departments.csv roles.csv --target aws --stack <name>; see the README\u2019s go-live checklist).',
    );
  });
});
