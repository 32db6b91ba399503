import type { ApprovalWorkflow } from '#catalogue-types';
import { metricNames } from '#core/metrics';
import type { RequestBase, RequestKindModule } from '#core/request-kind';
import { approvalExecutionInput } from '#core/request';
import { checkpoint } from '#adapters/checkpoints';
import { waits } from '#adapters/env';
import { logger } from '#adapters/logger';
import { countMetric } from '#adapters/metrics';
import { startWorkflow } from '#adapters/step-functions';
import type { GovernanceStore } from '#adapters/store';

/**
 * Durable starts. A request is stored first (the source of truth) carrying a `pendingStart`
 * marker; its execution is then started under the request's id, and the marker cleared. A crash,
 * timeout or throttle anywhere in between leaves the marker, and the reconciler (at local start-up
 * and on a schedule in both hosts) starts it: delivery at least once, effect exactly once, because
 * Step Functions runs one execution per name (the same name and input answer with the existing one).
 * The input depends only on the stored request, so every starter sends the same. Each kind runs on
 * its own state machine (its module's `stateMachine`), and the marker names it, so the reconciler
 * starts a request where it was stored to run, even one stored for the retired shared chain.
 */
type StartableRequest = Pick<RequestBase, 'requestId' | 'steps'>;
export async function startStoredRequest(store: GovernanceStore, request: StartableRequest, workflow: ApprovalWorkflow): Promise<'started' | 'exists'> {
  await checkpoint('start:before-start-execution', { requestId: request.requestId });
  const result = await startWorkflow(workflow, request.requestId, approvalExecutionInput(request, waits()));
  // Submitted once: whichever starter (the form's handler, the reconciler) clears the marker counts it.
  if (await store.markStarted(request.requestId)) countMetric(metricNames.requestSubmitted, workflow);
  return result;
}

/**
 * What a handler that has just stored a request does: starts it now if it can. A failure to start
 * is not the requester's problem (the request is stored, and the reconciler will start it), so it
 * is logged, not thrown. A repeated submission (`created` false: the request was stored already)
 * starts it only if its marker says it is not yet started, and then on the state machine the marker
 * names: a request stored for the retired shared chain before an upgrade must not get a second
 * execution on its kind's new machine (execution names are unique per state machine only).
 */
export async function startSoon(
  store: GovernanceStore,
  request: StartableRequest,
  kind: Pick<RequestKindModule<never>, 'stateMachine'>,
  created = true,
): Promise<void> {
  try {
    const workflow = created ? kind.stateMachine : await store.pendingStartOf(request.requestId);
    if (workflow) await startStoredRequest(store, request, workflow);
  } catch (error) {
    logger.warn('stored request not started yet; the reconciler will start it', { requestId: request.requestId, error: (error as Error).name });
  }
}
