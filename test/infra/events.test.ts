import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { FunctionKey } from '../../functions/catalogue.ts';
import {
  actionsOf,
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
  statementsOf,
  statementsOn,
  synthesizeGovernanceStack,
  template,
} from './governance-template.ts';

// The stack's event sources: the catalogue's schedules (EventBridge Scheduler) and the HR bus.
synthesizeGovernanceStack();

describe('durable starts: the reconciler and its schedule', () => {
  const schedulesOf = () => ofType('AWS::Scheduler::Schedule').filter(([, s]) => s.Properties.Target.Arn['Fn::GetAtt']?.[0] === fnId('reconcileStarts'));

  it('the table has the sparse ByPendingStart index, keys only, that the reconciler queries', () => {
    const [, table] = ofType('AWS::DynamoDB::GlobalTable')[0] as [string, Json];
    expect(table.Properties.GlobalSecondaryIndexes).toContainEqual({
      IndexName: 'ByPendingStart',
      KeySchema: [
        { AttributeName: 'pendingStart', KeyType: 'HASH' },
        { AttributeName: 'pendingSince', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
  });

  it('runs reconcileStarts every 5 minutes with { olderThanSeconds: 60 }, 3 retries and a dead-letter queue', () => {
    const schedules = schedulesOf();
    expect(schedules).toHaveLength(1);
    const p = (schedules[0] as [string, Json])[1].Properties;
    expect(p.ScheduleExpression).toBe('rate(5 minutes)');
    expect(p.State).toBe('ENABLED');
    expect(p.Target.Arn).toEqual(getAtt(fnId('reconcileStarts')));
    expect(JSON.parse(p.Target.Input)).toEqual({ olderThanSeconds: 60 });
    expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 });
    const dlq = p.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    expect(resources[dlq]?.Type).toBe('AWS::SQS::Queue');
    // Its dead-letter queue alarms on the alarm topic.
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => asArray<Json>(a.Properties.Dimensions).some((d) => d.Value?.['Fn::GetAtt']?.[0] === dlq));
    expect(alarms).toHaveLength(1);
    expect((alarms[0] as [string, Json])[1].Properties.AlarmActions).toHaveLength(1);
  });

  it("the schedule's own role may invoke reconcileStarts and send to its dead-letter queue, nothing else", () => {
    const p = (schedulesOf()[0] as [string, Json])[1].Properties;
    const role = p.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(resources[role]?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const granted = statementsOf(role).map((s) => ({ actions: asArray(s.Action), resources: asArray(s.Resource) }));
    expect(granted).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [getAtt(fnId('reconcileStarts'))] },
      { actions: ['sqs:SendMessage'], resources: [p.Target.DeadLetterConfig.Arn] },
    ]);
  });

  it('reconcileStarts may start the approval state machines (the retired shared chain too) and no other machine', () => {
    const starts = statementsOf(roleId('reconcileStarts')).filter((s) => asArray(s.Action).includes('states:StartExecution'));
    const names = [
      'NewAccountApproval',
      'PostingAuthorityApproval',
      'PostRemovalApproval',
      'DepartmentPolicyApproval',
      'ExceptionApproval',
      'WebsiteDisplayApproval',
      'PlatformProposalApproval',
      'AccountRetirementApproval',
      'ApprovalChain',
    ];
    expect(
      starts
        .flatMap((s) => asArray(s.Resource))
        .map(flatten)
        .sort(),
    ).toEqual(names.map((n) => `arn:aws:states:${stack.region}:<token>:stateMachine:${stack.stackName}-${n}`).sort());
    expect(actionsOf(roleId('reconcileStarts'))).not.toContain('states:SendTaskSuccess');
  });
});

