import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionKey,
  type FunctionSpec,
  functionArnPlaceholder,
  functions,
  type StateMachineKey,
  type StateMachineSpec,
  stateMachineArnEnv,
  stateMachines,
  table as tableDesign,
} from '../../functions/catalogue.ts';
import { recordItem } from '../../functions/adapters/records-store.ts';
import type { GovernanceRecord } from '#core/records';
import { type GovernanceStack, governanceStackFromContext, RECORD_KEY_PREFIX, repoRoot } from '../../infra/aws/governance-stack.ts';

// The stack as `cdk synth` builds it: cdk.json's context (feature flags, region), plus the
// settings a real deployment passes with -c. Synthesized once: bundling every function is slow-ish.
const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
const settings = {
  dtiEmail: 'dti-registry@cabq.gov',
  alarmEmail: 'ops@cabq.gov',
  mailFrom: 'social-media-governance@cabq.gov',
  authDomainPrefix: 'cabq-social-media-test',
};

const functionEntries = Object.entries(functions) as [FunctionKey, FunctionSpec][];
const stateMachineEntries = Object.entries(stateMachines) as [StateMachineKey, StateMachineSpec][];
const allRoutes = functionEntries.flatMap(([key, spec]) => (spec.routes ?? []).map((route) => ({ key, ...route })));
const authorizerKey = (functionEntries.find(([, spec]) => spec.authorizer) as [FunctionKey, FunctionSpec])[0];

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template, navigated by its documented shape.
type Json = Record<string, any>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

let stack: GovernanceStack;
let template: Template;
let resources: Record<string, Json>;

const logicalId = (construct: IConstruct) => stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
const fnId = (key: FunctionKey) => logicalId(stack.functions[key]);
const roleId = (key: FunctionKey) => logicalId(stack.functionRoles[key]);
const smId = (key: StateMachineKey) => logicalId(stack.stateMachines[key]);
const fnProps = (key: FunctionKey) => resources[fnId(key)]?.Properties as Json;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

/** Every statement attached to a role: inline policies and AWS::IAM::Policy resources. */
function allStatementsOf(role: string): Statement[] {
  const inline = asArray<Json>(resources[role]?.Properties?.Policies).flatMap((p) => asArray<Statement>(p.PolicyDocument.Statement));
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => asArray<Json>(p.Properties.Roles).some((r) => r.Ref === role))
    .flatMap(([, p]) => asArray<Statement>(p.Properties.PolicyDocument.Statement));
  return [...inline, ...attached];
}
/** Every Allow statement attached to a role. */
const statementsOf = (role: string) => allStatementsOf(role).filter((s) => s.Effect === 'Allow');
/** Every Deny statement attached to a role. */
const denialsOf = (role: string) => allStatementsOf(role).filter((s) => s.Effect === 'Deny');
const actionsOf = (role: string) => statementsOf(role).flatMap((s) => asArray(s.Action));
const statementsOn = (role: string, resource: unknown) =>
  statementsOf(role).filter((s) => asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)));

/** A CloudFormation string value (plain or Fn::Join), with every token shown as <token>. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as Json)?.['Fn::Join'];
  if (join) return (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  return '<token>';
}

/** What CloudFormation does with DefinitionSubstitutions; each GetAtt becomes `<LogicalId.Attr>`. */
function substitute(definition: string, substitutions: Json): string {
  return definition.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) return whole;
    const att = (value as Json)['Fn::GetAtt'] as [string, string] | undefined;
    return att ? `<${att[0]}.${att[1]}>` : String(value);
  });
}

