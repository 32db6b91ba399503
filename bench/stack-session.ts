/**
 * The local stack B (approvals) and C (offboarding) run on, one per process: started as `npm start`
 * starts it (its own DynamoDB Local with data on disk; BENCH_DYNAMO=memory for an in-memory one, as
 * the tests use), with the capacity meter on and every DynamoDB call recorded by function and store
 * method. Also asks DynamoDB Local, on a scratch table, whether its TOTAL capacity counts GSI writes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Capacity } from '#adapters/dynamo-client';
import type { LocalStack } from '#local/stack';
import { StoreCallRecorder } from './store-calls.ts';

export interface StackSession {
  stack: LocalStack;
  /** The app's meter (functions/adapters/dynamo-client.ts), as the functions loaded it. */
  meter: typeof import('#adapters/dynamo-client').capacityMeter;
  /** Records calls by function (the stack's aroundInvoke hook tags each invocation); its `outside` names a call made outside any function. */
  recorder: StoreCallRecorder;
  capacityReporting: Record<string, unknown>;
  startMs: number;
  mailbox(): Promise<{ destination: { to: string[] }; subject?: string; body: { text?: string } }[]>;
  clearMailbox(): Promise<void>;
  close(): Promise<void>;
}

/** Does DynamoDB Local count GSI writes in ReturnConsumedCapacity TOTAL? (scratch table, unmetered client) */
async function probeCapacityReporting(client: DynamoDBClient): Promise<Record<string, unknown>> {
  const { ensureGovernanceTable } = await import('#local/table');
  const probeTable = `bench-probe-${randomBytes(4).toString('hex')}`;
  await ensureGovernanceTable(client, probeTable);
  const probe: Record<string, unknown> = {};
  for (const mode of ['TOTAL', 'INDEXES'] as const) {
    const Item = { PK: { S: `P#${mode}` }, SK: { S: 'X' }, GSI1PK: { S: 'G1' }, GSI1SK: { S: mode }, GSI2PK: { S: 'G2' }, GSI2SK: { S: mode } };
    const put = await client.send(new PutItemCommand({ TableName: probeTable, Item, ReturnConsumedCapacity: mode }));
    const update = await client.send(
      new UpdateItemCommand({
        TableName: probeTable,
        Key: { PK: Item.PK, SK: Item.SK },
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': { S: 'non-key attribute' } },
        ReturnConsumedCapacity: mode,
      }),
    );
    probe[mode] = { putWithBothIndexKeys: put.ConsumedCapacity, updateNonKeyAttribute: update.ConsumedCapacity };
  }
  await client.send(new DeleteTableCommand({ TableName: probeTable }));
  const totalPut = (probe.TOTAL as { putWithBothIndexKeys?: Capacity }).putWithBothIndexKeys?.CapacityUnits ?? 0;
  return {
    totalIncludesGsiWrites: totalPut > 1,
    note: 'A 1-item put carrying both GSI keys (projection ALL), and an update of a non-key attribute of it, on a scratch table with the governance key design.',
    ...probe,
  };
}

export async function openStackSession(): Promise<StackSession> {
  // The meter reads this once, at import: set it before the stack loads the functions.
  process.env.METER_DYNAMODB = '1';
  const { startLocalStack } = await import('#local/stack');
  const { startDynamo } = await import('#local/services');
  const fnContext = new AsyncLocalStorage<{ fn: string }>();
  const dataDir = mkdtempSync(join(tmpdir(), 'smg-bench-stack-'));
  const started = performance.now();
  const memoryDynamo = process.env.BENCH_DYNAMO === 'memory' ? await startDynamo() : undefined;
  const stack = await startLocalStack({
    dataDir,
    dynamoEndpoint: memoryDynamo?.endpoint,
    tableName: `bench-${randomBytes(6).toString('hex')}`,
    logLevel: 'ERROR',
    aroundInvoke: (key, invoke) => fnContext.run({ fn: key }, invoke),
  });
  const startMs = performance.now() - started;
  const { capacityMeter } = await import('#adapters/dynamo-client');
  const recorder = new StoreCallRecorder(
    capacityMeter,
    () => fnContext.getStore()?.fn,
    () => 'local dev sign-in',
  );
  const capacityReporting = await probeCapacityReporting(stack.client);
  return {
    stack,
    meter: capacityMeter,
    recorder,
    capacityReporting,
    startMs,
    mailbox: async () => ((await (await fetch(`${stack.mailboxUrl}/store`)).json()) as { emails: Awaited<ReturnType<StackSession['mailbox']>> }).emails,
    clearMailbox: async () => {
      await fetch(`${stack.mailboxUrl}/clear-store`, { method: 'POST' });
    },
    close: async () => {
      capacityMeter.enabled = false;
      await stack.stop();
      await memoryDynamo?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
