import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { metricNames } from '#core/metrics';
import { countMetric } from '#adapters/metrics';
import { startWorkflow } from '#adapters/step-functions';
import { TableClient } from '#adapters/table';

/**
 * What the table says of a separation's start, before anyone calls StartExecution:
 * - claimed: this delivery is the first; start it.
 * - pending: an earlier delivery claimed it and did not record the start (it crashed, timed out or
 *   was throttled in between): start it again. The name is the same, and Step Functions answers a
 *   repeated name with the execution it has, so a claim this young never makes a second one.
 * - started: its execution was started; start nothing, however long ago that was.
 */
export type StartClaim = 'claimed' | 'pending' | 'started';

/**
 * The start of a separation's offboarding, kept in the governance table beside its record:
 *   OFFBOARD#id / START   { offboardingId, employeeId, separationDate, claimedAt, startedAt?, startResult? }
 * Step Functions refuses a second execution of one name only until 90 days after the first has
 * closed; this item refuses it for as long as the table lives, so a copy of the HR event delivered
 * (or redriven, or sent again by HR) after that starts nothing. Written before StartExecution with
 * attribute_not_exists, marked once the start is known, never deleted.
 */
export class OffboardingStarts extends TableClient {
  async claim(c: { offboardingId: string; employeeId: string; separationDate: string; at: string }): Promise<StartClaim> {
    const key = { PK: `OFFBOARD#${c.offboardingId}`, SK: 'START' };
    const made = await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...key,
          entity: 'OffboardingStart',
          offboardingId: c.offboardingId,
          employeeId: c.employeeId,
          separationDate: c.separationDate,
          claimedAt: c.at,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    if (made) return 'claimed';
    const stored = await this.get<{ startedAt?: string }>(key.PK, key.SK, true);
    return stored?.startedAt ? 'started' : 'pending';
  }

  /** The execution is known to run (this call started it, or it existed): later copies start nothing. False when already marked. */
  markStarted(offboardingId: string, result: 'started' | 'exists', at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `OFFBOARD#${offboardingId}`, SK: 'START' },
        UpdateExpression: 'SET startedAt = :at, startResult = :r',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(startedAt)',
        ExpressionAttributeValues: { ':at': at, ':r': result },
      }),
    );
  }
}

let starts: OffboardingStarts | undefined;

/**
 * Starts a separation's offboarding once for good: the claim first, then StartExecution by the
 * offboarding's name with the execution input (ExecutionAlreadyExists counts as started), then the mark. A crash between
 * them leaves the claim pending, and the event's next delivery (the queue's retry) starts it again.
 */
export async function startOffboardingOnce(input: {
  offboardingId: string;
  employeeId: string;
  separationDate: string;
  waitSeconds: number;
  maxReminders: number;
}): Promise<{ claim: StartClaim; result: 'started' | 'exists' }> {
  starts ??= new OffboardingStarts();
  const { offboardingId, employeeId, separationDate } = input;
  const claim = await starts.claim({ offboardingId, employeeId, separationDate, at: new Date().toISOString() });
  if (claim === 'started') return { claim, result: 'exists' };
  const result = await startWorkflow('separationOffboarding', offboardingId, input);
  // Started once: the delivery whose mark lands counts it, however many copies raced to start it.
  if (await starts.markStarted(offboardingId, result, new Date().toISOString())) countMetric(metricNames.offboardingStarted, 'separationOffboarding');
  return { claim, result };
}
