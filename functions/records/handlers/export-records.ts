import { InvalidInputError, NotFoundError } from '#core/errors';
import { exportFormPage } from '#records/export-page';
import type { TaskKind } from '#offboarding/offboarding';
import { type AccountHistory, assertDownloadable, buildRecordsExport, zipExport } from '#records/export';
import type { Account } from '#core/registry';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { OffboardingStore } from '#adapters/offboarding-store';
import { PlatformStore } from '#adapters/platform-store';
import { RecordsStore } from '#adapters/records-store';
import { ReviewStore } from '#adapters/review-store';
import { GovernanceStore } from '#adapters/store';
import { DepartmentPolicyStore } from '#adapters/department-policy-store';
import { assertMayExport } from '#records/export-access';
import { defaultRange, type ExportQuery, exportParameterNames, exportParameters, parseExportQuery, rangeInstants } from '#records/export-query';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;
let offboardings: OffboardingStore | undefined;
let platforms: PlatformStore | undefined;
let reviews: ReviewStore | undefined;
let policies: DepartmentPolicyStore | undefined;

/**
 * GET /records/export: without a scope, the form (HTML) or its parameters (JSON); with
 * `accountId` or `department` and `from`/`to`, the records export (H, I) as one zip download.
 * DTI and the City Clerk's records contact (policy.records.exportRoles) and their designees only.
 */
export async function exportRecords(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const s = store;
  const signedIn = await signedInViewer(event, s);
  const viewer = signedIn.person;
  assertMayExport(viewer, signedIn.roleHolders);
  const raw = event.queryStringParameters ?? {};
  const form = async (values: Record<string, string | undefined>, errors?: Record<string, string>) => {
    // Retired accounts too (issue 14): their records are kept and exportable (H).
    const [accounts, retired, departments] = await Promise.all([s.accounts(), s.retiredAccounts(), s.departments()]);
    return exportFormPage({ viewer: signedIn, accounts: [...accounts, ...retired], departments, values, errors });
  };

  if (!exportParameterNames.some((k) => raw[k] !== undefined)) {
    return wantsHtml(event) ? htmlResponse(200, await form(defaultRange(new Date()))) : jsonResponse(200, exportParameters(new Date()));
  }
  let query: ExportQuery;
  try {
    query = parseExportQuery(raw);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) return htmlResponse(400, await form(raw, error.fields));
    throw error;
  }

  const { accounts, departmentName } = await accountsInScope(s, query);
  const histories: AccountHistory[] = [];
  // A department is read account by account (about 3 queries an account, plus one per request and two per offboarding), a few at a time.
  for (let i = 0; i < accounts.length; i += 8) histories.push(...(await Promise.all(accounts.slice(i, i + 8).map((a) => readHistory(s, a, query)))));

  // DTI's platforms list is City-wide: every change of the range, one query of its index (platform-store.ts).
  platforms ??= new PlatformStore();
  const { fromInstant, toInstant } = rangeInstants(query.from, query.to);
  const platformChanges = await platforms.changesBetween(fromInstant, toInstant);

  // The annual reviews of the departments in scope: one a year, each one page per department.
  reviews ??= new ReviewStore();
  const codes = [...new Set(accounts.map((a) => a.departmentCode).concat(query.scope.kind === 'department' ? [query.scope.departmentCode] : []))];
  const reviewPages = await reviews.departmentPagesBetween(codes, fromInstant, toInstant);

  const department = query.scope.kind === 'department' ? await readDepartment(s, query.scope.departmentCode, fromInstant, toInstant) : undefined;

  const generatedAt = new Date();
  const built = buildRecordsExport({ query, departmentName, generatedAt, generatedBy: viewer, histories, platformChanges, reviewPages, department });
  const body = Buffer.from(zipExport(built, generatedAt)).toString('base64');
  logger.info('records exported', { scope: query.scope, from: query.from, to: query.to, counts: built.manifest.counts, base64Bytes: body.length });
  assertDownloadable(body.length, query);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${built.fileName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body,
    isBase64Encoded: true,
  };
}

