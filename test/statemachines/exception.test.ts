import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../functions/adapters/clock.ts';
import { addDays, dayIn, daysBetween } from '../../functions/exception/exception.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, approvedAccount, as, decide, mailbox, restartTestStack, startTestStack, waitForEmail, walkToExpiry } from '../support/harness.ts';

/**
 * Exceptions (F.d) on the real ASL (statemachines/exception-approval.asl.json) with DynamoDB Local
 * and the SES emulator: the Communications Coordinator decides by email link; an approved
 * exception is a standing of the account, told 14 days before its end date and lapsed at it. The
 * local clock (stack.advanceClock) moves calendar time and ends every current wait, as a timeout would.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const requester = 'agallegos@cabq.example';
const coordinator = 'rapodaca@cabq.example';
const designee = 'emartinez@cabq.example';
const reason = 'The summer camp page shares partner posts for the season.';

/** A Parks account whose only admin is Ana Gallegos (E102). */
const parksAccount = () => approvedAccount(stack, 'E102', { adminIds: ['E102'] });

/** Today in the City by the stack's clock, which earlier tests in this file have moved. */
const today = () => dayIn(now());

async function ask(accountId: string, body: Record<string, unknown>, personId = 'E102') {
  const res = await as(stack, personId).post(`/accounts/${accountId}/exceptions`, { submissionId: randomBytes(9).toString('base64url'), ...body });
  const json = (await res.json()) as { requestId: string; steps: string[]; startsOn: string; endsOn: string };
  if (res.status !== 201) throw new Error(`asking failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const decisionLink = async (to: string, requestId: string) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Decision needed') && e.text.includes(requestId)));

async function standing(accountId: string, requestId: string) {
  const out = await DynamoDBDocumentClient.from(stack.client).send(
    new GetCommand({ TableName: stack.tableName, Key: { PK: `ACCOUNT#${accountId}`, SK: `STANDING#EXCEPTION#${requestId}` }, ConsistentRead: true }),
  );
  return out.Item;
}

