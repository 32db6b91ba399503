import { mayModerate, moderationRecord, moderatorIds, parseModerationForm } from '#records/moderation';
import { policy } from '#core/policy';
import { moderationFormPage } from '#records/pages';
import { httpHandler } from '#adapters/handler';
import type { HttpEvent, HttpResult } from '#adapters/http';
import { serveRecordForm } from '#adapters/record-form';

/**
 * GET /accounts/{accountId}/moderation/new (the form) and POST /accounts/{accountId}/moderation:
 * the Communications Director or designee records a constituent's post or comment removed under
 * rule K. No approval and no email to anyone (K: without notice), but always a record (H).
 */
export function recordModeration(event: HttpEvent): Promise<HttpResult> {
  return serveRecordForm(event, {
    async authorize(person, _account, store) {
      const roleHolders = await store.roleHolders();
      // Named in the refusal, so whoever is refused knows whom to ask.
      const moderators = await Promise.all(moderatorIds(roleHolders).map((id) => store.person(id)));
      mayModerate(
        person,
        roleHolders,
        moderators.filter((m) => m !== undefined),
      );
    },
    page: moderationFormPage,
    formJson: { categories: policy.moderation.categories },
    parse: (body) => parseModerationForm(body),
    build: moderationRecord,
    logged: (record) => ['moderation removal recorded', { category: record.moderation?.category }],
  });
}

export const handler = httpHandler(recordModeration);
