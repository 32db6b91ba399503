import { ConflictError, InvalidInputError, NotFoundError } from '#core/errors';
import type { Department, Person } from '#core/policy';
import { namedSteps } from '#core/request';
import { assertMaySubmit, assertVersionFree, type DepartmentPolicyRequest, departmentPolicyRequest, policiesPath } from '#department-policy/department-policy';
import { departmentPolicyFormPage } from '#department-policy/form-page';
import { departmentPolicyKind } from '#department-policy/kind';
import { departmentPolicies, departmentPoliciesJson, departmentPoliciesPage } from '#department-policy/pages';
import { DepartmentPolicyStore } from '#adapters/department-policy-store';
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
import { GovernanceStore } from '#adapters/store';
import { startSoon } from '#adapters/workflow-starts';

let store: GovernanceStore | undefined;
let policies: DepartmentPolicyStore | undefined;

/**
 * GET /departments/{code}/policies (its policies), GET …/policies/new (the form) and POST
 * …/policies: someone of the department submits its own social media policy (R), decided by the
 * Communications Director (or designee) by email link.
 */
export async function requestDepartmentPolicy(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  policies ??= new DepartmentPolicyStore();
  const viewer = await signedInViewer(event, store);
  const code = event.pathParameters?.departmentCode ?? '';
  const department = /^[A-Za-z0-9]{1,12}$/.test(code) ? await store.department(code) : undefined;
  if (!department) throw new NotFoundError(`There is no department ${code} in the directory. Check the department code (for example PRD).`);
  const maySubmit = viewer.person.departmentCode === department.code;

  if (event.routeKey === 'GET /departments/{departmentCode}/policies') {
    const shown = departmentPolicies({ department, ...(await policies.departmentPolicies(department.code)) });
    if (!wantsHtml(event)) return jsonResponse(200, departmentPoliciesJson(shown, maySubmit));
    return htmlResponse(200, departmentPoliciesPage({ viewer, policies: shown, maySubmit }));
  }
  assertMaySubmit(viewer.person, department);
  const current = await policies.pointer(department.code);
  const form = (status: number, submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    htmlResponse(status, departmentPolicyFormPage({ viewer, department, currentVersion: current?.version, submissionId, values, errors }));
  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return form(200, submissionId);
    return jsonResponse(200, { department, currentVersion: current?.version ?? null, submissionId, post: policiesPath(department.code) });
  }

  const body = parseBody(event);
  const resubmit = submissionIdOf(body);
  let submitted: { request: DepartmentPolicyRequest; created: boolean };
  try {
    submitted = await submit(store, policies, viewer.person, department, body, current?.sequence ?? 0);
  } catch (error) {
    if (!wantsHtml(event)) throw error;
    if (error instanceof InvalidInputError) return form(400, resubmit, body, error.fields);
    if (error instanceof ConflictError) return form(409, resubmit, body, { version: error.message });
    throw error;
  }
  const { request, created } = submitted;
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(store, request, departmentPolicyKind, created);
  logger.info('department policy submitted', { requestId: request.requestId, departmentCode: department.code, version: request.version, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, {
    requestId: request.requestId,
    status: 'PENDING',
    href: url,
    sha256: request.sha256,
    steps: request.steps.map((s) => s.title),
  });
}

/** The form (400), the version (409: approved or pending already), the chain, then the request stored with its version's claim. */
async function submit(
  s: GovernanceStore,
  p: DepartmentPolicyStore,
  requester: Person,
  department: Department,
  body: Record<string, unknown>,
  approvedBefore: number,
) {
  const form = departmentPolicyKind.parseForm(body);
  const roleHolders = await s.roleHolders();
  const steps = departmentPolicyKind.planSteps({ requester, department, roleHolders });
  const approvers = await Promise.all(steps.map((step) => s.person(step.approverId)));
  const request = departmentPolicyRequest({
    requester,
    department,
    form,
    steps: namedSteps(steps, approvers),
    approvedBefore,
    submissionId: form.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
  // Two tries: a claim lost to a racing submission is read again, and names the request that won.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const holderId = await p.versionHolder(department.code, form.version);
    if (holderId === request.requestId) return { request, created: false };
    const holder = holderId ? await s.request(holderId, true) : undefined;
    assertVersionFree(form.version, department, holder);
    const result = await p.submit(request, departmentPolicyKind, holderId);
    if (result !== 'taken') return { request, created: result === 'created' };
  }
  throw new ConflictError(
    `Version ${form.version} of the ${department.name} social media policy was just submitted by someone else. Reload its page to see it.`,
  );
}

export const handler = httpHandler(requestDepartmentPolicy);
