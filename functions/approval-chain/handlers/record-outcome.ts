import { type Approval, type Decision, directorDecision } from '#core/approval';
import type { EmailContent } from '#core/email-layout';
import { failureNoticeEmail, type OutcomeKind, outcomeEmail, postingAuthorityNoticeEmail, registryNoticeEmail } from '#approval-chain/emails';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { type AccountRequest, registryEntriesFor } from '#new-account/new-account';
import { fieldErrors, type NamedPerson, requestIdPattern } from '#core/request';
import { type PostRemovalRequest, removalClosing } from '#post-removal/post-removal';
import { type PostingAuthorityRequest, postingGrantFor, replacedGrants } from '#posting-authority/posting-authority';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { GovernanceStore } from '#adapters/store';
import * as z from '#core/zod';

const inputSchema = z.object({
  requestId: z.string().check(z.regex(requestIdPattern)),
  decision: z.object({
    outcome: z.enum(['APPROVED', 'REJECTED', 'EXPIRED', 'FAILED']),
    reason: z.optional(z.string()),
    decidedByName: z.optional(z.string()),
  }),
  error: z.optional(z.string()),
});

type Result = { status: string; accountId: string | null };

let store: GovernanceStore | undefined;

/** Sends an outcome email once per request and audience across retries, redrives and re-runs (mail-ledger.ts). */
async function notifyOnce(requestId: string, audience: string, to: string, email: EmailContent) {
  await sendOnce(ledgerBeside(`REQ#${requestId}`, `outcome-${audience}`), { to: [to], ...email });
}

/** Who hears the outcome: the requester, and the person a posting-authority request was for. */
function recipients(request: GovernanceRequest): { audience: string; person: NamedPerson }[] {
  const requester = { audience: 'requester', person: request.requester };
  if (request.kind !== 'POSTING_AUTHORITY' || request.grantee.id === request.requester.id) return [requester];
  return [requester, { audience: 'grantee', person: request.grantee }];
}

interface Closing {
  s: GovernanceStore;
  request: GovernanceRequest;
  now: string;
  base: string;
  tell(outcome: OutcomeKind, reason?: string): Promise<void>;
}

/**
 * State machine task: closes the request with its outcome. Approved → a new account enters the
 * registry with its admins' grants, or a posting-authority grant is recorded (B); the requester
 * (and grantee) and DTI are told (O.b). Idempotent: a re-run finds the request closed and the
 * emails marked sent.
 */
export async function recordOutcome(input: unknown): Promise<Result> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The outcome input is invalid.', fieldErrors(parsed.error));
  const { requestId, decision } = parsed.data;
  store ??= new GovernanceStore();
  const s = store;
  const { request, approvals } = await s.requestWithApprovals(requestId);
  if (!request) throw new RequestNotFoundError(`No request ${requestId}.`);
  const base = env().PUBLIC_BASE_URL.replace(/\/+$/, '');
  const requestUrl = `${base}/requests/${requestId}`;
  const tell = async (outcome: OutcomeKind, reason?: string) => {
    for (const { audience, person } of recipients(request)) {
      await notifyOnce(
        requestId,
        audience,
        person.email,
        outcomeEmail({ request, to: person, outcome, reason, decidedBy: decision.decidedByName, requestUrl }),
      );
    }
  };
  const closing: Closing = { s, request, now: new Date().toISOString(), base, tell };

  if (decision.outcome === 'FAILED') return fail(closing, parsed.data.error ?? 'a step failed');
  if (request.kind === 'POST_REMOVAL') return closeRemoval(closing, request, approvals, { ...decision, outcome: decision.outcome }, requestUrl);
  if (decision.outcome === 'APPROVED') {
    const director = directorDecision(request.steps, approvals);
    if (!director) throw new InvalidInputError(`Request ${requestId} has no Department Director approval to authorize posting (B).`);
    return request.kind === 'POSTING_AUTHORITY' ? approveAuthority(closing, request, director) : approveAccount(closing, request, director);
  }

  await s.closeRequest(requestId, decision.outcome, closing.now, decision.reason);
  await tell(decision.outcome, decision.reason);
  logger.info('request closed', { requestId, outcome: decision.outcome });
  return { status: decision.outcome, accountId: null };
}

async function approveAccount(c: Closing, request: AccountRequest, director: Decision): Promise<Result> {
  const { account, grants } = registryEntriesFor(request, director, c.now);
  const result = await c.s.approveIntoRegistry(request.requestId, account, grants, c.now);
  if (result === 'handle-taken') return fail(c, `the handle ${account.handle} was registered by another request meanwhile`);
  if (result === 'closed') {
    const settled = await alreadyClosed(c);
    if (settled) return settled;
  }
  await c.tell('APPROVED');
  await notifyOnce(request.requestId, 'dti', env().DTI_EMAIL, registryNoticeEmail({ request, account, registryUrl: `${c.base}/accounts` }));
  logger.info('request approved', { requestId: request.requestId, accountId: account.accountId, grants: grants.length, result });
  return { status: 'APPROVED', accountId: account.accountId };
}

