import { describe, expect, it } from 'vitest';
import type { MailEvents } from '../../infra/aws/mail.ts';
import {
  actionsOf,
  asArray,
  fnId,
  functionEntries,
  getAtt,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  type Statement,
  stack,
  statementsOn,
  synthesizeGovernanceStack,
} from './governance-template.ts';

// SES's bounces and complaints: configuration set → encrypted SNS topic → recordMailBounce.
synthesizeGovernanceStack();

const mailEvents = () => stack.node.findChild('MailEvents') as MailEvents;
const topicId = () => logicalId(mailEvents().topic);
const setId = () => (ofType('AWS::SES::ConfigurationSet')[0] as [string, Json])[0];
const one = (type: string, where: (r: Json) => boolean = () => true): Json => {
  const found = ofType(type).filter(([, r]) => where(r));
  expect(found, type).toHaveLength(1);
  return (found[0] as [string, Json])[1];
};
const dlqId = () =>
  (one('AWS::SNS::Subscription', (s) => s.Properties.Protocol === 'lambda').Properties.RedrivePolicy.deadLetterTargetArn as Json)['Fn::GetAtt'][0] as string;
const configurationSetArn = () => ({
  'Fn::Join': ['', [`arn:aws:ses:${stack.region}:`, { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: setId() }]],
});

describe('mail events: SES bounces and complaints', () => {
  it('the configuration set publishes bounces and complaints, and nothing else, to the mail events topic', () => {
    const destination = one('AWS::SES::ConfigurationSetEventDestination').Properties;
    expect(destination).toEqual({
      ConfigurationSetName: { Ref: setId() },
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: { TopicARN: { Ref: topicId() } } },
    });
  });

  it('the topic is encrypted with a rotated key of its own that SES may use only for this account and configuration set', () => {
    const topic = resources[topicId()]?.Properties as Json;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = resources[keyId] as Json;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = key.Properties.KeyPolicy.Statement as Statement[];
    const services = statements.filter((s) => (s as Json).Principal?.Service);
    expect(services).toEqual([
      {
        Sid: 'AllowSesToPublishThisConfigurationSetsEvents',
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': configurationSetArn() } },
      },
    ]);
  });

  it('only SES, for this account and configuration set, may publish to the topic, and only over TLS', () => {
    const policy = one('AWS::SNS::TopicPolicy', (p) => asArray<Json>(p.Properties.Topics).some((t) => t.Ref === topicId())).Properties;
    const statements = policy.PolicyDocument.Statement as Json[];
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Principal: { Service: 'ses.amazonaws.com' },
        Resource: { Ref: topicId() },
        Condition: {
          StringEquals: {
            'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:ses:${stack.region}:`, { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: setId() }],
              ],
            },
          },
        },
      }),
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('the topic invokes recordMailBounce, the one mailEvents function, with a dead-letter queue for what SNS cannot deliver', () => {
    expect(functionEntries.filter(([, spec]) => spec.mailEvents).map(([key]) => key)).toEqual(['recordMailBounce']);
    const subscription = one('AWS::SNS::Subscription', (s) => s.Properties.Protocol === 'lambda').Properties;
    expect(subscription).toEqual({
      Protocol: 'lambda',
      TopicArn: { Ref: topicId() },
      Endpoint: getAtt(fnId('recordMailBounce')),
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId()) },
    });
    const permission = one('AWS::Lambda::Permission', (p) => p.Properties.Principal === 'sns.amazonaws.com').Properties;
    expect(permission).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(fnId('recordMailBounce')),
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId() },
    });
  });

  it('a failed invocation, after Lambda’s 2 retries, goes to the same dead-letter queue, which only SNS (from the topic) and the function may send to', () => {
    const invokeConfig = one('AWS::Lambda::EventInvokeConfig', (c) => c.Properties.FunctionName?.Ref === fnId('recordMailBounce')).Properties;
    expect(invokeConfig).toEqual({
      FunctionName: { Ref: fnId('recordMailBounce') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(dlqId()) } },
    });
    const queue = resources[dlqId()]?.Properties as Json;
    expect(queue).toEqual({ MessageRetentionPeriod: 14 * 86400, SqsManagedSseEnabled: true, RedriveAllowPolicy: { redrivePermission: 'allowAll' } });
    const queuePolicy = one('AWS::SQS::QueuePolicy', (p) => asArray<Json>(p.Properties.Queues).some((q) => q.Ref === dlqId())).Properties;
    expect((queuePolicy.PolicyDocument.Statement as Json[]).filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Resource: getAtt(dlqId()),
        Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId() } } },
      },
    ]);
    expect(statementsOn(roleId('recordMailBounce'), getAtt(dlqId())).flatMap((s) => asArray(s.Action))).toEqual(expect.arrayContaining(['sqs:SendMessage']));
  });

  it('a message in the dead-letter queue raises an alarm on the alarm topic', () => {
    const alarm = one(
      'AWS::CloudWatch::Alarm',
      (a) => a.Properties.Namespace === 'AWS/SQS' && asArray<Json>(a.Properties.Dimensions).some((d) => d.Value?.['Fn::GetAtt']?.[0] === dlqId()),
    ).Properties;
    expect(alarm.MetricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(alarm.Threshold).toBe(0);
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stack.node.findChild('Monitoring').node.findChild('AlarmTopic')) }]);
  });

  it('recordMailBounce writes only the items emails are sent about, and never deletes', () => {
    const writes = statementsOn(roleId('recordMailBounce'), getAtt(logicalId(stack.table))).filter(
      (s) => s.Effect === 'Allow' && asArray(s.Action).includes('dynamodb:UpdateItem'),
    );
    expect(writes.map((s) => s.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*', 'OFFBOARD#*', 'REVIEW#*', 'ACCOUNT#*'] } },
    ]);
    expect(actionsOf(roleId('recordMailBounce'))).not.toContain('dynamodb:DeleteItem');
  });
});
