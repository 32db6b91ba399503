import { ConflictError, InvalidInputError, NotFoundError } from '#core/errors';
import { maxQueryLength, minQueryLength } from '#core/people-picker';
import { type Department, type DirectoryRole, directoryRoles, type Person } from '#core/policy';
import type { ApplyOutcome, DirectoryChange } from '#directory/apply';
import { type DirectoryEvent, type EntityRef, employeeIdPattern } from '#directory/events';
import {
  assertMayAdministerDirectory,
  departmentUpdate,
  idsNamedIn,
  isDirectoryRole,
  isDoneNotice,
  isSeparated,
  needingAttention,
  type PostKind,
  PostFormError,
  parsePostForm,
  postValues,
  type Recorded,
  type RecordedPerson,
  type RoleRecord,
  roleAssignment,
  roleHref,
  roleRemoval,
  roleTitle,
  StaleDirectoryChangeError,
  departmentHref,
} from '#directory/admin';
import {
  confirmRemovalPage,
  departmentPage,
  departmentsPage,
  type FormState,
  type Outcome,
  overviewPage,
  peoplePage,
  personPage,
  rolePage,
  rolesPage,
} from '#directory/admin-pages';
import type { Viewer } from '#site/navigation';
import { DirectoryStore } from '#adapters/directory-store';
import { DirectoryWrites } from '#adapters/directory-writes';
import { httpHandler } from '#adapters/handler';
import { directoryApplier } from '#adapters/hand-over';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';

let directory: DirectoryStore | undefined;
let writes: DirectoryWrites | undefined;

interface Ctx {
  event: HttpEvent;
  viewer: Viewer;
  asHtml: boolean;
  dir: DirectoryStore;
  writes: DirectoryWrites;
}

type Page = (ctx: Ctx) => Promise<HttpResult>;

/**
 * DTI's directory administration (issue 13): the overview, the departments, the City-wide roles
 * and the people (HR's, read only). A change is a directory event (the same as HR's) applied by
 * the applier every writer uses, which moves the open work of whoever leaves a post. DTI only:
 * anyone else gets a 403 before anything is read. Four routes serve every page (each HTTP API
 * route is a CloudFormation resource, and a stack holds 500): the section and the entity are path
 * parameters, looked up here.
 */
const sections: Record<string, { list: Page; show: Page; change?: Page }> = {
  departments: { list: listDepartments, show: (ctx) => showDepartment(ctx), change: changeDepartment },
  // A role's form assigns it; the form with action=remove leaves it vacant (after a confirmation).
  roles: { list: listRoles, show: (ctx) => showRole(ctx), change: (ctx) => (parseBody(ctx.event).action === 'remove' ? removeRole(ctx) : assignRole(ctx)) },
  people: { list: searchPeople, show: showPerson },
};

function pageFor(event: HttpEvent): Page {
  if (event.routeKey === 'GET /directory') return overview;
  const { section = '', id } = event.pathParameters ?? {};
  const found = Object.hasOwn(sections, section) ? sections[section] : undefined;
  const page =
    event.routeKey === 'GET /directory/{section}'
      ? found?.list
      : event.routeKey === 'GET /directory/{section}/{id}'
        ? found?.show
        : event.routeKey === 'POST /directory/{section}/{id}'
          ? found?.change
          : undefined;
  if (!page) {
    const what = `${event.requestContext?.http?.method ?? ''} /directory/${section}${id === undefined ? '' : `/${id}`}`.trim();
    throw new NotFoundError(`There is no directory page at ${what}. The directory is at /directory: departments, roles and people (HR's, read only).`);
  }
  return page;
}

export async function manageDirectory(event: HttpEvent): Promise<HttpResult> {
  directory ??= new DirectoryStore();
  writes ??= new DirectoryWrites();
  const viewer = await signedInViewer(event, directory);
  assertMayAdministerDirectory(viewer.person);
  return pageFor(event)({ event, viewer, asHtml: wantsHtml(event), dir: directory, writes });
}

// Reads -------------------------------------------------------------------------------------------

const fieldsOf = <T>(item: Record<string, unknown> | undefined, keys: readonly string[]) =>
  item ? (Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]])) as T) : undefined;

