import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '#core/errors';
import { type AccountRequest, accountRequest, normalizeHandle } from '#new-account/new-account';
import { namedSteps } from '#core/request';
import { type Person, policy } from '#core/policy';
import { newAccountKind } from '#new-account/kind';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { startSoon } from '#adapters/workflow-starts';
import { GovernanceStore } from '#adapters/store';
import { newAccountFormPage } from '#new-account/form-page';

let store: GovernanceStore | undefined;

async function formChoices(s: GovernanceStore) {
  const [departments, platforms, people] = await Promise.all([s.departments(), s.approvedPlatforms(), s.people()]);
  // A separated employee cannot be named an admin (C).
  return { departments, platforms, people: people.filter((p) => !p.separatedOn) };
}

/** GET /requests/new (the form) and POST /requests (submit it). */
export async function submitRequest(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  const person = viewer.person;
  if (event.requestContext.http.method === 'GET') {
    const choices = await formChoices(store);
    const submissionId = randomBytes(12).toString('base64url');
    if (!wantsHtml(event)) return jsonResponse(200, { ...choices, submissionId, checklist: policy.newAccountApproval.officialSiteChecklist });
    return htmlResponse(200, newAccountFormPage({ viewer, ...choices, submissionId }));
  }

  const body = parseBody(event);
  let request: AccountRequest;
  try {
    request = await buildRequest(store, person, body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      const choices = await formChoices(store);
      const submissionId = typeof body.submissionId === 'string' ? body.submissionId : randomBytes(12).toString('base64url');
      return htmlResponse(400, newAccountFormPage({ viewer, ...choices, submissionId, values: body, errors: error.fields }));
    }
    throw error;
  }

  const created = await store.createRequest(request, newAccountKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(store, request);
  logger.info('request submitted', { requestId: request.requestId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, { requestId: request.requestId, status: 'PENDING', href: url, steps: request.steps.map((s) => s.title) });
}

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
  if (!platform?.approved) fields.platformId = 'choose a platform from the approved list (O.a)';
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

export const handler = httpHandler(submitRequest);
