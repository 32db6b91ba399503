import { randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '#domain/errors';
import { mayRecordEdit, parsePostEditForm, postEditRecord } from '#domain/moderation';
import { postEditFormPage, recordedPage } from '#domain/records-pages';
import { accountIdPattern } from '#domain/registry';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, signedInPerson, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { RecordsStore } from '#adapters/records-store';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

const newSubmissionId = () => randomBytes(12).toString('base64url');

/**
 * GET /accounts/{accountId}/edits/new (the form) and POST /accounts/{accountId}/edits: someone with
 * posting authority on the account records a correction of an earlier post, the change identified
 * (M.b): before, after and why. No approval is needed, but it is on the record (H).
 */
export async function recordPostEdit(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const person = await signedInPerson(event, store);
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await store.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  mayRecordEdit(person, account, await store.grantsForAccount(account.accountId, true));
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    postEditFormPage({ person, account, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, submissionId });
  }

  const body = parseBody(event);
  let parsed: ReturnType<typeof parsePostEditForm>;
  try {
    parsed = parsePostEditForm(body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(typeof body.submissionId === 'string' ? body.submissionId : newSubmissionId(), body, error.fields));
    }
    throw error;
  }

  const record = postEditRecord({ account, person, form: parsed, now: new Date() });
  const created = await records.putRecord(record);
  // A form sent again names the record it already made: show that one, never a second copy.
  const stored = created ? record : ((await records.record(record.recordId)) ?? record);
  logger.info('post edit recorded', { recordId: stored.recordId, accountId: account.accountId, created });
  if (wantsHtml(event)) return htmlResponse(created ? 201 : 200, recordedPage(stored, person, !created));
  return jsonResponse(created ? 201 : 200, { recordId: stored.recordId, sha256: stored.sha256, record: stored });
}

export const handler = httpHandler(recordPostEdit);
