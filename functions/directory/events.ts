import { InvalidInputError } from '#core/errors';
import { type DirectoryRole, directoryRoles } from '#core/policy';
import * as z from '#core/zod';

/**
 * The directory's events (the contract with HR and DTI, documented in the README): who works for
 * the City, its departments with their director and designee, and who holds each City-wide role.
 * HR's system puts them on the HR bus; DTI's administration pages and the bulk import make the
 * same events, so every change to the directory goes one way and is recorded the same way.
 *
 * Every event carries `effectiveAt` (when its sender recorded the change) and `sequence` (the
 * sender's counter for that entity). They order the changes to one entity: an event applies only
 * if it is newer than what is stored, by `effectiveAt` and then `sequence`, so a queue that
 * delivers out of order, or twice, ends with the same directory as one that delivers in order.
 */
export const directoryDetailTypes = {
  employee: 'Employee Updated',
  department: 'Department Updated',
  roleAssigned: 'Role Assigned',
  roleRemoved: 'Role Removed',
} as const;

export const employeeIdPattern = /^[A-Za-z0-9-]{1,20}$/;
export const departmentCodePattern = /^[A-Z]{2,8}$/;

const id = (field: string) =>
  z.string({ error: `${field} is required` }).check(z.regex(employeeIdPattern, `${field} is an employee id: 1–20 letters, digits or dashes`));
const text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .check(z.trim(), z.minLength(1, `${field} is empty`), z.maxLength(max, `${field} is longer than ${max} characters`));

/** An instant with its offset (2026-12-01T09:30:00-07:00 or …Z), as HR's system records it. */
const effectiveAt = z.string({ error: 'effectiveAt is required (an ISO 8601 date and time with its offset)' }).check(
  z.regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'effectiveAt must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:30:00-07:00',
  ),
  z.refine((s) => !Number.isNaN(Date.parse(s)), 'effectiveAt is not a real date and time'),
);
const sequence = z
  .number({ error: 'sequence is required (a whole number, the sender’s counter for this entity)' })
  .check(z.int('sequence must be a whole number'), z.minimum(0, 'sequence must be 0 or more'), z.maximum(Number.MAX_SAFE_INTEGER));
const ordering = { effectiveAt, sequence };

export const employeeStatuses = ['ACTIVE', 'SEPARATED'] as const;

