import { randomBytes } from 'node:crypto';
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
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { startSoon } from '#adapters/workflow-starts';
import { GovernanceStore } from '#adapters/store';
import { postingAuthorityFormPage } from '#posting-authority/form-page';

let store: GovernanceStore | undefined;

const newSubmissionId = () => randomBytes(12).toString('base64url');

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
  const [grants, people] = await Promise.all([store.grantsForAccount(account.accountId, true), store.people()]);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    postingAuthorityFormPage({ viewer, account, grants, people, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, grants, people, roles: grantRoles, submissionId });
  }

  const body = parseBody(event);
  let request: PostingAuthorityRequest;
  try {
    request = await buildRequest(store, person, account, grants, body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(typeof body.submissionId === 'string' ? body.submissionId : newSubmissionId(), body, error.fields));
    }
    throw error;
  }

  const created = await store.createRequest(request, postingAuthorityKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(store, request);
  logger.info('posting authority requested', { requestId: request.requestId, accountId: account.accountId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, { requestId: request.requestId, status: 'PENDING', href: url, steps: request.steps.map((s) => s.title) });
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
