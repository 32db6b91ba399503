import type { Department, Person, RoleHolder } from '#core/policy';
import {
  type DepartmentUpdated,
  departmentUpdatedSchema,
  directoryDetailTypes,
  type EmployeeUpdated,
  employeeUpdatedSchema,
  issuesOf,
  type RoleAssigned,
  roleAssignedSchema,
} from '#directory/events';

/**
 * The bulk import of the directory (issue 13): three CSV files, as HR and DTI export them, checked
 * row by row with the directory events' own schemas, compared with the directory as it stands, and
 * turned into the same events HR sends (events.ts). The files' parsing and the sending are the
 * caller's (the `npm run directory` CLI, infra/local/directory-import.ts): this module only reads
 * records that were already split into cells, so it needs no CSV library and no AWS.
 */
export const importFiles = ['people', 'departments', 'roles'] as const;
export type ImportFile = (typeof importFiles)[number];

/** Each file's columns: all of them in the header row, in any order (a value may be empty where its schema allows). */
export const importColumns = {
  people: ['employeeId', 'name', 'email', 'departmentCode', 'title', 'supervisorId', 'status'],
  departments: ['code', 'name', 'directorId', 'designeeId'],
  roles: ['role', 'holderId', 'designeeId'],
} as const satisfies Record<ImportFile, readonly string[]>;

/** One record as the parser read it: the line it starts on (1-based, the header is line 1) and its cells. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** One file as the parser read it: its name in messages, its records (the header first), and where it stopped being CSV (line 0: it could not be read). */
export interface CsvTable {
  name: string;
  records: CsvRecord[];
  unreadable?: { line: number; message: string };
}

/** A person as the directory holds them: HR's status is kept beside the date offboarding marks. */
export type DirectoryPerson = Person & { hrStatus?: string };

export interface CurrentDirectory {
  people: DirectoryPerson[];
  departments: Department[];
  roles: RoleHolder[];
}

interface Row<T> {
  line: number;
  detail: T;
}

export interface ImportRows {
  people: Row<EmployeeUpdated>[];
  departments: Row<DepartmentUpdated>[];
  roles: Row<RoleAssigned>[];
}

export type ImportValidation = { ok: true; rows: ImportRows } | { ok: false; errors: string[] };

/** Every problem, by file (in the order given) and line; a line's problems read as one message. */
class Problems {
  private readonly byFile = new Map<string, Map<number, string[]>>();
  constructor(files: string[]) {
    for (const f of files) this.byFile.set(f, new Map());
  }
  add(file: string, line: number, message: string) {
    const lines = this.byFile.get(file) ?? new Map<number, string[]>();
    this.byFile.set(file, lines);
    lines.set(line, [...(lines.get(line) ?? []), message]);
  }
  list(): string[] {
    return [...this.byFile].flatMap(([file, lines]) =>
      [...lines].sort(([a], [b]) => a - b).map(([line, messages]) => `${file}${line > 0 ? ` line ${line}` : ''}: ${messages.join('; ')}`),
    );
  }
}

export const isSeparated = (p: DirectoryPerson) => Boolean(p.separatedOn) || p.hrStatus === 'SEPARATED';

/** The header row's columns by position, or undefined (with the problem recorded) when it is not exactly the documented set. */
function columnsOf(table: CsvTable, expected: readonly string[], problems: Problems): Map<string, number> | undefined {
  const header = table.records[0];
  const wanted = `${expected.join(',')} (any order)`;
  if (!header) {
    problems.add(table.name, 0, `the file is empty; its first line must be the header row: ${wanted}`);
    return undefined;
  }
  const cells = header.cells;
  const unknown = cells.filter((c) => !expected.includes(c));
  const missing = expected.filter((c) => !cells.includes(c));
  const twice = [...new Set(cells.filter((c, i) => cells.indexOf(c) !== i))];
  if (unknown.length === cells.length) {
    problems.add(table.name, header.line, `the header row is missing (this line has none of the columns); the first line must be: ${wanted}`);
    return undefined;
  }
  const wrong = [
    ...(unknown.length ? [`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}`] : []),
    ...(missing.length ? [`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`] : []),
    ...twice.map((c) => `column ${c} appears twice`),
  ];
  if (wrong.length) {
    problems.add(table.name, header.line, `${wrong.join('; ')}; the header row must be: ${wanted}`);
    return undefined;
  }
  return new Map(cells.map((c, i) => [c, i]));
}

