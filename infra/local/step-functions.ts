import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type StateMachineDefinition, StateMachine } from 'aws-local-stepfunctions';
import { AwsServiceError, type AwsJsonEndpoint, ensureNamedTable, listenAwsJson } from '#local/aws-endpoint';
import { type FunctionKey, functionArnPlaceholder, functions, type StateMachineKey, stateMachines } from '#catalogue';

/**
 * The local Step Functions host. It runs the real ASL files on aws-local-stepfunctions, binds every
 * Task to the same handler module that Lambda runs, and speaks the Step Functions JSON protocol
 * (StartExecution, SendTaskSuccess, SendTaskFailure, DescribeExecution, and ListExecutions per
 * state machine) so handlers, scripts and tests use the real @aws-sdk/client-sfn against it. Executions are saved in DynamoDB Local and unfinished ones are
 * re-run from their saved input at start-up: the handlers are idempotent, so a re-run returns
 * stored decisions at once and waits again where nobody has decided yet.
 */

export const region = 'us-east-1';
export const accountId = '000000000000';
export const localFunctionArn = (key: FunctionKey) => `arn:aws:lambda:${region}:${accountId}:function:${key}`;
export const localStateMachineArn = (key: StateMachineKey) => `arn:aws:states:${region}:${accountId}:stateMachine:${key}`;
const executionArn = (key: StateMachineKey, name: string) => `arn:aws:states:${region}:${accountId}:execution:${key}:${name}`;

const tokenSentinel = '__LOCAL_TASK_TOKEN__';
/** Where executions are kept for the default table (npm start); any other table gets its own, so stacks sharing one DynamoDB Local never share execution names. */
export const defaultExecutionsTable = 'local-step-functions-executions';
export const executionsTableFor = (tableName: string) => (tableName === 'social-media-governance' ? defaultExecutionsTable : `${tableName}-executions`);

export type Invoke = (key: FunctionKey, payload: unknown) => Promise<unknown>;

export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachine: StateMachineKey;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** States entered, over every run of this execution (a benchmark figure). */
  transitions: number;
}

/** Thrown into a waiting task to stand for its timeout; not retryable, like States.Timeout. */
class LocalTaskTimeout extends Error {
  readonly isRetryable = false;
  constructor() {
    super('The task timed out (local clock advanced).');
    this.name = 'States.Timeout';
  }
}

interface Waiting {
  execution: string;
  state: string;
  /** True once the task's function has returned: from then on a person is being waited for. */
  armed: boolean;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

function substitute(text: string): string {
  let out = text;
  for (const key of Object.keys(functions) as FunctionKey[]) out = out.replaceAll(`\${${functionArnPlaceholder(key)}}`, localFunctionArn(key));
  const left = /\$\{[A-Za-z]+\}/.exec(out);
  if (left) throw new Error(`No local substitution for ${left[0]}`);
  return out;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  return value;
}

type States = StateMachineDefinition['States'];

/** Every state, including those inside Map item processors and Parallel branches (overrides are by state name). */
function allStates(states: States): [string, States[string]][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const nested = state as { ItemProcessor?: { States: States }; Iterator?: { States: States }; Branches?: { States: States }[] };
    const inner = [nested.ItemProcessor, nested.Iterator, ...(nested.Branches ?? [])].flatMap((d) => (d ? allStates(d.States) : []));
    return [[name, state] as [string, States[string]], ...inner];
  });
}

