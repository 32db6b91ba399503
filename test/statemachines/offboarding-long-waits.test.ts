import { randomBytes } from 'node:crypto';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policy } from '#core/policy';
import { separationHorizonDays } from '#offboarding/hr-events';
import { GovernanceStore } from '../../functions/adapters/store.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, startTestStack, validForm, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import { denverToday, hire, offboardingRecord, separate } from '../support/offboarding.ts';

/**
 * Long waits (issue 15): a Standard execution lives at most a year, and Step Functions refuses a
 * repeated execution name only until 90 days after the first execution closed. A separation dated
 * further ahead than the workflow can wait is refused at the event; beyond 90 days, the table — not
 * the name — keeps a copy of an event, or a request started again, from starting a second execution.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const db = () => DynamoDBDocumentClient.from(stack.client);
const scanAll = async (table: string) => (await db().send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
/** Calendar days after today in Albuquerque (whole days on the calendar, whatever the daylight-saving hour). */
const daysAfterToday = (days: number) => new Date(Date.parse(`${denverToday()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/**
 * What Step Functions does 90 days after an execution closes: it forgets the name, and StartExecution
 * with that name starts a new execution. The local engine keeps every name in its executions table,
 * so deleting the record is that forgetting.
 */
const forgetExecutionName = (name: string) => db().send(new DeleteCommand({ TableName: stack.sfn.executionsTable, Key: { name } }));
const startClaim = async (offboardingId: string) =>
  (await db().send(new GetCommand({ TableName: stack.tableName, Key: { PK: `OFFBOARD#${offboardingId}`, SK: 'START' }, ConsistentRead: true }))).Item;

describe('long waits', () => {
  // The stack runs with policy.json's waits, so the bound is policy.json's (350 days).
  const horizon = separationHorizonDays(policy.offboarding.maxSeparationDaysAhead, policy.waits);

  it('refuses a separation dated a day past the bound with SeparationTooFarAheadError, and starts and records nothing', async () => {
    const leaver = await hire(stack, 'LIB', 'Far ahead');
    const date = daysAfterToday(horizon + 1);
    const put = await separate(stack, leaver.id, date);

    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({
      error: 'SeparationTooFarAheadError',
      message: expect.stringContaining(`The separation date ${date} is ${horizon + 1} days after this event arrived (${denverToday()})`),
    });
    expect(put.body.message).toContain(`send the event again on or after ${daysAfterToday(1)}`);
    expect(put.body).not.toHaveProperty('offboardingId');
    expect((await scanAll(stack.sfn.executionsTable)).filter((e) => String(e.name).startsWith(`off-${leaver.id}-`))).toEqual([]);
    expect((await scanAll(stack.tableName)).filter((i) => String(i.PK).startsWith(`OFFBOARD#off-${leaver.id}-`))).toEqual([]);
  });

  it('schedules a separation dated exactly at the bound: its execution waits for the date', async () => {
    const leaver = await hire(stack, 'LIB', 'At the bound');
    const put = await separate(stack, leaver.id, daysAfterToday(horizon));

    expect(put.status).toBe(202);
    const offboardingId = String(put.body.offboardingId);
    await waitUntilWaiting(stack, offboardingId);
    expect(stack.sfn.waitingOn(offboardingId)).toEqual([{ execution: offboardingId, state: 'AwaitSeparationDate' }]);
    expect((await offboardingRecord(stack, offboardingId)).status).toBe('SCHEDULED');
    expect(await startClaim(offboardingId)).toMatchObject({ startResult: 'started', startedAt: expect.any(String) });
  });

  it('starts no second offboarding for a copy of the event that arrives after its execution has ended and its name is free again', async () => {
    const leaver = await hire(stack, 'PRD', 'Left long ago');
    const date = denverToday();
    const first = await separate(stack, leaver.id, date);
    expect(first.status).toBe(202);
    const offboardingId = String(first.body.offboardingId);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    expect(await startClaim(offboardingId)).toMatchObject({ employeeId: leaver.id, separationDate: date, startResult: 'started' });

    await forgetExecutionName(offboardingId);
    expect(await stack.sfn.describe(offboardingId)).toBeUndefined();
    const late = await separate(stack, leaver.id, date);

    // Accepted as the offboarding it already had, and nothing started. The name was free, so
    // StartExecution would have made a new execution: only the claim in the table stopped it.
    expect(late.status).toBe(202);
    expect(late.body.offboardingId).toBe(offboardingId);
    expect(await stack.sfn.describe(offboardingId)).toBeUndefined();
    expect((await offboardingRecord(stack, offboardingId)).status).toBe('COMPLETED');

    // The control: without the claim, the same copy does start a second execution. So the check
    // above would fail if the table were not the guard (the freed name really is free).
    await db().send(new DeleteCommand({ TableName: stack.tableName, Key: { PK: `OFFBOARD#${offboardingId}`, SK: 'START' } }));
    expect((await separate(stack, leaver.id, date)).status).toBe(202);
    expect(await stack.sfn.describe(offboardingId)).toBeDefined();
    await stack.sfn.result(offboardingId);
  });

  it('starts no second execution for a request submitted again after its execution has ended and its name is free again', async () => {
    // Requests were already guarded in the table: the stored request is the source of truth, and
    // its pendingStart marker is cleared once its execution started; a repeated submission, and the
    // reconciler, start a request only while that marker is set.
    const form = { ...validForm, proposedHandle: `@l${randomBytes(4).toString('hex')}`, submissionId: randomBytes(9).toString('base64url') };
    const submitted = await as(stack, 'E102').post('/requests', form);
    expect(submitted.status).toBe(201);
    const { requestId } = (await submitted.json()) as { requestId: string };
    const email = await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId));
    expect((await decide(stack, approvalLinkIn(email), 'REJECTED', 'The department already runs an account there.')).status).toBe(200);
    expect((await stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');
    expect(await new GovernanceStore().pendingStartOf(requestId)).toBeUndefined();

    await forgetExecutionName(requestId);
    const again = await as(stack, 'E102').post('/requests', form);

    expect(again.status).toBe(200);
    expect(((await again.json()) as { requestId: string }).requestId).toBe(requestId);
    expect(await stack.runSchedule('reconcileStarts')).toEqual({ started: 0, existing: 0, cleared: 0, handOvers: 0 });
    // The name was free: nothing but the cleared marker kept both starters from starting it again.
    expect(await stack.sfn.describe(requestId)).toBeUndefined();
  });
});