/** A calendar date that exists (2026-02-30 is refused). */
const calendarDate = (field: string) =>
  z.string({ error: `${field} is required (YYYY-MM-DD)` }).check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date as YYYY-MM-DD`),
    z.refine((d) => {
      const t = new Date(`${d}T00:00:00Z`);
      return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
    }, `${field} is not a calendar date`),
  );

/**
 * One employee as HR has them now: the whole record, not a change to it (a field left out is one
 * HR no longer has: no title, no supervisor). `status: SEPARATED` takes them out of every list and
 * chain at once; their offboarding is the "Employee Separated" event's.
 */
export const employeeUpdatedSchema = z
  .strictObject({
    employeeId: id('employeeId'),
    name: text('name', 120),
    email: z.email('email must be an email address').check(z.maxLength(254)),
    departmentCode: z.string({ error: 'departmentCode is required' }).check(z.regex(departmentCodePattern, 'departmentCode is 2–8 capital letters')),
    title: z.optional(z.string().check(z.trim(), z.maxLength(120, 'title is longer than 120 characters'))),
    supervisorId: z.optional(id('supervisorId')),
    status: z.enum(employeeStatuses, { error: `status is one of: ${employeeStatuses.join(', ')}` }),
    separationDate: z.optional(calendarDate('separationDate')),
    ...ordering,
  })
  .check(
    z.refine((e) => e.supervisorId !== e.employeeId, { path: ['supervisorId'], message: 'an employee is not their own supervisor' }),
    z.refine((e) => e.status === 'SEPARATED' || !e.separationDate, { path: ['separationDate'], message: 'separationDate is only for status SEPARATED' }),
  );

export const departmentUpdatedSchema = z
  .strictObject({
    code: z.string({ error: 'code is required' }).check(z.regex(departmentCodePattern, 'code is 2–8 capital letters')),
    name: text('name', 120),
    directorId: id('directorId'),
    designeeId: id('designeeId'),
    ...ordering,
  })
  .check(z.refine((d) => d.directorId !== d.designeeId, { path: ['designeeId'], message: 'the designee must be someone other than the director' }));

const role = z.enum(directoryRoles, { error: `role is one of: ${directoryRoles.join(', ')}` });

export const roleAssignedSchema = z
  .strictObject({ role, holderId: id('holderId'), designeeId: id('designeeId'), ...ordering })
  .check(z.refine((r) => r.holderId !== r.designeeId, { path: ['designeeId'], message: 'the designee must be someone other than the holder' }));

export const roleRemovedSchema = z.strictObject({ role, ...ordering });

export type EmployeeUpdated = z.infer<typeof employeeUpdatedSchema>;
export type DepartmentUpdated = z.infer<typeof departmentUpdatedSchema>;
export type RoleAssigned = z.infer<typeof roleAssignedSchema>;
export type RoleRemoved = z.infer<typeof roleRemovedSchema>;

export type DirectoryEvent =
  | { type: typeof directoryDetailTypes.employee; detail: EmployeeUpdated }
  | { type: typeof directoryDetailTypes.department; detail: DepartmentUpdated }
  | { type: typeof directoryDetailTypes.roleAssigned; detail: RoleAssigned }
  | { type: typeof directoryDetailTypes.roleRemoved; detail: RoleRemoved };

const schemas = {
  [directoryDetailTypes.employee]: employeeUpdatedSchema,
  [directoryDetailTypes.department]: departmentUpdatedSchema,
  [directoryDetailTypes.roleAssigned]: roleAssignedSchema,
  [directoryDetailTypes.roleRemoved]: roleRemovedSchema,
} as const;

export const isDirectoryDetailType = (t: string): t is DirectoryEvent['type'] => Object.hasOwn(schemas, t);

export function issuesOf(error: z.core.$ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** One directory event's detail, validated; refused with every problem named. */
export function parseDirectoryDetail(type: DirectoryEvent['type'], detail: unknown): DirectoryEvent {
  const parsed = schemas[type].safeParse(detail);
  if (!parsed.success) throw new InvalidInputError(`The "${type}" event's detail is invalid: ${issuesOf(parsed.error)}`);
  return { type, detail: parsed.data } as DirectoryEvent;
}

/** The entity one event is about: the key its order is kept under. */
export type EntityRef = { kind: 'PERSON'; id: string } | { kind: 'DEPT'; id: string } | { kind: 'ROLE'; id: DirectoryRole };

export function entityOf(event: DirectoryEvent): EntityRef {
  switch (event.type) {
    case directoryDetailTypes.employee:
      return { kind: 'PERSON', id: event.detail.employeeId };
    case directoryDetailTypes.department:
      return { kind: 'DEPT', id: event.detail.code };
    default:
      return { kind: 'ROLE', id: event.detail.role };
  }
}

/**
 * The event's place in its entity's order, as a string that sorts as the order does: the instant
 * in UTC to the millisecond, then the sequence, zero-padded. DynamoDB compares it in a condition
 * (`version < :v`), so the check and the write are one.
 */
export function versionOf(detail: { effectiveAt: string; sequence: number }): string {
  return `${new Date(detail.effectiveAt).toISOString()}#${String(detail.sequence).padStart(16, '0')}`;
}

/**
 * What must be in the directory before an event can apply; until then it is parked (kept, and
 * applied when that department or person arrives). A person needs their department, and a role
 * its holder and designee. A department needs nobody: its director is usually one of its own
 * people, who need the department first, so a department naming someone not yet known is applied
 * and routes nothing to them until they arrive (planning treats them as unable to act). A
 * supervisor is not waited for either (two people may name each other).
 */
export function prerequisites(event: DirectoryEvent): EntityRef[] {
  switch (event.type) {
    case directoryDetailTypes.employee:
      return [{ kind: 'DEPT', id: event.detail.departmentCode }];
    case directoryDetailTypes.roleAssigned:
      return [...new Set([event.detail.holderId, event.detail.designeeId])].map((id) => ({ kind: 'PERSON', id }) as const);
    default:
      return [];
  }
}
