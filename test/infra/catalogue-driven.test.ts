import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type FunctionKey, functions, type StateMachineKey, stateMachines } from '../../functions/catalogue.ts';
import { type GovernanceStack, governanceStackFromContext } from '../../infra/aws/governance-stack.ts';
import { cdkJson, type Json, settings } from './governance-template.ts';

// No file of infra/aws names a catalogue function or state machine: the catalogue alone decides
// what exists. So give the stack a catalogue with one function, one schedule and one state machine
// more than the real one, and each appears with everything the stack gives its kind.
vi.mock('../../functions/catalogue.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../functions/catalogue.ts')>();
  return {
    ...real,
    functions: {
      ...real.functions,
      probeFunction: {
        entry: real.functions.showGuidelines.entry,
        description: 'Probe: a function only this test\u2019s catalogue has',
        access: {},
        routes: [{ method: 'GET', path: '/probe', auth: 'public' }],
      },
    },
    stateMachines: {
      ...real.stateMachines,
      probeChain: { ...real.stateMachines.approvalChain, description: 'Probe: a state machine only this test\u2019s catalogue has' },
    },
    schedules: {
      ...real.schedules,
      probeSchedule: {
        target: 'probeFunction',
        everyMinutes: 15,
        input: { probe: true },
        description: 'Probe: a schedule only this test\u2019s catalogue has',
      },
    },
  };
});

const probeFunction = 'probeFunction' as FunctionKey;
const probeChain = 'probeChain' as StateMachineKey;

let stack: GovernanceStack;
let resources: Record<string, Json>;
let outputs: Json;
const logicalId = (construct: IConstruct) => stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

beforeAll(() => {
  // No bundling: only what the stack derives from the catalogue matters here.
  stack = governanceStackFromContext(new App({ context: { ...cdkJson.context, ...settings, 'aws:cdk:bundling-stacks': [] } }));
  const template = Template.fromStack(stack).toJSON();
  resources = template.Resources as Record<string, Json>;
  outputs = template.Outputs as Json;
}, 120_000);

describe('catalogue-driven: a catalogue entry more is a resource more', () => {
  it('the test catalogue has the probe entries (the tests below are not vacuous)', () => {
    expect(Object.keys(functions)).toContain(probeFunction);
    expect(Object.keys(stateMachines)).toContain(probeChain);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(Object.keys(functions).length);
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(Object.keys(stateMachines).length);
  });

  it('a new function gets its Lambda function, its own role and log group, an error alarm and its routes', () => {
    const fnId = logicalId(stack.functions[probeFunction]);
    const fn = resources[fnId] as Json;
    expect(fn.Properties.Description).toBe('Probe: a function only this test\u2019s catalogue has');
    const role = resources[fn.Properties.Role['Fn::GetAtt'][0]] as Json;
    expect(role.Properties.Description).toBe('Social media governance: probeFunction');
    expect(resources[fn.Properties.LoggingConfig.LogGroup.Ref]?.Type).toBe('AWS::Logs::LogGroup');
    // Its Errors are one metric of exactly one grouped metric-math alarm, labelled with its key, and
    // the alarm's description names it (its entry is in functions/records/, like showGuidelines).
    const probeErrors = (a: Json) =>
      (a.Properties.Metrics ?? []).filter(
        (m: Json) => m.MetricStat?.Metric.MetricName === 'Errors' && m.MetricStat.Metric.Dimensions[0].Value.Ref === fnId,
      ) as Json[];
    const errors = ofType('AWS::CloudWatch::Alarm').filter((a) => probeErrors(a).length > 0);
    expect(errors).toHaveLength(1);
    const [alarm] = errors as [Json];
    const [metric, ...twice] = probeErrors(alarm);
    expect(twice).toEqual([]);
    expect(metric).toMatchObject({ Label: 'probeFunction', ReturnData: false, MetricStat: { Stat: 'Sum', Period: 300 } });
    expect(metric?.Id).toMatch(/^e([1-9]|10)$/);
    const stats = (alarm.Properties.Metrics as Json[]).filter((m) => m.MetricStat);
    expect(stats.length).toBeLessThanOrEqual(10);
    const expression = (alarm.Properties.Metrics as Json[]).find((m) => m.Expression)?.Expression as string;
    expect(expression).toContain(`FILL(${metric?.Id}, 0)`);
    expect(alarm.Properties.AlarmDescription).toContain('records (');
    expect(alarm.Properties.AlarmDescription).toMatch(/[(, ]probeFunction[,)]/);
    const routes = ofType('AWS::ApiGatewayV2::Route').filter((r) => String(r.Properties.RouteKey).endsWith(' /probe'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['GET /probe', 'HEAD /probe']);
    for (const route of routes) {
      const integrationId = (route.Properties.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string;
      expect(resources[integrationId]?.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  it('a new schedule invokes its target on its own rate, with its input', () => {
    const schedule = ofType('AWS::Scheduler::Schedule').find(
      (s) => s.Properties.Description === 'Probe: a schedule only this test\u2019s catalogue has',
    ) as Json;
    expect(schedule.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack.functions[probeFunction]), 'Arn'] });
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ probe: true });
  });

  it('a new state machine gets its name, its own role, its alarms and its ARN output', () => {
    const smId = logicalId(stack.stateMachines[probeChain]);
    const machine = resources[smId] as Json;
    expect(machine.Properties.StateMachineName).toBe(`${stack.stackName}-ProbeChain`);
    expect(resources[machine.Properties.RoleArn['Fn::GetAtt'][0]]?.Properties.Description).toBe('Social media governance: state machine probeChain');
    const alarms = ofType('AWS::CloudWatch::Alarm').filter((a) =>
      (a.Properties.Metrics ?? []).some((m: Json) => m.MetricStat?.Metric.Dimensions[0].Value.Ref === smId),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties.Metrics.flatMap((m: Json) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))).toEqual([
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]);
    expect(outputs.ProbeChainStateMachineArn.Value).toEqual({ Ref: smId });
  });
});
