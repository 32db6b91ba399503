import { ConfigurationError, InvalidInputError, NotFoundError } from '#core/errors';
import { namedSteps } from '#core/request';
import type { Person } from '#core/policy';
import {
  assertMayAsk,
  assertNotAlreadyAuthorized,
  granteeIdOf,
  type PostingAuthorityRequest,
  postingAuthorityRequest,
} from '#posting-authority/posting-authority';
import { type Account, accountIdPattern, type Grant, grantRoles } from '#core/registry';
import { postingAuthorityKind } from '#posting-authority/kind';
import { assertAccountActive } from '#retirement/active-account';
import { httpHandler } from '#adapters/handler';
import {
  type HttpEvent,
  type HttpResult,
  htmlResponse,
  jsonResponse,
  parseBody,
  redirect,
  signedInViewer,
  wantsHtml,
  newSubmissionId,
  submissionIdOf,
} from '#adapters/http';
import { logger } from '#adapters/logger';
import { startSoon } from '#adapters/workflow-starts';
import { GovernanceStore } from '#adapters/store';
import { granteeField, postingAuthorityFormPage } from '#posting-authority/form-page';
import { type PickedPeople, type PersonSummary, resolvePersonFields, usesPersonFields } from '#core/people-picker';

let store: GovernanceStore | undefined;

/**
 * GET /accounts/{accountId}/authority/new (the form) and POST /accounts/{accountId}/authority:
 * "person X may post for account Y" (B), decided by the account department's director through the
 * same approval chain as new accounts.
 */
export async function requestPostingAuthority(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await store.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  // A retired account takes nothing new (issue 14): the page says when and by what it was retired.
  assertAccountActive(account, 'posting authority');
  const grants = await store.grantsForAccount(account.accountId, true);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>, choices?: Record<string, PersonSummary[]>) =>
    postingAuthorityFormPage({ viewer, account, grants, submissionId, values, errors, choices });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, grants, roles: grantRoles, submissionId, peopleSearch: '/people?q=' });
  }

  const body = parseBody(event);
  // The form names the person by email or name (grantee); a JSON client may send granteeId.
  const picked = usesPersonFields([granteeField], body) ? await resolvePersonFields([granteeField], body, store) : undefined;
  let request: PostingAuthorityRequest | undefined;
  let errors: Record<string, string> | undefined;
  try {
    if (picked && Object.keys(picked.errors).length) errors = { ...picked.errors, ...otherFieldErrors(picked, person) };
    else request = await buildRequest(store, person, account, grants, picked ? { ...picked.values, granteeId: picked.people[granteeField.key]?.id } : body);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const { granteeId, ...rest } = error.fields;
    errors = picked && granteeId ? { [granteeField.key]: granteeId, ...rest } : error.fields;
  }
  if (errors || !request) {
    if (!wantsHtml(event)) throw new InvalidInputError('The form has fields to fix.', errors ?? {});
    const submissionId = submissionIdOf(body);
    return htmlResponse(400, form(submissionId, picked?.values ?? body, errors ?? {}, picked?.choices));
  }

  const created = await store.createRequest(request, postingAuthorityKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(store, request, postingAuthorityKind, created);
  logger.info('posting authority requested', { requestId: request.requestId, accountId: account.accountId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, { requestId: request.requestId, status: 'PENDING', href: url, steps: request.steps.map((s) => s.title) });
}

/** The rest of the form's errors, when the person field is still to be fixed (checked as if asking for oneself). */
function otherFieldErrors(picked: PickedPeople, requester: Person): Record<string, string> {
  try {
    postingAuthorityKind.parseForm({ ...picked.values, granteeId: requester.id }, requester);
    return {};
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const { granteeId: _ignored, ...rest } = error.fields;
    return rest;
  }
}

/** Who may ask (403), the form and the grantee (400), what is already held (409), then the director's chain. */
async function buildRequest(s: GovernanceStore, requester: Person, account: Account, grants: Grant[], body: Record<string, unknown>) {
  const granteeId = granteeIdOf(body, requester);
  assertMayAsk({ requester, granteeId, account, grants });
  const found = /^[A-Za-z0-9-]{1,20}$/.test(granteeId) ? await s.person(granteeId) : undefined;
  const { grantee, ...form } = postingAuthorityKind.parseForm({ ...body, granteeId }, found);
  assertNotAlreadyAuthorized({ form, grantee, account, grants });

  const [department, roleHolders] = await Promise.all([s.department(account.departmentCode), s.roleHolders()]);
  if (!department) throw new ConfigurationError(`The department ${account.departmentCode} of ${account.handle} is not in the directory.`);
  const steps = postingAuthorityKind.planSteps({ requester, grantee, department, roleHolders });
  const approvers = await Promise.all(steps.map((step) => s.person(step.approverId)));
  return postingAuthorityRequest({
    requester,
    grantee,
    account,
    department,
    form,
    steps: namedSteps(steps, approvers),
    submissionId: form.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
}

export const handler = httpHandler(requestPostingAuthority);
