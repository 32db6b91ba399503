import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FunctionKey, type FunctionSpec, functionArnPlaceholder, functions, type StateMachineKey } from '../../functions/catalogue.ts';
import { repoRoot } from '../../infra/aws/governance-stack.ts';
import {
  asArray,
  flatten,
  fnId,
  fnProps,
  functionEntries,
  getAtt,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  smId,
  stack,
  stateMachineEntries,
  statementsOf,
  substitute,
  synthesizeGovernanceStack,
  taskFunctionNames,
} from './governance-template.ts';

synthesizeGovernanceStack();

describe('state machines', () => {
  it('creates exactly one state machine per catalogue entry', () => {
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(stateMachineEntries.length);
  });

  it.each(stateMachineEntries)('%s: inlines the catalogue ASL and substitutes every function placeholder', (key, spec) => {
    const p = resources[smId(key)]?.Properties as Json;
    expect(p.StateMachineType).toBe('STANDARD');
    const definition = JSON.parse(flatten(p.DefinitionString)) as Json;
    const asl = JSON.parse(readFileSync(join(repoRoot, spec.definition), 'utf8')) as Json;
    expect(Object.keys(definition.States).sort()).toEqual(Object.keys(asl.States).sort());
    expect(definition.StartAt).toBe(asl.StartAt);

    const placeholders = [...new Set([...flatten(p.DefinitionString).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]))];
    expect(placeholders.length).toBeGreaterThan(0);
    const substitutions = p.DefinitionSubstitutions as Json;
    for (const placeholder of placeholders) expect(Object.keys(substitutions), `\${${placeholder}} has no substitution`).toContain(placeholder);
    expect(substitutions).toEqual(Object.fromEntries(spec.invokes.map((fnKey) => [functionArnPlaceholder(fnKey), getAtt(fnId(fnKey))])));
  });

  it.each(stateMachineEntries)(
    '%s: once CloudFormation substitutes, no placeholder is left and every Task, Map iterations included, invokes one of its functions',
    (key, spec) => {
      const p = resources[smId(key)]?.Properties as Json;
      const substituted = substitute(flatten(p.DefinitionString), p.DefinitionSubstitutions as Json);
      expect(substituted).not.toContain('${');
      const invoked = taskFunctionNames(JSON.parse(substituted) as Json);
      expect(invoked.length).toBeGreaterThan(0);
      // Every catalogue function of the machine is invoked, and nothing else is.
      expect([...new Set(invoked)].sort()).toEqual(spec.invokes.map((fnKey) => `<${fnId(fnKey)}.Arn>`).sort());
    },
  );

  it.each(stateMachineEntries)('%s: its role may invoke exactly the catalogue functions it invokes', (key, spec) => {
    const role = resources[smId(key)]?.Properties.RoleArn['Fn::GetAtt'][0] as string;
    const invoke = statementsOf(role).filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
    expect(invoke.flatMap((s) => asArray(s.Action))).toEqual(['lambda:InvokeFunction']);
    const targets = invoke
      .flatMap((s) => asArray(s.Resource))
      .map((r) => JSON.stringify(r))
      .sort();
    expect(targets).toEqual(spec.invokes.map((fnKey) => JSON.stringify(getAtt(fnId(fnKey)))).sort());
  });

  it.each(stateMachineEntries)('%s: logs ALL events without execution data to a retained log group, with tracing', (key) => {
    const p = resources[smId(key)]?.Properties as Json;
    expect(p.LoggingConfiguration.Level).toBe('ALL');
    expect(p.LoggingConfiguration.IncludeExecutionData).toBe(false);
    const logGroup = resources[p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]];
    expect(logGroup?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
  });

  it.each(stateMachineEntries)(
    '%s: its log group is /aws/vendedlogs/states/<machine name>-<first group of the stack\u2019s UUID>, so a stack deployed again after a delete takes none the old one retained',
    (key) => {
      const p = resources[smId(key)]?.Properties as Json;
      const logGroup = resources[p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]] as Json;
      expect(p.StateMachineName).toBe(`SocialMediaGovernance-${key.charAt(0).toUpperCase()}${key.slice(1)}`);
      expect(logGroup.DeletionPolicy).toBe('Retain');
      expect(logGroup.Properties.LogGroupName).toEqual({
        'Fn::Join': [
          '',
          [
            `/aws/vendedlogs/states/${p.StateMachineName}-`,
            { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] },
          ],
        ],
      });
    },
  );

  it('names the offboarding\u2019s log group literally', () => {
    const p = resources[smId('separationOffboarding')]?.Properties as Json;
    const logGroup = resources[p.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]] as Json;
    expect(flatten(logGroup.Properties.LogGroupName)).toBe('/aws/vendedlogs/states/SocialMediaGovernance-SeparationOffboarding-<token>');
  });

  it.each(stateMachineEntries)('%s: one alarm on failed, timed-out and aborted executions together notifies the encrypted alarm topic', (key) => {
    const topicId = logicalId(stack.monitoring.topic);
    const topic = resources[topicId] as Json;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const watching = ofType('AWS::CloudWatch::Alarm').filter(([, a]) =>
      asArray<Json>(a.Properties.Metrics).some((m) => asArray<Json>(m.MetricStat?.Metric?.Dimensions).some((d) => d.Value?.Ref === smId(key))),
    );
    expect(watching).toHaveLength(1);
    const alarm = (watching[0] as [string, Json])[1].Properties;
    const stat = (MetricName: string) => ({
      MetricStat: {
        Metric: { Namespace: 'AWS/States', MetricName, Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: smId(key) } }] },
        Period: 300,
        Stat: 'Sum',
      },
    });
    expect(alarm.Metrics).toEqual([
      {
        Id: 'expr_1',
        Label: `${key} executions failed, timed out or aborted`,
        Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        ReturnData: true,
      },
      { Id: 'failed', ...stat('ExecutionsFailed'), ReturnData: false },
      { Id: 'timedOut', ...stat('ExecutionsTimedOut'), ReturnData: false },
      { Id: 'aborted', ...stat('ExecutionsAborted'), ReturnData: false },
    ]);
    expect(alarm.Threshold).toBe(1);
    expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(alarm.TreatMissingData).toBe('notBreaching');
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});