/** Waits until the execution is parked at `state` (re-armed after a clock move, or after a restart). */
async function waitAt(requestId: string, state: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!stack.sfn.waitingOn(requestId).some((w) => w.state === state)) {
    if (Date.now() > deadline) throw new Error(`${requestId} is not waiting at ${state} (${JSON.stringify(stack.sfn.waitingOn(requestId))})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Who got an email about the request whose subject starts with `prefix`, one entry per email. */
const recipients = async (requestId: string, prefix: string) =>
  (await mailbox(stack))
    .filter((e) => e.text.includes(requestId) && e.subject.startsWith(prefix))
    .flatMap((e) => e.to)
    .sort();

async function result(requestId: string) {
  const done = await stack.sfn.result(requestId);
  return { status: done?.status, result: (JSON.parse(done?.output ?? '{}') as { result?: unknown }).result };
}

describe('an exception (F.d) decided by the Communications Coordinator', () => {
  it('puts an active standing on the account, tells its end 14 days before, and lapses it at the end date', async () => {
    const accountId = await parksAccount();
    const endsOn = addDays(today(), 30);
    const asked = await ask(accountId, { standard: 'b', reason, endsOn });
    expect(asked.steps).toEqual(['Communications Coordinator']);
    expect([asked.startsOn, asked.endsOn]).toEqual([today(), endsOn]);
    const { requestId } = asked;
    expect((await decide(stack, await decisionLink(coordinator, requestId), 'APPROVED')).status).toBe(200);

    await waitAt(requestId, 'AwaitNotice');
    expect(await standing(accountId, requestId)).toMatchObject({
      entity: 'Standing',
      kind: 'EXCEPTION',
      status: 'ACTIVE',
      title: 'Exception to F.b (Purpose and Commitment to Quality)',
      approvedByName: 'Rosa Apodaca',
      startsOn: asked.startsOn,
      endsOn,
    });
    expect(await recipients(requestId, 'Approved')).toEqual([requester]);

    // Ten days on, the notice day (16 days on) has not come: the wait is re-armed, nothing is sent.
    stack.advanceClock(10);
    await waitAt(requestId, 'AwaitNotice');
    expect(await recipients(requestId, 'Ending')).toEqual([]);

    stack.advanceClock(6);
    await waitAt(requestId, 'AwaitLapse');
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
    expect((await standing(accountId, requestId))?.status).toBe('ACTIVE');

    // A day before the end it still holds; on the end date it lapses.
    stack.advanceClock(13);
    await waitAt(requestId, 'AwaitLapse');
    expect((await standing(accountId, requestId))?.status).toBe('ACTIVE');
    stack.advanceClock(1);
    expect(await result(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId } });
    const lapsed = await standing(accountId, requestId);
    expect(lapsed).toMatchObject({ status: 'LAPSED', endsOn });
    expect(typeof lapsed?.lapsedAt).toBe('string');
    expect(await recipients(requestId, 'Lapsed')).toEqual([requester, coordinator].sort());
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
    const email = await waitForEmail(stack, (e) => e.to.includes(coordinator) && e.subject.startsWith('Lapsed') && e.text.includes(requestId));
    expect(email.subject).toMatch(/^Lapsed: exception to F\.b Purpose and Commitment to Quality for Instagram @t[0-9a-f]+$/);
    expect(email.text).toContain('Ana Gallegos asked for this exception; you approve exceptions (F.d).');
  });

  it('tells the ending at once when it is approved less than 14 days before its end', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask(accountId, { standard: 'a', reason, endsOn: addDays(today(), 10) });
    await decide(stack, await decisionLink(coordinator, requestId), 'APPROVED');
    await waitAt(requestId, 'AwaitLapse');
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
    stack.advanceClock(10);
    expect((await result(requestId)).status).toBe('SUCCEEDED');
    expect((await standing(accountId, requestId))?.status).toBe('LAPSED');
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
  });

  it('closes a rejected request with the Coordinator’s reason and puts nothing on the account', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask(accountId, { standard: 'c', reason, endsOn: addDays(today(), 60) });
    const rejection = 'Partner posts must be moderated like our own.';
    expect((await decide(stack, await decisionLink(coordinator, requestId), 'REJECTED', rejection)).status).toBe(200);
    expect(await result(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'REJECTED', accountId: null } });
    const told = await waitForEmail(stack, (e) => e.to.includes(requester) && e.subject.startsWith('Not approved') && e.text.includes(requestId));
    expect(told.text).toContain(`Rosa Apodaca rejected your request. Reason: ${rejection}`);
    expect(await standing(accountId, requestId)).toBeUndefined();
  });

  it('reminds the Coordinator, escalates to the designee, then expires with nothing on the account', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask(accountId, { standard: 'b', reason, endsOn: addDays(today(), 60) });
    await walkToExpiry(stack, requestId, { approver: coordinator, designee });
    expect(await result(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'EXPIRED', accountId: null } });
    expect(await standing(accountId, requestId)).toBeUndefined();
    expect(await recipients(requestId, 'Expired')).toEqual([requester]);
  });

  it('still lapses once after the stack restarts while it waits for the end date', async () => {
    const accountId = await parksAccount();
    const endsOn = addDays(today(), 30);
    const { requestId } = await ask(accountId, { standard: 'a', reason, endsOn });
    await decide(stack, await decisionLink(coordinator, requestId), 'APPROVED');
    await waitAt(requestId, 'AwaitNotice');
    stack.advanceClock(16);
    await waitAt(requestId, 'AwaitLapse');

    // The restart re-runs the execution from its input (the local clock starts again at the real time).
    stack = await restartTestStack(stack);
    expect(stack.resumed).toContain(requestId);
    await waitAt(requestId, 'AwaitLapse');
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
    expect(await recipients(requestId, 'Approved')).toEqual([requester]);

    // Back at the real time, the end date is further off than it was before the restart.
    stack.advanceClock(daysBetween(today(), endsOn));
    expect((await result(requestId)).status).toBe('SUCCEEDED');
    expect((await standing(accountId, requestId))?.status).toBe('LAPSED');
    expect(await recipients(requestId, 'Lapsed')).toEqual([requester, coordinator].sort());
    expect(await recipients(requestId, 'Ending')).toEqual([requester, coordinator].sort());
  });
});
