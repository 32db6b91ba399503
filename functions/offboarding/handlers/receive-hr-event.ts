import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { GovernanceError, InvalidInputError } from '#core/errors';
import { policy } from '#core/policy';
import { assertSeparationWithinHorizon, offboardingIdFor, parseHrEvent, separationHorizonDays } from '#offboarding/hr-events';
import type { ApplyOutcome } from '#directory/apply';
import { now } from '#adapters/clock';
import { directoryApplier } from '#adapters/hand-over';
import { env, waits } from '#adapters/env';
import { correlate, taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { startOffboardingOnce } from '#adapters/offboarding-starts';
import { startWorkflow } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';

let directory: GovernanceStore | undefined;

/** The offboarding's execution input: its deterministic name's parts and the follow-up waits. */
export function offboardingExecutionInput(employeeId: string, separationDate: string) {
  const w = waits();
  return {
    offboardingId: offboardingIdFor(employeeId, separationDate),
    employeeId,
    separationDate,
    waitSeconds: w.decisionWaitSeconds,
    maxReminders: w.remindersBeforeEscalation,
  };
}

/** What the consumer made of one HR event; the local bus answers with it, the SQS consumer logs it. */
export type HrOutcome =
  | { kind: 'separated'; employeeId: string; offboardingId: string; started: boolean }
  | { kind: 'separated'; employeeId: string; offboardingId: string; refused: 'UnknownEmployeeError'; message: string }
  | { kind: 'directory'; outcome: ApplyOutcome };

/**
 * One HR event. A separation dated further ahead than an execution's year allows is refused
 * (SeparationTooFarAheadError), with nothing written or started, as a malformed event is. Otherwise
 * it starts its offboarding exactly once: the table holds a claim per offboarding (employee and
 * date), taken before StartExecution, so a copy delivered any time later starts nothing once the
 * first start is recorded; the execution is named after the offboarding, and its input holds
 * nothing that varies between deliveries, so copies that race the first start find the same
 * execution (Step Functions answers a repeated name and input with the running execution, and
 * ExecutionAlreadyExists after it has finished) — names alone would stop only copies arriving
 * within 90 days of its end.
 * A separation of someone the directory does not know is refused, and says so; its execution is
 * started all the same, because that is what alerts DTI (its first step fails with
 * UnknownEmployeeError, its alert step emails DTI): once per employee and date, by the same name.
 * A directory event (an employee, a department, a City-wide role) is applied in order per entity
 * (directory/apply.ts): a stale or repeated one changes nothing, one naming a department or person
 * not yet known waits for them, and one that takes a post from someone moves their open work.
 */
export async function handleHrEvent(raw: unknown): Promise<HrOutcome> {
  const event = parseHrEvent(raw, env().HR_EVENT_SOURCE);
  directory ??= new GovernanceStore();
  if (event.kind === 'directory') {
    const outcome = await directoryApplier().apply(event.event, { source: 'HR' });
    logger.info('directory event', { type: event.event.type, entity: outcome.entity, version: outcome.version, result: outcome.result });
    return { kind: 'directory', outcome };
  }
  const { employeeId, separationDate } = event.detail;
  assertSeparationWithinHorizon(separationDate, now(), separationHorizonDays(policy.offboarding.maxSeparationDaysAhead, waits()));
  const input = offboardingExecutionInput(employeeId, separationDate);
  correlate(input.offboardingId);
  const known = Boolean(await directory.person(employeeId));
  // An unknown employee's start is not claimed: bad input records nothing. Its name keeps DTI's alert
  // to one per employee and date until 90 days after it ends; a copy after that alerts again, or,
  // once the directory knows them, starts their offboarding.
  const { claim, result } = known
    ? await startOffboardingOnce(input)
    : { claim: 'none', result: await startWorkflow('separationOffboarding', input.offboardingId, input) };
  if (!known) {
    const message = `Employee ${employeeId} is not in the directory, so no offboarding was started for their separation on ${separationDate}. DTI has been alerted; check the employee id with HR.`;
    logger.warn('separation refused: unknown employee', { offboardingId: input.offboardingId, claim, result });
    return { kind: 'separated', employeeId, offboardingId: input.offboardingId, refused: 'UnknownEmployeeError', message };
  }
  logger.info('separation received', { offboardingId: input.offboardingId, claim, result });
  return { kind: 'separated', employeeId, offboardingId: input.offboardingId, started: result === 'started' };
}

/**
 * SQS consumer of the HR queue (bus → rule → queue). Each message is handled on its own; a failed
 * one is reported back (partial batch response) and, after the queue's receive limit, lands in the
 * dead-letter queue, whose alarm tells DTI. A malformed event, and a separation dated too far ahead
 * (SeparationTooFarAheadError), is logged with what is wrong with it and takes that road.
 * A refused separation (an unknown employee) is handled, not failed: DTI has been alerted, and
 * delivering it again could not change the answer.
 */
export async function receiveHrEvent(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records ?? []) {
    // Each record's lines are its own: a separation's carry its offboarding's id (handleHrEvent).
    correlate(undefined);
    try {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        throw new InvalidInputError('The HR message is not JSON.');
      }
      await handleHrEvent(body);
    } catch (error) {
      const known = error instanceof GovernanceError;
      logger[known ? 'warn' : 'error']('HR event not processed', {
        messageId: record.messageId,
        error: (error as Error).name,
        reason: (error as Error).message,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/**
 * The Lambda entry: a batch from the HR queue (AWS), or one EventBridge event invoked directly —
 * how the local HR bus hands an event over, so that it can answer with the outcome (refused, or
 * the offboarding to follow), which a queue cannot carry back.
 */
export function receiveHrDelivery(event: SQSEvent | Record<string, unknown>): Promise<SQSBatchResponse | HrOutcome> {
  return 'Records' in event && Array.isArray(event.Records) ? receiveHrEvent(event as SQSEvent) : handleHrEvent(event);
}

export const handler = taskHandler(receiveHrDelivery);