async function roleRecords(w: DirectoryWrites): Promise<RoleRecord[]> {
  const items = await Promise.all(directoryRoles.map((role) => w.stored({ kind: 'ROLE', id: role })));
  return directoryRoles.map(
    (role, i) => fieldsOf<RoleRecord>(items[i], ['role', 'holderId', 'designeeId', 'vacantSince', 'version', 'provenance']) ?? { role },
  );
}

/** Read consistently, so the page after a change shows it. */
const departmentRecord = async (w: DirectoryWrites, code: string) =>
  fieldsOf<Recorded<Department>>(await w.stored({ kind: 'DEPT', id: code }), ['code', 'name', 'directorId', 'designeeId', 'version', 'provenance']);

async function peopleByIds(dir: DirectoryStore, ids: readonly (string | undefined)[]): Promise<Map<string, RecordedPerson>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const found = await Promise.all(wanted.map((id) => dir.person(id) as Promise<RecordedPerson | undefined>));
  return new Map(found.filter((p): p is RecordedPerson => Boolean(p)).map((p) => [p.id, p]));
}

/** An entity's history, with everyone it and `also` name. */
async function withHistory(ctx: Ctx, ref: EntityRef, also: readonly (string | undefined)[]) {
  const history = await ctx.writes.history(ref);
  return { history, people: await peopleByIds(ctx.dir, [...also, ...idsNamedIn(history)]) };
}

const roleOf = (ctx: Ctx): DirectoryRole => {
  const role = ctx.event.pathParameters?.id ?? '';
  if (!isDirectoryRole(role)) throw new NotFoundError(`There is no City-wide role ${role}. The roles are at /directory/roles.`);
  return role;
};

async function departmentOf(ctx: Ctx): Promise<Recorded<Department>> {
  const code = ctx.event.pathParameters?.id ?? '';
  const department = await departmentRecord(ctx.writes, code);
  if (!department) throw new NotFoundError(`There is no department ${code} in the directory. The departments are at /directory/departments.`);
  return department;
}

const outcomeOf = (ctx: Ctx): Outcome => {
  const q = ctx.event.queryStringParameters ?? {};
  return { ...(isDoneNotice(q.done) ? { notice: q.done } : {}), ...(q.moved === 'yes' ? { handedOver: true } : {}) };
};

// Pages -------------------------------------------------------------------------------------------

async function overview(ctx: Ctx): Promise<HttpResult> {
  const [everyone, departments, roles] = await Promise.all([ctx.dir.people(), ctx.dir.departments(), roleRecords(ctx.writes)]);
  const people = new Map(everyone.map((p) => [p.id, p as RecordedPerson]));
  const attention = needingAttention({ departments, roles, people });
  const counts = {
    people: everyone.length,
    separated: everyone.filter(isSeparated).length,
    departments: departments.length,
    roles: roles.length,
    vacant: roles.filter((r) => !r.holderId).length,
  };
  if (!ctx.asHtml) return jsonResponse(200, { counts, attention });
  return htmlResponse(200, overviewPage({ viewer: ctx.viewer, counts, attention }));
}

async function listDepartments(ctx: Ctx): Promise<HttpResult> {
  const departments = (await ctx.dir.departments()) as Recorded<Department>[];
  const people = await peopleByIds(
    ctx.dir,
    departments.flatMap((d) => [d.directorId, d.designeeId]),
  );
  const attention = needingAttention({ departments, roles: [], people });
  if (!ctx.asHtml) return jsonResponse(200, { departments, attention });
  return htmlResponse(200, departmentsPage({ viewer: ctx.viewer, departments, people, attention }));
}

async function showDepartment(ctx: Ctx, status = 200, state: Outcome & { form?: FormState } = outcomeOf(ctx)): Promise<HttpResult> {
  const department = await departmentOf(ctx);
  const { history, people } = await withHistory(ctx, { kind: 'DEPT', id: department.code }, [department.directorId, department.designeeId]);
  if (!ctx.asHtml) return jsonResponse(status, { ...(state.stale ? { error: 'ConflictError', message: state.stale } : {}), department, history });
  const [attention] = needingAttention({ departments: [department], roles: [], people });
  const form = state.form ?? { values: postValues('department', { first: department.directorId, second: department.designeeId }, people) };
  return htmlResponse(status, departmentPage({ viewer: ctx.viewer, department, people, history, form, ...state, ...(attention ? { attention } : {}) }));
}

