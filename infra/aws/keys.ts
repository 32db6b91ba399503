import { ArnFormat, DefaultStackSynthesizer, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  Grant,
  type IGrantable,
  type IPrincipal,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key, type KeyGrants, type KeyProps, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { FunctionAccess } from '../../functions/catalogue.ts';

type Conditions = Record<string, Record<string, unknown>>;

/**
 * The key administrators' actions of AWS KMS's default key policy ("Allows key administrators to
 * administer the KMS key", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
 * manage the key (describe, enable and disable, rotate, tag, change its policy, schedule its
 * deletion), never use it (no Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, GenerateMac).
 * kms:Create* includes kms:CreateGrant and kms:Describe* kms:DescribeKey: what the deployment needs
 * to create a DynamoDB table (DynamoDB creates its grants on the creator's behalf) or a backup vault
 * with the key, which the account delegates to IAM like every other administrative action.
 */
export const KEY_ADMINISTRATOR_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/**
 * Denies every kms:CreateGrant that is not an AWS service's on behalf of a resource of its own
 * (AWS Control Tower CT.KMS.PR.3). The administrators' kms:Create* includes CreateGrant, and a
 * grant could otherwise give a principal the use of the key beside the users its policy names.
 * DynamoDB (the table), AWS Backup and the other services that keep data with a key create their
 * grants as AWS resources (kms:GrantIsForAWSResource true), so they are not refused.
 */
export function onlyAwsServicesCreateGrants(): PolicyStatement {
  return new PolicyStatement({
    sid: 'OnlyAwsServicesCreateGrants',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

// The grant sets of aws-cdk-lib's Key (aws-kms/lib/private/perms), so a grant* call means what it means on any Key.
const ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
const DECRYPT_ACTIONS = ['kms:Decrypt'];

export interface UsersOnlyKeyProps extends Omit<KeyProps, 'policy' | 'admins' | 'trustAccountIdentities'> {
  /**
   * The AWS service (its endpoint prefix, e.g. `dynamodb`) through which every use of the key is
   * granted: each use statement gets kms:ViaService `<service>.<region>.amazonaws.com` and
   * kms:CallerAccount.
   */
  viaService?: string;
}

/**
 * A customer-managed key whose policy separates administration from use. The account root (and so
 * IAM policies) may only administer it (KEY_ADMINISTRATOR_ACTIONS). Use is granted in the key policy
 * itself, to exactly the principals that use it, so no IAM policy (an administrator's `kms:*` on
 * `*` included) can decrypt with it; AWS KMS needs no IAM policy besides for a principal the key
 * policy names (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
 *
 * - The `grant*` methods, which on a Key that trusts the account only write the grantee's IAM
 *   policy, write the same statement (with the key's `viaService` conditions) into the grantee's
 *   IAM policy and into the key policy: a table or a topic granting its key keeps working.
 * - `grantUse` does the same with conditions of the caller's; `allowUse` writes the key policy only
 *   (beside an identity statement the caller writes, or for a principal without one).
 * - A statement for a service principal without conditions (one a construct of aws-cdk-lib adds)
 *   is limited to this account's resources (aws:SourceAccount), against the confused deputy
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 *
 * Grants name principals of this stack by ARN, so the key depends on the roles it names; the roles
 * (AWS::IAM::Role) depend on nothing of the key, their policies (AWS::IAM::Policy) on the key's ARN.
 */
export class UsersOnlyKey extends Key {
  readonly viaService?: string;

  constructor(scope: Construct, id: string, props: UsersOnlyKeyProps = {}) {
    const { viaService, ...keyProps } = props;
    super(scope, id, {
      ...keyProps,
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'KeyAdministrationOnly',
            principals: [new AccountRootPrincipal()],
            actions: KEY_ADMINISTRATOR_ACTIONS,
            resources: ['*'],
          }),
          onlyAwsServicesCreateGrants(),
        ],
      }),
    });
    this.viaService = viaService;
  }

  override grant(grantee: IGrantable, ...actions: string[]): Grant {
    return this.grantUse(grantee, actions);
  }
  override grantDecrypt(grantee: IGrantable): Grant {
    return this.grant(grantee, ...DECRYPT_ACTIONS);
  }
  override grantEncrypt(grantee: IGrantable): Grant {
    return this.grant(grantee, ...ENCRYPT_ACTIONS);
  }
  override grantEncryptDecrypt(grantee: IGrantable): Grant {
    return this.grant(grantee, ...DECRYPT_ACTIONS, ...ENCRYPT_ACTIONS);
  }
  override grantGenerateMac(grantee: IGrantable): Grant {
    return this.grant(grantee, 'kms:GenerateMac');
  }
  override grantVerifyMac(grantee: IGrantable): Grant {
    return this.grant(grantee, 'kms:VerifyMac');
  }
  override grantSign(grantee: IGrantable): Grant {
    return this.grant(grantee, 'kms:Sign');
  }
  override grantVerify(grantee: IGrantable): Grant {
    return this.grant(grantee, 'kms:Verify');
  }
  override grantSignVerify(grantee: IGrantable): Grant {
    return this.grant(grantee, 'kms:Sign', 'kms:Verify');
  }
  override grantAdmin(grantee: IGrantable): Grant {
    return this.grant(grantee, ...KEY_ADMINISTRATOR_ACTIONS);
  }
  /** KeyGrants would write the grantee's IAM policy only, which this key's policy does not honour. */
  override get grants(): KeyGrants {
    throw new Error(`${this.node.path} grants use only through its grant* methods (the key policy names every user).`);
  }

  /** `actions` for `grantee`, with `conditions` (and the key's viaService), in its IAM policy and in the key policy. */
  grantUse(grantee: IGrantable, actions: string[], conditions?: Conditions): Grant {
    return Grant.addToPrincipalAndResource({
      grantee,
      actions,
      resourceArns: [this.keyArn],
      resource: this,
      resourceSelfArns: ['*'],
      conditions: this.useConditions(conditions),
    });
  }

  /** `actions` for `principals` in the key policy only, with `conditions` (and the key's viaService). */
  allowUse(principals: IPrincipal | IPrincipal[], actions: string[], conditions?: Conditions, sid?: string): void {
    this.addToResourcePolicy(
      new PolicyStatement({
        sid,
        principals: Array.isArray(principals) ? principals : [principals],
        actions,
        resources: ['*'],
        conditions: this.useConditions(conditions),
      }),
    );
  }

  override addToResourcePolicy(statement: PolicyStatement, allowNoOp?: boolean) {
    const forService = statement.principals.some((p) => p instanceof ServicePrincipal);
    if (forService && Object.keys(statement.conditions).length === 0) {
      statement.addCondition('StringEquals', { 'aws:SourceAccount': Stack.of(this).account });
    }
    return super.addToResourcePolicy(statement, allowNoOp);
  }

  private useConditions(conditions: Conditions = {}): Conditions | undefined {
    const stack = Stack.of(this);
    const via: Conditions = this.viaService
      ? { StringEquals: { 'kms:ViaService': `${this.viaService}.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account } }
      : {};
    const merged: Conditions = { ...conditions };
    for (const [operator, values] of Object.entries(via)) merged[operator] = { ...values, ...merged[operator] };
    return Object.keys(merged).length ? merged : undefined;
  }
}

/**
 * The role CloudFormation deploys this stack with: the CDK bootstrap's CloudFormation execution role
 * (`cdk bootstrap`; only cloudformation.amazonaws.com may assume it). Key policies name it where
 * creating a resource uses the key on the creator's behalf beyond DescribeKey and CreateGrant.
 */
export function deploymentRole(scope: Construct): IPrincipal {
  const synthesizer = Stack.of(scope).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(
      'The key policies name the CDK bootstrap CloudFormation execution role as the deployer (DefaultStackSynthesizer); with another synthesizer, name its deployment role in infra/aws/keys.ts.',
    );
  }
  // The ARN keeps ${AWS::AccountId} and ${AWS::Partition} placeholders in an environment-agnostic stack: Fn::Sub fills them in.
  return new ArnPrincipal(Fn.sub(synthesizer.cloudFormationExecutionRoleArn));
}

/** A condition value: one string, or the list of those that match. */
function oneOrList(values: readonly string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : [...values];
}

/**
 * The customer-managed keys of the governance data, so the City controls (and CloudTrail records)
 * who can read it: the table's key, the two keys behind approval links, and the state machines'
 * key, and the log groups' key. (The alarm topic, the records backups and the credentials vault have keys of their own,
 * beside what they encrypt.) Each is a UsersOnlyKey: administered by the account, used only by the
 * roles granted here and by the constructs that encrypt with it.
 */
export class GovernanceKeys extends Construct {
  /** Encrypts the DynamoDB table; its users (the table's grants) use it only through DynamoDB. */
  readonly table: UsersOnlyKey;
  /** Seals Step Functions task tokens before they are stored (adapters/link-keys.ts). */
  readonly taskToken: UsersOnlyKey;
  /** Derives approval-link secrets (HMAC of the approval id). */
  readonly linkMac: UsersOnlyKey;
  /** Encrypts the state machines' definitions and execution data (inputs, outputs, task results). */
  readonly executions: UsersOnlyKey;
  /** Encrypts the retained log groups: every function's, every state machine's and the API's access logs. */
  readonly logs: UsersOnlyKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new UsersOnlyKey(this, 'TableKey', {
      description: 'Social media governance: DynamoDB table encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      viaService: 'dynamodb',
    });
    // CloudFormation creates and updates the table, which DynamoDB does with the creator's use of the key.
    this.table.allowUse(deploymentRole(this), ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], undefined, 'DeploymentCreatesTheTable');
    this.taskToken = new UsersOnlyKey(this, 'TaskTokenKey', {
      description: 'Social media governance: seals Step Functions task tokens at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The MAC lets a reminder resend the same link while only the secret's hash is stored. KMS does
    // not rotate HMAC keys, and rotating it would change every outstanding link's secret anyway.
    this.linkMac = new UsersOnlyKey(this, 'LinkMacKey', {
      description: 'Social media governance: derives approval link secrets (HMAC)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.executions = new UsersOnlyKey(this, 'ExecutionKey', {
      description: 'Social media governance: encrypts the Step Functions state machines and their execution data',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logs = new UsersOnlyKey(this, 'LogsKey', {
      description: 'Social media governance: encrypts the CloudWatch Logs log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts and decrypts the events of this account's log groups with it, for
    // whoever may read them ("Encrypt log data in CloudWatch Logs using AWS KMS",
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html); nobody
    // else uses it, so a reader needs logs:GetLogEvents and no key permission.
    const stack = Stack.of(this);
    this.logs.allowUse(
      new ServicePrincipal(`logs.${stack.region}.amazonaws.com`),
      ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
      'CloudWatchLogsEncryptsThisAccountsLogGroups',
    );
  }

  /**
   * What a function that issues links (seal tokens, derive secrets) or redeems them (open tokens)
   * may do with the keys, in its role's policy and in the keys' policies; returns the environment it
   * finds them by.
   */
  grantLinkKeys(grantee: IGrantable, linkKeys: NonNullable<FunctionAccess['linkKeys']>): Record<string, string> {
    const environment: Record<string, string> = { TOKEN_KMS_KEY_ID: this.taskToken.keyArn };
    // Every seal/open binds the token to its approval id through the encryption context.
    const withApprovalContext = { Null: { 'kms:EncryptionContext:approvalId': 'false' } };
    if (linkKeys === 'issue' || linkKeys === 'derive') {
      environment.LINK_MAC_KEY_ID = this.linkMac.keyArn;
      if (linkKeys === 'issue') this.taskToken.grantUse(grantee, ['kms:Encrypt'], withApprovalContext);
      this.linkMac.grantUse(grantee, ['kms:GenerateMac'], { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } });
    } else {
      this.taskToken.grantUse(grantee, ['kms:Decrypt'], withApprovalContext);
    }
    return environment;
  }

  /**
   * What a caller of StartExecution or SendTaskSuccess on these state machines needs with their key
   * ("Data at rest encryption in Step Functions",
   * https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html): Step Functions
   * encrypts the execution input and the task output with the caller's permissions, GenerateDataKey
   * and Decrypt, bound to the state machine by the encryption context aws:states:stateMachineArn.
   */
  grantExecutionData(grantee: IGrantable, stateMachineArns: readonly string[]): void {
    if (!stateMachineArns.length) return;
    this.executions.grantUse(grantee, ['kms:Decrypt', 'kms:GenerateDataKey'], {
      StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': oneOrList([...new Set(stateMachineArns)]) },
    });
  }
}
