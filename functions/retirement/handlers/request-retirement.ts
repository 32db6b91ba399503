import { ConfigurationError, ConflictError, InvalidInputError, NotFoundError } from '#core/errors';
import { formatDate } from '#core/html';
import { type Department, type Person, policy, type RoleHolder } from '#core/policy';
import { type Account, accountIdPattern } from '#core/registry';
import { namedSteps, type PlannedStep } from '#core/request';
import { assertAccountActive } from '#retirement/active-account';
import { retirementFormPage } from '#retirement/form-page';
import { retirementKind } from '#retirement/kind';
import { assertMayAskRetirement, contentPlanWords, type RetiredFacts, retirementRequest } from '#retirement/retirement';
import { httpHandler } from '#adapters/handler';
import {
  type HttpEvent,
  type HttpResult,
  htmlResponse,
  jsonResponse,
  newSubmissionId,
  parseBody,
  redirect,
  signedInViewer,
  submissionIdOf,
  wantsHtml,
} from '#adapters/http';
import { logger } from '#adapters/logger';
import { RetirementStore } from '#adapters/retirement-store';
import { GovernanceStore } from '#adapters/store';
import { startSoon } from '#adapters/workflow-starts';

let store: GovernanceStore | undefined;
let retirements: RetirementStore | undefined;

/**
 * GET /accounts/{accountId}/retirement/new (the form) and POST /accounts/{accountId}/retirement:
 * an admin of the account or its department's director (or designee) asks to retire it (issue 14);
 * the director decides by email link. A retired account (409), anyone else (403) and a second
 * request while one is open (409, naming it) are refused, and nothing is stored.
 */
export async function requestRetirement(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  retirements ??= new RetirementStore();
  const s = store;
  const viewer = await signedInViewer(event, s);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await s.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  assertAccountActive(account as Account & RetiredFacts, 'retirement request');
  const [grants, department] = await Promise.all([s.grantsForAccount(account.accountId, true), s.department(account.departmentCode)]);
  if (!department) throw new ConfigurationError(`The department ${account.departmentCode} of ${account.handle} is not in the directory.`);
  const director = await s.person(department.directorId);
  assertMayAskRetirement({ requester: person, account, grants, department, ...(director ? { directorName: director.name } : {}) });
  const r = retirements;
  const steps = await chainFor(s, person, department, viewer.roleHolders);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    retirementFormPage({ viewer, account, grants, deciderName: steps[0]?.approverName ?? 'The department director', submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    await openRetirement(s, r, account);
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, {
      account,
      contentPlans: contentPlanWords,
      credentialKeptDays: policy.credentials.retainRetiredDays,
      decidedBy: steps.map((st) => ({ title: st.title, name: st.approverName })),
      submissionId,
    });
  }

  const body = parseBody(event);
  let parsed: ReturnType<typeof retirementKind.parseForm>;
  try {
    parsed = retirementKind.parseForm(body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) return htmlResponse(400, form(submissionIdOf(body), body, error.fields));
    throw error;
  }
  const request = retirementRequest({
    requester: person,
    account,
    department,
    form: parsed,
    steps,
    submissionId: parsed.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
  // The same submission again finds its own request the account's (and stores nothing twice).
  const previous = await openRetirement(s, r, account, request.requestId);
  const stored = previous === request.requestId ? 'repeated' : await r.createRequest(request, retirementKind, previous);
  // Two people asking at the same moment: the second is told of the first.
  if (stored === 'taken') {
    await openRetirement(s, r, account, request.requestId);
    throw new ConflictError(
      `Another request to retire ${account.platformName} ${account.handle} was made at the same moment. Open the account again to see it.`,
    );
  }
  const created = stored === 'created';
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(s, request, retirementKind, created);
  logger.info('retirement requested', { requestId: request.requestId, accountId: account.accountId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, { requestId: request.requestId, status: 'PENDING', href: url, steps: request.steps.map((st) => st.title) });
}

/**
 * Refuses (409) a second request while the account's retirement request is still open, naming it;
 * answers the account's latest retirement request (closed, which a new one may replace, or `own`).
 */
async function openRetirement(s: GovernanceStore, r: RetirementStore, account: Account, own?: string): Promise<string | undefined> {
  const latest = await r.claimOf(account.accountId);
  if (!latest || latest === own) return latest;
  const open = await s.request(latest, true);
  if (open?.status === 'PENDING') {
    throw new ConflictError(
      `${account.platformName} ${account.handle} already has an open request to retire it: ${latest}, asked by ${open.requester.name} on ${formatDate(
        open.createdAt,
      )}. Its page is /requests/${latest}; the director decides it by email.`,
    );
  }
  return latest;
}

/** The department director's chain, planned from the directory; the designee decides when the director asks. */
async function chainFor(s: GovernanceStore, requester: Person, department: Department, roleHolders: RoleHolder[]): Promise<PlannedStep[]> {
  const steps = retirementKind.planSteps({ requester, department, roleHolders });
  return namedSteps(steps, await Promise.all(steps.map((step) => s.person(step.approverId))));
}

export const handler = httpHandler(requestRetirement);