export class LocalStepFunctions {
  private readonly machines = new Map<StateMachineKey, { definition: StateMachineDefinition; machine: StateMachine }>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly running = new Map<string, { abort(): void; done: Promise<ExecutionRecord> }>();
  private readonly db: DynamoDBDocumentClient;
  private endpoint?: AwsJsonEndpoint;
  private stopped = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly invoke: Invoke,
    readonly executionsTable: string = defaultExecutionsTable,
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    for (const [key, spec] of Object.entries(stateMachines) as [StateMachineKey, (typeof stateMachines)[StateMachineKey]][]) {
      const definition = JSON.parse(substitute(readFileSync(new URL(`../../${spec.definition}`, import.meta.url), 'utf8'))) as StateMachineDefinition;
      this.machines.set(key, { definition, machine: new StateMachine(definition) });
    }
  }

  ensureTable(): Promise<void> {
    return ensureNamedTable(this.client, this.executionsTable);
  }

  private overrides(key: StateMachineKey, execution: string) {
    const { definition } = this.machines.get(key) as { definition: StateMachineDefinition };
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of allStates(definition.States)) {
      if (state.Type !== 'Task') continue;
      const resource = state.Resource;
      const fnKey = (input: unknown) => {
        const arn = (input as { FunctionName?: string }).FunctionName ?? '';
        const found = (Object.keys(functions) as FunctionKey[]).find((k) => localFunctionArn(k) === arn);
        if (!found) throw new AwsServiceError('Lambda.ResourceNotFoundException', `No local function for ${arn}`);
        return found;
      };
      if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
        handlers[stateName] = (input) => {
          const token = randomBytes(24).toString('base64url');
          const payload = replaceDeep((input as { Payload?: unknown }).Payload, tokenSentinel, token);
          const entry = { execution, state: stateName, armed: false } as Waiting;
          const result = new Promise((resolve, reject) => {
            entry.resolve = resolve;
            entry.reject = reject;
          });
          this.waiting.set(token, entry);
          // The handler may settle the token itself (a step decided before a restart).
          return this.invoke(fnKey(input), payload).then(
            () => {
              entry.armed = true;
              return result;
            },
            (error) => {
              this.waiting.delete(token);
              throw error;
            },
          );
        };
      } else if (resource === 'arn:aws:states:::lambda:invoke') {
        handlers[stateName] = async (input) => ({ StatusCode: 200, Payload: await this.invoke(fnKey(input), (input as { Payload?: unknown }).Payload) });
      } else {
        handlers[stateName] = async () => {
          throw new AwsServiceError('States.Runtime', `The local host has no binding for ${resource}`);
        };
      }
    }
    return handlers;
  }

  /** StartExecution: idempotent for the same name and input, like Step Functions. */
  async startExecution(stateMachineArn: string, name: string, input: string): Promise<ExecutionRecord> {
    const key = this.machineOf(stateMachineArn);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new AwsServiceError('InvalidName', `Invalid execution name: ${name}`);
    const record: ExecutionRecord = {
      name,
      executionArn: executionArn(key, name),
      stateMachine: key,
      input,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      transitions: 0,
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.executionsTable,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#n)',
          ExpressionAttributeNames: { '#n': 'name' },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const existing = await this.describe(name);
      // Executions are kept by name alone here, where Step Functions keeps them per state machine:
      // the same name on another machine would be a second execution in AWS, so it fails loudly.
      if (existing && existing.stateMachine !== key) {
        throw new AwsServiceError(
          'LocalExecutionNameTaken',
          `The local host already runs ${name} on ${existing.stateMachine}; AWS would start a second execution on ${key}.`,
        );
      }
      if (existing && existing.input === input) return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution already exists: ${record.executionArn}`);
    }
    this.run(record);
    return record;
  }

  private run(record: ExecutionRecord): void {
    const { machine } = this.machines.get(record.stateMachine) as { machine: StateMachine };
    const execution = machine.run(JSON.parse(record.input), {
      overrides: { taskResourceLocalHandlers: this.overrides(record.stateMachine, record.name) as never },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, Input: JSON.parse(record.input), StartTime: record.startDate },
        StateMachine: { Id: localStateMachineArn(record.stateMachine), Name: record.stateMachine },
        Task: { Token: tokenSentinel },
      },
      noThrowOnAbort: true,
    });
    let transitions = 0;
    const events = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') transitions += 1;
        // A wait that ended without its callback (timeout, failure) leaves no live token behind.
        if ((event.type === 'StateCaught' || event.type === 'StateFailed') && 'state' in event) this.forget(record.name, event.state.name);
      }
    })();
    const done = execution.result
      .then(async (output) => {
        await events.catch(() => undefined);
        if (this.stopped) return record;
        return this.finish(record.name, { status: 'SUCCEEDED', output: JSON.stringify(output) }, transitions);
      })
      .catch(async (error: Error & { cause?: { name?: string; message?: string } }) => {
        await events.catch(() => undefined);
        if (this.stopped) return record;
        const inner = error.cause && typeof error.cause === 'object' ? error.cause : error;
        return this.finish(record.name, { status: 'FAILED', error: inner.name ?? 'Error', cause: inner.message ?? String(error) }, transitions);
      })
      .finally(() => {
        this.forget(record.name);
        this.running.delete(record.name);
      });
    this.running.set(record.name, { abort: execution.abort, done });
  }

  private forget(execution: string, state?: string) {
    for (const [token, w] of this.waiting) if (w.execution === execution && (!state || w.state === state)) this.waiting.delete(token);
  }

  private async finish(name: string, result: Partial<ExecutionRecord>, transitions: number): Promise<ExecutionRecord> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.executionsTable,
        Key: { name },
        UpdateExpression: 'SET #s = :s, stopDate = :d, #o = :o, #e = :e, #c = :c ADD transitions :t',
        ExpressionAttributeNames: { '#s': 'status', '#o': 'output', '#e': 'error', '#c': 'cause' },
        ExpressionAttributeValues: {
          ':s': result.status,
          ':d': new Date().toISOString(),
          ':o': result.output ?? null,
          ':e': result.error ?? null,
          ':c': result.cause ?? null,
          ':t': transitions,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as ExecutionRecord;
  }

  /**
   * ListExecutions: one state machine's executions, newest first, optionally of one status (as Step
   * Functions lists them per state machine). The local table is small, so it is scanned.
   */
  async list(key: StateMachineKey, status?: ExecutionRecord['status']): Promise<ExecutionRecord[]> {
    const found: ExecutionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.executionsTable,
          FilterExpression: status ? 'stateMachine = :k AND #s = :s' : 'stateMachine = :k',
          ...(status ? { ExpressionAttributeNames: { '#s': 'status' } } : {}),
          ExpressionAttributeValues: { ':k': key, ...(status ? { ':s': status } : {}) },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      found.push(...((page.Items ?? []) as ExecutionRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return found.sort((a, b) => b.startDate.localeCompare(a.startDate) || b.name.localeCompare(a.name));
  }

  /** The state machine an ARN names, or StateMachineDoesNotExist. */
  machineOf(stateMachineArn: string): StateMachineKey {
    const key = ([...this.machines.keys()] as StateMachineKey[]).find((k) => localStateMachineArn(k) === stateMachineArn);
    if (!key) throw new AwsServiceError('StateMachineDoesNotExist', `State machine does not exist: ${stateMachineArn}`);
    return key;
  }

  async describe(name: string): Promise<ExecutionRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.executionsTable, Key: { name }, ConsistentRead: true }));
    return out.Item as ExecutionRecord | undefined;
  }

  sendTaskSuccess(token: string, output: string): void {
    const w = this.waiting.get(token);
    if (!w) throw new AwsServiceError('TaskTimedOut', 'Task Timed Out: the token is not waiting (finished, timed out, or from before a restart).');
    this.waiting.delete(token);
    w.resolve(JSON.parse(output));
  }

  sendTaskFailure(token: string, error: string, cause: string): void {
    const w = this.waiting.get(token);
    if (!w) throw new AwsServiceError('TaskTimedOut', 'Task Timed Out: the token is not waiting.');
    this.waiting.delete(token);
    w.reject(new AwsServiceError(error || 'TaskFailed', cause));
  }

  /** Executions waiting on a callback, and at which state: what a person would be waiting for. */
  waitingOn(execution?: string): { execution: string; state: string }[] {
    return [...this.waiting.values()]
      .filter((w) => w.armed && (!execution || w.execution === execution))
      .map(({ execution: e, state }) => ({ execution: e, state }));
  }

  /**
   * The local clock: ends every current wait (of one execution, or all) as if its timeout had
   * passed, so reminders, escalation and expiry can be seen without waiting days. The ASL's own
   * Catch / Choice / Pass states then run exactly as they would after a real States.Timeout.
   */
  expireWaits(execution?: string): number {
    let n = 0;
    for (const [token, w] of [...this.waiting]) {
      if (!w.armed || (execution && w.execution !== execution)) continue;
      this.waiting.delete(token);
      w.reject(new LocalTaskTimeout());
      n += 1;
    }
    return n;
  }

  /** Resolves when the execution has finished (tests, benchmark). */
  async result(name: string): Promise<ExecutionRecord | undefined> {
    const live = this.running.get(name);
    return live ? live.done : this.describe(name);
  }

  /** Re-runs every execution that was RUNNING when the host last stopped. */
  async resumeUnfinished(): Promise<string[]> {
    const resumed: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.executionsTable,
          FilterExpression: '#s = :r',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':r': 'RUNNING' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const record = item as ExecutionRecord;
        if (this.running.has(record.name)) continue;
        this.run(record);
        resumed.push(record.name);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return resumed;
  }

  /** The Step Functions JSON 1.0 protocol on a local port (AWS_ENDPOINT_URL_SFN). */
  async listen(port = 0): Promise<string> {
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    this.endpoint = await listenAwsJson({
      port,
      targetPrefix: 'AWSStepFunctions',
      contentType: 'application/x-amz-json-1.0',
      operations: {
        StartExecution: async (body) => {
          const r = await this.startExecution(text(body.stateMachineArn), text(body.name), text(body.input) || '{}');
          return { executionArn: r.executionArn, startDate: Date.parse(r.startDate) / 1000 };
        },
        SendTaskSuccess: (body) => {
          this.sendTaskSuccess(text(body.taskToken), text(body.output));
          return {};
        },
        SendTaskFailure: (body) => {
          this.sendTaskFailure(text(body.taskToken), text(body.error), text(body.cause));
          return {};
        },
        ListExecutions: async (body) => {
          const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED'] as const;
          const filter = text(body.statusFilter);
          if (filter && !(statuses as readonly string[]).includes(filter)) throw new AwsServiceError('ValidationException', `Unknown statusFilter ${filter}.`);
          const records = await this.list(this.machineOf(text(body.stateMachineArn)), (filter || undefined) as ExecutionRecord['status'] | undefined);
          return {
            executions: records.map((r) => ({
              executionArn: r.executionArn,
              stateMachineArn: localStateMachineArn(r.stateMachine),
              name: r.name,
              status: r.status,
              startDate: Date.parse(r.startDate) / 1000,
              ...(r.stopDate ? { stopDate: Date.parse(r.stopDate) / 1000 } : {}),
            })),
          };
        },
        DescribeExecution: async (body) => {
          const name = text(body.executionArn).split(':').pop() ?? '';
          const r = await this.describe(name);
          if (!r) throw new AwsServiceError('ExecutionDoesNotExist', `Execution does not exist: ${text(body.executionArn)}`);
          return { ...r, startDate: Date.parse(r.startDate) / 1000, stopDate: r.stopDate ? Date.parse(r.stopDate) / 1000 : undefined };
        },
      },
      internal: (error) => ({ __type: 'InternalFailure', message: error.message }),
    });
    return this.endpoint.url;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { abort } of this.running.values()) abort();
    this.waiting.clear();
    await this.endpoint?.close();
  }
}