/** The data records as column → value, an empty cell left out (the schema then says "is required" where it is). */
function recordsOf(table: CsvTable, columns: Map<string, number>, problems: Problems): { line: number; values: Record<string, string> }[] {
  return table.records.slice(1).flatMap((record) => {
    if (record.cells.length !== columns.size) {
      problems.add(table.name, record.line, `has ${record.cells.length} field${record.cells.length === 1 ? '' : 's'}, the header has ${columns.size}`);
      return [];
    }
    const values: Record<string, string> = {};
    for (const [column, i] of columns) {
      const cell = record.cells[i] ?? '';
      if (cell !== '') values[column] = cell;
    }
    return [{ line: record.line, values }];
  });
}

/**
 * Checks the three files as a whole: each row through its event's schema, then across the files
 * and the directory (a person's department, a supervisor, director, designee or role holder must
 * be in the files or the directory; no id, email or role twice). Every bad line is listed.
 */
export function validateImport(
  tables: Record<ImportFile, CsvTable>,
  current: CurrentDirectory,
  ordering: { effectiveAt: string; sequence: number },
): ImportValidation {
  const problems = new Problems(importFiles.map((f) => tables[f].name));
  const parsed = {} as Record<ImportFile, { line: number; values: Record<string, string> }[]>;
  for (const file of importFiles) {
    const table = tables[file];
    const columns = table.unreadable && table.records.length === 0 ? undefined : columnsOf(table, importColumns[file], problems);
    parsed[file] = columns ? recordsOf(table, columns, problems) : [];
    const unreadable = table.unreadable;
    // Line 0: the file itself could not be read.
    if (unreadable)
      problems.add(table.name, unreadable.line, unreadable.line > 0 ? `is not valid CSV from here on (${unreadable.message})` : unreadable.message);
  }
  const schemas = { people: employeeUpdatedSchema, departments: departmentUpdatedSchema, roles: roleAssignedSchema } as const;
  const rows: ImportRows = { people: [], departments: [], roles: [] };
  for (const file of importFiles) {
    for (const { line, values } of parsed[file]) {
      const detail = file === 'people' ? { ...values, status: values.status?.toUpperCase() ?? 'ACTIVE', ...ordering } : { ...values, ...ordering };
      const result = schemas[file].safeParse(detail);
      if (result.success) (rows[file] as Row<unknown>[]).push({ line, detail: result.data });
      else problems.add(tables[file].name, line, issuesOf(result.error));
    }
  }

  // Known from the files' cells, valid or not: a person whose own row is wrong is reported once, on their line.
  const listedPeople = new Set(parsed.people.map((r) => r.values.employeeId).filter(Boolean));
  const listedDepartments = new Set(parsed.departments.map((r) => r.values.code).filter(Boolean));
  const directoryPeople = new Set(current.people.map((p) => p.id));
  const directoryDepartments = new Set(current.departments.map((d) => d.code));
  const personKnown = (id: string) => listedPeople.has(id) || directoryPeople.has(id);
  const unknownPerson = (field: string, id: string) => `${field}: ${id} is neither in ${tables.people.name} nor in the directory`;
  const duplicates = <T>(file: ImportFile, list: Row<T>[], field: string, keyOf: (d: T) => string) => {
    const seen = new Map<string, number>();
    for (const { line, detail } of list) {
      const key = keyOf(detail);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, line);
      else problems.add(tables[file].name, line, `${field}: ${key} is already on line ${first}`);
    }
  };
  duplicates('people', rows.people, 'employeeId', (d) => d.employeeId);
  duplicates('people', rows.people, 'email', (d) => d.email.toLowerCase());
  duplicates('departments', rows.departments, 'code', (d) => d.code);
  duplicates('roles', rows.roles, 'role', (d) => d.role);
  for (const { line, detail } of rows.people) {
    if (!listedDepartments.has(detail.departmentCode) && !directoryDepartments.has(detail.departmentCode)) {
      problems.add(tables.people.name, line, `departmentCode: ${detail.departmentCode} is neither in ${tables.departments.name} nor in the directory`);
    }
    if (detail.supervisorId && !personKnown(detail.supervisorId)) problems.add(tables.people.name, line, unknownPerson('supervisorId', detail.supervisorId));
  }
  for (const { line, detail } of rows.departments) {
    for (const field of ['directorId', 'designeeId'] as const)
      if (!personKnown(detail[field])) problems.add(tables.departments.name, line, unknownPerson(field, detail[field]));
  }
  for (const { line, detail } of rows.roles) {
    for (const field of ['holderId', 'designeeId'] as const)
      if (!personKnown(detail[field])) problems.add(tables.roles.name, line, unknownPerson(field, detail[field]));
  }
  const errors = problems.list();
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

