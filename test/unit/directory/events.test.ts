import { describe, expect, it } from 'vitest';
import { directoryDetailTypes, entityOf, parseDirectoryDetail, prerequisites, versionOf } from '../../../functions/directory/events.ts';

const employee = {
  employeeId: 'E901',
  name: 'Ana Gallegos',
  email: 'AGallegos@cabq.example',
  departmentCode: 'PRD',
  title: 'Outreach Coordinator',
  supervisorId: 'E101',
  status: 'ACTIVE',
  effectiveAt: '2026-12-01T09:30:00-07:00',
  sequence: 4,
};

describe('directory event schemas', () => {
  it('reads an Employee Updated snapshot with every field', () => {
    expect(parseDirectoryDetail(directoryDetailTypes.employee, employee)).toEqual({ type: 'Employee Updated', detail: employee });
  });

  it('names every missing field of an Employee Updated', () => {
    expect(() => parseDirectoryDetail(directoryDetailTypes.employee, { employeeId: 'E901' })).toThrow(
      'The "Employee Updated" event\'s detail is invalid: name: name is required; email: email must be an email address; departmentCode: departmentCode is required; status: status is one of: ACTIVE, SEPARATED; effectiveAt: effectiveAt is required (an ISO 8601 date and time with its offset); sequence: sequence is required (a whole number, the sender’s counter for this entity)',
    );
  });

  it.each([
    [{ effectiveAt: '2026-12-01T09:30:00' }, 'effectiveAt: effectiveAt must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:30:00-07:00'],
    [{ effectiveAt: '2026-13-45T09:30:00Z' }, 'effectiveAt: effectiveAt is not a real date and time'],
    [{ sequence: 1.5 }, 'sequence: sequence must be a whole number'],
    [{ sequence: -1 }, 'sequence: sequence must be 0 or more'],
    [{ supervisorId: 'E901' }, 'supervisorId: an employee is not their own supervisor'],
    [{ separationDate: '2026-12-31' }, 'separationDate: separationDate is only for status SEPARATED'],
    [{ status: 'SEPARATED', separationDate: '2026-02-30' }, 'separationDate: separationDate is not a calendar date'],
    [{ nickname: 'Ana' }, 'Unrecognized key: "nickname"'],
  ])('refuses %j: %s', (change, message) => {
    expect(() => parseDirectoryDetail(directoryDetailTypes.employee, { ...employee, ...change })).toThrow(message);
  });

  it('reads the department and role events, and refuses a designee who is the director or holder', () => {
    const ordering = { effectiveAt: '2026-12-01T16:30:00Z', sequence: 0 };
    expect(
      parseDirectoryDetail('Department Updated', { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101', ...ordering }).type,
    ).toBe('Department Updated');
    expect(parseDirectoryDetail('Role Assigned', { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501', ...ordering }).type).toBe(
      'Role Assigned',
    );
    expect(parseDirectoryDetail('Role Removed', { role: 'CITY_CLERK_CONTACT', ...ordering }).type).toBe('Role Removed');
    expect(() => parseDirectoryDetail('Department Updated', { code: 'PRD', name: 'Parks', directorId: 'E100', designeeId: 'E100', ...ordering })).toThrow(
      'designeeId: the designee must be someone other than the director',
    );
    expect(() => parseDirectoryDetail('Role Assigned', { role: 'MAYOR', holderId: 'E500', designeeId: 'E501', ...ordering })).toThrow(
      'role: role is one of: COMMUNICATIONS_DIRECTOR, APD_DIRECTOR_OF_COMMUNICATIONS, COMMUNICATIONS_COORDINATOR, CITY_CLERK_CONTACT',
    );
  });
});

describe('ordering', () => {
  it('orders by the instant in UTC, then by sequence, as strings compare', () => {
    const v = (effectiveAt: string, sequence: number) => versionOf({ effectiveAt, sequence });
    expect(v('2026-12-01T09:30:00-07:00', 4)).toBe('2026-12-01T16:30:00.000Z#0000000000000004');
    // The same instant written with another offset is the same version.
    expect(v('2026-12-01T16:30:00Z', 4)).toBe(v('2026-12-01T09:30:00-07:00', 4));
    const sorted = [v('2026-12-01T16:30:00Z', 10), v('2026-12-01T16:29:59.999Z', 99), v('2026-12-01T16:30:00Z', 9)].sort();
    expect(sorted).toEqual([
      '2026-12-01T16:29:59.999Z#0000000000000099',
      '2026-12-01T16:30:00.000Z#0000000000000009',
      '2026-12-01T16:30:00.000Z#0000000000000010',
    ]);
  });

  it('says which entity an event is about and what it waits for', () => {
    const ordering = { effectiveAt: '2026-12-01T16:30:00Z', sequence: 0 };
    const person = parseDirectoryDetail('Employee Updated', employee);
    expect(entityOf(person)).toEqual({ kind: 'PERSON', id: 'E901' });
    expect(prerequisites(person)).toEqual([{ kind: 'DEPT', id: 'PRD' }]);
    const dept = parseDirectoryDetail('Department Updated', { code: 'ZOO', name: 'Zoo', directorId: 'E1', designeeId: 'E2', ...ordering });
    expect([entityOf(dept), prerequisites(dept)]).toEqual([{ kind: 'DEPT', id: 'ZOO' }, []]);
    const role = parseDirectoryDetail('Role Assigned', { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E1', designeeId: 'E2', ...ordering });
    expect(prerequisites(role)).toEqual([
      { kind: 'PERSON', id: 'E1' },
      { kind: 'PERSON', id: 'E2' },
    ]);
  });
});
