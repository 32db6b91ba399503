import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_SECONDS } from '../../infra/aws/settings.ts';
import {
  actionsOf,
  asArray,
  flatten,
  fnId,
  fnProps,
  type Json,
  ofType,
  resources,
  smId,
  stateMachineEntries,
  substitute,
  synthesizeGovernanceStack,
} from './governance-template.ts';

synthesizeGovernanceStack();

/*
 * A Task's TimeoutSeconds against its function's Timeout, on the definitions as CloudFormation
 * receives them. A Task that gives up no later than its function ends a slow run as States.Timeout,
 * which no Retry here names (States.TaskFailed, the retriers' wildcard, matches every error but
 * States.Timeout), so it goes straight to the Catch; above it, the run ends as the function's own
 * timeout, a Lambda error the Retry covers, and only then reaches the same Catch. The task-token
 * waits are another matter: their TimeoutSecondsPath is how long the workflow waits for a person,
 * and its States.Timeout is a step of the workflow (a reminder, the next check), caught on purpose.
 */

interface TaskState {
  machine: string;
  name: string;
  state: Json;
}

/** Every Task of a definition, in Map item processors (and Parallel branches) too. */
function tasksOf(machine: string, states: Record<string, Json>, prefix = ''): TaskState[] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [{ machine, name: `${prefix}${name}`, state }] : []),
    ...(state.ItemProcessor ? tasksOf(machine, state.ItemProcessor.States, `${prefix}${name}/`) : []),
    ...(state.Iterator ? tasksOf(machine, state.Iterator.States, `${prefix}${name}/`) : []),
    ...asArray<Json>(state.Branches).flatMap((branch, i) => tasksOf(machine, branch.States, `${prefix}${name}[${i}]/`)),
  ]);
}

/** The definition CloudFormation creates: the template's string with each function's ARN as `<LogicalId.Arn>`. */
function definitionOf(machine: (typeof stateMachineEntries)[number][0]): Json {
  const p = resources[smId(machine)]?.Properties as Json;
  return JSON.parse(substitute(flatten(p.DefinitionString), p.DefinitionSubstitutions as Json)) as Json;
}

type MachineKey = (typeof stateMachineEntries)[number][0];
const tasksOfMachine = (key: MachineKey) => tasksOf(key, definitionOf(key).States);
const invokesOf = (key: MachineKey) => tasksOfMachine(key).filter((t) => t.state.Resource === 'arn:aws:states:::lambda:invoke');
const waitsOf = (key: MachineKey) => tasksOfMachine(key).filter((t) => t.state.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken');

/** The Timeout of the Lambda function a Task invokes, from the template. */
function functionTimeoutOf({ name, state }: TaskState): number {
  const id = /^<(.+)\.Arn>$/.exec(String(state.Parameters?.FunctionName))?.[1];
  const fn = id ? resources[id] : undefined;
  expect(fn?.Type, `${name} invokes a function of the stack`).toBe('AWS::Lambda::Function');
  return fn?.Properties.Timeout as number;
}

const errorsOf = (entries: unknown) => asArray<Json>(entries as Json[]).flatMap((e) => e.ErrorEquals as string[]);

describe.each(stateMachineEntries.map(([key]) => key))('%s: Task timeouts against the functions they invoke', (key) => {
  it('every Task invokes a Lambda function, synchronously or with a task token', () => {
    const tasks = tasksOfMachine(key);
    expect(tasks.length).toBeGreaterThan(0);
    expect(invokesOf(key).length).toBeGreaterThan(0);
    expect(invokesOf(key).length + waitsOf(key).length).toBe(tasks.length);
  });

  it('every synchronous Task\u2019s TimeoutSeconds, if any, is above its function\u2019s Timeout (Map iterations included)', () => {
    for (const task of invokesOf(key)) {
      const fnTimeout = functionTimeoutOf(task);
      expect(fnTimeout, task.name).toBeGreaterThan(0);
      if (task.state.TimeoutSeconds === undefined) continue;
      expect(task.state.TimeoutSeconds, `${task.name}: Task ${task.state.TimeoutSeconds} s, function ${fnTimeout} s`).toBeGreaterThan(fnTimeout);
    }
  });

  it('a function that times out is retried (States.TaskFailed), then caught where any failure is; no Retry or Catch names States.Timeout', () => {
    for (const task of invokesOf(key)) {
      const retried = asArray<Json>(task.state.Retry).find((r) => (r.ErrorEquals as string[]).includes('States.TaskFailed'));
      expect(retried, `${task.name}: a retrier for States.TaskFailed`).toBeDefined();
      expect(retried?.MaxAttempts ?? 3, task.name).toBeGreaterThan(0);
      expect([...errorsOf(task.state.Retry), ...errorsOf(task.state.Catch)], task.name).not.toContain('States.Timeout');
      expect(errorsOf(task.state.Catch), task.name).toContain('States.ALL');
    }
  });

  it('a task-token wait keeps its own timeout, read from its function\u2019s answer, and catches it as a step of the workflow', () => {
    for (const task of waitsOf(key)) {
      expect(task.state.TimeoutSecondsPath, task.name).toBe('$.Payload.waitSeconds');
      expect(task.state.TimeoutSeconds, task.name).toBeUndefined();
      expect(task.state.HeartbeatSeconds, task.name).toBeUndefined();
      const timeout = asArray<Json>(task.state.Catch).find((c) => (c.ErrorEquals as string[]).includes('States.Timeout'));
      expect(timeout?.Next, `${task.name} catches States.Timeout`).toBeDefined();
      expect(errorsOf(task.state.Retry), task.name).not.toContain('States.Timeout');
    }
  });
});

describe('the timeouts stated literally', () => {
  it('reportOffboarding runs for up to 30 s, and each of its four Tasks on separationOffboarding waits 60 s for it', () => {
    expect(fnProps('reportOffboarding').Timeout).toBe(30);
    const reports = invokesOf('separationOffboarding').filter((t) => t.state.Parameters.FunctionName === `<${fnId('reportOffboarding')}.Arn>`);
    expect(Object.fromEntries(reports.map((t) => [t.name, t.state.TimeoutSeconds]))).toEqual({
      ReportStarted: 60,
      ReportFinished: 60,
      AlertUnknownEmployee: 60,
      ReportFailure: 60,
    });
  });

  it('offboardAccount, inside the Map, runs for up to 30 s and its Tasks wait 60 s', () => {
    expect(fnProps('offboardAccount').Timeout).toBe(30);
    const inMap = invokesOf('separationOffboarding').filter((t) => t.name.startsWith('OffboardEachAccount/'));
    expect(Object.fromEntries(inMap.map((t) => [t.name, t.state.TimeoutSeconds]))).toEqual({
      'OffboardEachAccount/OffboardAccount': 60,
      'OffboardEachAccount/RecordAccountFailure': 60,
    });
  });

  it('a function that names no timeout gets the stack\u2019s default, 10 s', () => {
    expect(DEFAULT_TIMEOUT_SECONDS).toBe(10);
    expect(fnProps('showRegistry').Timeout).toBe(10);
  });
});

describe('task failures', () => {
  it('no role may send states:SendTaskFailure: a task fails by its own output, decided inside the workflow', () => {
    const roles = ofType('AWS::IAM::Role').map(([id]) => id);
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      const actions = actionsOf(role);
      expect(actions, role).not.toContain('states:SendTaskFailure');
      expect(
        actions.filter((a) => /^states:(\*|SendTask\*)$/.test(a) || a === '*'),
        role,
      ).toEqual([]);
    }
    expect(JSON.stringify(resources)).not.toContain('states:SendTaskFailure');
  });
});
