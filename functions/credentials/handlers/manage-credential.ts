import { randomUUID } from 'node:crypto';
import { ConfigurationError, ConflictError, ForbiddenError, NotFoundError } from '#core/errors';
import { metricNames } from '#core/metrics';
import { resolvePersonFields } from '#core/people-picker';
import { policy } from '#core/policy';
import { accountIdPattern, type Grant } from '#core/registry';
import type { NamedPerson } from '#core/request';
import { type AdminChangeReport, credentialHealth, mayManageCredential, mayViewCredential } from '#credentials/credential';
import { credentialChangedEmail, credentialViewedEmail } from '#credentials/emails';
import { parseAdminChange, parseChangeForm, parseLoginForm, parseViewReason } from '#credentials/forms';
import { adminPersonField, type CredentialPageView, credentialHref, credentialPage, credentialsOverviewPage } from '#credentials/pages';
import { generatePassword } from '#offboarding/credential';
import type { Viewer } from '#site/navigation';
import { settleCredentialCapture } from '#adapters/credential-capture';
import { type AccountFile, CredentialStore } from '#adapters/credential-store';
import { env } from '#adapters/env';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
import { summaryAudience } from '#adapters/summary-audience';
import { vault } from '#adapters/vault';

let store: CredentialStore | undefined;

const whoMayView = 'Only DTI and the Communications Coordinator (or designee) may view an account\u2019s login (O.b).';
const whoMayManage = 'Only the account\u2019s current admins and its department\u2019s director or designee may record its login or a change of it.';

interface Context {
  event: HttpEvent;
  viewer: Viewer;
  by: NamedPerson;
  file: AccountFile & { account: NonNullable<AccountFile['account']> };
  mayView: boolean;
  mayManage: boolean;
  people: Map<string, { separatedOn?: string; email: string; name: string }>;
}

/**
 * GET /credentials: DTI's and the Coordinator's list of the accounts the City could not act on at
 * once (O.c). GET /accounts/{id}/credential: the account's credential page; POST there, by action:
 * `view` (DTI, Coordinator; with a reason, recorded before the login is shown, admins told),
 * `record` (the first login), `change` (a password change: generated or their own), `confirm`
 * (the pending version becomes current; DTI and the Coordinator told), `admin` (an admin added or
 * removed on the platform, reconciled with the grants). Every POST checks the state it read.
 */
export async function manageCredential(event: HttpEvent): Promise<HttpResult> {
  store ??= new CredentialStore();
  const viewer = await signedInViewer(event, store);
  if (!event.pathParameters?.accountId) return overview(viewer);
  const accountId = event.pathParameters.accountId;
  const file = accountIdPattern.test(accountId) ? await store.accountFile(accountId) : undefined;
  if (!file?.account) throw new NotFoundError(`No account ${accountId.slice(0, 90)} is in the registry.`);
  const department = await store.department(file.account.departmentCode);
  const person = viewer.person;
  const ctx: Context = {
    event,
    viewer,
    by: { id: person.id, name: person.name, email: person.email },
    file: file as Context['file'],
    mayView: mayViewCredential(person, viewer.roleHolders, policy.credentials.viewRoles),
    mayManage: mayManageCredential(person, file.grants, department),
    people: await peopleOf(file.grants),
  };
  if (!ctx.mayView && !ctx.mayManage) throw new ForbiddenError(`${whoMayView} ${whoMayManage}`);
  if (event.requestContext.http.method !== 'POST') return show(ctx, 200);
  const body = parseBody(event);
  const retired = file.account.status === 'RETIRED' || file.credential?.status === 'RETIRED';
  if (retired)
    throw new ConflictError(
      `${file.account.platformName} ${file.account.handle} is retired: its credential is kept on record and can no longer be viewed or changed.`,
    );
  switch (body.action) {
    case 'view':
      return view(ctx, body);
    case 'record':
      return record(ctx, body);
    case 'change':
      return change(ctx, body);
    case 'confirm':
      return confirm(ctx, body);
    case 'admin':
      return reportAdmin(ctx, body);
    default:
      return show(ctx, 400, { errors: { action: 'Choose one of the page\u2019s forms.' } });
  }
}

async function peopleOf(grants: Grant[]) {
  const ids = [...new Set(grants.filter((g) => g.status === 'ACTIVE').map((g) => g.personId))];
  const found = [];
  for (let i = 0; i < ids.length; i += 8) found.push(...(await Promise.all(ids.slice(i, i + 8).map((id) => (store as CredentialStore).person(id)))));
  return new Map(found.flatMap((p) => (p ? [[p.id, p] as const] : [])));
}

const healthOf = (file: AccountFile, people: Context['people']) =>
  credentialHealth({
    credential: file.credential,
    grants: file.grants,
    people,
    now: new Date().toISOString(),
    maxAgeDays: policy.annualReview.credentialMaxAgeDays,
    minPeopleWithAccess: policy.credentials.minPeopleWithAccess,
  });