describe('the annual review and its yearly schedule', () => {
  const reviewSchedule = () =>
    (ofType('AWS::Scheduler::Schedule').find(([, s]) => s.Properties.Target.Arn['Fn::GetAtt']?.[0] === fnId('startReview')) as [string, Json])[1].Properties;

  it('starts the review on the first weekday of February at 08:00 in Denver, with 20 retries over 24 hours and an alarmed dead-letter queue', () => {
    const p = reviewSchedule();
    expect(p.ScheduleExpression).toBe('cron(0 8 1W 2 ? *)');
    expect(p.ScheduleExpressionTimezone).toBe('America/Denver');
    expect(p.State).toBe('ENABLED');
    expect(JSON.parse(p.Target.Input)).toEqual({ trigger: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86400 });
    const dlq = p.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    expect(resources[dlq]?.Type).toBe('AWS::SQS::Queue');
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => asArray<Json>(a.Properties.Dimensions).some((d) => d.Value?.['Fn::GetAtt']?.[0] === dlq));
    expect(alarms).toHaveLength(1);
  });

  it('keeps a yearly run that Lambda accepted but that failed, after 2 retries, in an alarmed queue', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties as Json);
    const config = configs.find((c) => JSON.stringify(c.FunctionName) === JSON.stringify({ Ref: fnId('startReview') })) as Json;
    expect(config.MaximumRetryAttempts).toBe(2);
    expect(config.MaximumEventAgeInSeconds).toBe(21600);
    const queue = config.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
    expect(resources[queue]?.Type).toBe('AWS::SQS::Queue');
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) =>
      asArray<Json>(a.Properties.Dimensions).some((d) => d.Value?.['Fn::GetAtt']?.[0] === queue),
    );
    expect(alarms).toHaveLength(1);
    // Only the yearly schedule's target and the SES bounce handler (mail-events.test.ts) have one: a failed durable-starts run is redone 5 minutes later.
    expect(configs.map((c) => c.FunctionName.Ref).sort()).toEqual([fnId('recordMailBounce'), fnId('startReview')].sort());
  });

  it("the schedule's role may invoke startReview and send to its dead-letter queue, nothing else; startReview may start only the annual review", () => {
    const p = reviewSchedule();
    const role = p.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(statementsOf(role).map((s) => ({ actions: asArray(s.Action), resources: asArray(s.Resource) }))).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [getAtt(fnId('startReview'))] },
      { actions: ['sqs:SendMessage'], resources: [p.Target.DeadLetterConfig.Arn] },
    ]);
    const starts = statementsOf(roleId('startReview')).filter((s) => asArray(s.Action).includes('states:StartExecution'));
    const name = resources[smId('annualReview')]?.Properties.StateMachineName as string;
    expect(starts.flatMap((s) => asArray(s.Resource)).map(flatten)).toEqual([`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`]);
  });
});

