import { NotFoundError } from '#core/errors';
import { type Account, accountIdPattern, isActive } from '#core/registry';
import { assertMayAskException } from '#exception/exception';
import { assertMayAsk } from '#posting-authority/posting-authority';
import { removalGrant } from '#post-removal/post-removal';
import { toCsv } from '#records/export-writers';
import { canRecordEdit, isModerator } from '#records/moderation';
import { accountPage, type AccountActions, accountHref, platformRetirement, registryPage } from '#registry/pages';
import { csvRowCap, encodeCursor, parseRegistryQuery, planQuery, type RegistryFilters } from '#registry/registry-query';
import type { Viewer } from '#site/navigation';
import { assertMayAskDisplay } from '#website-display/website-display';
import type { Department } from '#core/policy';
import { mayAskRetirement } from '#retirement/retirement';
import { mayManageCredential, mayViewCredential } from '#credentials/credential';
import { policy } from '#core/policy';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { RegistryStore } from '#adapters/registry-store';
import { StandingStore } from '#adapters/standing-store';
import { currentDepartmentPolicy } from '#adapters/department-policy-store';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;
let registry: RegistryStore | undefined;
let standingStore: StandingStore | undefined;

/**
 * GET /accounts: the registry (O.b), searched, filtered and paged with Queries (registry-query.ts
 * plans them), as HTML, JSON ({ accounts, next }) or CSV (format=csv). GET /accounts/{accountId}:
 * one account, its admins and posters (B), what is in force on it (exceptions F.d, displays Q), its
 * newest records (H), and what this person may do.
 */
export async function showRegistry(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  registry ??= new RegistryStore();
  const viewer = await signedInViewer(event, store);
  const accountId = event.pathParameters?.accountId;
  if (accountId !== undefined) return showAccount(event, viewer, store, registry, accountId);
  return showList(event, viewer, store, registry);
}

async function showList(event: HttpEvent, viewer: Viewer, s: GovernanceStore, r: RegistryStore): Promise<HttpResult> {
  const query = parseRegistryQuery(event.queryStringParameters ?? {});
  const own = viewer.capabilities.ownDepartments[0];
  // APD's Director of Communications opens their own department's accounts first (S), with a way to all of them.
  const defaulted = !query.given && own !== undefined;
  const filters: RegistryFilters = defaulted ? { ...query.filters, department: own } : query.filters;
  const plan = planQuery(filters);

  if (query.format === 'csv') return csvDownload(r, filters);
  const page = await r.accountPage(plan, query.cursor);
  if (!wantsHtml(event) && query.format !== 'html') {
    return jsonResponse(200, { accounts: page.accounts, next: page.next ? encodeCursor(page.next) : null });
  }
  // Every platform, retired ones too: the filter still finds their accounts, and the list flags them.
  const [departments, platforms] = await Promise.all([s.departments(), s.allPlatforms()]);
  return htmlResponse(
    200,
    registryPage({
      viewer,
      filters,
      allDepartments: query.allDepartments,
      plan,
      accounts: page.accounts,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(page.next ? { next: page.next } : {}),
      departments,
      platforms,
      ...(defaulted ? { ownDefault: departments.find((d) => d.code === own) ?? { code: own, name: own } } : {}),
    } as Parameters<typeof registryPage>[0]),
  );
}

