import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { type FunctionKey, schedules, table as tableDesign } from '../../functions/catalogue.ts';
import { recordItem } from '../../functions/adapters/records-store.ts';
import type { GovernanceRecord } from '#core/records';
import { RECORD_KEY_PREFIX } from '../../infra/aws/governance-stack.ts';
import { Monitoring } from '../../infra/aws/monitoring.ts';
import {
  actionsOf,
  allStatementsOf,
  asArray,
  authorizerKey,
  denialsOf,
  flatten,
  fnId,
  functionEntries,
  getAtt,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  type Statement,
  settings,
  smId,
  stack,
  stateMachineEntries,
  synthesizeGovernanceStack,
  template,
} from './governance-template.ts';

// The data the stack keeps (table, write-once records, backups), what it tells operators (alarm
// topic, outputs), and that the catalogue alone decides what exists.
synthesizeGovernanceStack();

describe('DynamoDB table', () => {
  it("has the key schema, the catalogue's indexes, on-demand billing, PITR, deletion protection and KMS encryption", () => {
    const tables = ofType('AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(1);
    const [id, table] = tables[0] as [string, Json];
    const p = table.Properties;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    // Every index of the catalogue's table design, as designed (the local host creates the same).
    expect(p.GlobalSecondaryIndexes).toHaveLength(tableDesign.indexes.length);
    for (const index of tableDesign.indexes) {
      expect(p.GlobalSecondaryIndexes).toContainEqual({
        IndexName: index.name,
        KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }, ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : [])],
        Projection: { ProjectionType: index.projection },
      });
    }
    expect(p.GlobalSecondaryIndexes).toContainEqual(expect.objectContaining({ IndexName: 'ByApprovalId', Projection: { ProjectionType: 'KEYS_ONLY' } }));
    for (const name of ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'approvalId']) {
      expect(p.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    const [replica] = p.Replicas as Json[];
    expect(replica?.DeletionProtectionEnabled).toBe(true);
    expect(replica?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    // A customer-managed key of this stack, with rotation.
    const keyId = replica?.SSESpecification?.KMSMasterKeyId?.['Fn::GetAtt']?.[0] as string;
    expect(resources[keyId]?.Type).toBe('AWS::KMS::Key');
    expect(resources[keyId]?.Properties.EnableKeyRotation).toBe(true);
    expect(id).toBe(logicalId(stack.table));
  });
});

