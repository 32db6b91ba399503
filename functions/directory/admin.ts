import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { formatWhen } from '#core/html';
import { type PeopleDirectory, type PersonFieldSpec, type PersonSummary, resolvePersonFields } from '#core/people-picker';
import { chainRoles, type Department, type DirectoryRole, directoryRoleTitle, directoryRoles, type Person, policy } from '#core/policy';
import type { DirectoryChange, Provenance } from '#directory/apply';
import { type DirectoryEvent, directoryDetailTypes, parseDirectoryDetail } from '#directory/events';

/**
 * DTI's administration of the directory (issue 13): who may, the forms that name a department's
 * director and designee or a City-wide role's holder and designee, the directory events they make
 * (the same events HR sends, so every change goes one way: directory/apply.ts), and how a stored
 * entity, its provenance and its history read. No AWS here: handlers/manage-directory.ts reads the
 * table and applies the events.
 */

// Who ---------------------------------------------------------------------------------------------

/** DTI administers the directory: exactly the people of the DTI department (as for the platforms list, O.a). */
export const mayAdministerDirectory = (person: Pick<Person, 'departmentCode'>) => person.departmentCode === 'DTI';

/** Refuses (403) anyone but DTI, before anything is read or shown. */
export function assertMayAdministerDirectory(person: Pick<Person, 'name' | 'departmentCode'>): void {
  if (mayAdministerDirectory(person)) return;
  throw new ForbiddenError(
    `Only DTI (the Department of Technology and Innovation) administers the directory; ${person.name} is not in DTI. Ask DTI to change a department’s director or designee, or who holds a City-wide role.`,
  );
}

// What is stored ----------------------------------------------------------------------------------

/** A directory entity as stored: its values, and (unless the demo seeder wrote it) its version and provenance. */
export type Recorded<T> = T & { version?: string; provenance?: Provenance };

/** A person as HR's feed stores them: `hrStatus` from the last Employee Updated. */
export type RecordedPerson = Recorded<Person & { hrStatus?: 'ACTIVE' | 'SEPARATED' }>;

/** A City-wide role as stored: held (holder and designee) or vacant since a Role Removed. */
export type RoleRecord = Recorded<{ role: DirectoryRole; holderId?: string; designeeId?: string; vacantSince?: string }>;

export const isDirectoryRole = (role: string): role is DirectoryRole => (directoryRoles as readonly string[]).includes(role);

/** A City-wide role's title (the records contact decides nothing, so its title is not among policy.roles). */
export const roleTitle = (role: DirectoryRole) => directoryRoleTitle(role);

export const isSeparated = (p: Pick<RecordedPerson, 'separatedOn' | 'hrStatus'>) => Boolean(p.separatedOn) || p.hrStatus === 'SEPARATED';

/** Where an entity's values came from: HR's feed, DTI (and who), or the demo seeder (neither version nor provenance). */
export function sourceOf(entity: { version?: string; provenance?: Provenance }): string {
  const p = entity.provenance;
  if (!p) return entity.version ? 'not recorded' : 'seeded (demo data)';
  return p.source === 'DTI' ? `DTI (${p.by?.name ?? 'an administrator'})` : 'HR’s feed';
}

/** When they came: the sender's effective time and when the directory received it. */
export function whenOf(entity: { provenance?: Provenance }): string {
  const p = entity.provenance;
  return p ? `effective ${formatWhen(p.effectiveAt)}, received ${formatWhen(p.receivedAt)}` : 'not recorded';
}

/** "Dolores Baca (E100)", or the id and that nobody by it is in the directory. */
export const personLabel = (id: string, people: ReadonlyMap<string, Person>) => {
  const p = people.get(id);
  return p ? `${p.name} (${id})` : `${id} (not in the directory)`;
};

/** One change of an entity's history, line by line (names from `people`, as far as they were read). */
export function changeLines(change: Pick<DirectoryChange, 'type' | 'detail'>, people: ReadonlyMap<string, Person>): string[] {
  const d = change.detail as Record<string, unknown>;
  const id = (k: string) => personLabel(String(d[k]), people);
  switch (change.type) {
    case directoryDetailTypes.department:
      return [`Name: ${String(d.name)}`, `Director: ${id('directorId')}`, `Designee: ${id('designeeId')}`];
    case directoryDetailTypes.roleAssigned:
      return [`Holder: ${id('holderId')}`, `Designee: ${id('designeeId')}`];
    case directoryDetailTypes.roleRemoved:
      return ['Nobody holds the role'];
    default:
      return [
        `Name: ${String(d.name)}`,
        `Email: ${String(d.email)}`,
        `Department: ${String(d.departmentCode)}`,
        `Title: ${typeof d.title === 'string' ? d.title : '(none)'}`,
        `Supervisor: ${typeof d.supervisorId === 'string' ? id('supervisorId') : '(none)'}`,
        `Status: ${String(d.status)}${typeof d.separationDate === 'string' ? `, separated on ${d.separationDate}` : ''}`,
      ];
  }
}