describe('HR events', () => {
  const consumers = functionEntries.filter(([, spec]) => spec.hrEvents?.length);
  const busId = () => logicalId(stack.hrBus as IConstruct);
  const ruleOf = (key: FunctionKey) =>
    (ofType('AWS::Events::Rule').find(([, r]) => asArray<Json>(r.Properties.Targets).some((t) => t.Arn['Fn::GetAtt'][0] === queueIdOf(key))) ?? [])[1] as Json;
  /** The queue the consumer's event source mapping reads. */
  const queueIdOf = (key: FunctionKey): string => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName.Ref === fnId(key));
    return mapping?.[1].Properties.EventSourceArn['Fn::GetAtt'][0] as string;
  };
  const dlqIdOf = (key: FunctionKey) => resources[queueIdOf(key)]?.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;

  it('the catalogue has an HR event consumer (the rest of this block is not vacuous)', () => {
    expect(consumers.map(([key]) => key)).toContain('receiveHrEvent');
  });

  it('creates the hrBusName bus and outputs its name and ARN', () => {
    const buses = ofType('AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    expect((buses[0] as [string, Json])[1].Properties.Name).toBe('cabq-hr');
    const outputs = template.toJSON().Outputs as Json;
    expect(outputs.HrEventBusName.Value).toEqual({ Ref: busId() });
    expect(outputs.HrEventBusArn.Value).toEqual(getAtt(busId()));
  });

  it('rules on the bus match the HR source and exactly the catalogue detail types', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties as Json);
    expect(rules.length).toBe(consumers.length);
    for (const rule of rules) {
      expect(rule.EventBusName).toEqual({ Ref: busId() });
      expect(rule.EventPattern.source).toEqual(['cabq.hr']);
      expect(Object.keys(rule.EventPattern).sort()).toEqual(['detail-type', 'source']);
    }
    const detailTypes = rules.flatMap((r) => r.EventPattern['detail-type'] as string[]).sort();
    expect(detailTypes).toEqual(consumers.flatMap(([, spec]) => [...(spec.hrEvents ?? [])]).sort());
    expect(detailTypes).toEqual(['Department Updated', 'Employee Separated', 'Employee Updated', 'Role Assigned', 'Role Removed']);
  });

  it.each(consumers)('%s: the rule targets its queue, with retries and a dead-letter queue for delivery failures', (key) => {
    const [target, ...others] = asArray<Json>(ruleOf(key).Properties.Targets);
    expect(others).toEqual([]);
    expect(target?.Arn).toEqual(getAtt(queueIdOf(key)));
    expect(target?.DeadLetterConfig.Arn).toEqual(getAtt(dlqIdOf(key)));
    expect(target?.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it.each(consumers)('%s: its queue is encrypted, TLS-only, outlasts 6 function timeouts and dead-letters after 3 receives to a 14-day queue', (key, spec) => {
    const queue = resources[queueIdOf(key)]?.Properties as Json;
    const dlq = resources[dlqIdOf(key)]?.Properties as Json;
    for (const q of [queue, dlq]) expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined).toBe(true);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (spec.timeoutSeconds ?? 10));
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(dlq.RedrivePolicy).toBeUndefined();
    // Declared a dead-letter queue (Control Tower CT.SQS.PR.1).
    expect(dlq.RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
  });

  it.each(consumers)('%s: only its rule may send to its queues, and only over TLS', (key) => {
    const ruleArn = getAtt(ofType('AWS::Events::Rule').find(([, r]) => r === ruleOf(key))?.[0] as string);
    for (const queueId of [queueIdOf(key), dlqIdOf(key)]) {
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => asArray<Json>(p.Properties.Queues).some((q) => q.Ref === queueId));
      expect(policies, queueId).toHaveLength(1);
      const statements = asArray<Json>((policies[0] as [string, Json])[1].Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      const allows = statements.filter((st) => st.Effect === 'Allow');
      expect(allows.length).toBeGreaterThan(0);
      for (const allow of allows) {
        expect(allow.Principal).toEqual({ Service: 'events.amazonaws.com' });
        expect(allow.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': ruleArn } });
        expect(asArray(allow.Action)).toContain('sqs:SendMessage');
      }
    }
  });

  it.each(consumers)('%s: reads its queue in batches of 10, reporting partial batch failures', (key) => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === fnId(key));
    expect(mappings).toHaveLength(1);
    const p = (mappings[0] as [string, Json])[1].Properties;
    expect(p.BatchSize).toBe(10);
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(p.EventSourceArn).toEqual(getAtt(queueIdOf(key)));
    const receive = statementsOn(roleId(key), getAtt(queueIdOf(key))).flatMap((s) => asArray(s.Action));
    expect(receive).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
  });

  it('no other function has an event source mapping, HR_EVENT_SOURCE or any SQS permission (but the yearly schedule target and the bounce handler, to their failed-runs queues)', () => {
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(consumers.length);
    for (const [key, spec] of functionEntries) {
      const env = fnProps(key).Environment.Variables as Json;
      if (spec.hrEvents?.length) {
        expect(env.HR_EVENT_SOURCE).toBe('cabq.hr');
      } else {
        expect(env.HR_EVENT_SOURCE, key).toBeUndefined();
        expect(
          actionsOf(roleId(key)).filter((a) => a.startsWith('sqs:')),
          key,
        ).toEqual(['startReview', 'recordMailBounce'].includes(key) ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] : []);
      }
    }
  });

  it.each(consumers)('%s: a message in its dead-letter queue raises an alarm on the alarm topic', (key) => {
    const topicId = logicalId(stack.monitoring.topic);
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, a]) =>
        a.Properties.Namespace === 'AWS/SQS' &&
        a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        asArray<Json>(a.Properties.Dimensions).some(
          (d) => d.Name === 'QueueName' && JSON.stringify(d.Value) === JSON.stringify(getAtt(dlqIdOf(key), 'QueueName')),
        ),
    );
    expect(alarms).toHaveLength(1);
    const alarm = (alarms[0] as [string, Json])[1].Properties;
    expect(alarm.Threshold).toBe(0);
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});
