import { ConfigurationError, InvalidInputError } from '#core/errors';
import type { Department, Person } from '#core/policy';
import { namedSteps, type PlannedStep } from '#core/request';
import { platformProposalFormPage } from '#platform-proposal/form-page';
import { platformProposalKind } from '#platform-proposal/kind';
import {
  assertNotListedOrProposed,
  type PlatformProposalRequest,
  PlatformNameTakenError,
  platformIdFor,
  platformProposalRequest,
  proposalFields,
} from '#platform-proposal/platform-proposal';
import { denverToday } from '#platforms/platforms';
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
import { RecordsStore } from '#adapters/records-store';
import { GovernanceStore } from '#adapters/store';
import { startSoon } from '#adapters/workflow-starts';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

/**
 * GET /platform-proposals/new (the form) and POST /platform-proposals: any signed-in City employee
 * proposes, for their own department, a platform not on DTI's list (O.a); DTI's director (or
 * designee) decides. Refused: a field to fix (400, nothing stored), a name already on the list or
 * already proposed and pending (409, naming it, nothing stored).
 */
export async function proposePlatform(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const s = store;
  const viewer = await signedInViewer(event, s);
  const person = viewer.person;
  const now = new Date();
  const today = denverToday(now);
  const { steps, department } = await chainFor(s, person);
  const form = (status: number, submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    htmlResponse(
      status,
      platformProposalFormPage({ viewer, department, deciderName: steps[0]?.approverName ?? 'The DTI Director', today, submissionId, values, errors }),
    );

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return form(200, submissionId);
    const decidedBy = steps.map((st) => ({ title: st.title, name: st.approverName }));
    return jsonResponse(200, { href: '/platform-proposals', fields: proposalFields, department: department.code, decidedBy, latestDay: today, submissionId });
  }

  const body = parseBody(event);
  const resubmit = submissionIdOf(body);
  let request: PlatformProposalRequest;
  try {
    const parsed = platformProposalKind.parseForm(body, today);
    const [platforms, pending] = await Promise.all([s.allPlatforms(), pendingProposals(s, records)]);
    const submissionId = parsed.submissionId ?? newSubmissionId();
    const platformId = platformIdFor(parsed.name, [...platforms.map((p) => p.id), ...pending.map((r) => r.platformId)]);
    request = platformProposalRequest({ requester: person, department, form: parsed, platformId, steps, submissionId, now });
    // A repeated submission finds its own request, and is not its own duplicate.
    const existing = await s.request(request.requestId);
    if (existing?.kind === 'PLATFORM_PROPOSAL') request = existing;
    else assertNotListedOrProposed({ name: parsed.name, platforms, pending });
  } catch (error) {
    if (!wantsHtml(event)) throw error;
    if (error instanceof InvalidInputError) return form(400, resubmit, body, error.fields);
    if (error instanceof PlatformNameTakenError) return form(409, resubmit, body, { [error.field]: error.message });
    throw error;
  }

  const created = await s.createRequest(request, platformProposalKind);
  // A repeated submission starts nothing new: the execution is named after the request.
  await startSoon(s, request, platformProposalKind, created);
  logger.info('platform proposed', { requestId: request.requestId, platformId: request.platformId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, {
    requestId: request.requestId,
    status: request.status,
    href: url,
    platformId: request.platformId,
    steps: request.steps.map((st) => st.title),
  });
}

/** DTI's chain (O.a), planned from the directory; the DTI designee decides when the requester is DTI's director. */
async function chainFor(s: GovernanceStore, requester: Person): Promise<{ steps: PlannedStep[]; department: Department }> {
  const [department, roleHolders, dti] = await Promise.all([s.department(requester.departmentCode), s.roleHolders(), s.department('DTI')]);
  if (!department) throw new ConfigurationError(`Your department ${requester.departmentCode} is not in the directory; ask DTI to add it.`);
  if (!dti) throw new ConfigurationError('DTI is not in the directory; add the department DTI with its director and designee.');
  const planned = platformProposalKind.planSteps({ requester, department, roleHolders, dti });
  return { steps: namedSteps(planned, await Promise.all(planned.map((step) => s.person(step.approverId)))), department };
}

/**
 * The proposals still waiting for DTI's decision, of every department: each department's requests
 * not about an account (DEPARTMENT_RECORDS#code, one Query each), the pending proposals among them.
 */
async function pendingProposals(s: GovernanceStore, r: RecordsStore): Promise<PlatformProposalRequest[]> {
  const departments = await s.departments();
  const filed = await Promise.all(departments.map((d) => r.forDepartment(d.code, '0000', '9999')));
  return filed.flat().filter((req): req is PlatformProposalRequest => req.kind === 'PLATFORM_PROPOSAL' && req.status === 'PENDING');
}

export const handler = httpHandler(proposePlatform);
