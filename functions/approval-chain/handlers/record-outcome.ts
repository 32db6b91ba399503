import { closeRequest } from '#approval-chain/outcome';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import { kindOf, requestIdPattern } from '#approval-chain/kinds';
import { metricNames } from '#core/metrics';
import { fieldErrors } from '#core/request';
import type { OutcomeResult, OutcomeStore } from '#core/request-kind';
import * as z from '#core/zod';
import { openCredentialCapture } from '#adapters/credential-capture';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
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
  let closedAs: string | undefined;
  const result = await closeRequest(
    {
      store: countingCloses(store, (status) => {
        closedAs = status;
      }),
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
  // Once per request: only the run whose conditional write closed it counts it, however runs overlap.
  if (closedAs) countOutcome(kindOf(request).stateMachine, closedAs);
  return result;
}

/**
 * The store, telling `closed` the status a write of this run closed the request with. Each of these
 * writes is conditional on the request being PENDING, so of overlapping runs (a retry while the
 * first still runs, a redrive) exactly one sees its write land.
 */
function countingCloses(store: GovernanceStore, closed: (status: string) => void): OutcomeStore {
  const counting: OutcomeStore = Object.create(store);
  counting.closeRequest = async (requestId, status, ...rest) => {
    const won = await store.closeRequest(requestId, status, ...rest);
    if (won) closed(status);
    return won;
  };
  counting.approveIntoRegistry = async (...args) => {
    const result = await store.approveIntoRegistry(...args);
    if (result === 'ok') closed('APPROVED');
    return result;
  };
  counting.approvePostingAuthority = async (...args) => {
    const result = await store.approvePostingAuthority(...args);
    if (result === 'ok') closed('APPROVED');
    return result;
  };
  counting.approveWith = async (...args) => {
    const outcome = await store.approveWith(...args);
    if (outcome.result === 'ok') closed('APPROVED');
    return outcome;
  };
  return counting;
}

/** A decided request (approved, or rejected at any step), or one whose last step expired undecided. */
function countOutcome(workflow: ReturnType<typeof kindOf>['stateMachine'], status: string): void {
  if (status === 'APPROVED' || status === 'REJECTED') countMetric(metricNames.requestDecided, workflow);
  else if (status === 'EXPIRED') countMetric(metricNames.expired, workflow);
}

export const handler = taskHandler(recordOutcome);
