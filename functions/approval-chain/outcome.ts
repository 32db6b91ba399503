import { type GovernanceRequest, kindOf, toldOfOutcome } from '#approval-chain/kinds';
import { failureNoticeEmail, outcomeEmail } from '#approval-chain/emails';
import { type Approval, directorDecision } from '#core/approval';
import type { EmailContent } from '#core/email-layout';
import { InvalidInputError, RequestNotFoundError } from '#core/errors';
import type { Closing, OutcomeKind, OutcomeResult, OutcomeStore, RequestBase } from '#core/request-kind';

/*
 * How a request closes, for every kind: a failure the same way for all; otherwise its kind's
 * `close` decides what the outcome does. Every email goes through `notify`, which sends once per
 * request and audience (the mail ledger), so a retry, redrive or re-run sends nothing twice; every
 * write is conditional, so a re-run finds the request closed and repeats only what it owes.
 */

/** What closing needs from its host (the record-outcome handler passes the adapters in). */
export interface OutcomePorts {
  store: OutcomeStore;
  /** Sends one email once per request and audience, across retries and re-runs. */
  notify(requestId: string, audience: string, to: string, email: EmailContent): Promise<void>;
  dtiEmail: string;
  baseUrl: string;
  now(): string;
  log(level: 'info' | 'warn', message: string, attributes: Record<string, unknown>): void;
  /** Opens a new account's credential capture (adapters/credential-capture.ts). */
  openCredentialCapture: Closing<RequestBase>['openCredentialCapture'];
}

export interface ChainOutcome {
  outcome: 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'FAILED';
  reason?: string;
  decidedByName?: string;
}

/** Closes the request with the chain's outcome; `error` is the failed step's cause when the outcome is FAILED. */
export async function closeRequest(
  ports: OutcomePorts,
  input: { request: GovernanceRequest; approvals: Approval[]; decision: ChainOutcome; error?: string },
): Promise<OutcomeResult> {
  const { request, approvals, decision } = input;
  const base = ports.baseUrl.replace(/\/+$/, '');
  const requestUrl = `${base}/requests/${request.requestId}`;
  const now = ports.now();
  // What an outcome email says may depend on the decisions (who approved a removal, who confirmed it).
  const context = { approvals };

  const tell: Closing<RequestBase>['tell'] = async (outcome: OutcomeKind, options = {}) => {
    for (const { audience, person } of options.to ?? toldOfOutcome(request)) {
      const email = outcomeEmail({ request, to: person, outcome, reason: options.reason, decidedBy: decision.decidedByName, requestUrl, context });
      await ports.notify(request.requestId, audience, person.email, email);
    }
  };
  const fail = async (reason: string): Promise<OutcomeResult> => {
    await ports.store.closeRequest(request.requestId, 'FAILED', ports.now(), reason);
    await tell('FAILED', { reason });
    await ports.notify(request.requestId, 'dti-failure', ports.dtiEmail, failureNoticeEmail({ request, reason, requestUrl }));
    ports.log('warn', 'request failed', { requestId: request.requestId, reason });
    return { status: 'FAILED', accountId: null };
  };
  if (decision.outcome === 'FAILED') return fail(input.error ?? 'a step failed');

  const closing: Closing<GovernanceRequest> = {
    request,
    approvals,
    decision: { ...decision, outcome: decision.outcome },
    director() {
      const found = directorDecision(request.steps, approvals);
      if (!found) throw new InvalidInputError(`Request ${request.requestId} has no Department Director approval to authorize posting (B).`);
      return found;
    },
    store: ports.store,
    now,
    registryUrl: `${base}/accounts`,
    tell,
    tellDti: (audience, email) => ports.notify(request.requestId, audience, ports.dtiEmail, email),
    fail,
    async alreadyClosed() {
      const current = await ports.store.request(request.requestId, true);
      if (!current) throw new RequestNotFoundError(`Request ${request.requestId} vanished while it was being closed.`);
      if (current.status === 'FAILED') return fail(current.outcomeReason ?? 'a step failed');
      if (current.status !== 'APPROVED') return { status: current.status, accountId: null };
      return undefined;
    },
    async closeAsDecided() {
      const outcome = decision.outcome;
      // An approval closes through its kind's effect in the registry, never as a plain close.
      if (outcome === 'APPROVED') throw new InvalidInputError(`Request ${request.requestId} is approved: its kind closes it, not closeAsDecided.`);
      await ports.store.closeRequest(request.requestId, outcome, now, decision.reason);
      await tell(outcome, { reason: decision.reason });
      ports.log('info', 'request closed', { requestId: request.requestId, outcome });
      return { status: outcome, accountId: null };
    },
    log: (message, attributes) => ports.log('info', message, attributes),
    openCredentialCapture: ports.openCredentialCapture,
  };
  return kindOf(request).close(closing);
}
