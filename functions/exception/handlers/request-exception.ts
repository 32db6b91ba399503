import { ConfigurationError, InvalidInputError, NotFoundError } from '#core/errors';
import { type Department, type Person, policy } from '#core/policy';
import { type Account, accountIdPattern } from '#core/registry';
import { namedSteps, type PlannedStep } from '#core/request';
import { assertMayAskException, dayIn, exceptionRequest, exceptionStandards, standardTitle } from '#exception/exception';
import { exceptionFormPage } from '#exception/form-page';
import { exceptionKind } from '#exception/kind';
import { assertAccountActive } from '#retirement/active-account';
import { now } from '#adapters/clock';
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

/**
 * GET /accounts/{accountId}/exceptions/new (the form) and POST /accounts/{accountId}/exceptions:
 * someone with posting authority on the account asks for an exception to F.a, F.b or F.c (F.d),
 * decided by the Communications Coordinator (or designee). Dates are checked against the clock
 * (adapters/clock.ts), the same clock the workflow lapses the exception by.
 */
export async function requestException(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const s = store;
  const viewer = await signedInViewer(event, s);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await s.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  assertAccountActive(account, 'exceptions');
  assertMayAskException({ requester: person, account, grants: await s.grantsForAccount(account.accountId, true) });
  const today = dayIn(now());
  const { steps, department } = await chainFor(s, person, account);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    exceptionFormPage({ viewer, account, today, deciderName: steps[0]?.approverName ?? 'The Communications Coordinator', submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, {
      account,
      standards: Object.fromEntries(exceptionStandards.map((k) => [k, standardTitle(k)])),
      today,
      maxDays: policy.exceptions.maxDays,
      decidedBy: steps.map((st) => ({ title: st.title, name: st.approverName })),
      submissionId,
    });
  }

  const body = parseBody(event);
  let parsed: ReturnType<typeof exceptionKind.parseForm>;
  try {
    parsed = exceptionKind.parseForm(body, today);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(submissionIdOf(body), body, error.fields));
    }
    throw error;
  }
  const request = exceptionRequest({
    requester: person,
    account,
    department,
    form: parsed,
    steps,
    submissionId: parsed.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
  const created = await s.createRequest(request, exceptionKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(s, request, exceptionKind, created);
  logger.info('exception requested', { requestId: request.requestId, accountId: account.accountId, standard: request.standard, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, {
    requestId: request.requestId,
    status: 'PENDING',
    href: url,
    startsOn: request.startsOn,
    endsOn: request.endsOn,
    steps: request.steps.map((st) => st.title),
  });
}

/** The Coordinator's chain (F.d), planned from the directory; the designee decides when the requester holds the role. */
async function chainFor(s: GovernanceStore, requester: Person, account: Account): Promise<{ steps: PlannedStep[]; department: Department }> {
  const [department, roleHolders] = await Promise.all([s.department(account.departmentCode), s.roleHolders()]);
  if (!department) throw new ConfigurationError(`The department ${account.departmentCode} of ${account.handle} is not in the directory.`);
  const steps = exceptionKind.planSteps({ requester, department, roleHolders });
  return { steps: namedSteps(steps, await Promise.all(steps.map((step) => s.person(step.approverId)))), department };
}

export const handler = httpHandler(requestException);
