import { type EmailContent, failureNoticeEmail, outcomeEmail, registryNoticeEmail } from '#domain/emails';
import { InvalidInputError, RequestNotFoundError } from '#domain/errors';
import { type AccountRequest, fieldErrors, requestIdPattern } from '#domain/new-account';
import { registryEntriesFor } from '#domain/registry';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { sesMailer } from '#adapters/mailer';
import { GovernanceStore } from '#adapters/store';
import * as z from '#domain/zod';

const inputSchema = z.object({
  requestId: z.string().check(z.regex(requestIdPattern)),
  decision: z.object({
    outcome: z.enum(['APPROVED', 'REJECTED', 'EXPIRED', 'FAILED']),
    reason: z.optional(z.string()),
    decidedByName: z.optional(z.string()),
  }),
  error: z.optional(z.string()),
});

let store: GovernanceStore | undefined;

/**
 * Sends an outcome email once per request and audience across retries and re-runs (twice only if
 * a crash falls between the send and the mark: at-least-once, never lost).
 */
async function notifyOnce(s: GovernanceStore, requestId: string, audience: string, to: string, email: EmailContent) {
  if (await s.wasNotified(requestId, audience)) return;
  await sesMailer.send({ to: [to], ...email });
  await s.markNotified(requestId, audience);
}

/**
 * State machine task: closes the request with its outcome. Approved → registry entry, the
 * admins' posting grants (B), requester and DTI told (O.b). Idempotent: a re-run finds the request
 * closed and the emails marked sent.
 */
export async function recordOutcome(input: unknown): Promise<{ status: string; accountId: string | null }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The outcome input is invalid.', fieldErrors(parsed.error));
  const { requestId, decision } = parsed.data;
  store ??= new GovernanceStore();
  const { request, approvals } = await store.requestWithApprovals(requestId);
  if (!request) throw new RequestNotFoundError(`No request ${requestId}.`);
  const base = env().PUBLIC_BASE_URL.replace(/\/+$/, '');
  const requestUrl = `${base}/requests/${requestId}`;
  const now = new Date().toISOString();
  const tell = (outcome: 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'FAILED', reason?: string) =>
    notifyOnce(
      store as GovernanceStore,
      requestId,
      'requester',
      request.requester.email,
      outcomeEmail({ request, outcome, reason, decidedBy: decision.decidedByName, requestUrl }),
    );

  if (decision.outcome === 'APPROVED') {
    const director = approvals.find((a) => a.step === 0 && a.decision?.outcome === 'APPROVED')?.decision;
    if (!director) throw new InvalidInputError(`Request ${requestId} has no Department Director approval to authorize its admins (B).`);
    const { account, grants } = registryEntriesFor(request, director, now);
    const result = await store.approveIntoRegistry(requestId, account, grants, now);
    if (result === 'handle-taken') return fail(store, request, `the handle ${account.handle} was registered by another request meanwhile`, tell);
    if (result === 'closed') {
      // A retry or re-run after the request was already closed: repeat only what that outcome owes.
      const current = (await store.request(requestId, true)) as AccountRequest;
      if (current.status === 'FAILED') return fail(store, request, current.outcomeReason ?? 'a step failed', tell);
      if (current.status !== 'APPROVED') return { status: current.status, accountId: null };
    }
    await tell('APPROVED');
    await notifyOnce(store, requestId, 'dti', env().DTI_EMAIL, registryNoticeEmail({ request, account, registryUrl: `${base}/accounts` }));
    logger.info('request approved', { requestId, accountId: account.accountId, grants: grants.length, result });
    return { status: 'APPROVED', accountId: account.accountId };
  }
  if (decision.outcome === 'FAILED') return fail(store, request, parsed.data.error ?? 'a step failed', tell);

  await store.closeRequest(requestId, decision.outcome, now, decision.reason);
  await tell(decision.outcome, decision.reason);
  logger.info('request closed', { requestId, outcome: decision.outcome });
  return { status: decision.outcome, accountId: null };
}

async function fail(s: GovernanceStore, request: AccountRequest, reason: string, tell: (o: 'FAILED', r: string) => Promise<void>) {
  await s.closeRequest(request.requestId, 'FAILED', new Date().toISOString(), reason);
  await tell('FAILED', reason);
  await notifyOnce(s, request.requestId, 'dti-failure', env().DTI_EMAIL, failureNoticeEmail({ request, reason }));
  logger.warn('request failed', { requestId: request.requestId, reason });
  return { status: 'FAILED', accountId: null };
}

export const handler = taskHandler(recordOutcome);
