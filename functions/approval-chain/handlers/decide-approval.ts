import { type Decision, linkState, parseDecision, stepMode } from '#core/approval';
import { approvalIdPattern, secretMatches } from '#core/approval-link';
import { InvalidInputError, InvalidLinkError } from '#core/errors';
import { approvalPage, confirmDecisionPage, decisionRecordedPage } from '#approval-chain/pages';
import { metricNames } from '#core/metrics';
import { checkpoint } from '#adapters/checkpoints';
import { correlate, httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, wantsHtml } from '#adapters/http';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { secondsBetween, secondsMetric } from '#adapters/metrics';
import { RecordsStore } from '#adapters/records-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';
import { describeContext, kindOf } from '#approval-chain/kinds';

let store: GovernanceStore | undefined;
let records: RecordsStore | undefined;

const statusFor = { forbidden: 404, decided: 409, superseded: 410, closed: 410, open: 200 } as const;

/**
 * GET /approvals/{approvalId}?s=… shows the request and the form and changes nothing (mail
 * scanners prefetch links). POST decides once, only with the link's secret, only while the link
 * is current. A browser's Approve or Reject is final, so it is asked once more first: without
 * `confirmed=yes` the POST records nothing and answers the confirmation page ("Go back",
 * `confirmed=no`, shows the form again with the reason kept). A JSON client decides in one POST.
 * A confirm step ("I have removed it") is itself the confirmation and records at once.
 */
export async function decideApproval(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  records ??= new RecordsStore();
  const approvalId = event.pathParameters?.approvalId ?? '';
  const isPost = event.requestContext.http.method === 'POST';
  const body = isPost ? parseBody(event) : {};
  const secret = isPost ? (typeof body.s === 'string' ? body.s : undefined) : event.queryStringParameters?.s;
  const approval = approvalIdPattern.test(approvalId) ? await store.approvalById(approvalId) : undefined;
  // An unknown link and a wrong secret get the same answer, before anything about the request is read.
  if (!approval || !secretMatches(secret, approval.secretHash)) {
    logger.info('invalid approval link', { approvalId: approval ? approvalId : 'unknown' });
    throw new InvalidLinkError();
  }
  const request = await store.request(approval.requestId, true);
  if (!request) throw new InvalidLinkError();
  // A verified link: the lines that follow are the request's.
  correlate(request.requestId);
  const [s, r] = [store, records];
  // A removal's page shows the post as preserved (H) and, on the confirm step, who approved it.
  const context = await describeContext(request, {
    record: (id) => r.record(id),
    approvals: async (id) => (await s.requestWithApprovals(id)).approvals,
  });

  const state = linkState(approval, request.status, secret);
  const typed = typeof body.reason === 'string' ? body.reason : undefined;
  const respond = (status: number, errors?: Record<string, string>) =>
    wantsHtml(event)
      ? htmlResponse(status, approvalPage({ request, approval, state, secret: secret ?? '', errors, reason: typed, context }))
      : jsonResponse(status, {
          requestId: request.requestId,
          link: state.kind,
          ...(state.kind === 'decided' ? { decision: state.decision } : {}),
          ...(errors ? { fields: errors } : {}),
        });

  if (!isPost || state.kind !== 'open') return respond(statusFor[state.kind]);

  const mode = stepMode(request.steps[approval.step]);
  // "Go back" from the confirmation: the form again, with what was typed, and nothing recorded.
  if (wantsHtml(event) && mode === 'decide' && body.confirmed === 'no') return respond(200);
  let input: ReturnType<typeof parseDecision>;
  try {
    input = parseDecision(body, mode);
  } catch (error) {
    if (error instanceof InvalidInputError) return respond(400, error.fields);
    throw error;
  }
  if (wantsHtml(event) && mode === 'decide' && !input.confirmed) {
    return htmlResponse(200, confirmDecisionPage({ request, approval, secret: secret ?? '', outcome: input.outcome, reason: input.reason, context }));
  }
  const decision: Decision = {
    outcome: input.outcome,
    reason: input.reason,
    decidedAt: new Date().toISOString(),
    decidedById: approval.approverId,
    decidedByName: approval.approverName,
    approvalId: approval.approvalId,
  };
  await checkpoint('decideApproval:before-write', { approvalId: approval.approvalId });
  const recorded = await store.recordDecision(approval, decision);
  if (!recorded) {
    const latest = (await store.approvalById(approvalId)) ?? approval;
    const again = linkState(latest, request.status, secret);
    return wantsHtml(event)
      ? htmlResponse(statusFor[again.kind], approvalPage({ request, approval: latest, state: again, secret: secret ?? '', context }))
      : jsonResponse(statusFor[again.kind], { requestId: request.requestId, link: again.kind });
  }
  logger.info('decision recorded', { requestId: request.requestId, step: approval.step, round: approval.round, outcome: decision.outcome });
  // Once per step: only the conditional write that recorded the decision gets here.
  secondsMetric(metricNames.timeToDecision, kindOf(request).stateMachine, secondsBetween(approval.createdAt, decision.decidedAt));
  await checkpoint('decideApproval:before-send', { approvalId: approval.approvalId });
  await resumeWorkflow(recorded.sealedToken, recorded.sealedFor ?? approval.approvalId, decision);
  return wantsHtml(event)
    ? htmlResponse(200, decisionRecordedPage(request, approval, decision.outcome, context))
    : jsonResponse(200, { requestId: request.requestId, link: 'decided', decision });
}

/**
 * Hands the decision to the waiting execution, through the token that was armed when the decision
 * was written (read in that same write, so a re-arm just before it is not missed, and one after it
 * finds the decision). If that token is no longer waiting (its wait just timed out, or the local
 * host restarted), the step's next run finds the stored decision and returns it: nothing is lost
 * and nothing is decided twice.
 */
async function resumeWorkflow(sealedToken: string | undefined, sealedFor: string, decision: Decision) {
  if (!sealedToken) return;
  try {
    await sfnCallbacks.succeed(await linkKeys().openToken(sealedToken, sealedFor), decision);
  } catch (error) {
    logger.warn('stored decision; the execution will pick it up on its next step run', { error: (error as Error).name });
  }
}

export const handler = httpHandler(decideApproval);
