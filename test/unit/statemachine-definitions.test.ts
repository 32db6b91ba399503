import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type FunctionKey, functionArnPlaceholder, functions, stateMachines } from '../../functions/catalogue.ts';

const validate = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText(separator?: string): string };

interface State {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Parameters?: { FunctionName?: string };
  QueryLanguage?: string;
  ItemProcessor?: { States: Record<string, State>; QueryLanguage?: string };
  Iterator?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
}

/** Every state with the name of the flow it is in: the top level, Map item processors and Parallel branches, however deep. */
function allStates(states: Record<string, State>, where = 'top level'): { name: string; where: string; state: State; siblings: Record<string, State> }[] {
  return Object.entries(states).flatMap(([name, state]) => [
    { name, where, state, siblings: states },
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((flow, i) =>
      flow ? allStates(flow.States, `${name}${state.Branches ? ` branch ${i}` : ''}`) : [],
    ),
  ]);
}

/** The Lambda service errors every Task must retry (throttling and transient faults of the invoke itself). */
const lambdaServiceErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

/** Tasks known to retry only some of them, each with the errors it does retry: none, and a new Task must retry all four. */
const partialRetries: Record<string, string[]> = {};

describe.each(Object.entries(stateMachines))('state machine %s', (key, spec) => {
  const text = readFileSync(spec.definition, 'utf8');
  const definition = JSON.parse(text) as { States: Record<string, State>; QueryLanguage?: string };

  it('is valid Amazon States Language', () => {
    // asl-validator mutates its input: give it a copy.
    const result = validate(structuredClone(definition), { checkPaths: true, checkArn: false });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses JSONPath only, which the local engine runs (it ignores JSONata)', () => {
    expect(text).not.toContain('JSONata');
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('gives every Task, inside Map item processors too, a timeout, a retry on Lambda service errors and a catch', () => {
    const tasks = allStates(definition.States).filter(({ state }) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const { name, where, state, siblings } of tasks) {
      const label = `${name} (${where})`;
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, `${label} has no timeout`).toBeDefined();
      const retried = lambdaServiceErrors.filter((e) => state.Retry?.some((r) => r.ErrorEquals.includes(e) && (r.MaxAttempts ?? 3) > 0));
      expect(retried, `${label} does not retry every Lambda service error`).toEqual(partialRetries[`${key}/${name}`] ?? lambdaServiceErrors);
      expect(
        state.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')),
        `${label} catches nothing`,
      ).toBe(true);
      // A Catch can only go to a state of its own flow.
      for (const c of state.Catch ?? []) expect(siblings[c.Next], `${label} catches to ${c.Next}, which is not in its flow`).toBeDefined();
    }
  });

  it('gives every Task with a fixed timeout at least 10 s more than its function’s, so a slow run ends as the function’s own timeout (a Lambda error its Retry covers) before the Task’s States.Timeout', () => {
    const placeholders = new Map(spec.invokes.map((k: FunctionKey) => [`\${${functionArnPlaceholder(k)}}`, k]));
    const fixed = allStates(definition.States).filter(({ state }) => state.Type === 'Task' && state.TimeoutSeconds !== undefined);
    expect(fixed.length).toBeGreaterThan(0);
    for (const { name, state } of fixed) {
      const fn = placeholders.get(state.Parameters?.FunctionName ?? '');
      expect(fn, `${name} invokes a catalogue function`).toBeDefined();
      // The stack's default when a function names none (infra/aws/settings.ts DEFAULT_TIMEOUT_SECONDS).
      const fnTimeout = (functions[fn as FunctionKey] as { timeoutSeconds?: number }).timeoutSeconds ?? 10;
      expect(state.TimeoutSeconds as number, `${name}: Task ${state.TimeoutSeconds} s, ${fn} ${fnTimeout} s`).toBeGreaterThanOrEqual(fnTimeout + 10);
    }
  });

  it('looks inside every Map: each item processor is walked, with its own Tasks', () => {
    const maps = allStates(definition.States).filter(({ state }) => state.Type === 'Map');
    for (const { name, state } of maps) {
      const inner = allStates((state.ItemProcessor ?? state.Iterator)?.States ?? {});
      expect(
        inner.some((s) => s.state.Type === 'Task'),
        `${name} has no Task inside`,
      ).toBe(true);
      expect(state.ItemProcessor?.QueryLanguage ?? 'JSONPath', `${name} item processor`).toBe('JSONPath');
    }
  });

  it('invokes exactly the catalogue functions it declares, through placeholders', () => {
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(spec.invokes.map((k: FunctionKey) => functionArnPlaceholder(k)).sort());
    for (const key of spec.invokes) expect(functions[key]).toBeDefined();
  });
});

describe('an approved exception’s life does not hang on one email or one outage (exception-approval.asl.json)', () => {
  const states = (
    JSON.parse(readFileSync(new URL('../../statemachines/exception-approval.asl.json', import.meta.url), 'utf8')) as { States: Record<string, State> }
  ).States;
  const catchAll = (name: string) => states[name]?.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next;

  it('a RecordOutcome that failed after the approval was committed still goes on to the notice and the lapse', () => {
    expect(catchAll('RecordOutcome')).toBe('LiveOnIfApproved');
    expect(states.LiveOnIfApproved?.Parameters).toEqual({
      FunctionName: `\${${functionArnPlaceholder('lapseException')}}`,
      Payload: { 'requestId.$': '$.requestId', stage: 'NOTICE' },
    });
    expect((states.LiveOnIfApproved as { Next?: string }).Next).toBe('NoticeNext');
    // Not approved after all (planning refuses it): the failure is recorded as in any approval.
    expect(catchAll('LiveOnIfApproved')).toBe('RecordFailure');
  });

  it('a notice that cannot be sent does not stop the lapse', () => {
    expect(catchAll('TellEnding')).toBe('PlanLapse');
  });

  it.each(['LiveOnIfApproved', 'PlanNotice', 'AwaitNotice', 'TellEnding', 'PlanLapse', 'AwaitLapse', 'LapseException'])(
    '%s retries a failed or throttled invoke 10 times from 30 s, doubling (hours, not seconds)',
    (name) => {
      const retry = states[name]?.Retry?.find((r) => r.ErrorEquals.includes('States.TaskFailed'));
      expect(retry).toEqual({
        ErrorEquals: [
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
          'States.TaskFailed',
        ],
        IntervalSeconds: 30,
        MaxAttempts: 10,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      });
    },
  );
});
