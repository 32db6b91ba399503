import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '#core/errors';
import type { PeopleDirectory } from '#core/people-picker';
import type { Person } from '#core/policy';
import {
  assertMayAdministerDirectory,
  changeLines,
  departmentUpdate,
  mayAdministerDirectory,
  needingAttention,
  PostFormError,
  parsePostForm,
  type RecordedPerson,
  roleAssignment,
  roleRemoval,
  roleTitle,
  StaleDirectoryChangeError,
  sourceOf,
  vacancyConsequence,
  whenOf,
} from '#directory/admin';
import { department, people, person } from '../fixtures.ts';

const now = new Date('2026-12-01T16:30:00.000Z');
const separated: Person = { ...person('E202'), separatedOn: '2026-11-30' };

/** The demo directory as the picker sees it, Isabel Romero (E202) separated. */
const directory: PeopleDirectory = {
  personByEmail: async (email) => (email === separated.email ? separated : people.find((p) => p.email === email)),
  findPeople: async (q) =>
    people
      .filter((p) => p.id !== separated.id && p.name.toLowerCase().startsWith(q.toLowerCase()))
      .map((p) => ({ id: p.id, name: p.name, email: p.email, departmentName: p.departmentCode })),
};

/** What the form is refused with, field by field, or a failure if it is accepted. */
async function refused(kind: 'department' | 'role', body: Record<string, unknown>): Promise<PostFormError> {
  try {
    await parsePostForm(kind, body, directory);
  } catch (error) {
    if (error instanceof PostFormError) return error;
    throw error;
  }
  throw new Error('expected the form to be refused');
}