/** Every page the filters select, up to csvRowCap rows, as one CSV attachment. */
async function csvDownload(r: RegistryStore, filters: RegistryFilters): Promise<HttpResult> {
  const plan = planQuery(filters);
  const accounts: Account[] = [];
  let page = await r.accountPage(plan, undefined, 100);
  accounts.push(...page.accounts);
  while (page.next && accounts.length < csvRowCap) {
    page = await r.accountPage(plan, page.next, Math.min(100, csvRowCap - accounts.length));
    accounts.push(...page.accounts);
  }
  const capped = accounts.length >= csvRowCap && page.next !== undefined;
  // The records export's CSV writer (csv-stringify, RFC 4180): a cell a spreadsheet would run as a formula, such as a handle's "@", starts with an apostrophe.
  const columns = ['account_id', 'platform', 'handle', 'department_code', 'department', 'status', 'in_registry_since', 'created_by_request', 'page'];
  const body = toCsv(
    columns,
    accounts.map((a) => ({
      account_id: a.accountId,
      platform: a.platformName,
      handle: a.handle,
      department_code: a.departmentCode,
      department: a.departmentName,
      status: a.status,
      in_registry_since: a.createdAt,
      created_by_request: a.sourceRequestId,
      page: accountHref(a.accountId),
    })),
  );
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="registry-accounts.csv"',
      'x-rows': String(accounts.length),
      ...(capped ? { 'x-rows-capped': `only the first ${csvRowCap} rows; narrow the filters for the rest` } : {}),
    },
    body,
  };
}

async function showAccount(event: HttpEvent, viewer: Viewer, s: GovernanceStore, r: RegistryStore, accountId: string): Promise<HttpResult> {
  const account = accountIdPattern.test(accountId) ? await s.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  standingStore ??= new StandingStore();
  const [grants, source, filed, platform, standings, departmentPolicy, department] = await Promise.all([
    s.grantsForAccount(account.accountId),
    s.requestWithApprovals(account.sourceRequestId),
    r.newestFiled(account.accountId),
    s.platform(account.platformId),
    standingStore.standingsOn(account.accountId),
    currentDepartmentPolicy(account.departmentCode),
    s.department(account.departmentCode),
  ]);
  const actions = actionsFor(viewer, account, grants, department);
  const retirement = platformRetirement(platform);
  if (!wantsHtml(event)) {
    const policy = departmentPolicy
      ? { version: departmentPolicy.version, recordId: departmentPolicy.recordId, sha256: departmentPolicy.sha256, approvedAt: departmentPolicy.approvedAt }
      : null;
    return jsonResponse(200, { account, grants, standings, departmentPolicy: policy, records: filed, actions, platformRetired: retirement ?? null });
  }
  return htmlResponse(
    200,
    accountPage({ viewer, account, grants, standings, departmentPolicy, source, filed, actions, ...(retirement ? { platformRetired: retirement } : {}) }),
  );
}

/**
 * What this person may do here, by the same rules the forms enforce (never copies): posting
 * authority for themselves (assertMayAsk) on an active account (its approval checks the account
 * is active); a removal and a correction with posting authority on it (removalGrant,
 * canRecordEdit); a moderation removal as the Communications Director or designee (isModerator);
 * an exception (assertMayAskException) and a display on a City website (assertMayAskDisplay) with
 * posting authority on an active account; retiring it as an admin of the active account or its
 * department's director or designee (mayAskRetirement); its credential page for DTI, the
 * Communications Coordinator, its admins and its director (mayViewCredential, mayManageCredential).
 */
export function actionsFor(viewer: Viewer, account: Account, grants: Parameters<typeof canRecordEdit>[2], department?: Department): AccountActions {
  const person = viewer.person;
  let mayAskForSelf = true;
  try {
    assertMayAsk({ requester: person, granteeId: person.id, account, grants });
  } catch {
    mayAskForSelf = false;
  }
  const allows = (check: () => void) => {
    try {
      check();
      return account.status === 'ACTIVE';
    } catch {
      return false;
    }
  };
  return {
    postingAuthority: mayAskForSelf && account.status === 'ACTIVE',
    exception: allows(() => assertMayAskException({ requester: person, account, grants })),
    websiteDisplay: allows(() => assertMayAskDisplay({ requester: person, account, grants })),
    removal: removalGrant({ requester: person, account, grants }) !== undefined,
    correction: canRecordEdit(person, account, grants.filter(isActive)),
    moderation: isModerator(person, viewer.roleHolders),
    retirement: account.status === 'ACTIVE' && mayAskRetirement({ requester: person, account, grants, ...(department ? { department } : {}) }),
    credential: mayViewCredential(person, viewer.roleHolders, policy.credentials.viewRoles) || mayManageCredential(person, grants, department),
  };
}

export const handler = httpHandler(showRegistry);