export type ChangeStatus = 'added' | 'updated' | 'unchanged';
export interface FieldChange {
  field: string;
  from: string | undefined;
  to: string | undefined;
}
export interface EntityChange<T> {
  status: ChangeStatus;
  line: number;
  detail: T;
  changes: FieldChange[];
}
export interface Separation {
  person: DirectoryPerson;
  reason: 'missing' | 'marked';
  line?: number;
}

export interface ImportDiff {
  departments: EntityChange<DepartmentUpdated>[];
  people: EntityChange<EmployeeUpdated>[];
  roles: EntityChange<RoleAssigned>[];
  separated: Separation[];
  /** In the directory, not in the files: left as they are. */
  leftAsIs: { departments: Department[]; roles: RoleHolder[] };
  /** Rows that change nothing although they differ: someone separated listed ACTIVE (no re-hire), someone unknown marked SEPARATED. */
  notes: string[];
  /** The directory's people not separated before the import: the guard's base. */
  activePeople: number;
  peopleFile: string;
}

/** The fields that differ, of the fields the files carry (an empty value is none: a title removed is a change). */
function changesOf(pairs: [string, string | undefined, string | undefined][]): FieldChange[] {
  return pairs.filter(([, from, to]) => (from ?? '') !== (to ?? '')).map(([field, from, to]) => ({ field, from, to }));
}

function entityChange<T>(line: number, detail: T, stored: unknown, changes: () => FieldChange[]): EntityChange<T> {
  if (!stored) return { status: 'added', line, detail, changes: [] };
  const found = changes();
  return { status: found.length ? 'updated' : 'unchanged', line, detail, changes: found };
}

/**
 * What the files change in the directory. People: added, updated, unchanged, and separated — those
 * in the directory (not separated already) missing from the people file or marked SEPARATED in it.
 * Departments and roles the files leave out are left as they are.
 */