async function listRoles(ctx: Ctx): Promise<HttpResult> {
  const roles = await roleRecords(ctx.writes);
  const people = await peopleByIds(
    ctx.dir,
    roles.flatMap((r) => [r.holderId, r.designeeId]),
  );
  const attention = needingAttention({ departments: [], roles, people });
  if (!ctx.asHtml) return jsonResponse(200, { roles: roles.map((r) => ({ ...r, title: roleTitle(r.role) })), attention });
  return htmlResponse(200, rolesPage({ viewer: ctx.viewer, roles, people, attention }));
}

async function showRole(ctx: Ctx, status = 200, state: Outcome & { form?: FormState } = outcomeOf(ctx)): Promise<HttpResult> {
  const role = roleOf(ctx);
  const [record] = (await roleRecords(ctx.writes)).filter((r) => r.role === role);
  const { history, people } = await withHistory(ctx, { kind: 'ROLE', id: role }, [record?.holderId, record?.designeeId]);
  if (!ctx.asHtml)
    return jsonResponse(status, {
      ...(state.stale ? { error: 'ConflictError', message: state.stale } : {}),
      role: { ...record, title: roleTitle(role) },
      history,
    });
  const [attention] = needingAttention({ departments: [], roles: record ? [record] : [], people });
  const form = state.form ?? { values: postValues('role', { first: record?.holderId, second: record?.designeeId }, people) };
  return htmlResponse(status, rolePage({ viewer: ctx.viewer, role, record, people, history, form, ...state, ...(attention ? { attention } : {}) }));
}

// Changes -----------------------------------------------------------------------------------------

type Show = (ctx: Ctx, status?: number, state?: Outcome & { form?: FormState }) => Promise<HttpResult>;

/** The form's two people, or its page again (400) with what to fix; an API client gets the JSON error. */
async function formPeople(
  ctx: Ctx,
  kind: PostKind,
  body: Record<string, unknown>,
  show: Show,
): Promise<{ first: Person; second: Person } | { refused: HttpResult }> {
  try {
    return await parsePostForm(kind, body, ctx.dir);
  } catch (error) {
    if (!(error instanceof PostFormError) || !ctx.asHtml) throw error;
    return { refused: await show(ctx, 400, { form: { values: error.values, errors: error.fields, choices: error.choices } }) };
  }
}

/** Applies one DTI change and answers with what happened: the page with its notice, or 409 with the values now on record. */
async function applied(ctx: Ctx, event: DirectoryEvent | undefined, href: string, what: string, show: Show, done = 'changed'): Promise<HttpResult> {
  if (!event) return ctx.asHtml ? redirect(`${href}?done=unchanged`) : jsonResponse(200, { result: 'unchanged' });
  const { id, name } = ctx.viewer.person;
  const outcome: ApplyOutcome = await directoryApplier().apply(event, { source: 'DTI', by: { id, name } });
  logger.info('directory changed by DTI', { type: event.type, entity: outcome.entity, result: outcome.result, handOver: Boolean(outcome.handOver) });
  if (outcome.result === 'stale' || outcome.result === 'duplicate') {
    const current = await ctx.writes.stored(outcome.entity);
    return show(ctx, 409, { stale: new StaleDirectoryChangeError(what, current as Recorded<object>).message });
  }
  if (outcome.result === 'parked')
    throw new ConflictError(`The change to ${what} waits until everyone it names is in the directory; it is kept and applies when they arrive.`);
  const moved = Boolean(outcome.handOver);
  if (!ctx.asHtml) return jsonResponse(200, { result: outcome.result, version: outcome.version, handedOver: moved });
  return redirect(`${href}?done=${done}${moved ? '&moved=yes' : ''}`);
}

