import { describe, expect, it } from 'vitest';
import type { FunctionKey, StateMachineKey } from '../../functions/catalogue.ts';
import {
  asArray,
  functionEntries,
  type Json,
  logicalId,
  ofType,
  resources,
  roleId,
  stack,
  stateMachineEntries,
  synthesizeGovernanceStack,
} from './governance-template.ts';

// Every key's policy, principal by principal, stated literally: a grant to one role more (or an
// account-wide use) fails here. Principals are named: a function's role by its catalogue key, a
// state machine's role as `machine:<key>`, CloudFormation's execution role as `deployment`, AWS
// Backup's role as `backup`, the account as `account`, a service by its principal.
synthesizeGovernanceStack();

const ADMINISTRATION = [
  'kms:CancelKeyDeletion',
  'kms:Create*',
  'kms:Delete*',
  'kms:Describe*',
  'kms:Disable*',
  'kms:Enable*',
  'kms:Get*',
  'kms:List*',
  'kms:Put*',
  'kms:Revoke*',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:Update*',
];

function principalName(principal: unknown): string {
  const json = JSON.stringify(principal);
  if (json.includes(':root')) return 'account';
  if (json.includes('cfn-exec-role')) return 'deployment';
  const id = (principal as Json)['Fn::GetAtt']?.[0] as string | undefined;
  const fn = functionEntries.find(([key]) => roleId(key) === id);
  if (fn) return fn[0];
  const machine = stateMachineEntries.find(([key]) => logicalId(stack.stateMachines[key].role) === id);
  if (machine) return `machine:${machine[0]}`;
  if (id?.startsWith('RecordsBackupRole')) return 'backup';
  return json;
}

interface Use {
  sid?: string;
  /** Only on a Deny (an Allow is the default). */
  effect?: 'Deny';
  principals: string[];
  actions: string[];
  conditions: string[];
}
function policyOf(id: string): Use[] {
  const statements = asArray<Json>(resources[id]?.Properties.KeyPolicy.Statement);
  return statements.map((s) => ({
    ...(s.Sid ? { sid: s.Sid as string } : {}),
    ...(s.Effect === 'Deny' ? { effect: 'Deny' as const } : {}),
    principals: (s.Principal.Service ? asArray<string>(s.Principal.Service) : asArray(s.Principal.AWS).map(principalName)).sort(),
    actions: asArray<string>(s.Action).sort(),
    conditions: Object.entries((s.Condition ?? {}) as Json)
      .flatMap(([operator, values]) => Object.keys(values as Json).map((k) => `${operator}:${k}`))
      .sort(),
  }));
}
const keyId = (path: string) => {
  const found = ofType('AWS::KMS::Key').filter(([id]) => id.startsWith(path));
  expect(found, path).toHaveLength(1);
  return (found[0] as [string, Json])[0];
};
const administration = { sid: 'KeyAdministrationOnly', principals: ['account'], actions: ADMINISTRATION, conditions: [] };
/** Control Tower CT.KMS.PR.3: no grant but an AWS service's, for anyone (the administrators' kms:Create* included). */
const onlyAwsServiceGrants = {
  sid: 'OnlyAwsServicesCreateGrants',
  effect: 'Deny',
  principals: ['"*"'],
  actions: ['kms:CreateGrant'],
  conditions: ['BoolIfExists:aws:PrincipalIsAWSService', 'BoolIfExists:kms:GrantIsForAWSResource'],
};
const viaDynamo = ['StringEquals:kms:CallerAccount', 'StringEquals:kms:ViaService'];
const tableUse = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const tableWriters: FunctionKey[] = [
  'answerReview',
  'completeOffboardingTask',
  'decideApproval',
  'lapseException',
  'manageCredential',
  'manageDirectory',
  'managePlatforms',
  'offboardAccount',
  'openOffboarding',
  'openReview',
  'planOffboarding',
  'prepareDepartmentReview',
  'proposePlatform',
  'receiveHrEvent',
  'reconcileStarts',
  'recordMailBounce',
  'recordModeration',
  'recordOutcome',
  'recordPostEdit',
  'reportOffboarding',
  'reportReview',
  'requestApproval',
  'requestDepartmentPolicy',
  'requestException',
  'requestPostRemoval',
  'requestPostingAuthority',
  'requestRetirement',
  'requestWebsiteDisplay',
  'submitRequest',
  'trackOffboardingTasks',
  'trackReview',
];
const tableReaders: FunctionKey[] = [
  'checkSignIn',
  'exportRecords',
  'findPeople',
  'showMyWork',
  'showOffboarding',
  'showRegistry',
  'showRequest',
  'showReview',
  'startReview',
];