/** Every person a history names, so one read resolves their names. */
export function idsNamedIn(changes: readonly Pick<DirectoryChange, 'detail'>[]): string[] {
  const keys = ['directorId', 'designeeId', 'holderId', 'supervisorId'];
  return [...new Set(changes.flatMap((c) => keys.map((k) => (c.detail as Record<string, unknown>)[k]).filter((v): v is string => typeof v === 'string')))];
}

/** The posts a person holds: director or designee of a department, holder or designee of a role. */
export function postsOf(personId: string, departments: readonly Department[], roles: readonly RoleRecord[]): string[] {
  return [
    ...departments.flatMap((d) => [
      ...(d.directorId === personId ? [`Director, ${d.name}`] : []),
      ...(d.designeeId === personId ? [`Designee of the director, ${d.name}`] : []),
    ]),
    ...roles.flatMap((r) => [
      ...(r.holderId === personId ? [roleTitle(r.role)] : []),
      ...(r.designeeId === personId ? [`Designee of the ${roleTitle(r.role)}`] : []),
    ]),
  ];
}

// Who can act -------------------------------------------------------------------------------------

/** A department or role whose post someone cannot fill: flagged first on the overview. */
export interface Attention {
  kind: 'department' | 'role';
  id: string;
  name: string;
  href: string;
  problems: string[];
  /** Nobody at all can act for it (both people, or the role is vacant). */
  nobody: boolean;
}

export const departmentHref = (code: string) => `/directory/departments/${encodeURIComponent(code)}`;
export const roleHref = (role: string) => `/directory/roles/${encodeURIComponent(role)}`;
export const personHref = (id: string) => `/directory/people/${encodeURIComponent(id)}`;

/** Why `id` cannot act in the post `as`, or undefined if they can. */
function cannotAct(id: string | undefined, as: string, people: ReadonlyMap<string, RecordedPerson>): string | undefined {
  if (!id) return `no ${as}`;
  const p = people.get(id);
  if (!p) return `the ${as} (${id}) is not in the directory`;
  if (isSeparated(p)) return `the ${as}, ${p.name}, has separated from the City${p.separatedOn ? ` (${p.separatedOn})` : ''}`;
  return undefined;
}

/** The departments and roles someone cannot act for, those nobody can act for first. */
export function needingAttention(input: {
  departments: readonly Department[];
  roles: readonly RoleRecord[];
  people: ReadonlyMap<string, RecordedPerson>;
}): Attention[] {
  const { people } = input;
  const found: Attention[] = [];
  for (const d of input.departments) {
    const problems = [cannotAct(d.directorId, 'director', people), cannotAct(d.designeeId, 'designee', people)].filter((p): p is string => Boolean(p));
    if (problems.length) found.push({ kind: 'department', id: d.code, name: d.name, href: departmentHref(d.code), problems, nobody: problems.length === 2 });
  }
  for (const r of input.roles) {
    const vacant = !r.holderId;
    const problems = vacant
      ? [`vacant${r.vacantSince ? ` since ${formatWhen(r.vacantSince)}` : ''}: nobody holds the role`]
      : [cannotAct(r.holderId, 'holder', people), cannotAct(r.designeeId, 'designee', people)].filter((p): p is string => Boolean(p));
    if (problems.length)
      found.push({ kind: 'role', id: r.role, name: roleTitle(r.role), href: roleHref(r.role), problems, nobody: vacant || problems.length === 2 });
  }
  return found.sort((a, b) => Number(b.nobody) - Number(a.nobody));
}

// The forms ---------------------------------------------------------------------------------------

export type PostKind = 'department' | 'role';

/** The two person fields of each form: who holds the post, and their designee. */
export const postFields: Record<PostKind, readonly [PersonFieldSpec, PersonFieldSpec]> = {
  department: [
    { key: 'director', label: 'Director', required: true, hint: 'Their City email address, or their name. They decide the department’s approvals.' },
    { key: 'designee', label: 'Designee', required: true, hint: 'Someone other than the director, who decides when the director does not.' },
  ],
  role: [
    { key: 'holder', label: 'Holder', required: true, hint: 'Their City email address, or their name.' },
    { key: 'designee', label: 'Designee', required: true, hint: 'Someone other than the holder, who decides when the holder does not.' },
  ],
};

/** A form refused: what to fix per field, the matches to choose from, and the values to show again. */
export class PostFormError extends InvalidInputError {
  constructor(
    fields: Record<string, string>,
    readonly choices: Record<string, PersonSummary[]>,
    readonly values: Record<string, unknown>,
  ) {
    super('The form has fields to fix.', fields);
  }
}

/**
 * The people a director/designee or holder/designee form names: both in the directory, neither
 * separated, and two different people. Refused (PostFormError, a 400) with one message per field.
 */
