import { InvalidInputError, NotFoundError } from '#core/errors';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { namedSteps } from '#core/request';
import { mayRequestRemoval, postRemovalRequest } from '#post-removal/post-removal';
import { policy, type Person } from '#core/policy';
import { type Account, accountIdPattern } from '#core/registry';
import { postRemovalKind } from '#post-removal/kind';
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
import { RecordsStore } from '#adapters/records-store';
import { startSoon } from '#adapters/workflow-starts';
import { GovernanceStore } from '#adapters/store';
import { postRemovalFormPage } from '#post-removal/form-page';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

/**
 * GET /accounts/{accountId}/removals/new (the form) and POST /accounts/{accountId}/removals: someone
 * with posting authority on the account asks to delete, merge or unpublish one of its posts (M.c).
 * The post's content is stored as a write-once record in the same transaction as the request (H),
 * before the supervisor's approval starts.
 */
export async function requestPostRemoval(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const s = store;
  const viewer = await signedInViewer(event, s);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await s.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  // A retired account takes nothing new (issue 14): the page says when and by what it was retired.
  assertAccountActive(account, 'post removals');
  mayRequestRemoval({ requester: person, account, grants: await s.grantsForAccount(account.accountId, true) });
  const supervisor = person.supervisorId ? await s.person(person.supervisorId) : undefined;
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    postRemovalFormPage({ viewer, account, supervisor, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    const decidedBy = supervisor ? { id: supervisor.id, name: supervisor.name } : null;
    return jsonResponse(200, {
      account,
      actions: policy.postRemoval.actions,
      retentionSchedules: policy.records.retentionSchedules,
      supervisor: decidedBy,
      submissionId,
    });
  }

  const body = parseBody(event);
  let built: Awaited<ReturnType<typeof buildRequest>>;
  try {
    built = await buildRequest(s, person, account, body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(submissionIdOf(body), body, error.fields));
    }
    throw error;
  }

  // The request and its preserved record together or not at all; a repeated submission writes neither again.
  const created = await records.putRequestWithRecord(built.request, postRemovalKind, built.record);
  const request = created ? built.request : ((await s.request(built.request.requestId, true)) as GovernanceRequest | undefined);
  if (request?.kind !== 'POST_REMOVAL') throw new Error(`request ${built.request.requestId} vanished after a conditional write`);
  await startSoon(s, request, postRemovalKind, created);
  logger.info('post removal requested', { requestId: request.requestId, accountId: account.accountId, recordId: request.recordId, created });
  const url = `/requests/${request.requestId}`;
  if (wantsHtml(event)) return redirect(`${url}?submitted=1`);
  return jsonResponse(created ? 201 : 200, {
    requestId: request.requestId,
    status: request.status,
    href: url,
    recordId: request.recordId,
    steps: request.steps.map((st) => st.title),
  });
}

/** The form (400), the supervisor chain from the directory (409 without a supervisor), then the request and its record. */
async function buildRequest(s: GovernanceStore, requester: Person, account: Account, body: Record<string, unknown>) {
  const form = postRemovalKind.parseForm(body);
  // Each person is read from the directory once: the supervisor, their supervisor, the approvers' names.
  const read = new Map<string, Promise<Person | undefined>>([[requester.id, Promise.resolve(requester)]]);
  const personById = (id: string) => read.get(id) ?? read.set(id, s.person(id)).get(id) ?? Promise.resolve(undefined);
  const steps = await postRemovalKind.planSteps(requester, personById);
  const approvers = await Promise.all(steps.map((step) => personById(step.approverId)));
  return postRemovalRequest({
    requester,
    account,
    form,
    steps: namedSteps(steps, approvers),
    submissionId: form.submissionId ?? newSubmissionId(),
    now: new Date(),
  });
}

export const handler = httpHandler(requestPostRemoval);