describe('separation offboarding state machine', () => {
  const key: StateMachineKey = 'separationOffboarding';
  const definition = () => {
    const p = resources[smId(key)]?.Properties as Json;
    return JSON.parse(substitute(flatten(p.DefinitionString), p.DefinitionSubstitutions as Json)) as Json;
  };

  it('substitutes the Task inside the Map iteration with the offboardAccount function', () => {
    const map = definition().States.OffboardEachAccount as Json;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.States.OffboardAccount.Parameters.FunctionName).toBe(`<${fnId('offboardAccount')}.Arn>`);
  });

  it('its waitForTaskToken tasks call functions that may send task results to this machine only (the follow-up also to the credential capture, whose task it follows up)', () => {
    const waiting = Object.values(definition().States as Record<string, Json>).filter((s) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waiting.length).toBeGreaterThan(0);
    for (const state of waiting) {
      const fnKey = functionEntries.find(([k]) => state.Parameters.FunctionName === `<${fnId(k)}.Arn>`)?.[0] as FunctionKey;
      const spec = functions[fnKey] as FunctionSpec;
      expect(spec.access.sendTaskResult, fnKey).toEqual(fnKey === 'trackOffboardingTasks' ? [key, 'credentialCapture'] : [key]);
    }
  });

  it('its role invokes exactly openOffboarding, planOffboarding, offboardAccount, trackOffboardingTasks and reportOffboarding', () => {
    const role = resources[smId(key)]?.Properties.RoleArn['Fn::GetAtt'][0] as string;
    const targets = statementsOf(role)
      .filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => asArray(s.Resource))
      .map((r) => JSON.stringify(r))
      .sort();
    const expected: FunctionKey[] = ['openOffboarding', 'planOffboarding', 'offboardAccount', 'trackOffboardingTasks', 'reportOffboarding'];
    expect(targets).toEqual(expected.map((k) => JSON.stringify(getAtt(fnId(k)))).sort());
  });

  it('receiveHrEvent may start this machine and no other, and gets its ARN only', () => {
    const starts = statementsOf(roleId('receiveHrEvent')).filter((s) => asArray(s.Action).includes('states:StartExecution'));
    const name = resources[smId(key)]?.Properties.StateMachineName as string;
    expect(starts.flatMap((s) => asArray(s.Resource)).map(flatten)).toEqual([`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`]);
    const env = fnProps('receiveHrEvent').Environment.Variables as Json;
    expect(flatten(env.STATE_MACHINE_ARN_SEPARATION_OFFBOARDING)).toBe(`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`);
    expect(env.STATE_MACHINE_ARN_APPROVAL_CHAIN).toBeUndefined();
  });
});