/** POST /directory/departments/{code}: a new director and/or designee, the name as it is. */
async function changeDepartment(ctx: Ctx): Promise<HttpResult> {
  const department = await departmentOf(ctx);
  const form = await formPeople(ctx, 'department', parseBody(ctx.event), showDepartment);
  if ('refused' in form) return form.refused;
  const event = departmentUpdate(department, form, new Date());
  return applied(ctx, event, departmentHref(department.code), department.name, showDepartment);
}

/** POST /directory/roles/{role}: the role's holder and designee. */
async function assignRole(ctx: Ctx): Promise<HttpResult> {
  const role = roleOf(ctx);
  const [record] = (await roleRecords(ctx.writes)).filter((r) => r.role === role);
  const form = await formPeople(ctx, 'role', parseBody(ctx.event), showRole);
  if ('refused' in form) return form.refused;
  return applied(ctx, roleAssignment(role, record, form, new Date()), roleHref(role), `the ${roleTitle(role)} role`, showRole);
}

/** POST /directory/roles/{role} with action=remove: first the confirmation step, then (confirm=yes) the role left vacant. */
async function removeRole(ctx: Ctx): Promise<HttpResult> {
  const role = roleOf(ctx);
  const [record] = (await roleRecords(ctx.writes)).filter((r) => r.role === role);
  const event = roleRemoval(role, record, new Date());
  if (parseBody(ctx.event).confirm !== 'yes') {
    if (!ctx.asHtml) throw new InvalidInputError('Confirm to leave the role vacant.', { confirm: 'send confirm: "yes" to leave the role vacant' });
    const people = await peopleByIds(ctx.dir, [record?.holderId, record?.designeeId]);
    return htmlResponse(200, confirmRemovalPage({ viewer: ctx.viewer, role, record: record as RoleRecord, people }));
  }
  return applied(ctx, event, roleHref(role), `the ${roleTitle(role)} role`, showRole, 'removed');
}

// People (HR's, read only) ------------------------------------------------------------------------

async function searchPeople(ctx: Ctx): Promise<HttpResult> {
  const q = (ctx.event.queryStringParameters?.q ?? '').trim();
  const departments = new Map((await ctx.dir.departments()).map((d) => [d.code, d.name]));
  const view = { viewer: ctx.viewer, q, departments };
  if (!q) return ctx.asHtml ? htmlResponse(200, peoplePage(view)) : jsonResponse(200, { people: [] });
  if (q.length < minQueryLength || q.length > maxQueryLength) {
    const error = q.length < minQueryLength ? `Type at least ${minQueryLength} characters` : `Type at most ${maxQueryLength} characters`;
    if (!ctx.asHtml) throw new InvalidInputError(error, { q: error });
    return htmlResponse(400, peoplePage({ ...view, error }));
  }
  // An exact id or email finds a separated person too; the prefix search lists those still with the City.
  const [byId, byEmail, matches] = await Promise.all([
    employeeIdPattern.test(q) ? ctx.dir.person(q.toUpperCase()) : undefined,
    q.includes('@') ? ctx.dir.personByEmail(q) : undefined,
    ctx.dir.searchPeople(q, 25),
  ]);
  const results = [...new Map([byId, byEmail, ...matches].filter((p): p is Person => Boolean(p)).map((p) => [p.id, p])).values()];
  if (!ctx.asHtml) return jsonResponse(200, { people: results });
  return htmlResponse(200, peoplePage({ ...view, results }));
}

async function showPerson(ctx: Ctx): Promise<HttpResult> {
  const id = ctx.event.pathParameters?.id ?? '';
  const person = (await ctx.dir.person(id)) as RecordedPerson | undefined;
  if (!person) throw new NotFoundError(`There is no employee ${id} in the directory. Search for people at /directory/people.`);
  const [{ history, people }, departments, roles] = await Promise.all([
    withHistory(ctx, { kind: 'PERSON', id }, [person.supervisorId]),
    ctx.dir.departments(),
    roleRecords(ctx.writes),
  ]);
  if (!ctx.asHtml) return jsonResponse(200, { person, history });
  return htmlResponse(200, personPage({ viewer: ctx.viewer, person, people, departments, roles, history: history as DirectoryChange[] }));
}

export const handler = httpHandler(manageDirectory);
