/**
 * Records the DynamoDB calls the functions make, each named after the store method that made it,
 * so the benchmark can say where the capacity goes. Shared by the approval, offboarding and restart
 * benchmarks.
 *
 * The name comes from the store itself: where metering is available, TableClient
 * (functions/adapters/table.ts) runs each method of its subclasses as `Class.method`, and the
 * capacity meter (functions/adapters/dynamo-client.ts) hands it over with each call. A call made
 * inside another method of a store keeps the outer name: the method its caller called. What follows
 * the name, in parentheses, is read off the call itself (command, the item's key kinds or the index
 * queried), to tell one method's calls apart; a call made outside any store is named
 * `(no store method)`, so it shows up in the tables instead of hiding under another's name.
 */
import type { Capacity, MeteredCall } from '#adapters/dynamo-client';

/** One recorded DynamoDB call: who made it, what it was, and the capacity it consumed. */
export interface Op {
  phase: string;
  fn: string;
  op: string;
  read: number;
  write: number;
  table: number;
  gsi: Record<string, number>;
}

type Input = Record<string, unknown>;

/** A key attribute as the middleware sees it: plain (document client) or marshalled ({ S }). */
const str = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'S' in v ? String((v as { S: unknown }).S) : '');
/** The entity part of a key (`REQ#na-…` → `REQ`); ids never appear, so one method's calls group together. */
const kind = (v: unknown) => str(v).split('#')[0] ?? '';

/** What a call did, from its command and input: `GetItem REQ/META, consistent`, `Query GSI1 EMAIL`, `Query table OFFBOARD OPEN#`. */
function commandDetail(commandName: string, input: Input): string {
  const command = commandName.replace(/Command$/, '');
  const key = (input.Key ?? input.Item) as Input | undefined;
  if (key) return `${command} ${kind(key.PK)}/${kind(key.SK)}${input.ConsistentRead ? ', consistent' : ''}`;
  if (command === 'Query') {
    const values = (input.ExpressionAttributeValues ?? {}) as Input;
    const index = typeof input.IndexName === 'string' ? input.IndexName : 'table';
    // The table and GSI1/GSI2 have entity-prefixed partition keys (`:pk`); the other indexes are named alone.
    const pk = ':pk' in values ? ` ${kind(values[':pk'])}` : '';
    const prefix = /begins_with\([^,]+,\s*(:\w+)\)/.exec(String(input.KeyConditionExpression ?? ''))?.[1];
    return `${command} ${index}${pk}${prefix ? ` ${kind(values[prefix])}#` : ''}`;
  }
  if (command === 'TransactWriteItems') return `${command} ${((input.TransactItems ?? []) as unknown[]).length} items`;
  return command;
}

/** The name of a metered call: `GovernanceStore.request (GetItem REQ/META, consistent)`. */
export const callName = (call: Pick<MeteredCall, 'storeCall' | 'commandName' | 'input'>) =>
  `${call.storeCall ?? '(no store method)'} (${commandDetail(call.commandName, call.input)})`;

/** The store method of a call's name (`GovernanceStore.request`). */
export const methodOf = (op: string) => op.split(' (')[0] ?? op;

/** Splits one ConsumedCapacity into total, table and per-index units. */
export function unitsOf(c: Capacity): { total: number; table: number; gsi: Record<string, number> } {
  const total = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
  const gsi = Object.fromEntries(Object.entries(c.GlobalSecondaryIndexes ?? {}).map(([k, v]) => [k, v.CapacityUnits ?? 0]));
  return { total, table: c.Table?.CapacityUnits ?? total, gsi };
}

/** Who made a call made outside any function; `callsInPhase` counts the calls recorded in the phase before it. */
export type Attribution = (op: string, callsInPhase: number, phase: string) => string;

/**
 * Records every metered call while recording, phase by phase, through the capacity meter's one
 * listener. The meter asks for INDEXES from here on, so each call also says how much was the table
 * and how much each index (the totals are the same as with TOTAL).
 */