async function approveAuthority(c: Closing, request: PostingAuthorityRequest, director: Decision): Promise<Result> {
  const grant = postingGrantFor(request, director);
  let result: Awaited<ReturnType<GovernanceStore['approvePostingAuthority']>> = 'grants-changed';
  // An offboarding may revoke a grant between the read and the write: read again and retry.
  for (let attempt = 0; attempt < 3 && result === 'grants-changed'; attempt += 1) {
    const held = await c.s.grantsOn(request.accountId, request.grantee.id);
    result = await c.s.approvePostingAuthority(request.requestId, grant, replacedGrants(request, held, c.now), c.now);
  }
  if (result === 'grants-changed') return fail(c, `the grants of ${request.grantee.name} on ${request.handle} kept changing while this approval was recorded`);
  if (result === 'account-gone') return fail(c, `${request.platformName} ${request.handle} is no longer an active account in the registry`);
  if (result === 'closed') {
    const settled = await alreadyClosed(c);
    if (settled) return settled;
  }
  // Read back what this request replaced, so a re-run tells DTI the same as the first run would have.
  const replaced = (await c.s.grantsOn(request.accountId, request.grantee.id)).filter((g) => g.revokedBySourceId === request.requestId);
  await c.tell('APPROVED');
  await notifyOnce(request.requestId, 'dti', env().DTI_EMAIL, postingAuthorityNoticeEmail({ request, grant, replaced, registryUrl: `${c.base}/accounts` }));
  logger.info('posting authority approved', { requestId: request.requestId, accountId: request.accountId, replaced: replaced.length, result });
  return { status: 'APPROVED', accountId: request.accountId };
}

/**
 * A post removal (M.c) closes: approved and confirmed removed → the requester and the supervisor who
 * approved are told it is done; rejected → the requester gets the reason; expired → the requester is
 * told whether it was never decided or never confirmed removed.
 */
async function closeRemoval(
  c: Closing,
  request: PostRemovalRequest,
  approvals: Approval[],
  decision: { outcome: 'APPROVED' | 'REJECTED' | 'EXPIRED'; reason?: string; decidedByName?: string },
  requestUrl: string,
): Promise<Result> {
  const closing = removalClosing(request, approvals, decision.outcome, decision.reason);
  if (!(await c.s.closeRequest(request.requestId, closing.status, c.now, closing.reason, closing.removal))) {
    // A re-run: repeat only the emails the recorded outcome owes.
    const current = (await c.s.request(request.requestId, true)) as GovernanceRequest;
    if (current.status === 'FAILED') return fail(c, current.outcomeReason ?? 'a step failed');
    if (current.status !== closing.status) return { status: current.status, accountId: null };
  }
  for (const { audience, person } of closing.tell) {
    const email = outcomeEmail({
      request,
      to: person,
      outcome: closing.status,
      reason: decision.reason,
      decidedBy: decision.decidedByName,
      requestUrl,
      context: { approvals },
    });
    await notifyOnce(request.requestId, audience, person.email, email);
  }
  logger.info('post removal closed', { requestId: request.requestId, outcome: closing.status, removedAt: closing.removal?.removedAt });
  return { status: closing.status, accountId: closing.status === 'APPROVED' ? request.accountId : null };
}

/**
 * A retry or re-run after the request was already closed: repeat only what that outcome owes.
 * Undefined when it was closed as APPROVED (the caller repeats the approval's emails).
 */
async function alreadyClosed(c: Closing): Promise<Result | undefined> {
  const current = (await c.s.request(c.request.requestId, true)) as GovernanceRequest;
  if (current.status === 'FAILED') return fail(c, current.outcomeReason ?? 'a step failed');
  if (current.status !== 'APPROVED') return { status: current.status, accountId: null };
  return undefined;
}

async function fail(c: Closing, reason: string): Promise<Result> {
  await c.s.closeRequest(c.request.requestId, 'FAILED', new Date().toISOString(), reason);
  await c.tell('FAILED', reason);
  await notifyOnce(c.request.requestId, 'dti-failure', env().DTI_EMAIL, failureNoticeEmail({ request: c.request, reason }));
  logger.warn('request failed', { requestId: c.request.requestId, reason });
  return { status: 'FAILED', accountId: null };
}

export const handler = taskHandler(recordOutcome);
