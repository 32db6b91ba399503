import { InvalidInputError, NotFoundError } from '#core/errors';
import type { Person } from '#core/policy';
import type { Viewer } from '#site/navigation';
import type { GovernanceRecord } from '#core/records';
import { recordedPage } from '#records/pages';
import { type Account, accountIdPattern } from '#core/registry';
import {
  type HttpEvent,
  type HttpResult,
  htmlResponse,
  jsonResponse,
  parseBody,
  signedInViewer,
  wantsHtml,
  newSubmissionId,
  submissionIdOf,
} from '#adapters/http';
import { logger } from '#adapters/logger';
import { RecordsStore } from '#adapters/records-store';
import { GovernanceStore } from '#adapters/store';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

/** What differs between the forms that put a record on an account (a correction, a moderation removal). */
export interface RecordForm<F> {
  /** Refuses (ForbiddenError) whoever may not record this on this account; also before the form is shown. */
  authorize(person: Person, account: Account, store: GovernanceStore): Promise<void>;
  page(o: { viewer: Viewer; account: Account; submissionId: string; values?: Record<string, unknown>; errors?: Record<string, string> }): string;
  /** Extra JSON for API clients asking for the form (e.g. the categories). */
  formJson?: Record<string, unknown>;
  parse(body: Record<string, unknown>): F;
  build(o: { account: Account; person: Person; form: F; now: Date }): GovernanceRecord;
  /** The log line's message and extra non-content fields. */
  logged(record: GovernanceRecord): [string, Record<string, unknown>];
}

/**
 * GET the form, POST a record: signed-in person → account (404) → authorization (403, nothing
 * stored) → the form (400 with each field to fix; browsers get it back with the errors marked) →
 * the record, written once. A form sent again names the record it already made, never a copy.
 */
export async function serveRecordForm<F>(event: HttpEvent, spec: RecordForm<F>): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const viewer = await signedInViewer(event, store);
  const person = viewer.person;
  const accountId = event.pathParameters?.accountId ?? '';
  const account = accountIdPattern.test(accountId) ? await store.account(accountId) : undefined;
  if (!account) throw new NotFoundError(`There is no account ${accountId} in the registry. Choose one from the registry at /accounts.`);
  await spec.authorize(person, account, store);
  const form = (submissionId: string, values?: Record<string, unknown>, errors?: Record<string, string>) =>
    spec.page({ viewer, account, submissionId, values, errors });

  if (event.requestContext.http.method === 'GET') {
    const submissionId = newSubmissionId();
    if (wantsHtml(event)) return htmlResponse(200, form(submissionId));
    return jsonResponse(200, { account, ...spec.formJson, submissionId });
  }

  const body = parseBody(event);
  let parsed: F;
  try {
    parsed = spec.parse(body);
  } catch (error) {
    if (error instanceof InvalidInputError && wantsHtml(event)) {
      return htmlResponse(400, form(submissionIdOf(body), body, error.fields));
    }
    throw error;
  }
  const record = spec.build({ account, person, form: parsed, now: new Date() });
  const created = await records.putRecord(record);
  const stored = created ? record : ((await records.record(record.recordId)) ?? record);
  const [message, fields] = spec.logged(stored);
  logger.info(message, { recordId: stored.recordId, accountId: account.accountId, created, ...fields });
  if (wantsHtml(event)) return htmlResponse(created ? 201 : 200, recordedPage(stored, viewer, !created));
  return jsonResponse(created ? 201 : 200, { recordId: stored.recordId, sha256: stored.sha256, record: stored });
}
