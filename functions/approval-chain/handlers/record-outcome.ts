import { closeRequest } from '#approval-chain/outcome';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import { requestIdPattern } from '#approval-chain/kinds';
import { fieldErrors } from '#core/request';
import type { OutcomeResult } from '#core/request-kind';
import * as z from '#core/zod';
import { openCredentialCapture } from '#adapters/credential-capture';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { GovernanceStore } from '#adapters/store';

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
 * State machine task: closes the request with its outcome (approval-chain/outcome.ts; what an
 * approval does is its kind's). Idempotent: a re-run finds the request closed and the emails in the
 * mail ledger, and repeats only what the recorded outcome still owes.
 */
export async function recordOutcome(input: unknown): Promise<OutcomeResult> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The outcome input is invalid.', fieldErrors(parsed.error));
  const { requestId, decision, error } = parsed.data;
  store ??= new GovernanceStore();
  const { request, approvals } = await store.requestWithApprovals(requestId);
  if (!request) throw new RequestNotFoundError(`No request ${requestId}.`);
  const result = await closeRequest(
    {
      store,
      // One email per request and audience, across retries, redrives and re-runs (mail-ledger.ts).
      notify: async (id, audience, to, email) => {
        await sendOnce(ledgerBeside(`REQ#${id}`, `outcome-${audience}`), { to: [to], ...email });
      },
      dtiEmail: env().DTI_EMAIL,
      baseUrl: env().PUBLIC_BASE_URL,
      now: () => new Date().toISOString(),
      log: (level, message, attributes) => logger[level](message, attributes),
      openCredentialCapture: async (account, admins) => {
        await openCredentialCapture({ account, recipients: admins, at: new Date().toISOString() });
      },
    },
    { request, approvals, decision, error },
  );
  // Closed: an approval still in its approver's My work (a step that expired undecided) leaves it.
  await store.releaseAssignments(approvals);
  return result;
}

export const handler = taskHandler(recordOutcome);