async function accountsInScope(s: GovernanceStore, query: ExportQuery): Promise<{ accounts: Account[]; departmentName?: string }> {
  if (query.scope.kind === 'account') {
    const account = await s.account(query.scope.accountId);
    if (!account) throw new NotFoundError(`There is no account ${query.scope.accountId} in the registry. Choose one from the registry at /accounts.`);
    return { accounts: [account] };
  }
  const code = query.scope.departmentCode;
  const department = await s.department(code);
  if (!department) throw new NotFoundError(`There is no department ${code} in the directory. Choose one from the list.`);
  // Retired accounts too: their records are kept (H), and a records request covers them.
  const [active, retired] = await Promise.all([s.accounts(), s.retiredAccounts()]);
  return { accounts: [...active, ...retired].filter((a) => a.departmentCode === code), departmentName: department.name };
}

/** Everything about one account: its filed requests and records in the range, the request that created it, every grant, offboarding tasks. */
async function readHistory(s: GovernanceStore, account: Account, query: ExportQuery): Promise<AccountHistory> {
  records ??= new RecordsStore();
  offboardings ??= new OffboardingStore();
  const tasksOf = offboardings;
  const { fromInstant, toInstant } = rangeInstants(query.from, query.to);
  const [filed, created, grants] = await Promise.all([
    records.forAccount(account.accountId, fromInstant, toInstant),
    s.requestWithApprovals(account.sourceRequestId),
    s.grantsForAccount(account.accountId),
  ]);
  const trails = await Promise.all(filed.requests.map((r) => s.requestWithApprovals(r.requestId)));
  // Offboardings that revoked a grant here (or appointed an admin): their tasks on this account.
  const offboardingIds = [...new Set(grants.flatMap((g) => [g.revokedBySourceId, g.sourceRequestId]).filter((id) => id?.startsWith('off-')))] as string[];
  const kinds: TaskKind[] = ['ROTATE', 'APPOINT'];
  const tasks = await Promise.all(offboardingIds.flatMap((id) => kinds.map((kind) => tasksOf.task(id, account.accountId, kind))));
  return {
    account,
    // The index copy of a request can lag its item: the item, read consistently with its approvals, wins.
    requests: [...(created.request ? [created.request] : []), ...filed.requests.map((r, i) => trails[i]?.request ?? r)],
    approvals: [...created.approvals, ...trails.flatMap((t) => t.approvals)],
    records: filed.records,
    grants,
    offboardingTasks: tasks.flatMap((t) => (t ? [t] : [])),
  };
}

/**
 * A department's own requests and records, not about an existing account: those filed under it
 * (new accounts, platform proposals) and its policies (R: requests and approved versions), each
 * request read with its approvals. A new-account request that was approved is also its account's.
 */
async function readDepartment(s: GovernanceStore, code: string, from: string, to: string) {
  records ??= new RecordsStore();
  policies ??= new DepartmentPolicyStore();
  const [filed, own] = await Promise.all([records.forDepartment(code, from, to), policies.departmentPolicies(code)]);
  const ids = [...new Set([...filed, ...own.requests.filter((r) => r.createdAt >= from && r.createdAt <= `${to}~`)].map((r) => r.requestId))];
  const trails: Awaited<ReturnType<GovernanceStore['requestWithApprovals']>>[] = [];
  for (let i = 0; i < ids.length; i += 8) trails.push(...(await Promise.all(ids.slice(i, i + 8).map((id) => s.requestWithApprovals(id)))));
  return {
    requests: trails.flatMap((t) => (t.request ? [t.request] : [])),
    approvals: trails.flatMap((t) => t.approvals),
    policies: own.records,
  };
}

export const handler = httpHandler(exportRecords);