export function diffDirectory(rows: ImportRows, current: CurrentDirectory, peopleFile = 'people.csv'): ImportDiff {
  const people = new Map(current.people.map((p) => [p.id, p]));
  const departments = new Map(current.departments.map((d) => [d.code, d]));
  const roles = new Map(current.roles.map((r) => [r.role, r]));
  const notes: string[] = [];
  const separated: Separation[] = [];
  const peopleChanges: EntityChange<EmployeeUpdated>[] = [];
  for (const { line, detail } of rows.people) {
    const stored = people.get(detail.employeeId);
    if (stored && isSeparated(stored)) {
      if (detail.status === 'ACTIVE') {
        notes.push(
          `${detail.employeeId} ${stored.name} has separated${stored.separatedOn ? ` (${stored.separatedOn})` : ''} but is ACTIVE in ${peopleFile} line ${line}: the import does not re-hire, nothing is sent for them`,
        );
      }
      peopleChanges.push({ status: 'unchanged', line, detail, changes: [] });
    } else if (detail.status === 'SEPARATED') {
      if (stored) separated.push({ person: stored, reason: 'marked', line });
      else {
        notes.push(
          `${detail.employeeId} ${detail.name} is marked SEPARATED in ${peopleFile} line ${line} and is not in the directory: nothing is sent for them`,
        );
        peopleChanges.push({ status: 'unchanged', line, detail, changes: [] });
      }
    } else {
      peopleChanges.push(
        entityChange(line, detail, stored, () =>
          changesOf([
            ['name', stored?.name, detail.name],
            ['email', stored?.email.toLowerCase(), detail.email.toLowerCase()],
            ['departmentCode', stored?.departmentCode, detail.departmentCode],
            ['title', stored?.title, detail.title],
            ['supervisorId', stored?.supervisorId, detail.supervisorId],
          ]),
        ),
      );
    }
  }
  const listed = new Set(rows.people.map((r) => r.detail.employeeId));
  for (const person of current.people) if (!listed.has(person.id) && !isSeparated(person)) separated.push({ person, reason: 'missing' });

  const departmentChanges = rows.departments.map(({ line, detail }) => {
    const stored = departments.get(detail.code);
    return entityChange(line, detail, stored, () =>
      changesOf([
        ['name', stored?.name, detail.name],
        ['directorId', stored?.directorId, detail.directorId],
        ['designeeId', stored?.designeeId, detail.designeeId],
      ]),
    );
  });
  const roleChanges = rows.roles.map(({ line, detail }) => {
    const stored = roles.get(detail.role);
    return entityChange(line, detail, stored, () =>
      changesOf([
        ['holderId', stored?.holderId, detail.holderId],
        ['designeeId', stored?.designeeId, detail.designeeId],
      ]),
    );
  });
  const inFiles = { departments: new Set(rows.departments.map((r) => r.detail.code)), roles: new Set<string>(rows.roles.map((r) => r.detail.role)) };
  return {
    departments: departmentChanges,
    people: peopleChanges,
    roles: roleChanges,
    separated,
    leftAsIs: {
      departments: current.departments.filter((d) => !inFiles.departments.has(d.code)),
      roles: current.roles.filter((r) => !inFiles.roles.has(r.role)),
    },
    notes,
    activePeople: current.people.filter((p) => !isSeparated(p)).length,
    peopleFile,
  };
}

const percent = (x: number) => `${Number((x * 100).toFixed(1))}%`;

/**
 * The truncated-file guard: an import may separate at most `maxShare` of the directory's active
 * people. Past that, it stops before sending anything unless forced.
 */
export function separationGuard(diff: ImportDiff, maxShare: number): { refused: false } | { refused: true; message: string } {
  const count = diff.separated.length;
  if (count === 0 || count <= maxShare * diff.activePeople) return { refused: false };
  return {
    refused: true,
    message: `This import would separate ${count} of the directory's ${diff.activePeople} active people (${percent(count / diff.activePeople)}); the limit is ${percent(maxShare)} (policy.directory.maxSeparatedShare ${maxShare}), at most ${Math.floor(maxShare * diff.activePeople)} ${Math.floor(maxShare * diff.activePeople) === 1 ? 'person' : 'people'}. Nothing was sent. Check that ${diff.peopleFile} is complete (everyone it leaves out is separated and offboarded), or run the import again with --force.`,
  };
}

/** An event to send: its detail type and detail, and how the import's output names it. */
export interface PlannedEvent {
  detailType: string;
  detail: Record<string, unknown>;
  label: string;
}

const changed = <T>(list: EntityChange<T>[]) => list.filter((c) => c.status !== 'unchanged');