describe('one state machine per workflow (issue 12)', () => {
  // Stated literally: a catalogue change that merges two workflows, or lets a machine invoke more, fails here.
  const expected: [StateMachineKey, string, string[]][] = [
    ['newAccountApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    ['postingAuthorityApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    ['postRemovalApproval', 'statemachines/post-removal-approval.asl.json', ['requestApproval', 'recordOutcome']],
    ['departmentPolicyApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    ['exceptionApproval', 'statemachines/exception-approval.asl.json', ['requestApproval', 'recordOutcome', 'lapseException']],
    ['websiteDisplayApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    ['platformProposalApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    [
      'separationOffboarding',
      'statemachines/separation-offboarding.asl.json',
      ['openOffboarding', 'planOffboarding', 'offboardAccount', 'trackOffboardingTasks', 'reportOffboarding'],
    ],
    ['annualReview', 'statemachines/annual-review.asl.json', ['openReview', 'prepareDepartmentReview', 'trackReview', 'reportReview']],
    ['approvalChain', 'statemachines/approval-chain.asl.json', ['requestApproval', 'recordOutcome']],
    ['accountRetirementApproval', 'statemachines/approval-by-link.asl.json', ['requestApproval', 'recordOutcome']],
    ['credentialCapture', 'statemachines/credential-capture.asl.json', ['trackOffboardingTasks']],
  ];
  it('deploys twelve, each under its own name, role and log group', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.map(([, m]) => m.Properties.StateMachineName).sort()).toEqual(
      [
        'NewAccountApproval',
        'PostingAuthorityApproval',
        'PostRemovalApproval',
        'DepartmentPolicyApproval',
        'ExceptionApproval',
        'WebsiteDisplayApproval',
        'PlatformProposalApproval',
        'SeparationOffboarding',
        'AnnualReview',
        'ApprovalChain',
        'AccountRetirementApproval',
        'CredentialCapture',
      ]
        .map((n) => `${stack.stackName}-${n}`)
        .sort(),
    );
    const roles = machines.map(([, m]) => JSON.stringify(m.Properties.RoleArn));
    const logGroups = machines.map(([, m]) => JSON.stringify(m.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn));
    expect(new Set(roles).size).toBe(12);
    expect(new Set(logGroups).size).toBe(12);
  });

  it.each(expected)('%s runs %s and its role invokes exactly %j', (key, definition, invokes) => {
    expect(stateMachineEntries.find(([k]) => k === key)?.[1].definition).toBe(definition);
    const role = resources[smId(key)]?.Properties.RoleArn['Fn::GetAtt'][0] as string;
    const targets = statementsOf(role)
      .filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => asArray(s.Resource))
      .map((r) => JSON.stringify(r))
      .sort();
    expect(targets).toEqual(invokes.map((k) => JSON.stringify(getAtt(fnId(k as FunctionKey)))).sort());
  });

  it.each([
    ['submitRequest', 'NewAccountApproval'],
    ['requestPostingAuthority', 'PostingAuthorityApproval'],
    ['requestPostRemoval', 'PostRemovalApproval'],
    ['requestDepartmentPolicy', 'DepartmentPolicyApproval'],
    ['requestException', 'ExceptionApproval'],
    ['requestWebsiteDisplay', 'WebsiteDisplayApproval'],
    ['proposePlatform', 'PlatformProposalApproval'],
    ['requestRetirement', 'AccountRetirementApproval'],
    // A new account's approval opens its credential capture (O.b).
    ['recordOutcome', 'CredentialCapture'],
  ] as [FunctionKey, string][])('%s starts only its own state machine, %s', (fnKey, name) => {
    const starts = statementsOf(roleId(fnKey)).filter((s) => asArray(s.Action).includes('states:StartExecution'));
    expect(starts.flatMap((s) => asArray(s.Resource)).map(flatten)).toEqual([`arn:aws:states:${stack.region}:<token>:stateMachine:${stack.stackName}-${name}`]);
  });

  it('nothing starts the retired shared chain but the reconciler (a request stored for it before the upgrade)', () => {
    const name = `${stack.stackName}-ApprovalChain`;
    const starters = functionEntries
      .filter(([k]) =>
        statementsOf(roleId(k))
          .filter((s) => asArray(s.Action).includes('states:StartExecution'))
          .some((s) => asArray(s.Resource).map(flatten).includes(`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`)),
      )
      .map(([k]) => k);
    expect(starters).toEqual(['reconcileStarts']);
  });
});