describe('write-once records (H): IAM on RECORD# partitions', () => {
  const tableArn = () => getAtt(logicalId(stack.table));
  // Every DynamoDB action that writes an item (PartiQL included, though no role is granted it).
  const WRITE = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQLInsert|PartiQLUpdate|PartiQLDelete)$/;
  const onRecords = { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['RECORD#*'] } };
  const recorders = functionEntries.filter(([, spec]) => spec.access.records === 'write');
  const otherWriters = functionEntries.filter(([, spec]) => spec.access.table?.includes('write') && spec.access.records !== 'write');
  const nonWriters = functionEntries.filter(([, spec]) => !spec.access.table?.includes('write'));
  const deniedOnRecords = (key: FunctionKey) =>
    denialsOf(roleId(key))
      .filter((s) => JSON.stringify(s.Condition) === JSON.stringify(onRecords) && JSON.stringify(s.Resource) === JSON.stringify(tableArn()))
      .flatMap((s) => asArray(s.Action))
      .sort();
  const recordDenials = (key: FunctionKey) => denialsOf(roleId(key)).filter((s) => JSON.stringify(s.Condition) === JSON.stringify(onRecords));
  const allowedWrites = (key: FunctionKey) => [...new Set(actionsOf(roleId(key)).filter((a) => WRITE.test(a)))].sort();

  it('the stack guards the partition prefix the records store actually writes', () => {
    const item = recordItem({ recordId: 'rec-mod-20260101-0123456789abcdef', accountId: 'acc-1', recordedAt: '2026-01-01T00:00:00.000Z' } as GovernanceRecord);
    expect(RECORD_KEY_PREFIX).toBe('RECORD#');
    expect(String(item.PK).startsWith(RECORD_KEY_PREFIX)).toBe(true);
  });

  it('the catalogue has functions of every kind (the tests below are not vacuous)', () => {
    expect(recorders.map(([key]) => key)).toEqual(expect.arrayContaining(['requestPostRemoval', 'recordPostEdit', 'recordModeration', 'recordOutcome']));
    expect(otherWriters.map(([key]) => key)).toContain('decideApproval');
    expect(nonWriters.map(([key]) => key)).toEqual(expect.arrayContaining(['exportRecords', 'showGuidelines', authorizerKey]));
  });

  it.each(otherWriters)('%s (writes the table, does not record) is denied every write it has on RECORD# keys', (key) => {
    expect(deniedOnRecords(key)).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // Whatever writes the table grant gives, the deny covers them all.
    expect(allowedWrites(key).filter((a) => !deniedOnRecords(key).includes(a))).toEqual([]);
  });

  it.each(recorders)('%s (records) may only put on RECORD# keys: update, delete and batch writes are denied', (key) => {
    expect(deniedOnRecords(key)).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    expect(allowedWrites(key)).toContain('dynamodb:PutItem');
    expect(allowedWrites(key).filter((a) => !deniedOnRecords(key).includes(a))).toEqual(['dynamodb:PutItem']);
  });

  it.each(nonWriters)('%s (no table writes) has no write action in any statement, allowed or denied', (key) => {
    expect(
      allStatementsOf(roleId(key))
        .flatMap((s) => asArray(s.Action))
        .filter((a) => WRITE.test(a)),
    ).toEqual([]);
  });

  it('decideApproval: an explicit Deny of Put, Update, Delete and BatchWrite on the table for any RECORD# leading key', () => {
    const denials = recordDenials('decideApproval');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Effect: 'Deny', Resource: tableArn(), Condition: onRecords });
    expect(asArray(denials[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('recordOutcome (keeps an approved departmental policy on record, R): it may put a RECORD# item, never update or delete one', () => {
    const denials = recordDenials('recordOutcome');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Effect: 'Deny', Resource: tableArn(), Condition: onRecords });
    expect(asArray(denials[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
  });

  it('recordModeration: Update, Delete and BatchWrite denied on RECORD# keys, no Deny of PutItem anywhere (a put is how it records)', () => {
    const denials = recordDenials('recordModeration');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Effect: 'Deny', Resource: tableArn(), Condition: onRecords });
    expect(asArray(denials[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    expect(denials.flatMap((s) => asArray(s.Action))).not.toContain('dynamodb:PutItem');
    expect(actionsOf(roleId('recordModeration'))).toContain('dynamodb:PutItem');
  });

  it.each([...recorders, ...otherWriters])('%s: the request history is append-only: BatchWriteItem and DeleteItem denied on REQ# keys', (key) => {
    const onHistory = denialsOf(roleId(key)).filter(
      (s) => JSON.stringify(s.Condition) === JSON.stringify({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } }),
    );
    expect(onHistory).toHaveLength(1);
    expect(asArray(onHistory[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem']);
    expect(onHistory[0]?.Resource).toEqual(tableArn());
  });

  it('exportRecords reads the table and its indexes and has no write action at all', () => {
    const actions = allStatementsOf(roleId('exportRecords')).flatMap((s) => asArray(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem']));
    expect(actions.filter((a) => WRITE.test(a))).toEqual([]);
    expect(denialsOf(roleId('exportRecords'))).toEqual([]);
  });

  it('showGuidelines and the authorizer have no DynamoDB permission at all', () => {
    for (const key of ['showGuidelines', authorizerKey] as FunctionKey[]) {
      expect(
        allStatementsOf(roleId(key))
          .flatMap((s) => asArray(s.Action))
          .filter((a) => a.startsWith('dynamodb:')),
        key,
      ).toEqual([]);
    }
  });
});

describe('records retention (I): AWS Backup', () => {
  const vaults = () => ofType('AWS::Backup::BackupVault');
  const vaultId = () => (vaults()[0] as [string, Json])[0];
  const plans = () => ofType('AWS::Backup::BackupPlan');

  it('keeps the backups in one vault of their own, encrypted with a rotating customer-managed key, both retained', () => {
    expect(vaults()).toHaveLength(1);
    const vault = resources[vaultId()] as Json;
    expect(vault.DeletionPolicy).toBe('Retain');
    const keyId = vault.Properties.EncryptionKeyArn['Fn::GetAtt'][0] as string;
    expect(resources[keyId]?.Type).toBe('AWS::KMS::Key');
    expect(resources[keyId]?.Properties.EnableKeyRotation).toBe(true);
    expect(resources[keyId]?.DeletionPolicy).toBe('Retain');
    // Its own key: not the table's, nor any other.
    const tableKey = (resources[logicalId(stack.table)] as Json).Properties.Replicas[0].SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    expect(keyId).not.toBe(tableKey);
  });

  it('locks the vault: minimum retention recordsRetentionDays (3650), immutable after a 7-day grace period', () => {
    expect((resources[vaultId()] as Json).Properties.LockConfiguration).toEqual({ MinRetentionDays: 3650, ChangeableForDays: 7 });
  });

  it('backs up the table daily at 01:00 Albuquerque time into the vault, each backup kept 3650 days', () => {
    expect(plans()).toHaveLength(1);
    const rules = (plans()[0] as [string, Json])[1].Properties.BackupPlan.BackupPlanRule as Json[];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ScheduleExpression: 'cron(0 1 * * ? *)',
      ScheduleExpressionTimezone: 'America/Denver',
      Lifecycle: { DeleteAfterDays: 3650 },
      TargetBackupVault: getAtt(vaultId(), 'BackupVaultName'),
    });
    expect(rules[0]?.Lifecycle.MoveToColdStorageAfterDays).toBeUndefined();
  });

  it('names the plan after this stack (a plan name may be taken in the account), and keeps the vault\u2019s name, which replacing would strand the backups', () => {
    expect((plans()[0] as [string, Json])[1].Properties.BackupPlan.BackupPlanName).toBe('SocialMediaGovernance-RecordsBackup-963A6AF5');
    expect((plans()[0] as [string, Json])[1].DeletionPolicy).toBeUndefined();
    expect((resources[vaultId()] as Json).Properties.BackupVaultName).toBe('SocialMediaGovernanceRecordsBackupVault1FF517C2');
  });

  it('selects exactly the governance table, with a role only AWS Backup assumes, allowed to back up but not to restore', () => {
    const selections = ofType('AWS::Backup::BackupSelection');
    expect(selections).toHaveLength(1);
    const selection = (selections[0] as [string, Json])[1].Properties;
    expect(selection.BackupPlanId).toEqual(getAtt((plans()[0] as [string, Json])[0], 'BackupPlanId'));
    expect(selection.BackupSelection.Resources).toEqual([getAtt(logicalId(stack.table))]);
    const role = resources[selection.BackupSelection.IamRoleArn['Fn::GetAtt'][0]] as Json;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns.map(flatten)).toEqual(['arn:<token>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']);
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('a failed or expired backup job raises an alarm on the alarm topic', () => {
    const topicId = logicalId(stack.monitoring.topic);
    for (const metric of ['NumberOfBackupJobsFailed', 'NumberOfBackupJobsExpired']) {
      const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.Namespace === 'AWS/Backup' && a.Properties.MetricName === metric);
      expect(alarms, metric).toHaveLength(1);
      const alarm = (alarms[0] as [string, Json])[1].Properties;
      expect(alarm.Dimensions).toEqual([{ Name: 'BackupVaultName', Value: getAtt(vaultId(), 'BackupVaultName') }]);
      expect(alarm.Threshold).toBe(1);
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('the table itself keeps point-in-time recovery and deletion protection beside the backups', () => {
    const [replica] = (resources[logicalId(stack.table)] as Json).Properties.Replicas as Json[];
    expect(replica?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(replica?.DeletionProtectionEnabled).toBe(true);
  });
});

describe('alarm topic', () => {
  it('requires TLS, lets CloudWatch alarms of this account publish, and emails the AlarmEmail deploy parameter', () => {
    const topicId = logicalId(stack.monitoring.topic);
    const policy = ofType('AWS::SNS::TopicPolicy')[0]?.[1].Properties.PolicyDocument.Statement as Statement[];
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }));
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topicId } });
  });
});

describe('SES', () => {
  it('verifies the mail domain and sends through a TLS-required configuration set with reputation metrics', () => {
    const [[setId, set]] = ofType('AWS::SES::ConfigurationSet') as [[string, Json]];
    expect(set.Properties.DeliveryOptions.TlsPolicy).toBe('REQUIRE');
    expect(set.Properties.ReputationOptions.ReputationMetricsEnabled).toBe(true);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: settings.mailFrom.split('@')[1],
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: setId } },
    });
  });
});

