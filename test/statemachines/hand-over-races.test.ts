import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { installCheckpointHook } from '../../functions/adapters/checkpoints.ts';
import { checkpoints } from '../support/checkpoints.ts';
import { approvalLinkIn, decide, mailbox, type SentEmail, startTestStack, submit, waitForEmail, waitUntilWaiting } from '../support/harness.ts';

/**
 * A hand-over (a directory change moving an open approval, issue 13) racing the link it moves, in
 * each order: one side held at a checkpoint while the other runs, then let go. The real HR
 * consumer and ASL on the local engine, DynamoDB Local, the SES emulator.
 */
let stack: LocalStack;
let gates: ReturnType<typeof checkpoints>;

beforeAll(async () => {
  stack = await startTestStack();
});
afterEach(() => gates?.uninstall());
afterAll(async () => {
  await stack?.stop();
});

const director = 'dbaca@cabq.example';
const communications = 'emartinez@cabq.example';
let clock = Date.parse('2026-12-01T08:00:00-07:00');
/** The Parks department with a new director each time (HR's event, a minute after the last). */
const newDirector = (directorId: string, designeeId: string) => {
  clock += 60_000;
  return stack.hr.put({
    source: 'cabq.hr',
    'detail-type': 'Department Updated',
    detail: { code: 'PRD', name: 'Parks and Recreation', directorId, designeeId, effectiveAt: new Date(clock).toISOString(), sequence: 1 },
  });
};
const about = (requestId: string, to: string, subject: RegExp) => (e: SentEmail) => e.to.includes(to) && e.text.includes(requestId) && subject.test(e.subject);
const count = async (requestId: string, subject: RegExp) => (await mailbox(stack)).filter((e) => e.text.includes(requestId) && subject.test(e.subject)).length;

describe('a hand-over racing the link it moves', () => {
  it('refuses the old link’s decision written after the move: only the new approver decides', async () => {
    gates = checkpoints();
    await newDirector('E100', 'E101');
    const requestId = await submit(stack, 'E102');
    const old = approvalLinkIn(await waitForEmail(stack, about(requestId, director, /^Decision needed/)));
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('decideApproval:before-write', (d) => d.approvalId === old.approvalId);
    const decision = decide(stack, old, 'APPROVED');
    await held.reached;
    expect((await newDirector('E101', 'E100')).body).toMatchObject({ result: 'applied' });
    const moved = approvalLinkIn(await waitForEmail(stack, about(requestId, 'mchavez@cabq.example', /^Moved to you/)));
    held.release();
    expect((await decision).status).toBe(410);
    expect((await decide(stack, moved, 'APPROVED')).status).toBe(200);
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    expect(await count(requestId, /^Decision needed/)).toBe(2);
  });

  it('moves nothing when the old approver decides first: the decision stands and nobody else is asked', async () => {
    gates = checkpoints();
    await newDirector('E100', 'E101');
    const requestId = await submit(stack, 'E102');
    const old = approvalLinkIn(await waitForEmail(stack, about(requestId, director, /^Decision needed/)));
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('handOver:before-move', (d) => d.requestId === requestId);
    const change = newDirector('E101', 'E100');
    await held.reached;
    expect((await decide(stack, old, 'APPROVED')).status).toBe(200);
    held.release();
    expect((await change).body).toMatchObject({ result: 'applied' });
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
    expect(await count(requestId, /^Moved to you/)).toBe(0);
  });

  it('carries a token re-armed during the move to the new link: the new approver’s decision resumes the execution', async () => {
    gates = checkpoints();
    await newDirector('E100', 'E101');
    const requestId = await submit(stack, 'E102');
    await waitForEmail(stack, about(requestId, director, /^Decision needed/));
    await waitUntilWaiting(stack, requestId);
    const held = gates.holdAt('handOver:before-move', (d) => d.requestId === requestId);
    const change = newDirector('E101', 'E100');
    await held.reached;
    // The wait runs out while the move is on its way: the reminder re-arms the old link with a new token.
    stack.advanceClock();
    await waitForEmail(stack, about(requestId, director, /^Reminder/));
    await waitUntilWaiting(stack, requestId);
    held.release();
    await change;
    const moved = approvalLinkIn(await waitForEmail(stack, about(requestId, 'mchavez@cabq.example', /^Moved to you/)));
    expect((await decide(stack, moved, 'APPROVED')).status).toBe(200);
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
  });
  it('finishes on the reconciler’s schedule a hand-over whose run died before the move: the new director gets the link once', async () => {
    await newDirector('E100', 'E101');
    const requestId = await submit(stack, 'E102');
    await waitForEmail(stack, about(requestId, director, /^Decision needed/));
    await waitUntilWaiting(stack, requestId);
    // The consumer dies as it is about to move the approval (as a crash would end it): the change is
    // applied, its hand-over marker is left pending.
    installCheckpointHook((name, detail) => {
      if (name === 'handOver:before-move' && detail.requestId === requestId) throw new Error('killed before the move');
    });
    try {
      // Whatever the consumer answers (a failure, which SQS would redeliver in AWS), the change is on record.
      await newDirector('E101', 'E100').catch(() => undefined);
    } finally {
      installCheckpointHook(undefined);
    }
    expect(await count(requestId, /^Moved to you/)).toBe(0);
    // Two minutes old, so the scheduled sweep (which leaves the last minute's to their own runs) takes it.
    const db = DynamoDBDocumentClient.from(stack.client);
    const { Items: pending = [] } = await db.send(
      new QueryCommand({
        TableName: stack.tableName,
        IndexName: 'ByPendingStart',
        KeyConditionExpression: 'pendingStart = :q',
        ExpressionAttributeValues: { ':q': 'directoryHandOver' },
      }),
    );
    expect(pending.map((p) => String(p.PK)).filter((pk) => pk.startsWith('HANDOVER#DEPT#PRD#'))).toHaveLength(1);
    for (const p of pending) {
      await db.send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { PK: p.PK, SK: p.SK },
          UpdateExpression: 'SET pendingSince = :old',
          ExpressionAttributeValues: { ':old': new Date(Date.now() - 120_000).toISOString() },
        }),
      );
    }
    expect(await stack.runSchedule('reconcileStarts')).toMatchObject({ handOvers: pending.length });
    const moved = approvalLinkIn(await waitForEmail(stack, about(requestId, 'mchavez@cabq.example', /^Moved to you/)));
    // Done: a second sweep finds nothing, and nothing is sent twice.
    expect(await stack.runSchedule('reconcileStarts')).toMatchObject({ handOvers: 0 });
    expect(await count(requestId, /^Moved to you/)).toBe(1);
    expect((await decide(stack, moved, 'APPROVED')).status).toBe(200);
    await waitForEmail(stack, about(requestId, communications, /^Decision needed/));
  });
});
