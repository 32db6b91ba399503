import { ConfigurationError, InvalidInputError, NotFoundError } from '#core/errors';
import type { Department, Person } from '#core/policy';
import { type Account, accountIdPattern } from '#core/registry';
import { namedSteps, type PlannedStep } from '#core/request';
import { websiteDisplayFormPage } from '#website-display/form-page';
import { websiteDisplayKind } from '#website-display/kind';
import { assertMayAskDisplay, assertNotShownThere, websiteDisplayRequest } from '#website-display/website-display';
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
import { StandingStore } from '#adapters/standing-store';
import { GovernanceStore } from '#adapters/store';
import { startSoon } from '#adapters/workflow-starts';

let store: GovernanceStore | undefined;
let standings: StandingStore | undefined;

/**
 * GET /accounts/{accountId}/displays/new (the form) and POST /accounts/{accountId}/displays:
 * someone with posting authority on the account asks to show its content on a City web page (Q),
 * saying what is shown and how it is moderated; DTI's director (or designee) decides. An automatic
 * feed of uncensored content is refused by the form itself.
 */
export async function requestWebsiteDisplay(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  standings ??= new StandingStore();
  const s = store;
  const viewer = await signedInViewer(event, s);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await s.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  assertAccountActive(account, 'displays on a City website');
  const [grants, held] = await Promise.all([s.grantsForAccount(account.accountId, true), standings.standingsOn(account.accountId)]);
  assertMayAskDisplay({ requester: person, account, grants });
  const shown = held.filter((st) => st.kind === 'DISPLAY' && st.status === 'ACTIVE');
  const { steps, department } = await chainFor(s, person, account);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    websiteDisplayFormPage({ viewer, account, deciderName: steps[0]?.approverName ?? 'The DTI Director', shown, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, shown, decidedBy: steps.map((st) => ({ title: st.title, name: st.approverName })), submissionId });
  }

  const body = parseBody(event);
  let parsed: ReturnType<typeof websiteDisplayKind.parseForm>;
  try {
    parsed = websiteDisplayKind.parseForm(body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(submissionIdOf(body), body, error.fields));
    }
    throw error;
  }
  const request = websiteDisplayRequest({
    requester: person,
    account,
    department,
    form: parsed,
    steps,
    submissionId: parsed.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
  // A repeated submission finds its own request; a display already in force on that page is refused (409).
  const existing = await s.request(request.requestId);
  if (!existing) assertNotShownThere({ account, webPageUrl: parsed.webPageUrl, standings: held });
  const created = await s.createRequest(request, websiteDisplayKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(s, request, websiteDisplayKind, created);
  logger.info('website display requested', { requestId: request.requestId, accountId: account.accountId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, {
    requestId: request.requestId,
    status: 'PENDING',
    href: url,
    webPageUrl: request.webPageUrl,
    steps: request.steps.map((st) => st.title),
  });
}

/** DTI's chain (Q), planned from the directory; the designee decides when the requester is DTI's director. */
async function chainFor(s: GovernanceStore, requester: Person, account: Account): Promise<{ steps: PlannedStep[]; department: Department }> {
  const [department, roleHolders, dti] = await Promise.all([s.department(account.departmentCode), s.roleHolders(), s.department('DTI')]);
  if (!department) throw new ConfigurationError(`The department ${account.departmentCode} of ${account.handle} is not in the directory.`);
  if (!dti) throw new ConfigurationError('DTI is not in the directory; add the department DTI with its director and designee.');
  const steps = websiteDisplayKind.planSteps({ requester, department, roleHolders, dti });
  return { steps: namedSteps(steps, await Promise.all(steps.map((step) => s.person(step.approverId)))), department };
}

export const handler = httpHandler(requestWebsiteDisplay);
