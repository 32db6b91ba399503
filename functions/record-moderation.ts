import { randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '#domain/errors';
import { mayModerate, moderationRecord, moderatorIds, parseModerationForm } from '#domain/moderation';
import { policy } from '#domain/policy';
import { moderationFormPage, recordedPage } from '#domain/records-pages';
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
 * GET /accounts/{accountId}/moderation/new (the form) and POST /accounts/{accountId}/moderation:
 * the Communications Director or designee records a constituent's post or comment removed under
 * rule K. No approval and no email to anyone (K: without notice), but always a record (H).
 */
export async function recordModeration(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const person = await signedInPerson(event, store);
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await store.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  const s = store;
  const roleHolders = await s.roleHolders();
  // Named in the refusal, so whoever is refused knows whom to ask.
  const moderators = await Promise.all(moderatorIds(roleHolders).map((id) => s.person(id)));
  mayModerate(
    person,
    roleHolders,
    moderators.filter((m) => m !== undefined),
  );
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    moderationFormPage({ person, account, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, categories: policy.moderation.categories, submissionId });
  }

  const body = parseBody(event);
  let parsed: ReturnType<typeof parseModerationForm>;
  try {
    parsed = parseModerationForm(body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(typeof body.submissionId === 'string' ? body.submissionId : newSubmissionId(), body, error.fields));
    }
    throw error;
  }

  const record = moderationRecord({ account, person, form: parsed, now: new Date() });
  const created = await records.putRecord(record);
  // A form sent again names the record it already made: show that one, never a second copy.
  const stored = created ? record : ((await records.record(record.recordId)) ?? record);
  logger.info('moderation removal recorded', { recordId: stored.recordId, accountId: account.accountId, category: stored.moderation?.category, created });
  if (wantsHtml(event)) return htmlResponse(created ? 201 : 200, recordedPage(stored, person, !created));
  return jsonResponse(created ? 201 : 200, { recordId: stored.recordId, sha256: stored.sha256, record: stored });
}

export const handler = httpHandler(recordModeration);