export class StoreCallRecorder {
  private recording = false;
  private phase = '';
  private callsInPhase = 0;
  private calls: Op[] = [];

  /**
   * `currentFunction` names the function a call is made in (the local stack's aroundInvoke hook tags
   * each invocation); `outside` names what makes a call outside any function.
   */
  constructor(
    meter: { detail: 'TOTAL' | 'INDEXES'; onCall?: (call: MeteredCall) => void },
    private readonly currentFunction: () => string | undefined,
    public outside: Attribution,
  ) {
    meter.detail = 'INDEXES';
    meter.onCall = (call) => {
      if (!this.recording) return;
      const op = callName(call);
      const fn = this.currentFunction() ?? this.outside(op, this.callsInPhase, this.phase);
      this.callsInPhase += 1;
      for (const c of call.consumed) {
        const { total, table, gsi } = unitsOf(c);
        this.calls.push({ phase: this.phase, fn, op, read: call.isWrite ? 0 : total, write: call.isWrite ? total : 0, table, gsi });
      }
    };
  }

  /** Records every call from now on under `phase` (recording goes on if it was on). */
  start(phase: string): void {
    this.phase = phase;
    this.callsInPhase = 0;
    this.recording = true;
  }

  /** Stops recording and hands back everything recorded since the last stop. */
  stop(): Op[] {
    this.recording = false;
    return this.calls.splice(0);
  }
}

/** One store call's totals: how often a function made it, and the read and write units it cost (table and each index). */
export interface CallTotals {
  fn: string;
  op: string;
  calls: number;
  read: number;
  write: number;
  table: number;
  gsi: Record<string, number>;
}

/** Sums metered calls by function and store call, in the order first seen. */
export function totalsByCall<T extends { fn: string; op: string; read: number; write: number; table: number; gsi: Record<string, number> }>(
  calls: readonly T[],
): (CallTotals & { sources: T[] })[] {
  const byCall = new Map<string, CallTotals & { sources: T[] }>();
  for (const c of calls) {
    const k = `${c.fn}\u0000${c.op}`;
    const agg = byCall.get(k) ?? { fn: c.fn, op: c.op, calls: 0, read: 0, write: 0, table: 0, gsi: {}, sources: [] };
    agg.calls += 1;
    agg.read += c.read;
    agg.write += c.write;
    agg.table += c.table;
    for (const [g, u] of Object.entries(c.gsi)) agg.gsi[g] = (agg.gsi[g] ?? 0) + u;
    agg.sources.push(c);
    byCall.set(k, agg);
  }
  return [...byCall.values()];
}

export interface FunctionCapacity {
  phase: string;
  fn: string;
  calls: number;
  read: number;
  write: number;
}

export interface CallCapacity extends FunctionCapacity {
  op: string;
  /** Write units that went to the indexes. */
  gsiWrite: number;
}

/** The recorded calls summed by phase and function, and by phase, function and store call (sections C and F). */
export function capacityByCall(ops: readonly Op[]): { byFn: FunctionCapacity[]; byOp: CallCapacity[] } {
  const byFn = new Map<string, FunctionCapacity>();
  const byOp = new Map<string, CallCapacity>();
  for (const o of ops) {
    const f = byFn.get(`${o.phase}\u0000${o.fn}`) ?? { phase: o.phase, fn: o.fn, calls: 0, read: 0, write: 0 };
    f.calls += 1;
    f.read += o.read;
    f.write += o.write;
    byFn.set(`${o.phase}\u0000${o.fn}`, f);
    const k = `${o.phase}\u0000${o.fn}\u0000${o.op}`;
    const c = byOp.get(k) ?? { phase: o.phase, fn: o.fn, op: o.op, calls: 0, read: 0, write: 0, gsiWrite: 0 };
    c.calls += 1;
    c.read += o.read;
    c.write += o.write;
    if (o.write) c.gsiWrite += Object.values(o.gsi).reduce((sum, u) => sum + u, 0);
    byOp.set(k, c);
  }
  return { byFn: [...byFn.values()], byOp: [...byOp.values()] };
}