function show(ctx: Context, status: number, extra: Partial<CredentialPageView> = {}): HttpResult {
  const { file } = ctx;
  const health = healthOf(file, ctx.people);
  if (!wantsHtml(ctx.event)) {
    if (extra.errors) return jsonResponse(status, { accountId: file.account.accountId, fields: extra.errors });
    const c = file.credential;
    return jsonResponse(status, {
      accountId: file.account.accountId,
      status: c?.status ?? 'NOT_ON_FILE',
      confirmedAt: c?.confirmedAt ?? null,
      pending: Boolean(c?.pendingVersionId),
      health,
      views: file.views.map((v) => ({ at: v.at, by: v.by.name, reason: v.reason })),
      ...(extra.revealed ? { login: extra.revealed.login ?? null, password: extra.revealed.password } : {}),
      ...(extra.generated ? { password: extra.generated, versionId: c?.pendingVersionId } : {}),
      ...(c?.pendingVersionId && ctx.mayManage ? { versionId: c.pendingVersionId } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
    });
  }
  return htmlResponse(
    status,
    credentialPage({
      viewer: ctx.viewer,
      account: file.account,
      ...(file.credential ? { credential: file.credential } : {}),
      health,
      views: file.views,
      reports: file.reports,
      mayView: ctx.mayView,
      mayManage: ctx.mayManage,
      ...extra,
    }),
  );
}

/** Again from the table: after a write, or after a conditional write lost to someone else. */
async function reread(ctx: Context): Promise<Context> {
  const file = await (store as CredentialStore).accountFile(ctx.file.account.accountId);
  return { ...ctx, file: { ...file, account: file.account ?? ctx.file.account } };
}

const label = (ctx: Context) => `${ctx.file.account.platformName} ${ctx.file.account.handle}`;
const pageUrl = (ctx: Context) => `${env().PUBLIC_BASE_URL.replace(/\/+$/, '')}${credentialHref(ctx.file.account.accountId)}`;

async function view(ctx: Context, body: Record<string, unknown>): Promise<HttpResult> {
  if (!ctx.mayView) throw new ForbiddenError(whoMayView);
  const reason = parseViewReason(body);
  // Without a reason nothing is read or recorded: 403, saying who may and what to give.
  if (!reason.ok) return show(ctx, 403, { form: 'view', errors: reason.errors, values: body });
  const c = ctx.file.credential;
  if (!c?.currentVersionId)
    throw new ConflictError(`${label(ctx)} has no confirmed credential on file to view: its admins must record and confirm its login first.`);
  const password = await vault.readVersion(ctx.file.account.accountId, c.currentVersionId);
  if (!password) throw new ConfigurationError(`The confirmed credential of ${label(ctx)} is missing from the vault; tell DTI.`);
  const at = new Date().toISOString();
  const record = { accountId: ctx.file.account.accountId, viewId: randomUUID(), by: ctx.by, at, reason: reason.reason };
  // Recorded before it is shown: a view that is not on the record never shows anything.
  await (store as CredentialStore).putView(record);
  logger.info('credential viewed', { accountId: record.accountId, viewId: record.viewId });
  const email = credentialViewedEmail({ accountLabel: label(ctx), viewer: ctx.by, at, reason: reason.reason, url: pageUrl(ctx) });
  for (const admin of currentAdmins(ctx)) {
    await sendOnce(ledgerBeside(`ACCOUNT#${record.accountId}`, `credview-${record.viewId}-${admin.id}`), { to: [admin.email], ...email });
  }
  return show(await reread(ctx), 200, { revealed: { ...(c.login ? { login: c.login } : {}), password } });
}

function currentAdmins(ctx: Context): NamedPerson[] {
  const ids = new Set(ctx.file.grants.filter((g) => g.status === 'ACTIVE' && g.role === 'ADMIN').map((g) => g.personId));
  return [...ids].flatMap((id) => {
    const p = ctx.people.get(id);
    return p && !p.separatedOn ? [{ id, name: p.name, email: p.email }] : [];
  });
}

/** A new version in the vault and on the record as pending; its id, or undefined when the record changed since it was read. */
async function stage(ctx: Context, password: string, login: Parameters<CredentialStore['recordPending']>[0]['login']): Promise<string | undefined> {
  const versionId = randomUUID();
  const accountId = ctx.file.account.accountId;
  await vault.stagePending(accountId, versionId, password);
  const c = ctx.file.credential;
  const recorded = await (store as CredentialStore).recordPending({
    accountId,
    expected: c?.status,
    ...(c?.pendingVersionId ? { expectedPending: c.pendingVersionId } : {}),
    versionId,
    ...(login ? { login } : {}),
    by: ctx.by,
    at: new Date().toISOString(),
  });
  return recorded ? versionId : undefined;
}

/** The page after a recording: its confirm form names the version this request staged, whatever a later read finds. */
async function afterStaging(ctx: Context, versionId: string, extra: Partial<CredentialPageView>): Promise<HttpResult> {
  const next = await reread(ctx);
  const c = next.file.credential;
  const file = c ? { ...next.file, credential: { ...c, pendingVersionId: versionId } } : next.file;
  return show({ ...next, file }, 200, extra);
}

async function record(ctx: Context, body: Record<string, unknown>): Promise<HttpResult> {
  if (!ctx.mayManage) throw new ForbiddenError(whoMayManage);
  if (ctx.file.credential?.status === 'CONFIRMED')
    throw new ConflictError(`The login of ${label(ctx)} is on file and confirmed: record a password change instead.`);
  const parsed = parseLoginForm(body);
  if (!parsed.ok) return show(ctx, 400, { form: 'record', errors: parsed.errors, values: withoutPasswords(body) });
  if (!(await stage(ctx, parsed.password, parsed.login)))
    throw new ConflictError('The credential changed while you were recording it: reload the page and try again.');
  logger.info('credential recorded, waiting for confirmation', { accountId: ctx.file.account.accountId });
  return show(await reread(ctx), 200, {
    notice: 'Recorded. Now sign in to the platform with this login, and confirm below: until then it is not on file as confirmed.',
  });
}

async function change(ctx: Context, body: Record<string, unknown>): Promise<HttpResult> {
  if (!ctx.mayManage) throw new ForbiddenError(whoMayManage);
  if (ctx.file.credential?.status !== 'CONFIRMED') throw new ConflictError(`${label(ctx)} has no confirmed login on file: record its login first.`);
  const parsed = parseChangeForm(body);
  if (!parsed.ok) return show(ctx, 400, { form: 'change', errors: parsed.errors, values: withoutPasswords(body) });
  const password = parsed.mode === 'generate' ? generatePassword() : parsed.password;
  const versionId = await stage(ctx, password, undefined);
  if (!versionId) throw new ConflictError('The credential changed while you were recording it: reload the page and try again.');
  logger.info('credential change staged', { accountId: ctx.file.account.accountId, mode: parsed.mode });
  return afterStaging(ctx, versionId, {
    ...(parsed.mode === 'generate' ? { generated: password } : {}),
    notice:
      parsed.mode === 'generate'
        ? 'A new password is staged. Set it on the platform, then confirm below.'
        : 'Your new password is recorded. Confirm below once you have signed in with it.',
  });
}

async function confirm(ctx: Context, body: Record<string, unknown>): Promise<HttpResult> {
  if (!ctx.mayManage) throw new ForbiddenError(whoMayManage);
  const c = ctx.file.credential;
  const versionId = typeof body.versionId === 'string' ? body.versionId : '';
  const accountId = ctx.file.account.accountId;
  // A retry of a confirmation that was recorded but cut short: finish what it owed, once.
  if (versionId && c?.currentVersionId === versionId && c.confirmedBy?.id === ctx.by.id)
    return finishConfirmation(ctx, versionId, c.status === 'CONFIRMED', c.confirmedAt ?? new Date().toISOString(), true);
  if (!c?.pendingVersionId || c.pendingVersionId !== versionId) {
    throw new ConflictError('That is no longer the credential waiting for confirmation (someone recorded another, or it was confirmed): reload the page.');
  }
  // Only who recorded it knows they signed in with it.
  if (c.pendingBy && c.pendingBy.id !== ctx.by.id) throw new ForbiddenError(`Only ${c.pendingBy.name}, who recorded it, can confirm they signed in with it.`);
  if (body.signedIn !== 'yes')
    return show(ctx, 400, { form: 'confirm', errors: { signedIn: `Tick the box once you have signed in to ${label(ctx)} with it.` } });
  const login = (c as typeof c & { pendingLogin?: typeof c.login }).pendingLogin ?? c.login;
  if (!login) throw new ConflictError('No login details are recorded with this version: record the whole login again.');
  const at = new Date().toISOString();
  // The record first: it is what says which version is current (views read that version by id), so
  // the vault's labels follow it, and a retry after a crash in between finishes the promotion.
  if (!(await (store as CredentialStore).confirm({ accountId, versionId, login, by: ctx.by, at }))) {
    throw new ConflictError('The credential changed while you were confirming it: reload the page.');
  }
  // A changed password confirmed (not an account's first login), once: only the conditional write gets here.
  if (c.status === 'CONFIRMED') countMetric(metricNames.rotationConfirmed, 'credentials');
  return finishConfirmation(ctx, versionId, c.status === 'CONFIRMED', at, false);
}

/** After the record: the vault's label, the capture task settled, then DTI and the Coordinator told (each once). */
async function finishConfirmation(ctx: Context, versionId: string, wasConfirmed: boolean, at: string, retry: boolean): Promise<HttpResult> {
  const accountId = ctx.file.account.accountId;
  await vault.promote(accountId, versionId);
  await settleCredentialCapture(accountId, ctx.by, at);
  const what =
    wasConfirmed && retry
      ? `changed the credential of ${label(ctx)} and confirmed it.`
      : wasConfirmed
        ? `changed the password of ${label(ctx)} and confirmed it.`
        : `recorded and confirmed the login of ${label(ctx)}.`;
  const email = credentialChangedEmail({ accountLabel: label(ctx), by: ctx.by, at, what, url: pageUrl(ctx) });
  for (const to of await summaryAudience(store as CredentialStore)) {
    await sendOnce(ledgerBeside(`ACCOUNT#${accountId}`, `credchange-${versionId}-${to}`), { to: [to], ...email });
  }
  logger.info('credential confirmed', { accountId, first: !wasConfirmed, retry });
  return show(await reread(ctx), 200, {
    notice: `Confirmed: it is the current credential of ${label(ctx)}. DTI and the Communications Coordinator have been told.`,
  });
}

async function reportAdmin(ctx: Context, body: Record<string, unknown>): Promise<HttpResult> {
  if (!ctx.mayManage) throw new ForbiddenError(whoMayManage);
  const parsed = parseAdminChange(body);
  const picked = await resolvePersonFields([adminPersonField], body, store as CredentialStore);
  const person = picked.people.person;
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...picked.errors };
  if (!parsed.ok || !person || Object.keys(errors).length) return show(ctx, 400, { form: 'admin', errors, values: picked.values, choices: picked.choices });
  const at = new Date().toISOString();
  const reportId = randomUUID();
  const adminGrants = ctx.file.grants.filter((g) => g.personId === person.id && g.role === 'ADMIN' && g.status === 'ACTIVE');
  let reconciliation: string;
  if (parsed.change === 'ADDED') {
    reconciliation = adminGrants.length ? 'holds an ADMIN grant' : 'holds no ADMIN grant: the director must authorize them (B), or they must be removed';
  } else {
    const others = ctx.file.grants.filter((g) => g.personId !== person.id && g.role === 'ADMIN' && g.status === 'ACTIVE');
    if (adminGrants.length && others.length === 0) {
      // The account's last admin: revoking would leave nobody to act (O.c); the director appoints another first.
      reconciliation = 'the account\u2019s only ADMIN grant, not revoked: the director must authorize another admin first';
    } else {
      for (const g of adminGrants) await (store as CredentialStore).revokeAdminGrant(g, at, reportId);
      reconciliation = adminGrants.length ? 'ADMIN grant revoked' : 'held no ADMIN grant';
    }
  }
  const report: AdminChangeReport = {
    accountId: ctx.file.account.accountId,
    reportId,
    change: parsed.change,
    person: { id: person.id, name: person.name, email: person.email },
    reportedBy: ctx.by,
    at,
    reconciliation,
  };
  await (store as CredentialStore).putAdminReport(report);
  const what = `reported that ${person.name} was ${parsed.change === 'ADDED' ? 'added as' : 'removed as'} an admin of ${label(ctx)} on the platform (grants: ${reconciliation}).`;
  const email = credentialChangedEmail({ accountLabel: label(ctx), by: ctx.by, at, what, url: pageUrl(ctx) });
  for (const to of await summaryAudience(store as CredentialStore)) {
    await sendOnce(ledgerBeside(`ACCOUNT#${report.accountId}`, `adminreport-${reportId}-${to}`), { to: [to], ...email });
  }
  logger.info('admin change reported', { accountId: report.accountId, change: parsed.change });
  return show(await reread(ctx), 200, { notice: `Reported: ${person.name}, ${reconciliation}. DTI and the Communications Coordinator have been told.` });
}

/** What a form shows again after an error: never a password. */
function withoutPasswords(body: Record<string, unknown>): Record<string, unknown> {
  const { password: _p, passwordAgain: _a, ...rest } = body;
  return rest;
}

async function overview(viewer: Viewer): Promise<HttpResult> {
  if (!viewer.capabilities.credentials) throw new ForbiddenError(whoMayView);
  const s = store as CredentialStore;
  const files = await s.activeFiles();
  const people = await peopleOf(files.flatMap((f) => f.grants));
  const rows = files.flatMap((f) => (f.account ? [{ account: f.account, health: healthOf(f, people) }] : []));
  rows.sort((a, b) => b.health.problems.length - a.health.problems.length || a.account.departmentName.localeCompare(b.account.departmentName));
  return htmlResponse(200, credentialsOverviewPage({ viewer, rows }));
}

export const handler = httpHandler(manageCredential);
