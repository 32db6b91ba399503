import { describe, expect, it } from 'vitest';
import {
  type CsvTable,
  type CurrentDirectory,
  changeLines,
  diffDirectory,
  type ImportFile,
  type ImportRows,
  plannedEvents,
  separationGuard,
  summaryLines,
  validateImport,
} from '#directory/import';

/** The directory import's rules (functions/directory/import.ts): rows, files, the diff, the guard, the events' order. */

const at = { effectiveAt: '2026-12-01T09:30:00.000Z', sequence: 0 };

/** A file as the CSV parser hands it over: one record a line, the header on line 1. */
const table = (name: string, lines: string[][]): CsvTable => ({ name, records: lines.map((cells, i) => ({ line: i + 1, cells })) });

const peopleHeader = ['employeeId', 'name', 'email', 'departmentCode', 'title', 'supervisorId', 'status'];
const departmentsHeader = ['code', 'name', 'directorId', 'designeeId'];
const rolesHeader = ['role', 'holderId', 'designeeId'];

const current: CurrentDirectory = {
  people: [
    { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example', departmentCode: 'PRD', title: 'Director' },
    { id: 'E101', name: 'Marcus Chavez', email: 'mchavez@cabq.example', departmentCode: 'PRD', title: 'Deputy Director', supervisorId: 'E100' },
    { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example', departmentCode: 'PRD', title: 'Marketing Coordinator', supervisorId: 'E101' },
    { id: 'E345', name: 'Sam Ortiz', email: 'sortiz@cabq.example', departmentCode: 'PRD' },
    { id: 'E346', name: 'Rita Vigil', email: 'rvigil@cabq.example', departmentCode: 'PRD' },
    { id: 'E350', name: 'Old Timer', email: 'otimer@cabq.example', departmentCode: 'PRD', separatedOn: '2025-06-30' },
  ],
  departments: [
    { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101' },
    { code: 'LIB', name: 'Library', directorId: 'E100', designeeId: 'E102' },
  ],
  roles: [
    { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E100', designeeId: 'E101' },
    { role: 'CITY_CLERK_CONTACT', holderId: 'E101', designeeId: 'E102' },
  ],
};

function files(people: string[][], departments: string[][] = [departmentsHeader], roles: string[][] = [rolesHeader]): Record<ImportFile, CsvTable> {
  return { people: table('people.csv', [peopleHeader, ...people]), departments: table('departments.csv', departments), roles: table('roles.csv', roles) };
}

function rowsOf(tables: Record<ImportFile, CsvTable>): ImportRows {
  const result = validateImport(tables, current, at);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.rows;
}

const unchangedPeople = [
  ['E100', 'Dolores Baca', 'dbaca@cabq.example', 'PRD', 'Director', '', ''],
  ['E101', 'Marcus Chavez', 'MChavez@cabq.example', 'PRD', 'Deputy Director', 'E100', 'ACTIVE'],
  ['E102', 'Ana Gallegos', 'agallegos@cabq.example', 'PRD', 'Marketing Coordinator', 'E101', ''],
  ['E345', 'Sam Ortiz', 'sortiz@cabq.example', 'PRD', '', '', ''],
  ['E346', 'Rita Vigil', 'rvigil@cabq.example', 'PRD', '', '', ''],
];

describe('validateImport: each row through its event schema', () => {
  it('lists every bad line with its file, its 1-based line (the header is line 1) and each field wrong', () => {
    const result = validateImport(
      files([
        ['E100', 'Dolores Baca', 'dbaca@cabq.example', 'PRD', 'Director', '', ''],
        ['E901', 'Ana Two', 'not-an-email', 'PRD', '', '', ''],
        ['E902', '', 'e902@cabq.example', 'prd', '', '', 'RETIRED'],
        ['E903', 'Self Supervised', 'e903@cabq.example', 'PRD', '', 'E903', ''],
      ]),
      current,
      at,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'people.csv line 3: email: email must be an email address',
        'people.csv line 4: name: name is required; departmentCode: departmentCode is 2–8 capital letters; status: status is one of: ACTIVE, SEPARATED',
        'people.csv line 5: supervisorId: an employee is not their own supervisor',
      ],
    });
  });

  it('checks departments and roles with their schemas too, and reads an empty status as ACTIVE', () => {
    const result = validateImport(
      files(
        [['E901', 'New Person', 'new@cabq.example', 'PRD', '', '', '']],
        [departmentsHeader, ['SWD', 'Solid Waste', 'E100', 'E100'], ['X', 'Too Short', 'E100', 'E101']],
        [rolesHeader, ['MAYOR', 'E100', 'E101'], ['COMMUNICATIONS_DIRECTOR', 'E100', '']],
      ),
      current,
      at,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      'departments.csv line 2: designeeId: the designee must be someone other than the director',
      'departments.csv line 3: code: code is 2–8 capital letters',
      'roles.csv line 2: role: role is one of: COMMUNICATIONS_DIRECTOR, APD_DIRECTOR_OF_COMMUNICATIONS, COMMUNICATIONS_COORDINATOR, CITY_CLERK_CONTACT',
      'roles.csv line 3: designeeId: designeeId is required',
    ]);
    const ok = validateImport(files([['E901', 'New Person', 'new@cabq.example', 'PRD', '', '', '']]), current, at);
    expect(ok.ok && ok.rows.people[0]).toEqual({
      line: 2,
      detail: { employeeId: 'E901', name: 'New Person', email: 'new@cabq.example', departmentCode: 'PRD', status: 'ACTIVE', ...at },
    });
  });

  it('refuses a row with more or fewer fields than the header', () => {
    const result = validateImport(files([['E901', 'New Person', 'new@cabq.example', 'PRD', '', ''], unchangedPeople[0] as string[]]), current, at);
    expect(!result.ok && result.errors).toEqual(['people.csv line 2: has 6 fields, the header has 7']);
  });
});

describe('validateImport: the header row', () => {
  it('names the file and the unknown and missing columns', () => {
    const tables = files([]);
    tables.people = table('people.csv', [['employeeId', 'name', 'mail', 'departmentCode', 'title', 'supervisorId', 'status', 'badge']]);
    const result = validateImport(tables, current, at);
    expect(!result.ok && result.errors).toEqual([
      'people.csv line 1: unknown columns "mail", "badge"; missing column email; the header row must be: employeeId,name,email,departmentCode,title,supervisorId,status (any order)',
    ]);
  });

  it('takes the columns in any order', () => {
    const tables = files([]);
    tables.roles = table('roles.csv', [
      ['designeeId', 'role', 'holderId'],
      ['E101', 'COMMUNICATIONS_COORDINATOR', 'E102'],
    ]);
    const result = validateImport(tables, current, at);
    expect(result.ok && result.rows.roles).toEqual([{ line: 2, detail: { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E102', designeeId: 'E101', ...at } }]);
  });

  it('says when the header row is missing, and when a file is empty', () => {
    const tables = files([]);
    tables.departments = table('departments.csv', [['PRD', 'Parks and Recreation', 'E100', 'E101']]);
    tables.roles = table('roles.csv', []);
    const result = validateImport(tables, current, at);
    expect(!result.ok && result.errors).toEqual([
      'departments.csv line 1: the header row is missing (this line has none of the columns); the first line must be: code,name,directorId,designeeId (any order)',
      'roles.csv: the file is empty; its first line must be the header row: role,holderId,designeeId (any order)',
    ]);
  });

  it('reports where a file stops being CSV, and still checks the lines before it', () => {
    const tables = files([['E901', 'New Person', 'bad', 'PRD', '', '', '']]);
    tables.people.unreadable = { line: 3, message: 'Quote Not Closed' };
    const result = validateImport(tables, current, at);
    expect(!result.ok && result.errors).toEqual([
      'people.csv line 2: email: email must be an email address',
      'people.csv line 3: is not valid CSV from here on (Quote Not Closed)',
    ]);
  });
});

describe('validateImport: across the files and the directory', () => {
  it('refuses duplicate ids, emails and roles, naming the first line', () => {
    const result = validateImport(
      files(
        [
          ['E901', 'New Person', 'new@cabq.example', 'PRD', '', '', ''],
          ['E901', 'New Again', 'again@cabq.example', 'PRD', '', '', ''],
          ['E902', 'Other', 'NEW@cabq.example', 'PRD', '', '', ''],
        ],
        [departmentsHeader, ['PRD', 'Parks', 'E100', 'E101'], ['PRD', 'Parks', 'E100', 'E101']],
        [rolesHeader, ['COMMUNICATIONS_DIRECTOR', 'E100', 'E101'], ['COMMUNICATIONS_DIRECTOR', 'E101', 'E100']],
      ),
      current,
      at,
    );
    expect(!result.ok && result.errors).toEqual([
      'people.csv line 3: employeeId: E901 is already on line 2',
      'people.csv line 4: email: new@cabq.example is already on line 2',
      'departments.csv line 3: code: PRD is already on line 2',
      'roles.csv line 3: role: COMMUNICATIONS_DIRECTOR is already on line 2',
    ]);
  });

  it('needs each department and person named to be in the files or the directory', () => {
    const result = validateImport(
      files(
        [
          ['E901', 'New Person', 'new@cabq.example', 'SWD', '', 'E777', ''],
          ['E902', 'Newer Person', 'newer@cabq.example', 'ZZZ', '', 'E901', ''],
        ],
        [departmentsHeader, ['SWD', 'Solid Waste', 'E901', 'E888']],
        [rolesHeader, ['COMMUNICATIONS_COORDINATOR', 'E999', 'E100']],
      ),
      current,
      at,
    );
    expect(!result.ok && result.errors).toEqual([
      'people.csv line 2: supervisorId: E777 is neither in people.csv nor in the directory',
      'people.csv line 3: departmentCode: ZZZ is neither in departments.csv nor in the directory',
      'departments.csv line 2: designeeId: E888 is neither in people.csv nor in the directory',
      'roles.csv line 2: holderId: E999 is neither in people.csv nor in the directory',
    ]);
  });

  it('counts a person whose own row is wrong as listed, so only their row is reported', () => {
    const result = validateImport(
      files([['E901', 'New Person', 'oops', 'PRD', '', '', '']], [departmentsHeader, ['SWD', 'Solid Waste', 'E901', 'E100']]),
      current,
      at,
    );
    expect(!result.ok && result.errors).toEqual(['people.csv line 2: email: email must be an email address']);
  });
});

describe('diffDirectory', () => {
  it('finds added, updated, unchanged and separated, comparing only the fields the files carry', () => {
    const rows = rowsOf(
      files(
        [
          ['E100', 'Dolores Baca', 'dbaca@cabq.example', 'PRD', 'Director', '', ''],
          ['E101', 'Marcus Chavez', 'MChavez@cabq.example', 'LIB', 'Deputy Director', 'E100', ''],
          ['E102', 'Ana Gallegos', 'agallegos@cabq.example', 'PRD', '', 'E101', ''],
          ['E346', 'Rita Vigil', 'rvigil@cabq.example', 'PRD', '', '', 'SEPARATED'],
          ['E901', 'Ana Gallegos', 'agallegos2@cabq.example', 'PRD', '', 'E100', ''],
        ],
        [departmentsHeader, ['PRD', 'Parks and Recreation', 'E102', 'E101'], ['SWD', 'Solid Waste', 'E901', 'E100']],
        [rolesHeader, ['COMMUNICATIONS_DIRECTOR', 'E100', 'E101'], ['COMMUNICATIONS_COORDINATOR', 'E102', 'E101']],
      ),
    );
    const diff = diffDirectory(rows, current);
    expect(diff.people.map((c) => [c.detail.employeeId, c.status, c.changes])).toEqual([
      ['E100', 'unchanged', []],
      ['E101', 'updated', [{ field: 'departmentCode', from: 'PRD', to: 'LIB' }]],
      ['E102', 'updated', [{ field: 'title', from: 'Marketing Coordinator', to: undefined }]],
      ['E901', 'added', []],
    ]);
    expect(diff.separated.map((s) => [s.person.id, s.reason, s.line])).toEqual([
      ['E346', 'marked', 5],
      ['E345', 'missing', undefined],
    ]);
    expect(diff.departments.map((c) => [c.detail.code, c.status])).toEqual([
      ['PRD', 'updated'],
      ['SWD', 'added'],
    ]);
    expect(diff.roles.map((c) => [c.detail.role, c.status])).toEqual([
      ['COMMUNICATIONS_DIRECTOR', 'unchanged'],
      ['COMMUNICATIONS_COORDINATOR', 'added'],
    ]);
    expect(diff.activePeople).toBe(5);
    expect(summaryLines(diff)).toEqual([
      'departments: 1 added, 1 updated, 0 unchanged, 1 not in the file (left unchanged)',
      'people:      1 added, 2 updated, 1 unchanged, 2 separated (of 5 active)',
      'roles:       1 added, 0 updated, 1 unchanged, 1 not in the file (left unchanged)',
    ]);
    expect(changeLines(diff)).toEqual([
      '~ department PRD: director E100 → E102',
      '+ department SWD Solid Waste (director E901, designee E100)',
      '= department LIB Library: not in the file, left unchanged',
      '~ person E101 Marcus Chavez: department PRD → LIB',
      '~ person E102 Ana Gallegos: title "Marketing Coordinator" → (none)',
      '+ person E901 Ana Gallegos (PRD)',
      '+ role COMMUNICATIONS_COORDINATOR: holder E102, designee E101',
      '= role CITY_CLERK_CONTACT: not in the file, left unchanged',
      '- separate E346 Rita Vigil (marked SEPARATED in people.csv line 5)',
      '- separate E345 Sam Ortiz (missing from people.csv)',
    ]);
  });

  it('finds nothing to change when the files match the directory, whatever the email case', () => {
    const diff = diffDirectory(rowsOf(files(unchangedPeople)), current);
    expect([...diff.people, ...diff.departments, ...diff.roles].filter((c) => c.status !== 'unchanged')).toEqual([]);
    expect(diff.separated).toEqual([]);
    expect(plannedEvents(diff, '2026-12-01')).toEqual([]);
  });

  it('neither re-hires a separated person listed ACTIVE nor adds one marked SEPARATED, and says so', () => {
    const diff = diffDirectory(
      rowsOf(
        files([
          ...unchangedPeople,
          ['E350', 'Old Timer', 'otimer@cabq.example', 'LIB', '', '', ''],
          ['E999', 'Never Here', 'never@cabq.example', 'PRD', '', '', 'SEPARATED'],
        ]),
      ),
      current,
    );
    expect(diff.people.filter((c) => c.status !== 'unchanged')).toEqual([]);
    expect(diff.separated).toEqual([]);
    expect(diff.notes).toEqual([
      'E350 Old Timer has separated (2025-06-30) but is ACTIVE in people.csv line 7: the import does not re-hire, nothing is sent for them',
      'E999 Never Here is marked SEPARATED in people.csv line 8 and is not in the directory: nothing is sent for them',
    ]);
  });

  it('treats a role nobody holds now as added when the file assigns it', () => {
    const diff = diffDirectory(rowsOf(files(unchangedPeople, [departmentsHeader], [rolesHeader, ['CITY_CLERK_CONTACT', 'E102', 'E101']])), {
      ...current,
      roles: [],
    });
    expect(diff.roles.map((c) => [c.detail.role, c.status])).toEqual([['CITY_CLERK_CONTACT', 'added']]);
  });
});

describe('separationGuard', () => {
  const withSeparated = (n: number, active: number) => ({
    ...diffDirectory(rowsOf(files(unchangedPeople)), current),
    activePeople: active,
    separated: Array(n).fill({}),
  });

  it('lets through up to the share of active people, and nothing to separate', () => {
    expect(separationGuard(withSeparated(5, 100), 0.05)).toEqual({ refused: false });
    expect(separationGuard(withSeparated(0, 0), 0.05)).toEqual({ refused: false });
  });

  it('refuses past it, naming the count, the share and the limit', () => {
    expect(separationGuard(withSeparated(6, 100), 0.05)).toEqual({
      refused: true,
      message:
        "This import would separate 6 of the directory's 100 active people (6%); the limit is 5% (policy.directory.maxSeparatedShare 0.05), at most 5 people. Nothing was sent. Check that people.csv is complete (everyone it leaves out is separated and offboarded), or run the import again with --force.",
    });
  });

  it('refuses a file that leaves out most of the directory', () => {
    const diff = diffDirectory(rowsOf(files([unchangedPeople[0] as string[]])), current);
    expect(diff.separated.length).toBe(4);
    expect(separationGuard(diff, 0.05).refused).toBe(true);
  });
});

describe('plannedEvents', () => {
  it('sends departments, then people, then roles, then separations, each as its directory event at the import time', () => {
    const rows = rowsOf(
      files(
        [['E901', 'New Person', 'new@cabq.example', 'SWD', '', '', ''], ...unchangedPeople.filter((p) => p[0] !== 'E345')],
        [departmentsHeader, ['SWD', 'Solid Waste', 'E901', 'E100'], ['PRD', 'Parks and Recreation', 'E100', 'E101']],
        [rolesHeader, ['COMMUNICATIONS_COORDINATOR', 'E901', 'E100']],
      ),
    );
    const events = plannedEvents(diffDirectory(rows, current), '2026-12-01');
    expect(events).toEqual([
      {
        detailType: 'Department Updated',
        label: 'department SWD',
        detail: { code: 'SWD', name: 'Solid Waste', directorId: 'E901', designeeId: 'E100', ...at },
      },
      {
        detailType: 'Employee Updated',
        label: 'person E901',
        detail: { employeeId: 'E901', name: 'New Person', email: 'new@cabq.example', departmentCode: 'SWD', status: 'ACTIVE', ...at },
      },
      {
        detailType: 'Role Assigned',
        label: 'role COMMUNICATIONS_COORDINATOR',
        detail: { role: 'COMMUNICATIONS_COORDINATOR', holderId: 'E901', designeeId: 'E100', ...at },
      },
      { detailType: 'Employee Separated', label: 'separation of E345', detail: { employeeId: 'E345', separationDate: '2026-12-01' } },
    ]);
  });
});
