import { type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import type { Approval } from '#core/approval';
import { alert, dataTable, facts } from '#core/components';
import { formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import { retiredStatusLine } from '#retirement/active-account';
import { isRetired, type Platform } from '#core/platform';
import type { Department } from '#core/policy';
import type { GovernanceRecord } from '#core/records';
import { type Account, type Grant, grantRoles, isActive } from '#core/registry';
import type { Standing } from '#core/standing';
import { type DepartmentPolicyRecord, policiesPath } from '#department-policy/department-policy';
import { standingSection } from '#registry/standing-section';
import { csvRowCap, type Cursor, encodeCursor, type FiledItem, orderWords, type QueryPlan, queryString, type RegistryFilters } from '#registry/registry-query';
import type { Viewer } from '#site/navigation';

const policyNote = html`<p class="usa-intro">The registry of City social media accounts, kept for DTI (O.b). Credentials are never shown here.</p>
<p>Posting authority (B) is authorized by the account department’s director. A post is removed only with the requester’s supervisor’s prior approval (M.c), corrections say what changed (M.b), and moderation removals name their rule K category.</p>`;

export const accountLabel = (a: Pick<Account, 'platformName' | 'handle'>) => `${a.platformName} ${a.handle}`;
export const accountHref = (accountId: string) => `/accounts/${encodeURIComponent(accountId)}`;

/** The link to what created a grant: a request (na-…, pa-…) or an offboarding's appointment (off-…). */
export function sourceLink(sourceId: string): SafeHtml | string {
  if (/^(na|pa|pr)-/.test(sourceId)) return html`<a href="/requests/${encodeURIComponent(sourceId)}">request ${sourceId}</a>`;
  if (sourceId.startsWith('off-')) return html`<a href="/offboardings/${encodeURIComponent(sourceId)}">offboarding ${sourceId}</a>`;
  return sourceId;
}

/** One line per active grant: who, their role and credential, and who authorized them (B). The posting-authority form shows them. */
export const grantLine = (g: Grant) =>
  html`${g.personName} <span class="hint">(authorized by ${g.authorizedByName})</span> <span class="role">${g.role.toLowerCase()}${
    g.receivesCredential ? ', shared credential' : ''
  }</span><br>`;

/** What an account's page says of its platform once DTI has retired it (O.a): when, by whom, why. */
export interface PlatformRetirement {
  platformId: string;
  platformName: string;
  retiredAt?: string;
  retiredByName?: string;
  retiredReason?: string;
}

export function platformRetirement(platform: Platform | undefined): PlatformRetirement | undefined {
  if (!platform || !isRetired(platform)) return undefined;
  return {
    platformId: platform.id,
    platformName: platform.name,
    ...(platform.retiredAt ? { retiredAt: platform.retiredAt } : {}),
    ...(platform.retiredByName ? { retiredByName: platform.retiredByName } : {}),
    ...(platform.retiredReason ? { retiredReason: platform.retiredReason } : {}),
  };
}

const retiredTag = html` <span class="usa-tag">Platform retired</span>`;

// The list --------------------------------------------------------------------------------------

export interface RegistryListView {
  viewer: Viewer;
  filters: RegistryFilters;
  /** `department=all` was asked for. */
  allDepartments: boolean;
  plan: QueryPlan;
  accounts: Account[];
  cursor?: Cursor;
  next?: Cursor;
  departments: Department[];
  /** Every platform on DTI's list, retired ones too: their accounts are flagged. */
  platforms: Platform[];
  /** The viewer's own department the list defaulted to (APD's Director of Communications), if it did. */
  ownDefault?: Department;
}

const statusWords = { ACTIVE: 'Active', RETIRED: 'Retired' } as const;

function option(value: string, label: string, selected: boolean): SafeHtml {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

/** What the filters select, in words: "handle starting with “@abq”, Facebook, Parks and Recreation, active". */
function describeFilters(v: RegistryListView): string {
  const f = v.filters;
  const parts = [
    ...(f.q ? [`handle starting with “${f.q}”`] : []),
    ...(f.platform ? [v.platforms.find((p) => p.id === f.platform)?.name ?? f.platform] : []),
    ...(f.department ? [v.departments.find((d) => d.code === f.department)?.name ?? f.department] : []),
    statusWords[f.status].toLowerCase(),
  ];
  return parts.join(', ');
}

function filterForm(v: RegistryListView): SafeHtml {
  const f = v.filters;
  return html`<form class="usa-form usa-form--large app-registry-filters" method="get" action="/accounts" role="search" aria-label="Search the registry">
  <label class="usa-label" for="q">Handle starts with</label>
  <span class="usa-hint" id="q-hint">For example @ABQParks or abqp. Department names match too.</span>
  <input class="usa-input" id="q" name="q" type="search" maxlength="100" value="${f.q ?? ''}" aria-describedby="q-hint">
  <label class="usa-label" for="platform">Platform</label>
  <select class="usa-select" id="platform" name="platform">${option('', 'All platforms', !f.platform)}${v.platforms.map((p) =>
    option(p.id, isRetired(p) ? `${p.name} (retired)` : p.name, p.id === f.platform),
  )}</select>
  <label class="usa-label" for="department">Department</label>
  <select class="usa-select" id="department" name="department">${option('all', 'All departments', !f.department)}${v.departments.map((d) =>
    option(d.code, `${d.name} (${d.code})`, d.code === f.department),
  )}</select>
  <label class="usa-label" for="status">Status</label>
  <select class="usa-select" id="status" name="status">${option('ACTIVE', 'Active', f.status === 'ACTIVE')}${option('RETIRED', 'Retired', f.status === 'RETIRED')}</select>
  <label class="usa-label" for="sort">Sort by</label>
  <span class="usa-hint" id="sort-hint">Applies when no platform, department or handle is given; those list in their own order.</span>
  <select class="usa-select" id="sort" name="sort" aria-describedby="sort-hint">${option('platform', 'Platform', f.sort === 'platform')}${option('department', 'Department', f.sort === 'department')}${option(
    'handle',
    'Handle',
    f.sort === 'handle',
  )}</select>
  <button class="usa-button" type="submit">Search</button>
  <a class="usa-button usa-button--outline" href="/accounts?department=all">Clear filters</a>
</form>`;
}

/** Departments whose name or code contains the search text: a link to each one's filter. */
export function matchingDepartments(text: string | undefined, departments: Department[]): Department[] {
  const t = text?.trim().toLowerCase();
  if (!t) return [];
  return departments.filter((d) => d.name.toLowerCase().includes(t) || d.code.toLowerCase() === t);
}

function pagination(v: RegistryListView): SafeHtml | '' {
  const links = [
    ...(v.cursor
      ? [
          html`<li class="usa-pagination__item usa-pagination__arrow"><a class="usa-pagination__link usa-pagination__previous-page" href="/accounts${queryString(
            {
              ...v.filters,
              allDepartments: v.allDepartments,
            },
          )}"><span class="usa-pagination__link-text">First page</span></a></li>`,
        ]
      : []),
    ...(v.next
      ? [
          html`<li class="usa-pagination__item usa-pagination__arrow"><a class="usa-pagination__link usa-pagination__next-page" href="/accounts${queryString(
            { ...v.filters, allDepartments: v.allDepartments },
            { cursor: encodeCursor(v.next) },
          )}" rel="next"><span class="usa-pagination__link-text">Next page</span></a></li>`,
        ]
      : []),
  ];
  return links.length ? html`<nav aria-label="Pages of accounts" class="usa-pagination"><ul class="usa-pagination__list">${links}</ul></nav>` : '';
}

/** GET /accounts: the registry (O.b) as a searchable, filtered list of 25 a page; each row links to its account's page. */
export function registryPage(v: RegistryListView): string {
  const f = v.filters;
  const start = v.cursor?.start ?? 1;
  const end = start + v.accounts.length - 1;
  const matching = describeFilters(v);
  const own = v.viewer.capabilities.ownDepartments;
  const ownToggle = v.ownDefault
    ? alert('info', html`Showing ${v.ownDefault.code}’s accounts · <a href="/accounts?department=all">Show all City accounts</a>`, { slim: true })
    : own.length > 0 && f.department !== own[0]
      ? html`<p><a href="/accounts?department=${encodeURIComponent(own[0] ?? '')}">Show only ${own[0]}’s accounts</a></p>`
      : '';
  const deptMatches = matchingDepartments(f.q, v.departments);
  const summary =
    v.accounts.length > 0
      ? html`<p class="app-registry-summary" role="status">Showing ${start}–${end} of accounts matching: ${matching}. Sorted by ${orderWords[v.plan.order]}.</p>`
      : html`<p class="app-registry-summary" role="status">No accounts match: ${matching}.${
          f.status === 'RETIRED' ? ' No account matching these filters has been retired.' : ''
        }${start > 1 ? ' This is past the last page.' : ''}</p>`;
  const retired = new Set(v.platforms.filter(isRetired).map((p) => p.id));
  const rows = v.accounts.map((a) => [
    html`<a href="${accountHref(a.accountId)}">${accountLabel(a)}</a>${retired.has(a.platformId) ? retiredTag : ''}`,
    html`${a.departmentName} (${a.departmentCode})`,
    statusBadge(a.status),
    formatWhen(a.createdAt),
  ]);
  const csvHref = `/accounts${queryString({ ...f, allDepartments: v.allDepartments }, { format: 'csv' })}`;
  return page({
    title: 'Registry',
    viewer: v.viewer,
    path: '/accounts',
    body: html`<h1>Registry of City social media accounts</h1>
${policyNote}
${ownToggle}
${filterForm(v)}
${
  deptMatches.length
    ? html`<p>Departments matching “${f.q ?? ''}”: ${deptMatches.map(
        (d, i) => html`${i ? ', ' : ''}<a href="/accounts?department=${encodeURIComponent(d.code)}">${d.name}’s accounts</a>`,
      )}</p>`
    : ''
}
<h2>Accounts</h2>
${summary}
${rows.length ? dataTable({ caption: `Accounts matching: ${matching}`, captionHidden: true, headers: ['Account', 'Department', 'Status', 'In the registry since'], rows }) : ''}
${pagination(v)}
<p><a href="${csvHref}">Download the accounts matching these filters as CSV</a> <span class="usa-hint">(every page, up to ${csvRowCap.toLocaleString('en-US')} rows)</span></p>`,
  });
}

// An account ------------------------------------------------------------------------------------

/** What this person may do on this account; each decided by the rule its form enforces (show-registry.ts). */
export interface AccountActions {
  postingAuthority: boolean;
  removal: boolean;
  correction: boolean;
  moderation: boolean;
  /** An exception (F.d) and a display on a City website (Q): with posting authority on an active account. */
  exception: boolean;
  websiteDisplay: boolean;
  /** Retiring it (issue 14): an admin of the active account, or its department's director or designee. */
  retirement?: boolean;
  /** Its credential page (O.b, O.c): DTI, the Communications Coordinator, its admins, its director or designee. */
  credential?: boolean;
}

export interface AccountView {
  viewer: Viewer;
  account: Account;
  grants: Grant[];
  /** The request that created the account and its approvals (the audit trail). */
  source: { request?: GovernanceRequest; approvals: Approval[] };
  filed: FiledItem[];
  /** What stays in force on the account (exceptions F.d, displays Q), ended ones too. */
  standings?: readonly Standing[];
  /** The account department's own social media policy (R), its approved version now in force. */
  departmentPolicy?: Pick<DepartmentPolicyRecord, 'version' | 'approvedAt' | 'approvedByName' | 'sha256'>;
  actions: AccountActions;
  /** Set when DTI has retired the account's platform (O.a). */
  platformRetired?: PlatformRetirement;
}

const recordWords: Record<GovernanceRecord['kind'], string> = {
  PRESERVED_POST: 'Post preserved before removal (H)',
  POST_EDIT: 'Correction (M.b)',
  MODERATION: 'Moderation removal (K)',
};

function filedRow(item: FiledItem): (SafeHtml | string)[] {
  if (item.type === 'request') {
    const r = item.request;
    return [formatWhen(r.createdAt), kindOf(r).label, r.requester.name, html`${sourceLink(r.requestId)} ${statusBadge(r.status)}`];
  }
  const r = item.record;
  const link = r.preserved?.requestId ? sourceLink(r.preserved.requestId) : html`record ${r.recordId}`;
  return [formatWhen(r.recordedAt), recordWords[r.kind] ?? r.kind, r.recordedByName, link];
}

/** The step that decided last (the account was approved by it): who, and when. */
function lastDecision(approvals: Approval[]) {
  return approvals
    .filter((a) => a.decision)
    .sort((a, b) => a.step - b.step || a.round - b.round)
    .at(-1)?.decision;
}

/** GET /accounts/{accountId}: one account, its admins and posters (B), its records (H), and what this person may do. */
export function accountPage(v: AccountView): string {
  const { account: a, actions } = v;
  const id = encodeURIComponent(a.accountId);
  const decision = lastDecision(v.source.approvals);
  const active = v.grants.filter(isActive).sort((x, y) => grantRoles.indexOf(x.role) - grantRoles.indexOf(y.role) || x.personName.localeCompare(y.personName));
  const revoked = v.grants.filter((g) => !isActive(g));
  const actionLinks = [
    ...(actions.postingAuthority ? [html`<li><a href="/accounts/${id}/authority/new">Request posting authority</a></li>`] : []),
    ...(actions.removal ? [html`<li><a href="/accounts/${id}/removals/new">Request a post removal</a> (your supervisor approves it first, M.c)</li>`] : []),
    ...(actions.correction ? [html`<li><a href="/accounts/${id}/edits/new">Record a correction</a> (M.b)</li>`] : []),
    ...(actions.moderation ? [html`<li><a href="/accounts/${id}/moderation/new">Record a moderation removal</a> (K)</li>`] : []),
    ...(actions.websiteDisplay ? [html`<li><a href="/accounts/${id}/displays/new">Ask to show it on a City website (Q)</a> (DTI decides)</li>`] : []),
    ...(actions.exception
      ? [html`<li><a href="/accounts/${id}/exceptions/new">Ask for an exception (F.d)</a> (the Communications Coordinator decides)</li>`]
      : []),
    ...(actions.credential
      ? [html`<li><a href="/accounts/${id}/credential">Its credential on file</a> (O.b: on file with DTI, confirmed, who may sign in)</li>`]
      : []),
    ...(actions.retirement ? [html`<li><a href="/accounts/${id}/retirement/new">Retire this account</a> (the department director decides)</li>`] : []),
  ];
  return page({
    title: accountLabel(a),
    viewer: v.viewer,
    path: '/accounts',
    body: html`<p><a href="/accounts">Back to the registry</a></p>
<h1>${accountLabel(a)}</h1>
${
  v.platformRetired
    ? alert(
        'warning',
        html`<p class="margin-0">DTI retired ${v.platformRetired.platformName} from the approved list (O.a)${
          v.platformRetired.retiredAt ? html` on ${formatWhen(v.platformRetired.retiredAt)}` : ''
        }${v.platformRetired.retiredByName ? html` (${v.platformRetired.retiredByName})` : ''}.</p>
<p class="margin-0">Why: ${v.platformRetired.retiredReason ?? 'no reason was recorded'}</p>
<p class="margin-0">The account stays in the registry. <a href="/platforms/${encodeURIComponent(v.platformRetired.platformId)}">The platform’s page</a></p>`,
        { heading: 'Platform retired' },
      )
    : ''
}
${facts([
  ['Platform', a.platformName],
  ['Handle', a.handle],
  ['Department', `${a.departmentName} (${a.departmentCode})`],
  ['Status', a.status === 'RETIRED' ? retiredStatusLine(a, statusBadge(a.status)) : statusBadge(a.status)],
  ['In the registry since', formatWhen(a.createdAt)],
  ['Approved', html`${decision ? html`by ${decision.decidedByName}, ${formatWhen(decision.decidedAt)}, ` : ''}through ${sourceLink(a.sourceRequestId)}`],
  [
    'Department’s own policy (R)',
    v.departmentPolicy
      ? html`<a href="${policiesPath(a.departmentCode)}">version ${v.departmentPolicy.version}</a>, approved by ${v.departmentPolicy.approvedByName}, ${formatWhen(
          v.departmentPolicy.approvedAt,
        )} (SHA-256 <code>${v.departmentPolicy.sha256.slice(0, 12)}…</code>)`
      : html`none approved: the City policy alone applies (<a href="${policiesPath(a.departmentCode)}">the department’s policies</a>)`,
  ],
])}
<h2>What you can do</h2>
${actionLinks.length ? html`<ul class="usa-list">${actionLinks}</ul>` : html`<p>Nothing can be asked or recorded on this account now.</p>`}
<p class="usa-hint">Only what you may do is listed: removals, corrections, exceptions and displays on a City website need posting authority on this account (B); moderation removals are recorded by the Communications Director or their designee (K).</p>
${standingSection(v.standings ?? [])}
<h2>Admins and posters</h2>
${
  active.length
    ? dataTable({
        caption: `Posting authority (B) on ${accountLabel(a)}`,
        captionHidden: true,
        headers: ['Person', 'Role', 'Authorized by', 'Authorized', 'Through'],
        rows: active.map((g) => [
          g.personName,
          `${g.role.toLowerCase()}${g.receivesCredential ? ', shared credential' : ''}`,
          g.authorizedByName,
          formatWhen(g.authorizedAt),
          sourceLink(g.sourceRequestId),
        ]),
      })
    : html`<p>Nobody holds posting authority on this account now.</p>`
}
${
  revoked.length
    ? html`<details class="app-details"><summary>Revoked posting authority (${revoked.length}), kept on record</summary>${dataTable({
        caption: `Revoked posting authority on ${accountLabel(a)}`,
        captionHidden: true,
        headers: ['Person', 'Role', 'Revoked', 'Why', 'By'],
        rows: revoked.map((g) => [
          g.personName,
          g.role.toLowerCase(),
          formatWhen(g.revokedAt),
          g.revokedReason ?? '',
          g.revokedBySourceId ? sourceLink(g.revokedBySourceId) : '',
        ]),
      })}</details>`
    : ''
}
<h2>Records</h2>
${
  v.filed.length
    ? html`<p>The newest ${v.filed.length === 20 ? '20' : v.filed.length} filed under this account: requests about it and its public records (H).</p>${dataTable(
        {
          caption: `Records of ${accountLabel(a)}, newest first`,
          captionHidden: true,
          headers: ['When', 'What', 'By', 'Details'],
          rows: v.filed.map(filedRow),
        },
      )}`
    : html`<p>No requests or records are filed under this account yet.</p>`
}
${v.viewer.capabilities.recordsExport ? html`<p><a href="/records/export?accountId=${id}">Export this account’s records</a> (H, I)</p>` : ''}`,
  });
}
