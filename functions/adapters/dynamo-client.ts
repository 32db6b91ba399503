import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Consumed capacity, summed per table and index, when metering is on (the benchmark turns it on;
 * Lambda never does). A client middleware asks every call for ReturnConsumedCapacity, so no
 * repository method has to remember to.
 */
export const capacityMeter = {
  enabled: process.env.METER_DYNAMODB === '1',
  read: 0,
  write: 0,
  reset() {
    this.read = 0;
    this.write = 0;
  },
};

interface Capacity {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  CapacityUnits?: number;
}

function addCapacity(consumed: unknown, isWrite: boolean) {
  for (const c of (Array.isArray(consumed) ? consumed : [consumed]) as (Capacity | undefined)[]) {
    if (!c) continue;
    capacityMeter.read += c.ReadCapacityUnits ?? (isWrite ? 0 : (c.CapacityUnits ?? 0));
    capacityMeter.write += c.WriteCapacityUnits ?? (isWrite ? (c.CapacityUnits ?? 0) : 0);
  }
}

const base = new DynamoDBClient({});
base.middlewareStack.add(
  (next, context) => async (args) => {
    if (!capacityMeter.enabled) return next(args);
    const input = args.input as Record<string, unknown>;
    input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const isWrite = /Put|Update|Delete|Write/.test(context.commandName ?? '');
    addCapacity((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity, isWrite);
    return result;
  },
  { step: 'initialize', name: 'capacityMeter' },
);

export const documentClient = DynamoDBDocumentClient.from(base, {
  marshallOptions: { removeUndefinedValues: true },
});
