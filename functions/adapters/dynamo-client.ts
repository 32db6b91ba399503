import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '#adapters/tracer';

/** ConsumedCapacity as DynamoDB returns it (ReturnConsumedCapacity TOTAL or INDEXES). */
export interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** One metered DynamoDB call, as the meter's listener hears it. */
export interface MeteredCall {
  /** The store method that made it (`GovernanceStore.request`, `MailLedger.claim`), or undefined outside any store. */
  storeCall: string | undefined;
  /** The client command (`GetItemCommand`, `TransactWriteItemsCommand`…). */
  commandName: string;
  input: Record<string, unknown>;
  isWrite: boolean;
  consumed: Capacity[];
}

/** The store method a DynamoDB call is made in; set by TableClient (table.ts) only where metering is available. */
const storeCalls = new AsyncLocalStorage<string>();

/**
 * Consumed capacity, summed per table and index, when metering is on (the benchmark turns it on;
 * Lambda never does). A client middleware asks every call for ReturnConsumedCapacity, so no
 * repository method has to remember to. `onCall` hears each call with the store method that made
 * it, so the benchmark names calls after the code, not after their keys.
 */
export const capacityMeter = {
  /** Fixed at start-up: METER_DYNAMODB=1. Without it (Lambda) the stores' methods are left as they are. */
  available: process.env.METER_DYNAMODB === '1',
  enabled: process.env.METER_DYNAMODB === '1',
  /** INDEXES also splits each call's units into its table's and each index's part; the totals are the same. */
  detail: 'TOTAL' as 'TOTAL' | 'INDEXES',
  read: 0,
  write: 0,
  onCall: undefined as ((call: MeteredCall) => void) | undefined,
  reset() {
    this.read = 0;
    this.write = 0;
  },
  /** Runs `work` as store method `name`; a call already inside one keeps the outer name (the method its caller called). */
  within<T>(name: string, work: () => T): T {
    return this.enabled && storeCalls.getStore() === undefined ? storeCalls.run(name, work) : work();
  },
};

// Traced (a no-op outside Lambda); the document client shares this client's middleware stack.
const base = tracer.captureAWSv3Client(new DynamoDBClient({}));
base.middlewareStack.add(
  (next, context) => async (args) => {
    if (!capacityMeter.enabled) return next(args);
    const input = args.input as Record<string, unknown>;
    input.ReturnConsumedCapacity = capacityMeter.detail;
    const result = await next(args);
    const commandName = context.commandName ?? '';
    const isWrite = /Put|Update|Delete|Write/.test(commandName);
    const output = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
    const consumed = (Array.isArray(output) ? output : [output]).filter((c): c is Capacity => c !== undefined);
    for (const c of consumed) {
      capacityMeter.read += c.ReadCapacityUnits ?? (isWrite ? 0 : (c.CapacityUnits ?? 0));
      capacityMeter.write += c.WriteCapacityUnits ?? (isWrite ? (c.CapacityUnits ?? 0) : 0);
    }
    capacityMeter.onCall?.({ storeCall: storeCalls.getStore(), commandName, input, isWrite, consumed });
    return result;
  },
  { step: 'initialize', name: 'capacityMeter' },
);

export const documentClient = DynamoDBDocumentClient.from(base, {
  marshallOptions: { removeUndefinedValues: true },
});