describe('who administers the directory', () => {
  it('lets the people of DTI, and nobody else', () => {
    expect(mayAdministerDirectory(person('E400'))).toBe(true);
    expect(mayAdministerDirectory(person('E401'))).toBe(true);
    for (const id of ['E100', 'E102', 'E500', 'E600', 'E310']) expect(mayAdministerDirectory(person(id)), id).toBe(false);
  });

  it('refuses anyone else with a 403 that names who may', () => {
    expect(() => assertMayAdministerDirectory(person('E401'))).not.toThrow();
    const refusal = (() => {
      try {
        assertMayAdministerDirectory(person('E500'));
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect((refusal as ForbiddenError).status).toBe(403);
    expect((refusal as ForbiddenError).message).toBe(
      'Only DTI (the Department of Technology and Innovation) administers the directory; Elena Martinez is not in DTI. Ask DTI to change a department’s director or designee, or who holds a City-wide role.',
    );
  });
});

describe('the director and designee form', () => {
  it('gives the two people it names, by email', async () => {
    const form = await parsePostForm('department', { director: 'tsandoval@cabq.example', designee: 'mchavez@cabq.example' }, directory);
    expect([form.first.id, form.second.id]).toEqual(['E103', 'E101']);
  });

  it('refuses empty fields, naming each', async () => {
    expect((await refused('department', {})).fields).toEqual({
      director: 'Enter the City email address or the name of the director',
      designee: 'Enter the City email address or the name of the designee',
    });
    expect((await refused('role', { holder: ' ', designee: '' })).fields).toEqual({
      holder: 'Enter the City email address or the name of the holder',
      designee: 'Enter the City email address or the name of the designee',
    });
  });

  it('refuses a separated person and the same person twice', async () => {
    expect((await refused('department', { director: 'tsandoval@cabq.example', designee: 'iromero@cabq.example' })).fields).toEqual({
      designee: 'Isabel Romero has separated from the City and cannot be chosen',
    });
    expect((await refused('department', { director: 'tsandoval@cabq.example', designee: 'tsandoval@cabq.example' })).fields).toEqual({
      designee: 'Tom Sandoval is the director already: the designee must be someone other than the director',
    });
    expect((await refused('role', { holder: 'pherrera@cabq.example', designee: 'pherrera@cabq.example' })).fields).toEqual({
      designee: 'Paul Herrera is the holder already: the designee must be someone other than the holder',
    });
  });

  it('refuses a separated person however they were found (a record HR marked SEPARATED)', async () => {
    const hrSeparated: RecordedPerson = { ...person('E103'), hrStatus: 'SEPARATED' };
    const hr: PeopleDirectory = { ...directory, personByEmail: async (email) => (email === hrSeparated.email ? hrSeparated : directory.personByEmail(email)) };
    await expect(parsePostForm('department', { director: 'tsandoval@cabq.example', designee: 'mchavez@cabq.example' }, hr)).rejects.toMatchObject({
      fields: { director: 'Tom Sandoval has separated from the City and cannot be chosen' },
    });
  });

  it('offers the matches for a name, and says when nobody matches', async () => {
    const error = await refused('department', { director: 'Tom', designee: 'Nobody Here' });
    expect(error.fields).toEqual({
      director: 'Choose who you mean',
      designee: 'No one in the directory matches “Nobody Here”: check the spelling, or type their City email address',
    });
    expect(error.choices.director?.map((p) => p.id)).toEqual(['E103']);
    expect(error.values).toEqual({ director: 'Tom', designee: 'Nobody Here' });
    // The radio choice wins over the text.
    const chosen = await parsePostForm('department', { director: 'Tom', directorPick: 'tsandoval@cabq.example', designee: 'mchavez@cabq.example' }, directory);
    expect(chosen.first.id).toBe('E103');
  });
});

describe('the events a form makes', () => {
  const form = { first: person('E103'), second: person('E101') };

  it('makes a Department Updated with the name as it is, effective now, sequence 0', () => {
    expect(departmentUpdate(department('PRD'), form, now)).toEqual({
      type: 'Department Updated',
      detail: { code: 'PRD', name: 'Parks and Recreation', directorId: 'E103', designeeId: 'E101', effectiveAt: '2026-12-01T16:30:00.000Z', sequence: 0 },
    });
  });

  it('makes nothing when the form names the people already in the post', () => {
    expect(departmentUpdate(department('PRD'), { first: person('E100'), second: person('E101') }, now)).toBeUndefined();
    expect(
      roleAssignment(
        'COMMUNICATIONS_DIRECTOR',
        { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
        { first: person('E500'), second: person('E501') },
        now,
      ),
    ).toBeUndefined();
  });

  it('makes a Role Assigned, and a Role Removed only for a role someone holds', () => {
    expect(
      roleAssignment(
        'COMMUNICATIONS_COORDINATOR',
        { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E502', designeeId: 'E500' },
        { first: person('E501'), second: person('E500') },
        now,
      ),
    ).toEqual({
      type: 'Role Assigned',
      detail: { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E501', designeeId: 'E500', effectiveAt: '2026-12-01T16:30:00.000Z', sequence: 0 },
    });
    expect(roleRemoval('CITY_CLERK_CONTACT', { role: 'CITY_CLERK_CONTACT', holderId: 'E600', designeeId: 'E601' }, now)).toEqual({
      type: 'Role Removed',
      detail: { role: 'CITY_CLERK_CONTACT', effectiveAt: '2026-12-01T16:30:00.000Z', sequence: 0 },
    });
    expect(() => roleRemoval('CITY_CLERK_CONTACT', { role: 'CITY_CLERK_CONTACT', vacantSince: '2026-11-01T00:00:00Z' }, now)).toThrow(
      new ConflictError('Nobody holds the City Clerk’s records contact role now; there is nothing to remove.'),
    );
  });

  it('says a newer change is recorded, and where it came from, when the applier finds the event stale', () => {
    const error = new StaleDirectoryChangeError('Parks and Recreation', {
      provenance: { source: 'HR', effectiveAt: '2026-12-02T16:00:00.000Z', receivedAt: '2026-12-01T16:00:00.000Z' },
    });
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      'A newer change to Parks and Recreation is recorded (from HR’s feed, effective Dec 2, 2026, 9:00:00 AM MST). Nothing was changed: check the current values below and make your change again if it is still needed.',
    );
  });
});

describe('what the pages say of the directory', () => {
  it('says where values came from: DTI and who, HR’s feed, or the demo seeder', () => {
    const at = { effectiveAt: '2026-12-01T16:30:00.000Z', receivedAt: '2026-12-01T16:30:01.000Z' };
    expect(sourceOf({ version: 'v', provenance: { source: 'DTI', by: { id: 'E400', name: 'Samuel Ortiz' }, ...at } })).toBe('DTI (Samuel Ortiz)');
    expect(sourceOf({ version: 'v', provenance: { source: 'HR', ...at } })).toBe('HR’s feed');
    expect(sourceOf({})).toBe('seeded (demo data)');
    expect(whenOf({})).toBe('not recorded');
    expect(whenOf({ provenance: { source: 'HR', ...at } })).toBe('effective Dec 1, 2026, 9:30:00 AM MST, received Dec 1, 2026, 9:30:01 AM MST');
  });

  it('reads a change line by line, with the names of the people it names', () => {
    const names = new Map([['E103', person('E103')]]);
    expect(
      changeLines(
        {
          type: 'Department Updated',
          detail: { code: 'PRD', name: 'Parks and Recreation', directorId: 'E103', designeeId: 'E999', effectiveAt: now.toISOString(), sequence: 0 },
        },
        names,
      ),
    ).toEqual(['Name: Parks and Recreation', 'Director: Tom Sandoval (E103)', 'Designee: E999 (not in the directory)']);
    expect(changeLines({ type: 'Role Removed', detail: { role: 'CITY_CLERK_CONTACT', effectiveAt: now.toISOString(), sequence: 0 } }, names)).toEqual([
      'Nobody holds the role',
    ]);
  });

  it('flags the departments and roles someone cannot act for, those nobody can act for first', () => {
    const directoryPeople = new Map<string, RecordedPerson>(people.map((p) => [p.id, p]));
    directoryPeople.set('E100', { ...person('E100'), separatedOn: '2026-11-30' });
    const found = needingAttention({
      departments: [department('PRD'), department('LIB'), { ...department('APD'), designeeId: 'E999' }],
      roles: [
        { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' },
        { role: 'CITY_CLERK_CONTACT', vacantSince: '2026-11-01T17:00:00.000Z' },
      ],
      people: directoryPeople,
    });
    expect(found).toEqual([
      {
        kind: 'role',
        id: 'CITY_CLERK_CONTACT',
        name: 'City Clerk’s records contact',
        href: '/directory/roles/CITY_CLERK_CONTACT',
        problems: ['vacant since Nov 1, 2026, 10:00:00 AM MST: nobody holds the role'],
        nobody: true,
      },
      {
        kind: 'department',
        id: 'PRD',
        name: 'Parks and Recreation',
        href: '/directory/departments/PRD',
        problems: ['the director, Dolores Baca, has separated from the City (2026-11-30)'],
        nobody: false,
      },
      {
        kind: 'department',
        id: 'APD',
        name: 'Albuquerque Police Department',
        href: '/directory/departments/APD',
        problems: ['the designee (E999) is not in the directory'],
        nobody: false,
      },
    ]);
  });

  it('names each role by the policy’s title, and says what leaving it vacant means', () => {
    expect(roleTitle('COMMUNICATIONS_COORDINATOR')).toBe('Communications Coordinator');
    expect(vacancyConsequence('COMMUNICATIONS_COORDINATOR')).toBe(
      'Until someone is assigned, the Communications Director decides the approvals that need the Communications Coordinator in its place, and DTI is told.',
    );
    expect(vacancyConsequence('COMMUNICATIONS_DIRECTOR')).toBe(
      'Until someone is assigned, nobody can decide the approvals that need the Communications Director: DTI is told of each one.',
    );
    expect(vacancyConsequence('CITY_CLERK_CONTACT')).toBe(
      'The City Clerk’s records contact decides no approvals; until someone is assigned, nobody has the role’s access (DTI keeps its own).',
    );
  });
});
