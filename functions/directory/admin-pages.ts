import { alert, dataTable, errorSummary, facts } from '#core/components';
import { formatDate, formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import { maxQueryLength, type PersonSummary, personField, pickerFieldIds } from '#core/people-picker';
import type { Department, DirectoryRole } from '#core/policy';
import type { DirectoryChange } from '#directory/apply';
import {
  type Attention,
  changeLines,
  type DoneNotice,
  departmentHref,
  doneNotices,
  handedOverNotice,
  isSeparated,
  type PostKind,
  personHref,
  postFields,
  postsOf,
  type Recorded,
  type RecordedPerson,
  type RoleRecord,
  roleHref,
  roleTitle,
  sourceOf,
  vacancyConsequence,
  whenOf,
} from '#directory/admin';
import type { Viewer } from '#site/navigation';

/**
 * DTI's directory administration pages (issue 13): the overview with what needs attention, the
 * departments, the City-wide roles and the people, each entity with where its values came from
 * and its history; the forms that change a department's director and designee or a role's holder
 * and designee. Every page has the breadcrumb back to /directory.
 */

type People = ReadonlyMap<string, RecordedPerson>;

/** A form shown again: the values sent, what to fix, and the people to choose from. */
export interface FormState {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  choices?: Record<string, PersonSummary[]>;
}

/** What an entity page says on top: a change done (and whether it moved open work), or a newer change found (409). */
export interface Outcome {
  notice?: DoneNotice;
  handedOver?: boolean;
  stale?: string;
}

function crumbs(trail: readonly { href?: string; label: string }[]): SafeHtml {
  const all = [{ href: '/directory', label: 'Directory' }, ...trail];
  return html`<nav class="usa-breadcrumb usa-breadcrumb--wrap" aria-label="Breadcrumbs"><ol class="usa-breadcrumb__list">${all.map((c, i) =>
    i === all.length - 1
      ? html`<li class="usa-breadcrumb__list-item usa-current" aria-current="page"><span>${c.label}</span></li>`
      : html`<li class="usa-breadcrumb__list-item"><a class="usa-breadcrumb__link" href="${c.href ?? '/directory'}"><span>${c.label}</span></a></li>`,
  )}</ol></nav>`;
}

const adminPage = (viewer: Viewer, title: string, trail: readonly { href?: string; label: string }[], body: SafeHtml) =>
  page({ title, viewer, path: '/directory', body: html`${trail.length ? crumbs(trail) : ''}${body}` });

/** A person named in a post: a link to their page, flagged when they cannot act. */
function who(id: string | undefined, people: People): SafeHtml | string {
  if (!id) return html`<span class="usa-tag">Nobody</span>`;
  const p = people.get(id);
  if (!p) return html`${id} <span class="usa-tag">Not in the directory</span>`;
  return html`<a href="${personHref(id)}">${p.name}</a>${p.title ? html`, ${p.title}` : ''}${isSeparated(p) ? html` <span class="usa-tag">Separated</span>` : ''}`;
}

const provenanceFacts = (e: Parameters<typeof sourceOf>[0]): (readonly [string, string])[] => [
  ['Values from', sourceOf(e)],
  ['When', whenOf(e)],
];

function history(changes: readonly DirectoryChange[], people: People): SafeHtml {
  if (changes.length === 0) return html`<p>No change has been recorded: the values are as the directory was first loaded.</p>`;
  return dataTable({
    caption: 'Changes, newest first',
    captionHidden: true,
    headers: ['Effective', 'Change', 'From', 'Values'],
    rows: [...changes]
      .sort((a, b) => b.version.localeCompare(a.version))
      .map((c) => [
        formatWhen(c.provenance.effectiveAt),
        c.type,
        html`${sourceOf(c)}, received ${formatWhen(c.provenance.receivedAt)}`,
        html`<ul class="usa-list margin-0">${changeLines(c, people).map((l) => html`<li>${l}</li>`)}${
          c.handOverReason ? html`<li>Open work moved: ${c.handOverReason}</li>` : ''
        }</ul>`,
      ]),
  });
}

function outcomeAlerts(o: Outcome): SafeHtml {
  return html`${o.stale ? alert('warning', o.stale, { heading: 'A newer change is recorded', role: 'alert' }) : ''}${
    o.notice ? alert('success', html`${doneNotices[o.notice]}${o.handedOver ? html` ${handedOverNotice}` : ''}`, { role: 'status' }) : ''
  }`;
}

const attentionAlert = (a: Attention | undefined) =>
  a ? alert('warning', html`<ul class="usa-list margin-0">${a.problems.map((p) => html`<li>${p}</li>`)}</ul>`, { heading: 'Needs attention' }) : '';

/** The two person fields and the submit button of a post's form. */
function postForm(kind: PostKind, action: string, form: FormState, button: string): SafeHtml {
  const value = (k: string) => (typeof form.values?.[k] === 'string' ? (form.values[k] as string) : '');
  return html`<form class="usa-form usa-form--large" method="post" action="${action}" novalidate>
  ${postFields[kind].map((field) =>
    personField({
      field,
      value: value(field.key),
      ...(form.errors ? { errors: form.errors } : {}),
      ...(form.choices?.[field.key] ? { choices: form.choices[field.key] } : {}),
    }),
  )}
  <button class="usa-button" type="submit">${button}</button></form>`;
}

// The overview ------------------------------------------------------------------------------------

export interface OverviewView {
  viewer: Viewer;
  counts: { people: number; separated: number; departments: number; roles: number; vacant: number };
  attention: Attention[];
}

/** GET /directory: the counts, what needs attention (nobody can act for it first), and the three lists. */
export function overviewPage(v: OverviewView): string {
  const { counts } = v;
  return adminPage(
    v.viewer,
    'Directory',
    [],
    html`<h1>Directory administration</h1>
<p class="usa-intro">DTI keeps who directs each department and who holds each City-wide role. A change made here is a directory event recorded with your name, applied the same way as HR’s; the people themselves and their details come from HR.</p>
${
  v.attention.length
    ? html`<h2>Needs attention</h2>${alert(
        'warning',
        html`<ul class="usa-list margin-0">${v.attention.map(
          (a) => html`<li><a href="${a.href}">${a.name}</a>${a.nobody ? html` <strong>(nobody can act)</strong>` : ''}: ${a.problems.join('; ')}</li>`,
        )}</ul>`,
        { heading: `${v.attention.length === 1 ? '1 department or role has' : `${v.attention.length} departments or roles have`} someone who cannot act` },
      )}`
    : alert('success', 'Every department and City-wide role has a director or holder and a designee who can act.', { slim: true })
}
<h2>In the directory</h2>
${facts([
  ['People', `${counts.people} (${counts.separated} separated)`],
  ['Departments', String(counts.departments)],
  ['City-wide roles', `${counts.roles}${counts.vacant ? ` (${counts.vacant} vacant)` : ''}`],
])}
<ul class="usa-list">
<li><a href="/directory/departments">Departments</a>: each one’s director and designee</li>
<li><a href="/directory/roles">City-wide roles</a>: their holders and designees</li>
<li><a href="/directory/people">People</a>: search HR’s records</li>
</ul>`,
  );
}

// Departments -------------------------------------------------------------------------------------

export function departmentsPage(v: { viewer: Viewer; departments: Recorded<Department>[]; people: People; attention: Attention[] }): string {
  const flagged = new Set(v.attention.filter((a) => a.kind === 'department').map((a) => a.id));
  return adminPage(
    v.viewer,
    'Departments',
    [{ label: 'Departments' }],
    html`<h1>Departments</h1>
<p>Each department’s director decides its approvals; the designee decides when the director does not. Choose a department to change them.</p>
${dataTable({
  caption: 'Departments and who directs them',
  captionHidden: true,
  headers: ['Department', 'Director', 'Designee', 'Values from'],
  rows: [...v.departments]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => [
      html`<a href="${departmentHref(d.code)}">${d.name}</a> (${d.code})${flagged.has(d.code) ? html` <span class="usa-tag">Needs attention</span>` : ''}`,
      who(d.directorId, v.people),
      who(d.designeeId, v.people),
      sourceOf(d),
    ]),
})}`,
  );
}

export interface DepartmentView extends Outcome {
  viewer: Viewer;
  department: Recorded<Department>;
  people: People;
  history: DirectoryChange[];
  attention?: Attention;
  form: FormState;
}

export function departmentPage(v: DepartmentView): string {
  const d = v.department;
  return adminPage(
    v.viewer,
    d.name,
    [{ href: '/directory/departments', label: 'Departments' }, { label: d.name }],
    html`<h1>${d.name}</h1>
${errorSummary(v.form.errors, pickerFieldIds(v.form.choices))}
${outcomeAlerts(v)}
${attentionAlert(v.attention)}
${facts([['Code', d.code], ['Name', d.name], ['Director', who(d.directorId, v.people)], ['Designee', who(d.designeeId, v.people)], ...provenanceFacts(d)])}
<h2 id="change">Change the director or designee</h2>
<p>The department’s name stays as it is. The change takes effect now and is recorded with your name; the open approvals of whoever leaves the post move at once to whoever holds it.</p>
${postForm('department', departmentHref(d.code), v.form, 'Save the change')}
<h2>History</h2>
${history(v.history, v.people)}`,
  );
}

// Roles -------------------------------------------------------------------------------------------

export function rolesPage(v: { viewer: Viewer; roles: RoleRecord[]; people: People; attention: Attention[] }): string {
  const flagged = new Set(v.attention.filter((a) => a.kind === 'role').map((a) => a.id));
  return adminPage(
    v.viewer,
    'City-wide roles',
    [{ label: 'Roles' }],
    html`<h1>City-wide roles</h1>
<p>Each role’s holder decides the approvals the policy gives it; the designee decides when the holder does not. Choose a role to assign it or leave it vacant.</p>
${dataTable({
  caption: 'City-wide roles and who holds them',
  captionHidden: true,
  headers: ['Role', 'Holder', 'Designee', 'Values from'],
  rows: v.roles.map((r) => [
    html`<a href="${roleHref(r.role)}">${roleTitle(r.role)}</a>${flagged.has(r.role) ? html` <span class="usa-tag">Needs attention</span>` : ''}`,
    who(r.holderId, v.people),
    r.holderId ? who(r.designeeId, v.people) : '',
    sourceOf(r),
  ]),
})}`,
  );
}

export interface RoleView extends Outcome {
  viewer: Viewer;
  role: DirectoryRole;
  record: RoleRecord | undefined;
  people: People;
  history: DirectoryChange[];
  attention?: Attention;
  form: FormState;
}

export function rolePage(v: RoleView): string {
  const title = roleTitle(v.role);
  const r = v.record;
  return adminPage(
    v.viewer,
    title,
    [{ href: '/directory/roles', label: 'Roles' }, { label: title }],
    html`<h1>${title}</h1>
${errorSummary(v.form.errors, pickerFieldIds(v.form.choices))}
${outcomeAlerts(v)}
${attentionAlert(v.attention)}
${facts([
  ['Role', v.role],
  ['Holder', who(r?.holderId, v.people)],
  ...(r?.holderId ? ([['Designee', who(r.designeeId, v.people)]] as const) : []),
  ...(r?.vacantSince ? ([['Vacant since', formatWhen(r.vacantSince)]] as const) : []),
  ...provenanceFacts(r ?? {}),
])}
<h2 id="assign">Assign the role</h2>
<p>The assignment takes effect now and is recorded with your name; the open approvals of whoever leaves the role move at once to the new holder or designee.</p>
${postForm('role', roleHref(v.role), v.form, 'Assign the role')}
${
  r?.holderId
    ? html`<h2 id="remove">Leave the role vacant</h2>
<p>${vacancyConsequence(v.role)} You are asked to confirm before anything is changed.</p>
<form class="usa-form" method="post" action="${roleHref(v.role)}" novalidate><input type="hidden" name="action" value="remove"><button class="usa-button usa-button--secondary" type="submit">Remove the holder and designee</button></form>`
    : ''
}
<h2>History</h2>
${history(v.history, v.people)}`,
  );
}

/** The confirmation step before a role is left vacant (the remove form without confirm). */
export function confirmRemovalPage(v: { viewer: Viewer; role: DirectoryRole; record: RoleRecord; people: People }): string {
  const title = roleTitle(v.role);
  return adminPage(
    v.viewer,
    `Leave the ${title} role vacant?`,
    [{ href: '/directory/roles', label: 'Roles' }, { href: roleHref(v.role), label: title }, { label: 'Leave vacant' }],
    html`<h1>Leave the ${title} role vacant?</h1>
${alert(
  'warning',
  html`<p class="margin-0">${who(v.record.holderId, v.people)} will no longer hold it, nor ${who(v.record.designeeId, v.people)} as designee. ${vacancyConsequence(v.role)} Their open approvals and tasks move at once.</p>`,
  { heading: 'Nothing is changed until you confirm' },
)}
<form class="usa-form" method="post" action="${roleHref(v.role)}" novalidate>
  <input type="hidden" name="action" value="remove">
  <input type="hidden" name="confirm" value="yes">
  <button class="usa-button usa-button--secondary" type="submit">Yes, leave the role vacant</button>
</form>
<p><a class="usa-link" href="${roleHref(v.role)}">No, keep it as it is</a></p>`,
  );
}

// People ------------------------------------------------------------------------------------------

export interface PeopleView {
  viewer: Viewer;
  q: string;
  results?: RecordedPerson[];
  departments: ReadonlyMap<string, string>;
  error?: string;
}

export function peoplePage(v: PeopleView): string {
  const errors = v.error ? { q: v.error } : undefined;
  return adminPage(
    v.viewer,
    'People',
    [{ label: 'People' }],
    html`<h1>People</h1>
${errorSummary(errors)}
<p>HR owns each person’s record: it changes through HR’s feed or the bulk import, not here. Search by the start of a name or a City email, or give an employee id; a separated person is found by their email or id.</p>
<form class="usa-form usa-form--large" method="get" action="/directory/people" role="search" aria-label="Search the directory">
<div class="usa-form-group${v.error ? ' usa-form-group--error' : ''}"><label class="usa-label" for="q">Name, City email or employee id</label>
<span class="usa-hint" id="q-hint">At least 2 characters, e.g. Ana, agallegos@cabq.example or E102.</span>
${v.error ? html`<span class="usa-error-message" id="q-error">${v.error}</span>` : ''}
<input class="usa-input${v.error ? ' usa-input--error' : ''}" id="q" name="q" type="search" maxlength="${maxQueryLength}" value="${v.q}" aria-describedby="q-hint${v.error ? ' q-error' : ''}"${v.error ? html` aria-invalid="true"` : ''}></div>
<button class="usa-button" type="submit">Search</button></form>
${
  v.results === undefined
    ? ''
    : v.results.length === 0
      ? html`<p role="status">Nobody in the directory matches “${v.q}”.</p>`
      : html`<p role="status">${v.results.length === 1 ? '1 person matches' : `${v.results.length} people match`} “${v.q}”.</p>${dataTable({
          caption: `People matching ${v.q}`,
          captionHidden: true,
          headers: ['Name', 'Employee id', 'Department', 'Title', 'Status'],
          rows: v.results.map((p) => [
            html`<a href="${personHref(p.id)}">${p.name}</a>`,
            p.id,
            v.departments.get(p.departmentCode) ?? p.departmentCode,
            p.title ?? '',
            statusBadge(isSeparated(p) ? 'SEPARATED' : 'ACTIVE'),
          ]),
        })}`
}`,
  );
}

export interface PersonView {
  viewer: Viewer;
  person: RecordedPerson;
  /** People this page names (the supervisor, those in its history). */
  people: People;
  departments: Department[];
  roles: RoleRecord[];
  history: DirectoryChange[];
}

export function personPage(v: PersonView): string {
  const p = v.person;
  const department = v.departments.find((d) => d.code === p.departmentCode);
  const posts = postsOf(p.id, v.departments, v.roles);
  return adminPage(
    v.viewer,
    p.name,
    [{ href: '/directory/people', label: 'People' }, { label: p.name }],
    html`<h1>${p.name}</h1>
${alert('info', 'HR owns these values: they change only through HR’s feed (its Employee Updated events) or the bulk import, never on this page.', { slim: true })}
${facts([
  ['Employee id', p.id],
  ['Name', p.name],
  ['Email', p.email],
  [
    'Department',
    department ? html`<a href="${departmentHref(department.code)}">${department.name}</a> (${department.code})` : `${p.departmentCode} (not in the directory)`,
  ],
  ['Title', p.title ?? 'None'],
  ['Supervisor', p.supervisorId ? who(p.supervisorId, v.people) : 'None'],
  ['Status', statusBadge(isSeparated(p) ? 'SEPARATED' : 'ACTIVE')],
  ...(p.separatedOn ? ([['Separated on', formatDate(p.separatedOn)]] as const) : []),
  ['Posts held', posts.length ? html`<ul class="usa-list margin-0">${posts.map((x) => html`<li>${x}</li>`)}</ul>` : 'None'],
  ...provenanceFacts(p),
])}
<h2>History</h2>
${history(v.history, v.people)}`,
  );
}