describe('key policies: administration by the account, use by exactly the roles that use each key', () => {
  it('no key but the records backups key trusts IAM policies for its use (no kms:* for the account)', () => {
    const trusting = ofType('AWS::KMS::Key')
      .filter(([, k]) => asArray<Json>(k.Properties.KeyPolicy.Statement).some((s) => asArray(s.Action).includes('kms:*')))
      .map(([id]) => id);
    expect(trusting).toEqual([keyId('RecordsBackupKey')]);
  });

  it('the table key: the table readers decrypt, the writers encrypt too, CloudFormation and AWS Backup as DynamoDB does for them, all only through DynamoDB of this account', () => {
    expect(policyOf(keyId('KeysTableKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      { sid: 'DeploymentCreatesTheTable', principals: ['deployment'], actions: tableUse, conditions: viaDynamo },
      { principals: [...tableWriters].sort(), actions: tableUse, conditions: viaDynamo },
      { principals: [...tableReaders].sort(), actions: ['kms:Decrypt'], conditions: viaDynamo },
      { sid: 'AwsBackupBacksUpTheTable', principals: ['backup'], actions: tableUse, conditions: viaDynamo },
    ]);
  });

  it('the task token key: issuers encrypt, redeemers decrypt, each bound to an approval id', () => {
    const bound = ['Null:kms:EncryptionContext:approvalId'];
    expect(policyOf(keyId('KeysTaskTokenKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      { principals: ['answerReview', 'completeOffboardingTask', 'decideApproval', 'manageCredential'], actions: ['kms:Decrypt'], conditions: bound },
      { principals: ['offboardAccount', 'requestApproval', 'trackOffboardingTasks', 'trackReview'], actions: ['kms:Encrypt'], conditions: bound },
    ]);
  });

  it('the link MAC key: only the functions that issue or rebuild links, HMAC-SHA-256 only', () => {
    expect(policyOf(keyId('KeysLinkMacKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      {
        principals: [
          'manageDirectory',
          'offboardAccount',
          'planOffboarding',
          'receiveHrEvent',
          'reconcileStarts',
          'recordMailBounce',
          'requestApproval',
          'showMyWork',
          'trackOffboardingTasks',
          'trackReview',
        ],
        actions: ['kms:GenerateMac'],
        conditions: ['StringEquals:kms:MacAlgorithm'],
      },
    ]);
  });

  it('the credentials key: only the vault functions, only through Secrets Manager, only for social-media/ secrets', () => {
    const vault = ['StringEquals:kms:CallerAccount', 'StringEquals:kms:ViaService', 'StringLike:kms:EncryptionContext:SecretARN'];
    expect(policyOf(keyId('CredentialsVaultCredentialsKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      { principals: ['manageCredential', 'offboardAccount'], actions: ['kms:Decrypt', 'kms:GenerateDataKey'], conditions: vault },
      { principals: ['completeOffboardingTask'], actions: ['kms:Decrypt'], conditions: vault },
    ]);
  });

  it('the alarm topic key: CloudWatch of this account only', () => {
    expect(policyOf(keyId('MonitoringAlarmTopicKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      {
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: ['cloudwatch.amazonaws.com'],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        conditions: ['StringEquals:aws:SourceAccount'],
      },
    ]);
  });

  it('the mail events topic key: SES, for this account and configuration set only', () => {
    expect(policyOf(keyId('MailEventsTopicKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      {
        sid: 'AllowSesToPublishThisConfigurationSetsEvents',
        principals: ['ses.amazonaws.com'],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        conditions: ['StringEquals:aws:SourceAccount', 'StringEquals:aws:SourceArn'],
      },
    ]);
  });

  // Who starts or resumes each machine, besides the machine's own role and CloudFormation (which creates and reads it).
  const callers: Record<StateMachineKey, FunctionKey[]> = {
    newAccountApproval: ['submitRequest'],
    postingAuthorityApproval: ['requestPostingAuthority'],
    postRemovalApproval: ['requestPostRemoval'],
    departmentPolicyApproval: ['requestDepartmentPolicy'],
    exceptionApproval: ['lapseException', 'requestException'],
    websiteDisplayApproval: ['requestWebsiteDisplay'],
    platformProposalApproval: ['proposePlatform'],
    accountRetirementApproval: ['requestRetirement'],
    credentialCapture: ['manageCredential', 'recordOutcome'],
    separationOffboarding: ['completeOffboardingTask', 'openOffboarding', 'receiveHrEvent'],
    annualReview: ['answerReview', 'startReview', 'trackReview'],
    approvalChain: [],
  };

  it('the executions key: per state machine, its own role, CloudFormation and the functions that start or resume it, in its encryption context', () => {
    const policy = policyOf(keyId('KeysExecutionKey'));
    expect(policy.slice(0, 2)).toEqual([administration, onlyAwsServiceGrants]);
    const context = ['StringEquals:kms:EncryptionContext:aws:states:stateMachineArn'];
    const data = ['kms:Decrypt', 'kms:GenerateDataKey'];
    for (const [machine, functions] of Object.entries(callers)) {
      expect(policy, machine).toContainEqual({ principals: [...functions, 'deployment', `machine:${machine}`].sort(), actions: data, conditions: context });
    }
    // The approval chain's callers resume any approval machine's step, and the offboarding tracker two machines': one statement each, across their machines.
    expect(policy).toContainEqual({ principals: ['decideApproval', 'reconcileStarts', 'requestApproval'], actions: data, conditions: context });
    expect(policy).toContainEqual({ principals: ['trackOffboardingTasks'], actions: data, conditions: context });
    // The machines' logs: CloudWatch Logs of this account decrypts, the machine roles encrypt for the logs only.
    expect(policy).toContainEqual({ principals: ['delivery.logs.amazonaws.com'], actions: ['kms:Decrypt*'], conditions: ['StringEquals:aws:SourceAccount'] });
    expect(policy).toContainEqual({
      principals: Object.keys(callers)
        .map((m) => `machine:${m}`)
        .sort(),
      actions: ['kms:GenerateDataKey'],
      conditions: ['StringEquals:kms:EncryptionContext:SourceArn'],
    });
    expect(policy).toHaveLength(2 + Object.keys(callers).length + 4);
  });

  it("the logs key: CloudWatch Logs, for this account's log groups only, and nobody else", () => {
    expect(policyOf(keyId('KeysLogsKey'))).toEqual([
      administration,
      onlyAwsServiceGrants,
      {
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: ['logs.us-west-2.amazonaws.com'],
        actions: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        conditions: ['ArnLike:kms:EncryptionContext:aws:logs:arn'],
      },
    ]);
  });

  it('every log group of the stack (45 functions, 12 state machines, the API access logs) is encrypted with the logs key', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(45 + 12 + 1);
    for (const [id, group] of groups) expect(group.Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [keyId('KeysLogsKey'), 'Arn'] });
  });

  it("the records backups key refuses any grant but an AWS service's too", () => {
    expect(policyOf(keyId('RecordsBackupKey'))).toContainEqual(onlyAwsServiceGrants);
  });

  it.each(stateMachineEntries)('%s: encrypts its definition and execution data with the executions key', (key) => {
    const machine = resources[logicalId(stack.stateMachines[key])]?.Properties as Json;
    expect(machine.EncryptionConfiguration).toEqual({
      Type: 'CUSTOMER_MANAGED_KMS_KEY',
      KmsKeyId: { 'Fn::GetAtt': [keyId('KeysExecutionKey'), 'Arn'] },
      KmsDataKeyReusePeriodSeconds: 300,
    });
  });
});