describe('outputs', () => {
  it('exports the API URL, user pool ids, table name and every state machine ARN', () => {
    const outputs = template.toJSON().Outputs as Json;
    expect(outputs.ApiUrl.Value).toEqual(getAtt(logicalId(stack.api), 'ApiEndpoint'));
    expect(outputs.UserPoolId.Value).toEqual({ Ref: logicalId(stack.userPool) });
    expect(outputs.UserPoolClientId).toBeDefined();
    expect(outputs.TableName.Value).toEqual({ Ref: logicalId(stack.table) });
    for (const [key] of stateMachineEntries) {
      const output = Object.values(outputs).find((o: Json) => JSON.stringify(o.Value) === JSON.stringify({ Ref: smId(key) }));
      expect(output, key).toBeDefined();
    }
  });
});

describe('catalogue-driven: every resource of the template is accounted for by the catalogue', () => {
  // Whatever file of infra/aws builds what, the template holds what the catalogue lists and nothing
  // else (catalogue-driven.test.ts adds entries to the catalogue and sees each one appear).
  const pascalKey = (key: string) => `${key.charAt(0).toUpperCase()}${key.slice(1)}`;

  it('every Lambda function is one catalogue function (by its description), and each catalogue function is one', () => {
    const descriptions = ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Description as string);
    expect(new Set(descriptions).size).toBe(descriptions.length);
    expect(descriptions.sort()).toEqual(functionEntries.map(([, spec]) => spec.description.slice(0, 256)).sort());
  });

  it('every state machine is one catalogue state machine, named <stack>-<Key>', () => {
    const names = ofType('AWS::StepFunctions::StateMachine').map(([, m]) => m.Properties.StateMachineName as string);
    expect(names.sort()).toEqual(stateMachineEntries.map(([key]) => `${stack.stackName}-${pascalKey(key)}`).sort());
  });

  it('every role belongs to one catalogue function, state machine or schedule, or is AWS Backup\u2019s', () => {
    const descriptions = ofType('AWS::IAM::Role').map(([, r]) => r.Properties.Description as string);
    expect(descriptions.sort()).toEqual(
      [
        ...functionEntries.map(([key]) => `Social media governance: ${key}`),
        ...stateMachineEntries.map(([key]) => `Social media governance: state machine ${key}`),
        ...Object.entries(schedules).map(([key, spec]) => `Social media governance: the ${key} schedule invokes ${spec.target}`),
        'Social media governance: AWS Backup takes the daily backups of the governance table',
      ].sort(),
    );
  });

  it('every schedule is one catalogue schedule, invoking its target with its input', () => {
    const found = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties as Json);
    expect(found).toHaveLength(Object.keys(schedules).length);
    for (const spec of Object.values(schedules)) {
      const schedule = found.find((s) => s.Description === spec.description) as Json;
      expect(schedule.Target.Arn).toEqual(getAtt(fnId(spec.target)));
      expect(JSON.parse(schedule.Target.Input)).toEqual(spec.input);
    }
  });

  it('the durable-starts schedule runs every 5 minutes and the annual review once a year, on the first weekday of February at 08:00 in Denver', () => {
    const found = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties as Json);
    const byTarget = (key: string) => found.find((s) => JSON.stringify(s.Target.Arn) === JSON.stringify(getAtt(fnId(key as never)))) as Json;
    expect(byTarget('reconcileStarts').ScheduleExpression).toBe('rate(5 minutes)');
    expect(byTarget('reconcileStarts').Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 });
    const review = byTarget('startReview');
    expect(review.ScheduleExpression).toBe('cron(0 8 1W 2 ? *)');
    expect(review.ScheduleExpressionTimezone).toBe('America/Denver');
    expect(review.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86400 });
    expect(JSON.parse(review.Target.Input)).toEqual({ trigger: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(review.Target.DeadLetterConfig.Arn).toBeDefined();
  });

  it('every alarm watches a catalogue function, state machine, schedule or HR consumer, or the records backups', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const errorStats = (alarm: Json) => asArray<Json>(alarm.Metrics).filter((m) => m.MetricStat?.Metric.MetricName === 'Errors');
    const errors = alarms.filter((a) => errorStats(a).length > 0);
    // No alarm a function any more: the functions' errors are in grouped metric-math alarms.
    expect(alarms.filter((a) => a.MetricName === 'Errors')).toEqual([]);
    // Error alarms watch the functions that answer people (routes, the catch-all, the authorizer), where
    // an error is a failed page nobody retries. The others are retried by their state machine, schedule,
    // queue or Lambda, whose outcome is alarmed (executions, dead-letter queues); the Cognito trigger's
    // errors are refused sign-ins. Stated by hand:
    const notWatched = [
      'checkSignIn',
      'lapseException',
      'offboardAccount',
      'openOffboarding',
      'openReview',
      'planOffboarding',
      'prepareDepartmentReview',
      'receiveHrEvent',
      'reconcileStarts',
      'recordMailBounce',
      'recordOutcome',
      'reportOffboarding',
      'reportReview',
      'requestApproval',
      'trackOffboardingTasks',
      'trackReview',
    ];
    const watchedKeys = functionEntries.map(([key]) => key).filter((key) => !notWatched.includes(key));
    expect(watchedKeys).toHaveLength(29);
    // At most 10 functions an alarm (CloudWatch's limit on metrics in a metric-math alarm), in as
    // few alarms as that allows, or one more (the functions of a workflow folder stay together).
    expect(errors.length).toBeLessThanOrEqual(Math.ceil(watchedKeys.length / 10) + 1);
    const covered: string[] = [];
    for (const alarm of errors) {
      const stats = errorStats(alarm);
      expect(stats.length).toBeGreaterThanOrEqual(1);
      expect(stats.length).toBeLessThanOrEqual(10);
      // e1 … en, each the Sum of one function's Errors over 5 minutes, labelled with its key.
      const fill = stats.map((_, i) => `FILL(e${i + 1}, 0)`).join(' + ');
      expect(stats.map((m) => m.Id)).toEqual(stats.map((_, i) => `e${i + 1}`));
      const [expression, ...others] = asArray<Json>(alarm.Metrics).filter((m) => m.Expression !== undefined);
      expect(others).toEqual([]);
      expect(expression?.Expression).toBe(fill);
      expect(expression?.Expression).toMatch(/^FILL\(e1, 0\)( \+ FILL\(e([2-9]|10), 0\))*$/);
      expect(expression?.ReturnData).toBe(true);
      expect(alarm.Metrics).toHaveLength(stats.length + 1);
      expect(alarm.Threshold).toBe(1);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(String(alarm.AlarmDescription).length).toBeLessThanOrEqual(1024);
      for (const m of stats) {
        expect(m.MetricStat.Metric.Namespace).toBe('AWS/Lambda');
        expect(m.MetricStat.Stat).toBe('Sum');
        expect(m.MetricStat.Period).toBe(300);
        expect(m.ReturnData).toBe(false);
        const key = m.Label as FunctionKey;
        expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: fnId(key) } }]);
        // The description names every function the alarm covers, so on-call knows where to look.
        expect(alarm.AlarmDescription).toMatch(new RegExp(`[(, ]${key}[,)]`));
        covered.push(key);
      }
    }
    // Every function that answers people, exactly once.
    expect(covered.sort()).toEqual([...watchedKeys].sort());
    expect(covered).not.toContain('checkSignIn');
    // One metric-math alarm per state machine: its failed, timed-out and aborted executions.
    const executions = alarms.filter((a) => asArray<Json>(a.Metrics).some((m) => m.MetricStat?.Metric.Namespace === 'AWS/States'));
    const machinesOf = (alarm: Json) => [
      ...new Set(asArray<Json>(alarm.Metrics).flatMap((m) => (m.MetricStat ? [JSON.stringify(m.MetricStat.Metric.Dimensions[0].Value)] : []))),
    ];
    expect(executions.map(machinesOf).sort()).toEqual(stateMachineEntries.map(([key]) => [JSON.stringify({ Ref: smId(key) })]).sort());
    const deadLetters = alarms.filter((a) => a.Namespace === 'AWS/SQS');
    const hrConsumers = functionEntries.filter(([, spec]) => spec.hrEvents?.length);
    // A dead-letter queue per schedule and HR consumer, the yearly schedule's failed-runs queue, and the mail events' queue.
    const yearly = Object.values(schedules).filter((spec) => 'yearly' in spec && spec.yearly);
    const mailConsumers = functionEntries.filter(([, spec]) => 'mailEvents' in spec && spec.mailEvents);
    expect(mailConsumers.map(([key]) => key)).toEqual(['recordMailBounce']);
    expect(deadLetters).toHaveLength(Object.keys(schedules).length + hrConsumers.length + yearly.length + 1);
    expect(alarms.filter((a) => a.Namespace === 'AWS/Backup')).toHaveLength(2);
    expect(alarms).toHaveLength(errors.length + executions.length + deadLetters.length + 2);
  });
});

