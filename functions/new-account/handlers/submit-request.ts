import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '#core/errors';
import { type AccountRequest, accountRequest, normalizeHandle } from '#new-account/new-account';
import { namedSteps } from '#core/request';
import { type Person, type Platform, policy } from '#core/policy';
import { isApproved, isRetired, mayHaveNewAccounts, missingDocuments, platformDocumentTitles } from '#core/platform';
import { newAccountKind } from '#new-account/kind';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { startSoon } from '#adapters/workflow-starts';
import { GovernanceStore } from '#adapters/store';
import { adminFields, newAccountFormPage } from '#new-account/form-page';
import { type PersonSummary, resolvePersonFields, usesPersonFields } from '#core/people-picker';

let store: GovernanceStore | undefined;

/**
 * The form's lists. People are not listed: the admin fields search the directory (people-picker.ts).
 * Only platforms with all three P documents are offered: an approved one missing any is incomplete (O.a, P).
 */
async function formChoices(s: GovernanceStore) {
  const [departments, platforms] = await Promise.all([s.departments(), s.approvedPlatforms()]);
  return { departments, platforms: platforms.filter(mayHaveNewAccounts) };
}

/** GET /requests/new (the form) and POST /requests (submit it). */
export async function submitRequest(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  const person = viewer.person;
  if (event.requestContext.http.method === 'GET') {
    const choices = await formChoices(store);
    const submissionId = randomBytes(12).toString('base64url');
    if (!wantsHtml(event)) {
      return jsonResponse(200, { ...choices, submissionId, checklist: policy.newAccountApproval.officialSiteChecklist, peopleSearch: '/people?q=' });
    }
    return htmlResponse(200, newAccountFormPage({ viewer, ...choices, submissionId }));
  }

  const body = parseBody(event);
  // The form names admins by email or name (admin1…admin3); a JSON client may send adminIds.
  // A separated employee cannot be named an admin (C): the picker refuses them by email, and the search leaves them out.
  const picked = usesPersonFields(adminFields, body) ? await resolvePersonFields(adminFields, body, store, { distinct: true }) : undefined;
  const input = picked ? { ...picked.values, adminIds: adminFields.flatMap((f) => picked.people[f.key]?.id ?? []) } : body;
  let request: AccountRequest | undefined;
  let errors: Record<string, string> | undefined;
  try {
    request = await buildRequest(store, person, input);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    errors = error.fields;
  }
  if (picked) errors = withAdminErrors(errors, picked.errors);
  if (errors || !request) {
    const fields = errors ?? {};
    if (!wantsHtml(event)) throw new InvalidInputError('The form has fields to fix.', fields);
    const choices = await formChoices(store);
    const submissionId = typeof body.submissionId === 'string' ? body.submissionId : randomBytes(12).toString('base64url');
    const people: Record<string, PersonSummary[]> = picked?.choices ?? {};
    return htmlResponse(400, newAccountFormPage({ viewer, ...choices, submissionId, values: picked?.values ?? body, errors: fields, choices: people }));
  }

  const created = await store.createRequest(request, newAccountKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(store, request, newAccountKind, created);
  logger.info('request submitted', { requestId: request.requestId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, { requestId: request.requestId, status: 'PENDING', href: url, steps: request.steps.map((s) => s.title) });
}

/**
 * The form's errors with the admin fields' own: a field's problem (nobody matches, choose who you
 * mean) replaces the list's ("name at least one"), and what is left of the list's is shown on the first field.
 */
function withAdminErrors(errors: Record<string, string> | undefined, adminErrors: Record<string, string>): Record<string, string> | undefined {
  const { adminIds, ...rest } = errors ?? {};
  const merged: Record<string, string> = { ...rest };
  const first = adminFields[0]?.key ?? 'admin1';
  if (adminIds && Object.keys(adminErrors).length === 0) merged[first] = adminIds;
  // In the form's order, so the error summary lists them as the page does.
  const ordered = Object.fromEntries(Object.entries({ ...merged, ...adminErrors }).sort(([a], [b]) => fieldOrder.indexOf(a) - fieldOrder.indexOf(b)));
  return Object.keys(ordered).length ? ordered : undefined;
}

const fieldOrder = ['departmentCode', 'platformId', 'proposedHandle', 'purpose', 'audience', 'riskAssessment', ...adminFields.map((f) => f.key), 'checklist'];

async function buildRequest(s: GovernanceStore, person: Person, body: Record<string, unknown>): Promise<AccountRequest> {
  const form = newAccountKind.parseForm(body);
  const [department, platform, roleHolders, handleTaken, ...admins] = await Promise.all([
    s.department(form.departmentCode),
    s.platform(form.platformId),
    s.roleHolders(),
    s.handleTaken(form.platformId, normalizeHandle(form.proposedHandle)),
    ...form.adminIds.map((id) => s.person(id)),
  ]);
  const fields: Record<string, string> = {};
  if (!department) fields.departmentCode = 'choose a department from the list';
  if (isRetired(platform))
    fields.platformId = `${platform?.name ?? form.platformId} was retired from DTI’s approved list (O.a); choose a platform from the approved list`;
  else if (!isApproved(platform)) fields.platformId = 'choose a platform from the approved list (O.a)';
  else if (platform && !mayHaveNewAccounts(platform)) fields.platformId = incompleteWords(platform);
  if (handleTaken) fields.proposedHandle = 'this handle is already in the City registry on that platform';
  const unknown = form.adminIds.filter((_, i) => !admins[i]);
  const separated = admins.filter((a) => a?.separatedOn).map((a) => a?.name);
  if (unknown.length) fields.adminIds = `not in the directory: ${unknown.join(', ')}`;
  else if (separated.length) fields.adminIds = `separated from the City: ${separated.join(', ')}`;
  if (Object.keys(fields).length || !department || !platform) throw new InvalidInputError('The form has fields to fix.', fields);

  const steps = newAccountKind.planSteps({ requester: person, department, roleHolders });
  const approvers = await Promise.all(steps.map((step) => s.person(step.approverId)));
  return accountRequest({
    requester: person,
    department,
    platform,
    admins: admins.filter((a) => a !== undefined),
    form,
    steps: namedSteps(steps, approvers),
    submissionId: form.submissionId ?? randomBytes(12).toString('base64url'),
    now: new Date(),
  });
}

/** Why an approved platform cannot have a new account yet: the P documents DTI has still to record. */
const incompleteWords = (platform: Platform) =>
  `${platform.name} is incomplete on DTI’s list: its ${missingDocuments(platform)
    .map((k) => platformDocumentTitles[k].toLowerCase())
    .join(', ')} (P) are not recorded yet; choose another platform, or ask DTI to record them`;

export const handler = httpHandler(submitRequest);
