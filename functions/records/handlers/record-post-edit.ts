import { mayRecordEdit, parsePostEditForm, postEditRecord } from '#records/moderation';
import { postEditFormPage } from '#records/pages';
import { httpHandler } from '#adapters/handler';
import type { HttpEvent, HttpResult } from '#adapters/http';
import { serveRecordForm } from '#adapters/record-form';

/**
 * GET /accounts/{accountId}/edits/new (the form) and POST /accounts/{accountId}/edits: someone with
 * posting authority on the account records a correction of an earlier post, the change identified
 * (M.b): before, after and why. No approval is needed, but it is on the record (H).
 */
export function recordPostEdit(event: HttpEvent): Promise<HttpResult> {
  return serveRecordForm(event, {
    async authorize(person, account, store) {
      mayRecordEdit(person, account, await store.grantsForAccount(account.accountId, true));
    },
    page: postEditFormPage,
    parse: parsePostEditForm,
    build: postEditRecord,
    logged: () => ['post edit recorded', {}],
  });
}

export const handler = httpHandler(recordPostEdit);