describe('function error alarms: grouped by workflow folder, at most 10 functions an alarm', () => {
  // A small stack of its own: imported functions, so the groups are known literally.
  function errorAlarms(folders: Record<string, number>): Json[] {
    const scope = new Stack(new App(), 'Alarms', { env: { account: '111111111111', region: 'us-west-2' } });
    const monitoring = new Monitoring(scope, 'Monitoring', {});
    monitoring.watchFunctions(
      Object.entries(folders).flatMap(([folder, n]) =>
        Array.from({ length: n }, (_, i) => {
          const key = `${folder}${i + 1}`;
          const arn = `arn:aws:lambda:us-west-2:111111111111:function:${key}`;
          return { key, entry: `functions/${folder}/handlers/${key}.ts`, function: LambdaFunction.fromFunctionArn(scope, key, arn) };
        }),
      ),
    );
    const alarms = Template.fromStack(scope).findResources('AWS::CloudWatch::Alarm');
    return Object.entries(alarms).map(([id, a]) => ({ id, ...a.Properties }));
  }
  const labels = (alarm: Json) => asArray<Json>(alarm.Metrics).flatMap((m) => (m.MetricStat ? [m.Label] : []));

  it('sums FILL(e<i>, 0) over the Errors (Sum, 5 min) of each function, labelled with its key', () => {
    const [alarm, ...others] = errorAlarms({ 'approval-chain': 3 });
    expect(others).toEqual([]);
    expect(alarm?.id).toMatch(/^MonitoringApprovalChainErrorsAlarm[0-9A-F]{8}$/);
    expect(alarm?.Metrics).toEqual([
      {
        Id: 'expr_1',
        Expression: 'FILL(e1, 0) + FILL(e2, 0) + FILL(e3, 0)',
        Label: 'Errors of approval-chain1, approval-chain2, approval-chain3',
        ReturnData: true,
      },
      ...[1, 2, 3].map((i) => ({
        Id: `e${i}`,
        Label: `approval-chain${i}`,
        MetricStat: {
          Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: `approval-chain${i}` }] },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      })),
    ]);
    expect(alarm?.AlarmDescription).toBe(
      "A function threw (unhandled error or timeout), one of: approval-chain (approval-chain1, approval-chain2, approval-chain3). The alarm's graph has one line per function, labelled with its key: open that function's logs (its Lambda name contains the key in PascalCase).",
    );
    expect(alarm?.Threshold).toBe(1);
    expect(alarm?.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(alarm?.EvaluationPeriods).toBe(1);
    expect(alarm?.TreatMissingData).toBe('notBreaching');
  });

  it('keeps a folder in one alarm, in the first alarm with room for it', () => {
    // a: 6 (alarm 1), b: 5 (no room in alarm 1: alarm 2), c: 4 (room in alarm 1).
    const alarms = errorAlarms({ a: 6, b: 5, c: 4 });
    expect(alarms.map(labels)).toEqual([
      ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'c1', 'c2', 'c3', 'c4'],
      ['b1', 'b2', 'b3', 'b4', 'b5'],
    ]);
    expect(alarms.map((a) => a.AlarmDescription)).toEqual([
      expect.stringContaining('one of: a (a1, a2, a3, a4, a5, a6); c (c1, c2, c3, c4). '),
      expect.stringContaining('one of: b (b1, b2, b3, b4, b5). '),
    ]);
    expect(alarms[0]?.Metrics[0].Expression).toBe(
      'FILL(e1, 0) + FILL(e2, 0) + FILL(e3, 0) + FILL(e4, 0) + FILL(e5, 0) + FILL(e6, 0) + FILL(e7, 0) + FILL(e8, 0) + FILL(e9, 0) + FILL(e10, 0)',
    );
    expect(alarms.map((a) => a.id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['MonitoringACErrorsAlarm', 'MonitoringBErrorsAlarm']);
  });

  it('splits a folder of more than 10 functions in tens', () => {
    const alarms = errorAlarms({ big: 12, small: 3 });
    expect(alarms.map(labels)).toEqual([
      ['big1', 'big2', 'big3', 'big4', 'big5', 'big6', 'big7', 'big8', 'big9', 'big10'],
      ['big11', 'big12', 'small1', 'small2', 'small3'],
    ]);
    expect(alarms.map((a) => a.id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['MonitoringBigErrorsAlarm', 'MonitoringBigSmallErrorsAlarm']);
  });
});