/** Parameters.FunctionName of every lambda:invoke Task, in nested Map (ItemProcessor / Iterator) and Parallel states too. */
function taskFunctionNames(machine: Json): string[] {
  return Object.values((machine.States ?? {}) as Record<string, Json>).flatMap((state) => [
    ...(state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::lambda:invoke') ? [state.Parameters?.FunctionName as string] : []),
    ...(state.ItemProcessor ? taskFunctionNames(state.ItemProcessor) : []),
    ...(state.Iterator ? taskFunctionNames(state.Iterator) : []),
    ...asArray<Json>(state.Branches).flatMap(taskFunctionNames),
  ]);
}

function nagFindings(pack: NagPack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

beforeAll(() => {
  const app = new App({ context: { ...cdkJson.context, ...settings } });
  stack = governanceStackFromContext(app);
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Json>;
  // Bundling every function takes seconds, more on a busy machine: beyond the default hook timeout.
}, 120_000);

describe('durable starts: the reconciler and its schedule', () => {
  const schedulesOf = () => ofType('AWS::Scheduler::Schedule');

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

  it('reconcileStarts may start the approval chain and no other machine', () => {
    const starts = statementsOf(roleId('reconcileStarts')).filter((s) => asArray(s.Action).includes('states:StartExecution'));
    const name = resources[smId('approvalChain')]?.Properties.StateMachineName as string;
    expect(starts.flatMap((s) => asArray(s.Resource)).map(flatten)).toEqual([`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`]);
    expect(actionsOf(roleId('reconcileStarts'))).not.toContain('states:SendTaskSuccess');
  });
});

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

describe('Lambda functions', () => {
  it('creates exactly one function per catalogue entry', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(functionEntries.length);
    for (const [key] of functionEntries) expect(resources[fnId(key)]?.Type, key).toBe('AWS::Lambda::Function');
  });

  it.each(functionEntries)(
    '%s runs nodejs24.x on arm64 with tracing, the catalogue memory (512 MB by default) and timeout and a retained log group',
    (key, spec) => {
      const p = fnProps(key);
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe('index.handler');
      expect(p.MemorySize).toBe(spec.memoryMb ?? 512);
      expect(p.Timeout).toBe(spec.timeoutSeconds ?? 10);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      const logGroup = resources[p.LoggingConfig?.LogGroup?.Ref];
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
      expect(logGroup?.DeletionPolicy).toBe('Retain');
    },
  );

  it('the records export has the catalogue\u2019s 1024 MB and a timeout inside the HTTP API\u2019s 30 s', () => {
    const p = fnProps('exportRecords');
    expect(p.MemorySize).toBe(1024);
    expect(p.Timeout).toBe(functions.exportRecords.timeoutSeconds);
    expect(p.Timeout).toBeLessThan(30);
  });

  it('warns exactly about the functions whose timeout exceeds the HTTP API\u2019s 30 s (none today)', () => {
    const warned = Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('serves HTTP API routes with a'))
      .map((w) => w.id);
    const expected = functionEntries
      .filter(([, spec]) => spec.routes?.length && (spec.timeoutSeconds ?? 10) > 30)
      .map(([key]) => `/${stack.functions[key].node.path}`);
    expect(warned.sort()).toEqual(expected.sort());
    expect(expected).toEqual([]);
  });

  it('gives every function its own role, assumed by Lambda, with no AWS managed policy', () => {
    const roles = functionEntries.map(([key]) => fnProps(key).Role['Fn::GetAtt'][0] as string);
    expect(new Set(roles).size).toBe(functionEntries.length);
    for (const [i, [key]] of functionEntries.entries()) {
      const role = resources[roles[i] as string] as Json;
      expect(roles[i]).toBe(roleId(key));
      expect(role.Type).toBe('AWS::IAM::Role');
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('lambda.amazonaws.com');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      // It may write to its own log group only.
      const logStatements = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      expect(logStatements.map((s) => s.Resource)).toEqual([getAtt(fnProps(key).LoggingConfig.LogGroup.Ref)]);
    }
  });

  it.each(functionEntries)('%s has the shared environment', (key) => {
    const env = fnProps(key).Environment.Variables as Json;
    expect(env.TABLE_NAME).toEqual({ Ref: logicalId(stack.table) });
    expect(env.PUBLIC_BASE_URL).toEqual(getAtt(logicalId(stack.api), 'ApiEndpoint'));
    expect(env.MAIL_FROM).toBe(settings.mailFrom);
    expect(env.DTI_EMAIL).toBe(settings.dtiEmail);
    expect(env.SES_CONFIGURATION_SET).toEqual({ Ref: ofType('AWS::SES::ConfigurationSet')[0]?.[0] });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('social-media-governance');
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it.each(functionEntries)('%s gets a state machine ARN variable exactly for the machines it starts', (key, spec) => {
    const env = fnProps(key).Environment.Variables as Json;
    for (const [machine] of stateMachineEntries) {
      const name = resources[smId(machine)]?.Properties.StateMachineName as string;
      const variable = env[stateMachineArnEnv(machine)];
      if (spec.access.startExecution?.includes(machine)) {
        expect(flatten(variable)).toBe(`arn:aws:states:${stack.region}:<token>:stateMachine:${name}`);
      } else {
        expect(variable).toBeUndefined();
      }
    }
  });
});

describe('least-privilege IAM from catalogue access', () => {
  const tokenKeyArn = () => getAtt(logicalId(stack.node.findChild('TaskTokenKey')));
  const linkKeyArn = () => getAtt(logicalId(stack.node.findChild('LinkMacKey')));

  it.each(functionEntries)('%s: ses:* only with sendEmail, scoped to the identity and configuration set, from MAIL_FROM', (key, spec) => {
    const ses = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));
    if (!spec.access.sendEmail) {
      expect(ses).toEqual([]);
      return;
    }
    expect(ses).toHaveLength(1);
    const [statement] = ses as [Statement];
    expect(asArray(statement.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(asArray(statement.Resource).map(flatten).sort()).toEqual([
      `arn:aws:ses:${stack.region}:<token>:configuration-set/<token>`,
      `arn:aws:ses:${stack.region}:<token>:identity/<token>`,
    ]);
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': settings.mailFrom } });
  });

  it.each(functionEntries)('%s: states:StartExecution only with startExecution, on those state machines only', (key, spec) => {
    const starts = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('states:StartExecution')));
    const expected = (spec.access.startExecution ?? []).map(
      (machine) => `arn:aws:states:${stack.region}:<token>:stateMachine:${resources[smId(machine)]?.Properties.StateMachineName}`,
    );
    expect(starts.flatMap((s) => asArray(s.Resource).map(flatten)).sort()).toEqual(expected.sort());
  });

  it.each(functionEntries)('%s: task callbacks only with sendTaskResult, on those state machines only', (key, spec) => {
    const callbacks = statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('states:SendTask')));
    const expected = (spec.access.sendTaskResult ?? []).map(
      (machine) => `arn:aws:states:${stack.region}:<token>:stateMachine:${resources[smId(machine)]?.Properties.StateMachineName}`,
    );
    expect(callbacks.flatMap((s) => asArray(s.Resource).map(flatten)).sort()).toEqual(expected.sort());
    if (expected.length) expect(callbacks.flatMap((s) => asArray(s.Action)).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
  });

  it.each(functionEntries)('%s: token key Encrypt only to issuers, Decrypt only to redeemers, MAC key only to issuers', (key, spec) => {
    const role = roleId(key);
    const onToken = statementsOn(role, tokenKeyArn()).flatMap((s) => asArray(s.Action));
    const onLink = statementsOn(role, linkKeyArn()).flatMap((s) => asArray(s.Action));
    const env = fnProps(key).Environment.Variables as Json;
    switch (spec.access.linkKeys) {
      case 'issue':
        expect(onToken).toEqual(['kms:Encrypt']);
        expect(onLink).toEqual(['kms:GenerateMac']);
        expect(env.TOKEN_KMS_KEY_ID).toEqual(tokenKeyArn());
        expect(env.LINK_MAC_KEY_ID).toEqual(linkKeyArn());
        break;
      case 'redeem':
        expect(onToken).toEqual(['kms:Decrypt']);
        expect(onLink).toEqual([]);
        expect(env.TOKEN_KMS_KEY_ID).toEqual(tokenKeyArn());
        expect(env.LINK_MAC_KEY_ID).toBeUndefined();
        break;
      default:
        expect(onToken).toEqual([]);
        expect(onLink).toEqual([]);
        expect(env.TOKEN_KMS_KEY_ID).toBeUndefined();
    }
    // Sealing binds every token to its approval id.
    for (const s of statementsOn(role, tokenKeyArn())) expect(s.Condition).toEqual({ Null: { 'kms:EncryptionContext:approvalId': 'false' } });
  });

  it.each(functionEntries)('%s: table writes only with readWrite, and never any service-wide wildcard action', (key, spec) => {
    const actions = actionsOf(roleId(key));
    const writes = actions.filter((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a));
    if (spec.access.table === 'readWrite') expect(writes.length).toBe(4);
    else expect(writes).toEqual([]);
    if (spec.access.table) expect(actions).toContain('dynamodb:Query');
    else expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  // The sign-in and the authorizer: Cognito's OAuth endpoints and JWKS are public HTTPS.
  const noAwsAccess = functionEntries.filter(([, spec]) => !Object.entries(spec.access).some(([what, granted]) => what !== 'userPool' && granted));
  it.each(noAwsAccess)('%s: may only write its own logs and traces', (key) => {
    const actions = actionsOf(roleId(key));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
  });

  it('the task token and MAC keys are customer managed; the token key rotates and the MAC key is HMAC', () => {
    const token = resources[logicalId(stack.node.findChild('TaskTokenKey'))]?.Properties;
    const mac = resources[logicalId(stack.node.findChild('LinkMacKey'))]?.Properties;
    expect(token?.EnableKeyRotation).toBe(true);
    expect(mac?.KeySpec).toBe('HMAC_256');
    expect(mac?.KeyUsage).toBe('GENERATE_VERIFY_MAC');
  });
});

describe('IAM actions, stated literally', () => {
  // Written by hand, not derived from the catalogue the stack reads: a catalogue or stack change that
  // grants a function one action more (or less) fails here until this table is changed with it.
  // The groups are what one CDK grant or one statement of the stack adds; where an action is granted
  // on two resources (kms:Decrypt on the table key and a link or credentials key), it counts once.
  // Which resource each action is on is checked by the per-concern tests above and below.
  const logsAndTraces = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const tableRead = [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:Query',
    'dynamodb:Scan',
    'kms:Decrypt',
    'kms:DescribeKey',
  ];
  const tableReadWrite = [
    ...tableRead,
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'kms:Encrypt',
    'kms:GenerateDataKey*',
    'kms:ReEncrypt*',
  ];
  const sendEmail = ['ses:SendEmail', 'ses:SendRawEmail'];
  const taskResult = ['states:SendTaskFailure', 'states:SendTaskSuccess'];
  const issueLinks = ['kms:Encrypt', 'kms:GenerateMac'];
  const redeemLinks = ['kms:Decrypt'];
  const hrQueue = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

  const expectedActions: Record<FunctionKey, readonly string[]> = {
    submitRequest: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution'],
    showRequest: [...logsAndTraces, ...tableRead],
    showRegistry: [...logsAndTraces, ...tableRead],
    decideApproval: [...logsAndTraces, ...tableReadWrite, ...taskResult, ...redeemLinks],
    signIn: [...logsAndTraces],
    authorizeRequest: [...logsAndTraces],
    requestApproval: [...logsAndTraces, ...tableReadWrite, ...sendEmail, ...taskResult, ...issueLinks],
    recordOutcome: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    reconcileStarts: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution'],
    requestPostingAuthority: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution'],
    receiveHrEvent: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution', ...hrQueue],
    openOffboarding: [...logsAndTraces, ...tableReadWrite, ...taskResult],
    planOffboarding: [...logsAndTraces, ...tableReadWrite],
    offboardAccount: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...sendEmail,
      ...issueLinks,
      'secretsmanager:CreateSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ],
    trackOffboardingTasks: [...logsAndTraces, ...tableReadWrite, ...sendEmail, ...issueLinks, ...taskResult],
    reportOffboarding: [...logsAndTraces, ...tableReadWrite, ...sendEmail],
    completeOffboardingTask: [
      ...logsAndTraces,
      ...tableReadWrite,
      ...redeemLinks,
      ...taskResult,
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    showOffboarding: [...logsAndTraces, ...tableRead],
    requestPostRemoval: [...logsAndTraces, ...tableReadWrite, 'states:StartExecution'],
    recordPostEdit: [...logsAndTraces, ...tableReadWrite],
    recordModeration: [...logsAndTraces, ...tableReadWrite],
    showGuidelines: [...logsAndTraces],
    answerUnknownRoute: [...logsAndTraces],
    exportRecords: [...logsAndTraces, ...tableRead],
  };
  const distinctSorted = (actions: readonly string[]) => [...new Set(actions)].sort();

  it('has a row for every catalogue function and no other', () => {
    expect(Object.keys(expectedActions).sort()).toEqual(functionEntries.map(([key]) => key).sort());
  });

  it.each(Object.entries(expectedActions) as [FunctionKey, readonly string[]][])('%s: its role allows exactly the actions listed', (key, expected) => {
    expect(distinctSorted(actionsOf(roleId(key)))).toEqual(distinctSorted(expected));
  });
});

describe('write-once records (H): IAM on RECORD# partitions', () => {
  const tableArn = () => getAtt(logicalId(stack.table));
  // Every DynamoDB action that writes an item (PartiQL included, though no role is granted it).
  const WRITE = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQLInsert|PartiQLUpdate|PartiQLDelete)$/;
  const onRecords = { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['RECORD#*'] } };
  const recorders = functionEntries.filter(([, spec]) => spec.access.records === 'write');
  const otherWriters = functionEntries.filter(([, spec]) => spec.access.table === 'readWrite' && spec.access.records !== 'write');
  const nonWriters = functionEntries.filter(([, spec]) => spec.access.table !== 'readWrite');
  const deniedOnRecords = (key: FunctionKey) =>
    denialsOf(roleId(key))
      .filter((s) => JSON.stringify(s.Condition) === JSON.stringify(onRecords) && JSON.stringify(s.Resource) === JSON.stringify(tableArn()))
      .flatMap((s) => asArray(s.Action))
      .sort();
  const allowedWrites = (key: FunctionKey) => [...new Set(actionsOf(roleId(key)).filter((a) => WRITE.test(a)))].sort();

  it('the stack guards the partition prefix the records store actually writes', () => {
    const item = recordItem({ recordId: 'rec-mod-20260101-0123456789abcdef', accountId: 'acc-1', recordedAt: '2026-01-01T00:00:00.000Z' } as GovernanceRecord);
    expect(RECORD_KEY_PREFIX).toBe('RECORD#');
    expect(String(item.PK).startsWith(RECORD_KEY_PREFIX)).toBe(true);
  });

  it('the catalogue has functions of every kind (the tests below are not vacuous)', () => {
    expect(recorders.map(([key]) => key)).toEqual(expect.arrayContaining(['requestPostRemoval', 'recordPostEdit', 'recordModeration']));
    expect(otherWriters.map(([key]) => key)).toContain('recordOutcome');
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

  it('recordOutcome: an explicit Deny of Put, Update, Delete and BatchWrite on the table for any RECORD# leading key', () => {
    const denials = denialsOf(roleId('recordOutcome'));
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Effect: 'Deny', Resource: tableArn(), Condition: onRecords });
    expect(asArray(denials[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('recordModeration: Update, Delete and BatchWrite denied on RECORD# keys, no Deny of PutItem anywhere (a put is how it records)', () => {
    const denials = denialsOf(roleId('recordModeration'));
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Effect: 'Deny', Resource: tableArn(), Condition: onRecords });
    expect(asArray(denials[0]?.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    expect(denials.flatMap((s) => asArray(s.Action))).not.toContain('dynamodb:PutItem');
    expect(actionsOf(roleId('recordModeration'))).toContain('dynamodb:PutItem');
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

  it.each(stateMachineEntries)('%s: alarms on failed, timed-out and aborted executions notify the encrypted alarm topic', (key) => {
    const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, Json]];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      const alarms = ofType('AWS::CloudWatch::Alarm').filter(
        ([, a]) =>
          a.Properties.Namespace === 'AWS/States' &&
          a.Properties.MetricName === metric &&
          asArray<Json>(a.Properties.Dimensions).some((d) => d.Name === 'StateMachineArn' && d.Value?.Ref === smId(key)),
      );
      expect(alarms, metric).toHaveLength(1);
      const alarm = (alarms[0] as [string, Json])[1].Properties;
      expect(alarm.Threshold).toBe(1);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
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

  it('its waitForTaskToken tasks call functions that may send task results to this machine only', () => {
    const waiting = Object.values(definition().States as Record<string, Json>).filter((s) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waiting.length).toBeGreaterThan(0);
    for (const state of waiting) {
      const fnKey = functionEntries.find(([k]) => state.Parameters.FunctionName === `<${fnId(k)}.Arn>`)?.[0] as FunctionKey;
      const spec = functions[fnKey] as FunctionSpec;
      expect(spec.access.sendTaskResult, fnKey).toEqual([key]);
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
    expect(detailTypes).toEqual(['Employee Separated', 'Employee Updated']);
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

  it('no other function has an event source mapping, HR_EVENT_SOURCE or any SQS permission', () => {
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
        ).toEqual([]);
      }
    }
  });

  it.each(consumers)('%s: a message in its dead-letter queue raises an alarm on the alarm topic', (key) => {
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, Json]];
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

describe('credentials vault', () => {
  const credentialsKeyId = () => logicalId(stack.node.findChild('CredentialsKey'));
  const secretsArn = `arn:aws:secretsmanager:${cdkJson.context.region}:<token>:secret:social-media/*`;
  type Verb = 'stage' | 'reveal' | 'promote';
  const verbsOf = (spec: FunctionSpec): Verb[] => [...(spec.access.vault ?? [])];
  const SECRET_ACTIONS: Record<Verb, string[]> = {
    stage: ['secretsmanager:CreateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
    reveal: ['secretsmanager:GetSecretValue'],
    promote: ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'],
  };
  const KEY_ACTIONS: Record<Verb, string[]> = { stage: ['kms:Decrypt', 'kms:GenerateDataKey'], reveal: ['kms:Decrypt'], promote: [] };
  const union = (lists: string[][]) => [...new Set(lists.flat())].sort();
  const secretStatements = (key: FunctionKey) => statementsOf(roleId(key)).filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));

  it('the credentials key is customer managed, rotates, is retained and has its alias', () => {
    const key = resources[credentialsKeyId()] as Json;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/social-media-credentials', TargetKeyId: getAtt(credentialsKeyId()) });
  });

  it.each(functionEntries)('%s: secretsmanager actions exactly for its vault verbs, on the prefix only', (key, spec) => {
    const statements = secretStatements(key);
    expect(union(statements.map((s) => asArray(s.Action)))).toEqual(union(verbsOf(spec).map((v) => SECRET_ACTIONS[v])));
    for (const s of statements) expect(asArray(s.Resource).map(flatten)).toEqual([secretsArn]);
  });

  it.each(functionEntries)('%s: CreateSecret only with the credentials key named in the request', (key) => {
    for (const s of secretStatements(key).filter((st) => asArray(st.Action).includes('secretsmanager:CreateSecret'))) {
      expect(asArray(s.Action)).toEqual(['secretsmanager:CreateSecret']);
      expect(s.Condition).toEqual({ ArnEquals: { 'secretsmanager:KmsKeyArn': getAtt(credentialsKeyId()) } });
    }
  });

  it.each(functionEntries)('%s: the credentials key only through Secrets Manager, for the prefix\u2019s secrets, as its verbs need', (key, spec) => {
    const onKey = statementsOn(roleId(key), getAtt(credentialsKeyId()));
    expect(union(onKey.map((s) => asArray(s.Action)))).toEqual(union(verbsOf(spec).map((v) => KEY_ACTIONS[v])));
    for (const s of onKey) {
      expect(s.Condition?.StringEquals).toEqual({ 'kms:ViaService': `secretsmanager.${cdkJson.context.region}.amazonaws.com` });
      expect(flatten(s.Condition?.StringLike?.['kms:EncryptionContext:SecretARN'])).toBe(secretsArn);
    }
    const env = fnProps(key).Environment.Variables as Json;
    if (verbsOf(spec).length) {
      expect(env.VAULT_KMS_KEY_ID).toEqual(getAtt(credentialsKeyId()));
      expect(env.VAULT_SECRET_PREFIX).toBe('social-media/');
    } else {
      expect(env.VAULT_KMS_KEY_ID).toBeUndefined();
      expect(env.VAULT_SECRET_PREFIX).toBeUndefined();
    }
  });

  it('completeOffboardingTask reveals and promotes but cannot write; offboardAccount stages but cannot read; nobody else touches secrets', () => {
    const complete = actionsOf(roleId('completeOffboardingTask'));
    expect(complete).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecretVersionStage']));
    expect(complete).not.toContain('secretsmanager:PutSecretValue');
    expect(complete).not.toContain('secretsmanager:CreateSecret');
    const offboard = actionsOf(roleId('offboardAccount'));
    expect(offboard).toEqual(expect.arrayContaining(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue']));
    expect(offboard).not.toContain('secretsmanager:GetSecretValue');
    expect(offboard).not.toContain('secretsmanager:UpdateSecretVersionStage');
    const others = functionEntries.filter(([key]) => key !== 'completeOffboardingTask' && key !== 'offboardAccount');
    for (const [key] of others)
      expect(
        actionsOf(roleId(key)).filter((a) => a.startsWith('secretsmanager:')),
        key,
      ).toEqual([]);
  });

  it('no role other than the vault functions\u2019 may use the credentials key', () => {
    const vaultRoles = functionEntries.filter(([, spec]) => spec.access.vault?.length).map(([key]) => roleId(key));
    const users = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(credentialsKeyId()))
      .flatMap(([, p]) => asArray<Json>(p.Properties.Roles).map((r) => r.Ref as string));
    expect(users.sort()).toEqual(vaultRoles.sort());
  });
});

describe('alarm topic', () => {
  it('requires TLS, lets CloudWatch alarms of this account publish, and emails the alarmEmail context', () => {
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, Json]];
    const policy = ofType('AWS::SNS::TopicPolicy')[0]?.[1].Properties.PolicyDocument.Statement as Statement[];
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(policy).toContainEqual(expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }));
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: settings.alarmEmail, TopicArn: { Ref: topicId } });
  });
});

describe('HTTP API', () => {
  const routeResources = () => ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Json);

  it('has exactly one route per catalogue route, a HEAD beside each GET (as the local host answers), and the $default route', () => {
    expect(
      routeResources()
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual([...allRoutes.flatMap((r) => (r.method === 'GET' ? [`GET ${r.path}`, `HEAD ${r.path}`] : [`${r.method} ${r.path}`])), '$default'].sort());
    expect(routeResources().map((r) => r.RouteKey)).toContain('HEAD /approvals/{approvalId}');
  });

  it('sends $default (what no route matches) to the catalogue\u2019s default-route function: public, and its role reaches no data', () => {
    const defaultKeys = functionEntries.filter(([, spec]) => spec.defaultRoute).map(([key]) => key);
    expect(defaultKeys).toHaveLength(1);
    const key = defaultKeys[0] as FunctionKey;
    const route = routeResources().find((r) => r.RouteKey === '$default') as Json;
    expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
    const integrationId = (route.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string;
    expect(resources[integrationId]?.Properties.IntegrationUri).toEqual(getAtt(fnId(key)));
    expect(actionsOf(roleId(key)).filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
  });

  it.each(allRoutes)('$method $path ($auth) goes to $key with the right authorization', (route) => {
    const r = routeResources().find((x) => x.RouteKey === `${route.method} ${route.path}`) as Json;
    const integrationId = (r.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string;
    expect(resources[integrationId]?.Properties.IntegrationUri).toEqual(getAtt(fnId(route.key)));
    if (route.auth === 'jwt') {
      // The catalogue's authorizer function, as a simple-response REQUEST authorizer that runs on
      // every request (no identity source, no cache), so browsers with only a cookie reach it.
      expect(r.AuthorizationType).toBe('CUSTOM');
      const authorizer = resources[r.AuthorizerId.Ref]?.Properties as Json;
      expect(authorizer.AuthorizerType).toBe('REQUEST');
      expect(flatten(authorizer.AuthorizerUri)).toBe(`arn:aws:apigateway:${stack.region}:lambda:path/2015-03-31/functions/<token>/invocations`);
      expect(authorizer.AuthorizerUri['Fn::Join'][1]).toContainEqual(getAtt(fnId(authorizerKey)));
      expect(authorizer.EnableSimpleResponses).toBe(true);
      expect(authorizer.AuthorizerPayloadFormatVersion).toBe('2.0');
      expect(authorizer.AuthorizerResultTtlInSeconds).toBe(0);
      expect(authorizer.IdentitySource ?? []).toEqual([]);
    } else {
      expect(r.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(r.AuthorizerId).toBeUndefined();
    }
  });

  const routeByKey = (routeKey: string) => routeResources().find((r) => r.RouteKey === routeKey) as Json;
  const integrationOf = (route: Json) =>
    resources[(route.Target['Fn::Join'][1] as unknown[]).find((x): x is Json => typeof x === 'object')?.Ref as string]?.Properties as Json;
  const acknowledgementsAt = (routeKey: string) =>
    stack.api.node
      .findAll()
      .filter((c) => c.node.defaultChild && (resources[logicalId(c)]?.Properties as Json | undefined)?.RouteKey === routeKey)
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));

  it('GET /guidelines is public: no authorizer, served by showGuidelines, whose role reaches no data', () => {
    const route = routeByKey('GET /guidelines');
    expect(route).toBeDefined();
    expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
    expect(integrationOf(route).IntegrationUri).toEqual(getAtt(fnId('showGuidelines')));
    expect(actionsOf(roleId('showGuidelines')).filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:\w+)$/.test(a))).toEqual([]);
    // Its cdk-nag acknowledgement says why it may be public, and is not the sign-in routes' reason.
    // (CDK records an acknowledgement under its qualified id, e.g. `Annotation::AwsSolutions-APIG4`.)
    const [[id, reason]] = acknowledgementsAt('GET /guidelines') as [[string, string]];
    expect(id).toMatch(/(^|::)AwsSolutions-APIG4$/);
    expect(reason).toMatch(/no data access at all/);
    expect(reason).not.toMatch(/OAuth/);
  });

  it('every route\u2019s integration waits the HTTP API maximum, 30 s (the default; the records export needs all of it)', () => {
    for (const route of allRoutes) {
      const integration = integrationOf(routeByKey(`${route.method} ${route.path}`));
      expect(integration.TimeoutInMillis ?? 30_000, `${route.method} ${route.path}`).toBe(30_000);
    }
    expect(allRoutes.find((r) => r.key === 'exportRecords')).toMatchObject({ method: 'GET', path: '/records/export', auth: 'jwt' });
  });

  it('has no JWT authorizer (browsers never send the Authorization header it reads)', () => {
    const types = ofType('AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties.AuthorizerType);
    expect(types).toEqual(['REQUEST']);
  });

  it('API Gateway may invoke the authorizer function for this API\u2019s authorizer only', () => {
    const permissions = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(getAtt(fnId(authorizerKey))),
    );
    expect(permissions).toHaveLength(1);
    const p = (permissions[0] as [string, Json])[1].Properties;
    expect(p.Principal).toBe('apigateway.amazonaws.com');
    expect(flatten(p.SourceArn)).toBe(`arn:aws:execute-api:${stack.region}:<token>:<token>/authorizers/<token>`);
  });

  it('throttles the stage and writes JSON access logs that never record the path or the query string', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = (stages[0] as [string, Json])[1].Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    const format = stage.AccessLogSettings.Format as string;
    expect(resources[stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]?.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    const fields = Object.values(JSON.parse(format) as Record<string, string>);
    for (const needed of ['$context.requestId', '$context.routeKey', '$context.status', '$context.identity.sourceIp', '$context.requestTime']) {
      expect(fields).toContain(needed);
    }
    expect(format).not.toMatch(/\$context\.path|querystring|rawQueryString|\$request\.|\$input\./i);
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
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, Json]];
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

describe('Cognito', () => {
  it('is admin-provisioned, MFA (TOTP) required, strong passwords, threat protection enforced, deletion protected', () => {
    const [[, pool]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    expect(pool.DeletionPolicy).toBe('Retain');
    const p = pool.Properties;
    expect(p.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(p.MfaConfiguration).toBe('ON');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(p.DeletionProtection).toBe('ACTIVE');
    expect(p.Policies.PasswordPolicy).toMatchObject({ RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true });
    expect(p.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    expect(p.UserPoolAddOns.AdvancedSecurityMode).toBe('ENFORCED');
  });

  it('has managed sign-in pages on the authDomainPrefix domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: settings.authDomainPrefix, UserPoolId: { Ref: logicalId(stack.userPool) } });
  });

  it('the client has no secret and uses the authorization code flow only, with OIDC scopes and 1 h ID tokens', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.IdTokenValidity).toBe(60);
    expect(client.Properties.TokenValidityUnits.IdToken).toBe('minutes');
  });

  it('the client calls back to the sign-in function on the API and signs out to its signed-out page', () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const apiEndpoint = getAtt(logicalId(stack.api), 'ApiEndpoint');
    expect(client.Properties.CallbackURLs).toEqual([{ 'Fn::Join': ['', [apiEndpoint, '/auth/callback']] }]);
    expect(client.Properties.LogoutURLs).toEqual([{ 'Fn::Join': ['', [apiEndpoint, '/auth/signed-out']] }]);
  });

  it.each(functionEntries)('%s: gets the user pool, client and sign-in domain exactly when its access says userPool', (key, spec) => {
    const env = fnProps(key).Environment.Variables as Json;
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    const [[domainId]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Json]];
    if ('userPool' in spec.access && spec.access.userPool) {
      expect(env.USER_POOL_ID).toEqual({ Ref: logicalId(stack.userPool) });
      expect(env.USER_POOL_CLIENT_ID).toEqual({ Ref: clientId });
      expect(flatten(env.AUTH_DOMAIN_URL)).toBe(`https://<token>.auth.${stack.region}.amazoncognito.com`);
      expect(JSON.stringify(env.AUTH_DOMAIN_URL)).toContain(domainId);
    } else {
      expect(env.USER_POOL_ID).toBeUndefined();
      expect(env.USER_POOL_CLIENT_ID).toBeUndefined();
      expect(env.AUTH_DOMAIN_URL).toBeUndefined();
    }
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

describe('cdk-nag', () => {
  it('AwsSolutions and Serverless report no unacknowledged findings', () => {
    const findings = [...nagFindings(new AwsSolutionsChecks(), stack), ...nagFindings(new ServerlessChecks(), stack)];
    expect(findings, `cdk-nag findings:\n${findings.join('\n')}`).toEqual([]);
  });

  it('every acknowledgement gives a specific reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(60);
    // Acknowledged at stack level would hide findings on resources added later.
    expect(stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
  });

  it('the packs do report a finding when one exists (the zero above is meaningful)', () => {
    const probe = new Stack(new App(), 'Probe');
    new Topic(probe, 'PlainTopic');
    expect(nagFindings(new AwsSolutionsChecks(), probe).some((f) => f.includes('AwsSolutions-SNS3'))).toBe(true);
  });
});

describe('catalogue-driven', () => {
  it('the stack source names no catalogue function or state machine: the catalogue alone decides what exists', () => {
    const source = readFileSync(join(repoRoot, 'infra/aws/governance-stack.ts'), 'utf8');
    for (const key of [...Object.keys(functions), ...Object.keys(stateMachines)]) {
      const pascalKey = `${key.charAt(0).toUpperCase()}${key.slice(1)}`;
      expect(source, key).not.toMatch(new RegExp(`\\b(${key}|${pascalKey})\\b`));
    }
  });
});

describe('settings from context', () => {
  // No bundling here: these stacks are never deployed, only their settings matter.
  const noBundling = { 'aws:cdk:bundling-stacks': [] };
  const build = (extra: Record<string, unknown>) =>
    governanceStackFromContext(new App({ context: { ...cdkJson.context, ...settings, ...noBundling, ...extra } }));

  it('a publicBaseUrl context becomes every function\u2019s PUBLIC_BASE_URL', () => {
    const other = build({ publicBaseUrl: 'https://social.cabq.gov/' });
    const otherResources = Template.fromStack(other).toJSON().Resources as Record<string, Json>;
    for (const [key] of functionEntries) {
      const id = other.resolve((other.functions[key].node.defaultChild as CfnElement).logicalId) as string;
      expect(otherResources[id]?.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://social.cabq.gov');
    }
  });

  it('registers <publicBaseUrl>/auth/callback on the client when a publicBaseUrl is set', () => {
    const other = build({ publicBaseUrl: 'https://social.cabq.gov/' });
    const [[, client]] = Object.entries(Template.fromStack(other).toJSON().Resources as Record<string, Json>).filter(
      ([, r]) => r.Type === 'AWS::Cognito::UserPoolClient',
    ) as [[string, Json]];
    expect(client.Properties.CallbackURLs).toEqual(['https://social.cabq.gov/auth/callback']);
    expect(client.Properties.LogoutURLs).toEqual(['https://social.cabq.gov/auth/signed-out']);
  });

  it('derives the sign-in domain prefix from the stack name, lowercase, when authDomainPrefix is not set', () => {
    const other = build({ authDomainPrefix: '', stackName: 'CabqSocial-Media' });
    Template.fromStack(other).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'cabqsocial-media' });
    expect(() => build({ authDomainPrefix: 'cabq-cognito' })).toThrow(/must not contain aws, amazon or cognito/);
    expect(() => build({ authDomainPrefix: '', stackName: 'CabqAwsSocial' })).toThrow(/set -c authDomainPrefix/);
  });

  it('takes the HR bus, the HR event source and the vault prefix from context, everywhere they are used', () => {
    const other = build({ hrBusName: 'cabq-hr-test', hrEventSource: 'cabq.hr.test', vaultSecretPrefix: 'test/social-media/' });
    const otherTemplate = Template.fromStack(other);
    const otherResources = otherTemplate.toJSON().Resources as Record<string, Json>;
    otherTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'cabq-hr-test' });
    for (const [, rule] of Object.entries(otherResources).filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
      expect(rule.Properties.EventPattern.source).toEqual(['cabq.hr.test']);
    }
    otherTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test/social-media-credentials' });
    for (const [key, spec] of functionEntries) {
      const id = other.resolve((other.functions[key].node.defaultChild as CfnElement).logicalId) as string;
      const env = otherResources[id]?.Properties.Environment.Variables as Json;
      if (spec.hrEvents?.length) expect(env.HR_EVENT_SOURCE).toBe('cabq.hr.test');
      if (spec.access.vault?.length) expect(env.VAULT_SECRET_PREFIX).toBe('test/social-media/');
    }
    expect(JSON.stringify(otherResources)).toContain(':secret:test/social-media/*');
    expect(JSON.stringify(otherResources)).not.toContain(':secret:social-media/*');
  });

  it('takes the records retention and the vault lock grace period from context (as -c passes them, strings)', () => {
    const other = build({ recordsRetentionDays: '2555', recordsVaultLockGraceDays: '3' });
    const otherResources = Object.values(Template.fromStack(other).toJSON().Resources as Record<string, Json>);
    const vault = otherResources.find((r) => r.Type === 'AWS::Backup::BackupVault') as Json;
    expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 2555, ChangeableForDays: 3 });
    const plan = otherResources.find((r) => r.Type === 'AWS::Backup::BackupPlan') as Json;
    expect(plan.Properties.BackupPlan.BackupPlanRule[0].Lifecycle).toEqual({ DeleteAfterDays: 2555 });
  });

  it('rejects a retention outside 1-36500 whole days and a lock grace period under AWS Backup\u2019s 3 days', () => {
    for (const bad of ['0', '36501', '10.5', 'ten', -1]) expect(() => build({ recordsRetentionDays: bad })).toThrow(/recordsRetentionDays/);
    for (const bad of ['2', '0', 'a week']) expect(() => build({ recordsVaultLockGraceDays: bad })).toThrow(/recordsVaultLockGraceDays/);
  });

  it('rejects a vault prefix with a wildcard, an "aws." HR source and the default bus', () => {
    expect(() => build({ vaultSecretPrefix: 'social-*' })).toThrow(/vaultSecretPrefix/);
    expect(() => build({ hrEventSource: 'aws.hr' })).toThrow(/hrEventSource/);
    expect(() => build({ hrBusName: 'default' })).toThrow(/hrBusName/);
  });

  it('rejects a From address outside the SES identity domain, and a missing DTI mailbox', () => {
    expect(() => build({ mailFrom: 'someone@example.org' })).toThrow(/mailDomain/);
    expect(() => build({ dtiEmail: '' })).toThrow(/dtiEmail/);
  });
});