/**
 * The events that make the change, in the order that lets each apply at once: departments (a
 * person needs theirs), then people, then roles (a role needs its holder and designee), then the
 * separations. Nothing for what is unchanged, so the same files again send nothing.
 */
export function plannedEvents(diff: ImportDiff, separationDate: string): PlannedEvent[] {
  return [
    ...changed(diff.departments).map((c) => ({ detailType: directoryDetailTypes.department, detail: c.detail, label: `department ${c.detail.code}` })),
    ...changed(diff.people).map((c) => ({ detailType: directoryDetailTypes.employee, detail: c.detail, label: `person ${c.detail.employeeId}` })),
    ...changed(diff.roles).map((c) => ({ detailType: directoryDetailTypes.roleAssigned, detail: c.detail, label: `role ${c.detail.role}` })),
    ...diff.separated.map((s) => ({
      detailType: 'Employee Separated',
      detail: { employeeId: s.person.id, separationDate },
      label: `separation of ${s.person.id}`,
    })),
  ];
}

const counts = <T>(list: EntityChange<T>[]) => {
  const n = (s: ChangeStatus) => list.filter((c) => c.status === s).length;
  return `${n('added')} added, ${n('updated')} updated, ${n('unchanged')} unchanged`;
};

/** The counts, one line a kind of entity. */
export function summaryLines(diff: ImportDiff): string[] {
  return [
    `departments: ${counts(diff.departments)}, ${diff.leftAsIs.departments.length} not in the file (left unchanged)`,
    `people:      ${counts(diff.people)}, ${diff.separated.length} separated (of ${diff.activePeople} active)`,
    `roles:       ${counts(diff.roles)}, ${diff.leftAsIs.roles.length} not in the file (left unchanged)`,
  ];
}

const shownField: Record<string, string> = {
  directorId: 'director',
  designeeId: 'designee',
  holderId: 'holder',
  supervisorId: 'supervisor',
  departmentCode: 'department',
};
const quoted = new Set(['name', 'title']);
const shown = (field: string, value: string | undefined) => (value === undefined || value === '' ? '(none)' : quoted.has(field) ? `"${value}"` : value);
const changeText = (changes: FieldChange[]) =>
  changes.map((c) => `${shownField[c.field] ?? c.field} ${shown(c.field, c.from)} → ${shown(c.field, c.to)}`).join(', ');

/** One line for each thing the import changes or leaves out, then the notes. */
export function changeLines(diff: ImportDiff): string[] {
  const lines: string[] = [];
  for (const c of changed(diff.departments)) {
    const d = c.detail;
    lines.push(
      c.status === 'added'
        ? `+ department ${d.code} ${d.name} (director ${d.directorId}, designee ${d.designeeId})`
        : `~ department ${d.code}: ${changeText(c.changes)}`,
    );
  }
  for (const d of diff.leftAsIs.departments) lines.push(`= department ${d.code} ${d.name}: not in the file, left unchanged`);
  for (const c of changed(diff.people)) {
    const p = c.detail;
    lines.push(
      c.status === 'added' ? `+ person ${p.employeeId} ${p.name} (${p.departmentCode})` : `~ person ${p.employeeId} ${p.name}: ${changeText(c.changes)}`,
    );
  }
  for (const c of changed(diff.roles)) {
    const r = c.detail;
    lines.push(c.status === 'added' ? `+ role ${r.role}: holder ${r.holderId}, designee ${r.designeeId}` : `~ role ${r.role}: ${changeText(c.changes)}`);
  }
  for (const r of diff.leftAsIs.roles) lines.push(`= role ${r.role}: not in the file, left unchanged`);
  for (const s of diff.separated) {
    const why = s.reason === 'missing' ? `missing from ${diff.peopleFile}` : `marked SEPARATED in ${diff.peopleFile} line ${s.line}`;
    lines.push(`- separate ${s.person.id} ${s.person.name} (${why})`);
  }
  for (const n of diff.notes) lines.push(`! ${n}`);
  return lines;
}