export async function parsePostForm(kind: PostKind, body: Record<string, unknown>, directory: PeopleDirectory): Promise<{ first: Person; second: Person }> {
  const [firstField, secondField] = postFields[kind];
  const picked = await resolvePersonFields(postFields[kind], body, directory);
  const first = picked.people[firstField.key];
  const second = picked.people[secondField.key];
  for (const [field, p] of [
    [firstField, first],
    [secondField, second],
  ] as const) {
    // An exact email already answers "separated"; this also covers a person found another way.
    if (p && isSeparated(p)) picked.errors[field.key] = `${p.name} has separated from the City and cannot be chosen`;
  }
  if (first && second && first.id === second.id)
    picked.errors[secondField.key] =
      `${second.name} is the ${firstField.label.toLowerCase()} already: the designee must be someone other than the ${firstField.label.toLowerCase()}`;
  if (Object.keys(picked.errors).length || !first || !second) throw new PostFormError(picked.errors, picked.choices, picked.values);
  return { first, second };
}

/** What the form shows before anything is sent: the current holders' emails. */
export function postValues(kind: PostKind, ids: { first?: string; second?: string }, people: ReadonlyMap<string, Person>): Record<string, string> {
  const [firstField, secondField] = postFields[kind];
  const email = (id?: string) => (id ? (people.get(id)?.email ?? '') : '');
  return { [firstField.key]: email(ids.first), [secondField.key]: email(ids.second) };
}

// The events --------------------------------------------------------------------------------------

/** Every DTI change is stamped now, sequence 0: it orders after anything HR effective before it. */
const stamp = (now: Date) => ({ effectiveAt: now.toISOString(), sequence: 0 });

/** The department with a new director and/or designee (its name as it is), or undefined when the form changes nothing. */
export function departmentUpdate(current: Department, form: { first: Person; second: Person }, now: Date): DirectoryEvent | undefined {
  if (current.directorId === form.first.id && current.designeeId === form.second.id) return undefined;
  return parseDirectoryDetail(directoryDetailTypes.department, {
    code: current.code,
    name: current.name,
    directorId: form.first.id,
    designeeId: form.second.id,
    ...stamp(now),
  });
}

/** The role held by the form's holder and designee, or undefined when they hold it already. */
export function roleAssignment(
  role: DirectoryRole,
  current: RoleRecord | undefined,
  form: { first: Person; second: Person },
  now: Date,
): DirectoryEvent | undefined {
  if (current?.holderId === form.first.id && current.designeeId === form.second.id) return undefined;
  return parseDirectoryDetail(directoryDetailTypes.roleAssigned, { role, holderId: form.first.id, designeeId: form.second.id, ...stamp(now) });
}

/** The role left vacant; refused (409) when nobody holds it. */
export function roleRemoval(role: DirectoryRole, current: RoleRecord | undefined, now: Date): DirectoryEvent {
  if (!current?.holderId) throw new ConflictError(`Nobody holds the ${roleTitle(role)} role now; there is nothing to remove.`);
  return parseDirectoryDetail(directoryDetailTypes.roleRemoved, { role, ...stamp(now) });
}

/** The applier found a newer change on record (stale, or the same instant already applied): nothing was changed. */
export class StaleDirectoryChangeError extends ConflictError {
  constructor(what: string, current: { provenance?: Provenance } | undefined) {
    const p = current?.provenance;
    super(
      `A newer change to ${what} is recorded${p ? ` (from ${sourceOf({ provenance: p })}, effective ${formatWhen(p.effectiveAt)})` : ''}. Nothing was changed: check the current values below and make your change again if it is still needed.`,
    );
  }
}

export type DoneNotice = 'changed' | 'removed' | 'unchanged';

export const doneNotices: Record<DoneNotice, string> = {
  changed: 'The change is recorded below, with your name.',
  removed: 'Nobody holds the role now; the change is recorded below, with your name.',
  unchanged: 'Nothing to change: the form named the people already in the post.',
};

/** Said beside the notice when the change ran a hand-over (ApplyOutcome.handOver). */
export const handedOverNotice =
  'The open approvals and tasks of the people who left the post have been moved to whoever can act for it now, each new approver emailed their link; where nobody can, DTI has been told.';

export const isDoneNotice = (s: string | undefined): s is DoneNotice => typeof s === 'string' && Object.hasOwn(doneNotices, s);

/** What leaving a role vacant means for its approvals (the confirmation step says it before anything is changed). */
export function vacancyConsequence(role: DirectoryRole): string {
  const fallback = policy.directory.fallbackRole;
  if (!(chainRoles as readonly string[]).includes(role))
    return `The ${roleTitle(role)} decides no approvals; until someone is assigned, nobody has the role’s access (DTI keeps its own).`;
  if (role === fallback) return `Until someone is assigned, nobody can decide the approvals that need the ${roleTitle(role)}: DTI is told of each one.`;
  return `Until someone is assigned, the ${roleTitle(fallback)} decides the approvals that need the ${roleTitle(role)} in its place, and DTI is told.`;
}
