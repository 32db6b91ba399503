import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, ArnFormat, type CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Architecture, EventSourceMapping, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { alarmOnDeadLetters, CatalogueSchedules } from './schedules.ts';
import {
  type FunctionKey,
  type FunctionSpec,
  functionArnPlaceholder,
  functions,
  type StateMachineKey,
  type StateMachineSpec,
  stateMachineArnEnv,
  stateMachines,
  schedules,
  table,
} from '../../functions/catalogue.ts';

/**
 * The AWS host of the governance workflows. Everything here is derived from functions/catalogue.ts:
 * one Lambda function (with its own least-privilege role) per catalogue function, one Step
 * Functions state machine per catalogue state machine, one HTTP API route per catalogue route. No
 * function or state machine is named in this file, so adding one to the catalogue adds it here.
 */

/** Repository root: the catalogue's entry and definition paths are relative to it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVICE_NAME = 'social-media-governance';
const DEFAULT_TIMEOUT_SECONDS = 10;
/** Lambda's memory when the catalogue names none (the SDK-heavy bundles start faster with more CPU). */
const DEFAULT_MEMORY_MB = 512;
/** An HTTP API waits at most 30 s for an integration (TimeoutInMillis 50-30000, default 30000), unlike Lambda's 900 s. */
export const HTTP_API_MAX_INTEGRATION_SECONDS = 30;

/**
 * Public records (H) are write-once. Their partition keys start with this prefix
 * (functions/adapters/records-store.ts: `RECORD#<recordId>`; the infra test checks the two agree).
 *
 * How IAM sees each DynamoDB write, and so what the Deny statements below must name:
 * - PutItem, UpdateItem, DeleteItem: authorized as themselves, with `dynamodb:LeadingKeys` = the
 *   item's partition key.
 * - TransactWriteItems has no IAM action of its own: each Put, Update and Delete inside it is
 *   authorized as dynamodb:PutItem / UpdateItem / DeleteItem on its own item (a ConditionCheck as
 *   dynamodb:ConditionCheckItem), with `dynamodb:EnclosingOperation` = TransactWriteItems (DynamoDB
 *   Developer Guide, "Using IAM with DynamoDB transactions"). So a Deny of UpdateItem/DeleteItem on
 *   RECORD# keys also refuses an Update or Delete of a record inside a transaction, while a
 *   transaction of Puts (a request and its preserved post, RecordsStore.putRequestWithRecord) stays
 *   allowed to the functions that may record.
 * - BatchWriteItem is one action, dynamodb:BatchWriteItem, for the whole batch, and its
 *   `dynamodb:LeadingKeys` is multivalued (every item's partition key), hence `ForAnyValue:`: a batch
 *   with a single RECORD# key is refused. It carries unconditional puts (overwrites) and deletes, so
 *   it is denied on records to everyone, record writers included.
 * - PartiQL writes (dynamodb:PartiQLInsert/Update/Delete) are granted to no role.
 * IAM cannot require a ConditionExpression, so "a record writer's PutItem never overwrites" is held
 * by the code (`attribute_not_exists(PK)`); the daily backups in the locked vault keep every
 * version that existed at a backup, and PITR every change within 35 days.
 */
export const RECORD_KEY_PREFIX = 'RECORD#';
/** Denied on RECORD# keys to every table writer that does not record. */
export const RECORD_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** Denied on RECORD# keys to the functions that record: they may only put (conditionally) a new one. */
export const RECORD_CHANGE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'];

export interface GovernanceSettings {
  /** SES domain identity the mail is sent from. */
  mailDomain: string;
  /** From address; must be in mailDomain. */
  mailFrom: string;
  /** DTI's mailbox (registry notices, failure notices). */
  dtiEmail: string;
  /** Base URL of the links in emails when the API sits behind a custom domain; default: the API endpoint. */
  publicBaseUrl?: string;
  /** Operators' mailbox for alarm notifications; no subscription when unset. */
  alarmEmail?: string;
  /** Further Cognito callback URLs, beside `<publicBaseUrl>/auth/callback` (always registered). */
  authCallbackUrls?: string[];
  /** Cognito domain prefix for the managed sign-in pages (globally unique); default: from the stack name. */
  authDomainPrefix?: string;
  /** Name prefix of the accounts' credential secrets in Secrets Manager (VAULT_SECRET_PREFIX); default `social-media/`. */
  vaultSecretPrefix: string;
  /** Name of the EventBridge bus the HR system puts its events on; default `cabq-hr`. */
  hrBusName: string;
  /** The `source` of the HR system's events (HR_EVENT_SOURCE); default `cabq.hr`. */
  hrEventSource: string;
  /**
   * Days every daily backup of the table is kept, and the vault lock's minimum retention (I);
   * default 3650 (ten years). `-c recordsRetentionDays=1` for a throwaway test deployment.
   */
  recordsRetentionDays: number;
  /**
   * Days after deployment during which the backup vault lock can still be changed or removed; after
   * them it is immutable (compliance mode) and nobody, the account root included, can shorten the
   * retention or delete a backup early. Default 7; AWS Backup's minimum is 3.
   */
  recordsVaultLockGraceDays: number;
}

export interface GovernanceStackProps extends StackProps {
  settings: GovernanceSettings;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads and checks the deployment settings from CDK context (cdk.json or `-c key=value`). */
export function settingsFromContext(scope: Construct): GovernanceSettings {
  const ctx = (key: string): string | undefined => {
    const value = scope.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const mailDomain = ctx('mailDomain') ?? 'cabq.gov';
  const mailFrom = ctx('mailFrom') ?? `${SERVICE_NAME}@${mailDomain}`;
  const dtiEmail = ctx('dtiEmail');
  const publicBaseUrl = ctx('publicBaseUrl')?.replace(/\/+$/, '');
  const alarmEmail = ctx('alarmEmail');
  const authCallbackUrls = ctx('authCallbackUrls')
    ?.split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const authDomainPrefix = ctx('authDomainPrefix');
  const vaultSecretPrefix = ctx('vaultSecretPrefix') ?? 'social-media/';
  const hrBusName = ctx('hrBusName') ?? 'cabq-hr';
  const hrEventSource = ctx('hrEventSource') ?? 'cabq.hr';
  // Numbers come from cdk.json as numbers and from `-c key=value` as strings.
  const days = (key: string, fallback: number): number => {
    const value = scope.node.tryGetContext(key) as unknown;
    if (value === undefined || value === '') return fallback;
    return typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
  };
  const recordsRetentionDays = days('recordsRetentionDays', 3650);
  const recordsVaultLockGraceDays = days('recordsVaultLockGraceDays', 7);

  const problems: string[] = [];
  if (!EMAIL.test(mailFrom)) problems.push(`mailFrom "${mailFrom}" is not an email address`);
  else if (mailFrom.split('@')[1]?.toLowerCase() !== mailDomain.toLowerCase()) {
    problems.push(`mailFrom "${mailFrom}" must be in the SES identity domain mailDomain "${mailDomain}"`);
  }
  if (!dtiEmail) problems.push('dtiEmail is not set (DTI\u2019s mailbox for registry and failure notices)');
  else if (!EMAIL.test(dtiEmail)) problems.push(`dtiEmail "${dtiEmail}" is not an email address`);
  if (alarmEmail && !EMAIL.test(alarmEmail)) problems.push(`alarmEmail "${alarmEmail}" is not an email address`);
  if (publicBaseUrl && !/^https:\/\/[^\s/]+/.test(publicBaseUrl)) problems.push(`publicBaseUrl "${publicBaseUrl}" must be an https URL`);
  for (const url of authCallbackUrls ?? []) {
    if (!/^https:\/\//.test(url)) problems.push(`authCallbackUrls entry "${url}" must be an https URL`);
  }
  if (authDomainPrefix) problems.push(...authDomainPrefixProblems(authDomainPrefix));
  // The functions' env schema accepts the same characters; a wildcard would widen the IAM scope.
  if (!/^[A-Za-z0-9/_+=.@-]{1,100}$/.test(vaultSecretPrefix)) {
    problems.push(`vaultSecretPrefix "${vaultSecretPrefix}" must be 1-100 of A-Z a-z 0-9 / _ + = . @ -`);
  }
  if (!/^[A-Za-z0-9._/-]{1,256}$/.test(hrBusName) || hrBusName === 'default') {
    problems.push(`hrBusName "${hrBusName}" must be a custom event bus name (A-Z a-z 0-9 . _ - /, not "default")`);
  }
  // EventBridge rejects custom events whose source starts with "aws.".
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(hrEventSource) || hrEventSource.startsWith('aws.')) {
    problems.push(`hrEventSource "${hrEventSource}" must be A-Z a-z 0-9 . _ - and must not start with "aws."`);
  }
  // AWS Backup's limits: a lock's minimum retention is 1 to 36500 days; its grace period at least 72 hours.
  if (!Number.isInteger(recordsRetentionDays) || recordsRetentionDays < 1 || recordsRetentionDays > 36500) {
    problems.push(`recordsRetentionDays "${scope.node.tryGetContext('recordsRetentionDays')}" must be a whole number of days from 1 to 36500`);
  }
  if (!Number.isInteger(recordsVaultLockGraceDays) || recordsVaultLockGraceDays < 3 || recordsVaultLockGraceDays > 36500) {
    problems.push(`recordsVaultLockGraceDays "${scope.node.tryGetContext('recordsVaultLockGraceDays')}" must be a whole number of days, at least 3`);
  }
  if (problems.length) {
    throw new Error(`Invalid CDK context for the governance stack (set it in cdk.json or with -c key=value):\n- ${problems.join('\n- ')}`);
  }
  return {
    mailDomain,
    mailFrom,
    dtiEmail: dtiEmail as string,
    publicBaseUrl,
    alarmEmail,
    authCallbackUrls,
    authDomainPrefix,
    vaultSecretPrefix,
    hrBusName,
    hrEventSource,
    recordsRetentionDays,
    recordsVaultLockGraceDays,
  };
}

/** Cognito's rules for a prefix domain; the words are reserved by AWS. */
function authDomainPrefixProblems(prefix: string): string[] {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) return [`authDomainPrefix "${prefix}" must be lowercase letters, digits and hyphens`];
  if (/aws|amazon|cognito/.test(prefix)) return [`authDomainPrefix "${prefix}" must not contain aws, amazon or cognito`];
  return [];
}

/** The default sign-in domain prefix: the stack name, lowercase (deterministic; set authDomainPrefix if it is taken). */
export function defaultAuthDomainPrefix(stackName: string): string {
  return stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/**
 * The credentials key's alias, from the secret name prefix (`social-media/` →
 * `alias/social-media-credentials`), so two deployments with different prefixes get different aliases.
 */
export function credentialsKeyAlias(vaultSecretPrefix: string): string {
  const stem = vaultSecretPrefix.replace(/\/+$/, '').replace(/[^A-Za-z0-9/_-]/g, '-') || 'vault';
  return `alias/${stem}-credentials`;
}

/**
 * A token-bearing string as cdk-nag names it in a finding (`<Logical.Attr>`, `<AWS::AccountId>`),
 * so an acknowledgement can name exactly the resource it accepts.
 */
function nagResourceName(stack: Stack, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n['Fn::Join'])) {
      const [delimiter, parts] = n['Fn::Join'] as [string, unknown[]];
      return parts.map(visit).join(delimiter);
    }
    if (Array.isArray(n['Fn::GetAtt'])) return `<${(n['Fn::GetAtt'] as string[]).join('.')}>`;
    if (typeof n.Ref === 'string') return `<${n.Ref}>`;
    return JSON.stringify(node);
  };
  return visit(stack.resolve(value));
}

/** A catalogue key in PascalCase (`fooBar` → `FooBar`): construct ids and resource names. */
const pascal = (key: string) => `${key.charAt(0).toUpperCase()}${key.slice(1)}`;

const functionEntries = Object.entries(functions) as [FunctionKey, FunctionSpec][];
const stateMachineEntries = Object.entries(stateMachines) as [StateMachineKey, StateMachineSpec][];

export class GovernanceStack extends Stack {
  readonly table: TableV2;
  readonly functions: Record<FunctionKey, NodejsFunction>;
  readonly functionRoles: Record<FunctionKey, Role>;
  readonly stateMachines: Record<StateMachineKey, StateMachine>;
  readonly api: HttpApi;
  readonly userPool: UserPool;
  /** The HR system's event bus (only when a catalogue function consumes HR events). */
  readonly hrBus?: EventBus;

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { settings } = props;

    if (settings.dtiEmail.endsWith('.example')) {
      Annotations.of(this).addWarningV2(
        'governance:dtiEmailPlaceholder',
        `dtiEmail is the reserved placeholder ${settings.dtiEmail}; deploy with -c dtiEmail=<DTI mailbox>.`,
      );
    }

    // ---------------------------------------------------------------- keys
    // Customer-managed keys so the City controls (and CloudTrail records) who can read the data.
    const tableKey = new Key(this, 'TableKey', {
      description: 'Social media governance: DynamoDB table encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Seals Step Functions task tokens before they are stored (adapters/link-keys.ts).
    const tokenKey = new Key(this, 'TaskTokenKey', {
      description: 'Social media governance: seals Step Functions task tokens at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Derives approval-link secrets (HMAC of the approval id), so a reminder can resend the same
    // link while only the secret's hash is stored. KMS does not rotate HMAC keys, and rotating it
    // would change every outstanding link's secret anyway.
    const linkKey = new Key(this, 'LinkMacKey', {
      description: 'Social media governance: derives approval link secrets (HMAC)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------- vault
    // The accounts' shared credentials: one Secrets Manager secret per account, named
    // <vaultSecretPrefix><account id>, created by the functions (not by this stack) and encrypted
    // with this customer-managed key, so every use of a password is a KMS call in CloudTrail.
    const vaultSecretArns = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${settings.vaultSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const credentialsKey = functionEntries.some(([, spec]) => spec.access.vault?.length)
      ? new Key(this, 'CredentialsKey', {
          description: `Social media governance: encrypts the accounts' shared credentials (Secrets Manager secrets ${settings.vaultSecretPrefix}*)`,
          alias: credentialsKeyAlias(settings.vaultSecretPrefix),
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;

    // --------------------------------------------------------------- table
    this.table = new TableV2(this, 'GovernanceTable', {
      partitionKey: { name: table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: table.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: table.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: index.sortKey ? { name: index.sortKey, type: AttributeType.STRING } : undefined,
        projectionType: ProjectionType[index.projection],
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.customerManagedKey(tableKey),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const tableLogicalId = this.resolve((this.table.node.defaultChild as CfnElement).logicalId) as string;

    // ------------------------------------------------------------------ SES
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Easy DKIM: the City publishes the three CNAME records (outputs DkimRecord1..3) in its DNS.
    const emailIdentity = new EmailIdentity(this, 'MailIdentity', {
      identity: Identity.domain(settings.mailDomain),
      configurationSet,
    });
    emailIdentity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const configurationSetArn = this.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSet.configurationSetName,
    });

    // ------------------------------------------------------------- HTTP API
    // The stage is declared explicitly (not createDefaultStage) so it can carry throttling and
    // access logs; `$default` keeps the URLs stage-less.
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'City of Albuquerque social media governance',
      createDefaultStage: false,
    });
    const publicBaseUrl = settings.publicBaseUrl ?? this.api.apiEndpoint;

    // -------------------------------------------------------------- Cognito
    // City employees sign in here, in the browser, through the managed login pages (the sign-in
    // function runs the authorization code flow with PKCE). The City can federate this pool with its
    // own identity provider (Entra ID / ADFS) by adding a UserPoolIdentityProviderOidc or
    // UserPoolIdentityProviderSaml and listing it in the client's supportedIdentityProviders; MFA is
    // then the IdP's.
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // MFA required, authenticator app (TOTP) only: no SMS (cost, SIM-swap risk, no SNS role).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus plan: threat protection (compromised-credential and risky sign-in detection) enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const userPoolClient = new UserPoolClient(this, 'UserPoolClient', {
      userPool: this.userPool,
      generateSecret: false,
      // No direct (SDK) sign-in flows: the managed login's authorization code flow only.
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${publicBaseUrl}/auth/callback`, ...(settings.authCallbackUrls ?? [])],
        logoutUrls: [`${publicBaseUrl}/auth/signed-out`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // The session cookie holds the ID token and never outlives it: one hour.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // Managed sign-in pages (the OAuth 2.0 endpoints) on a Cognito prefix domain.
    const domainPrefix = settings.authDomainPrefix ?? defaultAuthDomainPrefix(this.stackName);
    const prefixProblems = authDomainPrefixProblems(domainPrefix);
    if (prefixProblems.length) throw new Error(`${prefixProblems.join('; ')} (derived from the stack name: set -c authDomainPrefix=<prefix>).`);
    const signInDomain = this.userPool.addDomain('SignInDomain', { cognitoDomain: { domainPrefix } });
    const authDomainUrl = signInDomain.baseUrl();
    new CfnOutput(this, 'SignInBaseUrl', { value: authDomainUrl, description: 'Cognito managed sign-in (OAuth 2.0 endpoints)' });

    // ------------------------------------------------------- state machine names
    // Deterministic names, so the starters' env vars and IAM policies can name a state machine's
    // ARN without referencing the state machine (which references the functions): no cycle.
    const stateMachineNames = {} as Record<StateMachineKey, string>;
    const stateMachineArns = {} as Record<StateMachineKey, string>;
    for (const [key] of stateMachineEntries) {
      const name = `${this.stackName}-${pascal(key)}`;
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`State machine name "${name}" is not a valid name (1-80 of A-Za-z0-9_-).`);
      stateMachineNames[key] = name;
      stateMachineArns[key] = this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    }

    // ------------------------------------------------------------ functions
    const xrayReason =
      'X-Ray (active tracing) actions xray:PutTraceSegments / xray:PutTelemetryRecords do not support resource-level permissions; CDK adds them on Resource "*" for Tracing.ACTIVE.';
    this.functions = {} as Record<FunctionKey, NodejsFunction>;
    const scheduledKeys = new Set<FunctionKey>(Object.values(schedules).map((schedule) => schedule.target));
    this.functionRoles = {} as Record<FunctionKey, Role>;
    for (const [key, spec] of functionEntries) {
      const id = pascal(key);
      const { access } = spec;

      // Explicit log group and role: retention is set (audit: one year), and the role can write to
      // this log group only (no AWSLambdaBasicExecutionRole managed policy).
      const logGroup = new LogGroup(this, `${id}Logs`, {
        retention: RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const role = new Role(this, `${id}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Social media governance: ${key}`,
      });
      logGroup.grantWrite(role);

      const environment: Record<string, string> = {
        TABLE_NAME: this.table.tableName,
        PUBLIC_BASE_URL: publicBaseUrl,
        MAIL_FROM: settings.mailFrom,
        DTI_EMAIL: settings.dtiEmail,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        NODE_OPTIONS: '--enable-source-maps',
      };

      if (access.userPool) {
        environment.USER_POOL_ID = this.userPool.userPoolId;
        environment.USER_POOL_CLIENT_ID = userPoolClient.userPoolClientId;
        environment.AUTH_DOMAIN_URL = authDomainUrl;
      }

      if (access.table === 'read') this.table.grantReadData(role);
      if (access.table === 'readWrite') this.table.grantReadWriteData(role);
      if (access.records === 'write' && access.table !== 'readWrite') {
        throw new Error(`catalogue functions.${key}: access.records 'write' needs access.table 'readWrite'.`);
      }
      if (access.table === 'readWrite') {
        // Write-once records (H): an explicit Deny wins over the table grant's Allow. Functions
        // that do not record may not write a RECORD# item at all; the ones that do may only put one.
        const records = access.records === 'write';
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: records ? 'RecordsAreNeverChangedOrDeleted' : 'OnlyRecordersWriteRecords',
            effect: Effect.DENY,
            actions: records ? RECORD_CHANGE_ACTIONS : RECORD_WRITE_ACTIONS,
            resources: [this.table.tableArn],
            conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${RECORD_KEY_PREFIX}*`] } },
          }),
        );
      }
      if (access.table) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
          reason: `The CDK table grant adds "<table ARN>/index/*" so ${key} can query the table's indexes (${table.indexes.map((i) => i.name).join(', ')}); no other index exists.`,
        });
        if (access.table === 'readWrite') {
          Validations.of(role).acknowledge(
            {
              id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
              reason:
                'The CDK table grant for the table\u2019s customer-managed key (scoped to that one key ARN) adds kms:ReEncrypt*, which DynamoDB may use on the caller\u2019s behalf for the table key.',
            },
            {
              id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
              reason:
                'The CDK table grant for the table\u2019s customer-managed key (scoped to that one key ARN) adds kms:GenerateDataKey*, which DynamoDB uses on the caller\u2019s behalf to write.',
            },
          );
        }
      }

      if (access.sendEmail) {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'SendFromGovernanceIdentity',
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            resources: [emailIdentity.emailIdentityArn, configurationSetArn],
            conditions: { StringEquals: { 'ses:FromAddress': settings.mailFrom } },
          }),
        );
      }

      for (const machine of access.startExecution ?? []) {
        environment[stateMachineArnEnv(machine)] = stateMachineArns[machine];
        role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArns[machine]] }));
      }
      if (access.sendTaskResult?.length) {
        // Task-token callbacks are authorized against the state machine that issued the token.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: access.sendTaskResult.map((machine) => stateMachineArns[machine]),
          }),
        );
      }

      if (access.linkKeys) {
        environment.TOKEN_KMS_KEY_ID = tokenKey.keyArn;
        // Every seal/open binds the token to its approval id through the encryption context.
        const withApprovalContext = { Null: { 'kms:EncryptionContext:approvalId': 'false' } };
        if (access.linkKeys === 'issue') {
          environment.LINK_MAC_KEY_ID = linkKey.keyArn;
          role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Encrypt'], resources: [tokenKey.keyArn], conditions: withApprovalContext }));
          role.addToPrincipalPolicy(
            new PolicyStatement({
              actions: ['kms:GenerateMac'],
              resources: [linkKey.keyArn],
              conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
            }),
          );
        } else {
          role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [tokenKey.keyArn], conditions: withApprovalContext }));
        }
      }

      if (access.vault?.length && credentialsKey) {
        const verbs = new Set(access.vault);
        environment.VAULT_SECRET_PREFIX = settings.vaultSecretPrefix;
        environment.VAULT_KMS_KEY_ID = credentialsKey.keyArn;
        const secretActions = [
          ...(verbs.has('stage') || verbs.has('promote') ? ['secretsmanager:DescribeSecret'] : []),
          ...(verbs.has('stage') ? ['secretsmanager:PutSecretValue'] : []),
          ...(verbs.has('reveal') ? ['secretsmanager:GetSecretValue'] : []),
          ...(verbs.has('promote') ? ['secretsmanager:UpdateSecretVersionStage'] : []),
        ];
        role.addToPrincipalPolicy(new PolicyStatement({ sid: 'UseAccountCredentials', actions: secretActions, resources: [vaultSecretArns] }));
        if (verbs.has('stage')) {
          // A secret can only be created with the credentials key named in the request (not the
          // account's default aws/secretsmanager key, and not without a key).
          role.addToPrincipalPolicy(
            new PolicyStatement({
              sid: 'CreateAccountCredentialsWithTheCredentialsKey',
              actions: ['secretsmanager:CreateSecret'],
              resources: [vaultSecretArns],
              conditions: { ArnEquals: { 'secretsmanager:KmsKeyArn': credentialsKey.keyArn } },
            }),
          );
        }
        // Secrets Manager uses the key on the caller's behalf: GenerateDataKey to encrypt a new
        // value, Decrypt to read one (and to validate key access when a secret is created, and to
        // compare values on a repeated PutSecretValue). Only through Secrets Manager, and only for
        // the secrets under the prefix (its encryption context names the secret).
        const keyActions = [...(verbs.has('stage') ? ['kms:GenerateDataKey'] : []), ...(verbs.has('stage') || verbs.has('reveal') ? ['kms:Decrypt'] : [])];
        if (keyActions.length) {
          role.addToPrincipalPolicy(
            new PolicyStatement({
              sid: 'CredentialsKeyThroughSecretsManager',
              actions: keyActions,
              resources: [credentialsKey.keyArn],
              conditions: {
                StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` },
                StringLike: { 'kms:EncryptionContext:SecretARN': vaultSecretArns },
              },
            }),
          );
        }
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, vaultSecretArns)}]`,
          reason: `The account credential secrets are created at run time, one per account (${settings.vaultSecretPrefix}<account id>), and Secrets Manager appends a random suffix to every secret ARN; ${key} is limited to that name prefix and to the vault verbs ${[...verbs].join(', ')}.`,
        });
      }

      if (spec.hrEvents?.length) environment.HR_EVENT_SOURCE = settings.hrEventSource;

      const fn = new NodejsFunction(this, `${id}Function`, {
        entry: join(repoRoot, spec.entry),
        handler: 'handler',
        projectRoot: repoRoot,
        depsLockFilePath: join(repoRoot, 'package-lock.json'),
        description: spec.description.slice(0, 256),
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
        timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
        role,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
        tracing: Tracing.ACTIVE,
        environment,
        bundling: {
          minify: true,
          sourceMap: true,
          format: OutputFormat.ESM,
          target: 'node24',
          mainFields: ['module', 'main'],
          // Bundle the AWS SDK v3 too, so the deployed client versions are the lock file's.
          externalModules: [],
          banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        },
      });
      Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: xrayReason });
      // Every caller is synchronous: HTTP API routes (request/response), Step Functions
      // lambda:invoke tasks (RequestResponse, with Retry/Catch in the ASL) and the SQS event source
      // mapping (which polls and invokes synchronously). With no asynchronous invocation there is
      // nothing for a function DLQ or an on-failure destination to receive.
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: spec.hrEvents?.length
          ? `${key} is invoked synchronously by its SQS event source mapping: a failed message returns to the queue and moves to the queue's dead-letter queue after 3 receives; a function DLQ only receives failed asynchronous invocations.`
          : scheduledKeys.has(key)
            ? `${key} is invoked by an EventBridge Scheduler schedule, which retries and keeps what it cannot deliver in its own dead-letter queue (with an alarm); a run that fails is redone by the next run of the schedule, which does the same work, so nothing would wait in a function DLQ.`
            : `${key} is only invoked synchronously (HTTP API or a Step Functions RequestResponse task, which retries and catches); a DLQ only receives failed asynchronous invocations.`,
      });
      this.functions[key] = fn;
      this.functionRoles[key] = role;
    }

    // --------------------------------------------------------- state machines
    this.stateMachines = {} as Record<StateMachineKey, StateMachine>;
    for (const [key, spec] of stateMachineEntries) {
      const id = pascal(key);
      const definition = readFileSync(join(repoRoot, spec.definition), 'utf8');
      const substitutions = Object.fromEntries(spec.invokes.map((fnKey) => [functionArnPlaceholder(fnKey), this.functions[fnKey].functionArn]));
      const used = [...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
      const missing = [...new Set(used)].filter((p) => !(p in substitutions));
      if (missing.length) {
        throw new Error(`${spec.definition} uses ${missing.map((p) => `\${${p}}`).join(', ')}, which catalogue stateMachines.${key}.invokes does not provide.`);
      }
      // The role may invoke exactly what the definition invokes: no function listed but unused.
      const unused = spec.invokes.filter((fnKey) => !used.includes(functionArnPlaceholder(fnKey)));
      if (unused.length) {
        throw new Error(
          `catalogue stateMachines.${key}.invokes lists ${unused.join(', ')}, which ${spec.definition} never invokes (no \${<Key>FunctionArn} placeholder).`,
        );
      }

      const role = new Role(this, `${id}StateMachineRole`, {
        assumedBy: new ServicePrincipal('states.amazonaws.com'),
        description: `Social media governance: state machine ${key}`,
      });
      // Unqualified function ARNs only: the ASL invokes $LATEST through the substituted ARN.
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'InvokeCatalogueFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: spec.invokes.map((fnKey) => this.functions[fnKey].functionArn),
        }),
      );

      // Vended-logs prefix keeps the CloudWatch Logs resource policy small.
      const logGroup = new LogGroup(this, `${id}StateMachineLogs`, {
        logGroupName: `/aws/vendedlogs/states/${stateMachineNames[key]}`,
        retention: RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const machine = new StateMachine(this, `${id}StateMachine`, {
        stateMachineName: stateMachineNames[key],
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(definition),
        definitionSubstitutions: substitutions,
        role,
        // ALL events (every state transition: the workflow's audit trail) but never execution
        // data: inputs/outputs carry task tokens and requester details, which stay in the table.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs vended-log delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing actions do not support resource-level permissions; CDK adds them on "*" for state machine logging and tracing.',
      });
      machine.node.addDependency(role);
      this.stateMachines[key] = machine;
    }

    // --------------------------------------------------------------- alarms
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'Social media governance: alarm notifications topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets CloudWatch use it.
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Social media governance alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsFromThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    if (settings.alarmEmail) {
      const subscription = alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'Operators\u2019 alarm email subscription: SNS retries email delivery itself and the alarm state stays visible in CloudWatch; a dead-letter queue for undelivered alarm emails would need its own alarm and reader.',
      });
    }
    const alarmAction = new SnsAction(alarmTopic);
    const alarmOn = (id: string, metric: Metric, description: string) => {
      const alarm = new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(alarmAction);
      return alarm;
    };
    for (const [key] of stateMachineEntries) {
      const id = pascal(key);
      const machine = this.stateMachines[key];
      const period = Duration.minutes(5);
      alarmOn(
        `${id}ExecutionsFailedAlarm`,
        machine.metricFailed({ period, statistic: 'Sum' }),
        `${key}: an execution failed (a step failed for good; the workflow's failure report went out). See the execution history.`,
      );
      alarmOn(`${id}ExecutionsTimedOutAlarm`, machine.metricTimedOut({ period, statistic: 'Sum' }), `${key}: an execution timed out.`);
      alarmOn(`${id}ExecutionsAbortedAlarm`, machine.metricAborted({ period, statistic: 'Sum' }), `${key}: an execution was aborted (stopped by hand).`);
    }
    for (const [key] of functionEntries) {
      alarmOn(
        `${pascal(key)}ErrorsAlarm`,
        this.functions[key].metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `${key}: the function threw (unhandled error or timeout).`,
      );
    }

    // ------------------------------------------------------- records retention (I)
    // The table has 35 days of point-in-time recovery, deletion protection and is retained; the
    // records (and everything else in it) must outlive that. A daily backup of the whole table goes
    // to a vault of its own, encrypted with its own key and locked: once the grace period has passed
    // the lock is immutable (compliance mode), and nobody (department staff, DTI administrators, the
    // account root) can delete a backup or shorten its retention before recordsRetentionDays, or
    // remove the lock. During the grace period the lock can still be changed or removed, so a wrong
    // setting can be corrected before it binds for years. The backups are encrypted with the vault's
    // key when AWS Backup's advanced DynamoDB backup is on in the account (an account setting, not a
    // CloudFormation resource); without it they keep the table's key, also customer managed.
    const backupKey = new Key(this, 'RecordsBackupKey', {
      description: 'Social media governance: encrypts the records backups (AWS Backup vault)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const backupVault = new BackupVault(this, 'RecordsBackupVault', {
      encryptionKey: backupKey,
      lockConfiguration: {
        minRetention: Duration.days(settings.recordsRetentionDays),
        changeableFor: Duration.days(settings.recordsVaultLockGraceDays),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const backupPlan = new BackupPlan(this, 'RecordsBackupPlan', {
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'DailyTableBackup',
          backupVault,
          // 01:00 in Albuquerque, outside office hours; the lock refuses a shorter lifecycle.
          scheduleExpression: Schedule.cron({ hour: '1', minute: '0' }),
          scheduleExpressionTimezone: TimeZone.AMERICA_DENVER,
          deleteAfter: Duration.days(settings.recordsRetentionDays),
        }),
      ],
    });
    // AWS Backup's own role for taking backups (not restoring: a restore is a deliberate act by an
    // administrator, into a new table).
    const backupRole = new Role(this, 'RecordsBackupRole', {
      assumedBy: new ServicePrincipal('backup.amazonaws.com'),
      description: 'Social media governance: AWS Backup takes the daily backups of the governance table',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
    });
    Validations.of(backupRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup\u2019s service role policy for taking backups, maintained by AWS as the services it backs up change (DynamoDB advanced backup, KMS grants for the vault key); only backup.amazonaws.com can assume this role, and it has no restore permission.',
    });
    backupPlan.addSelection('GovernanceTable', {
      resources: [BackupResource.fromDynamoDbTable(this.table)],
      role: backupRole,
      disableDefaultBackupPolicy: true,
    });
    for (const [metricName, what] of [
      ['NumberOfBackupJobsFailed', 'failed'],
      ['NumberOfBackupJobsExpired', 'did not start within its window'],
    ] as const) {
      alarmOn(
        `RecordsBackup${metricName.replace('NumberOfBackupJobs', '')}Alarm`,
        new Metric({
          namespace: 'AWS/Backup',
          metricName,
          dimensionsMap: { BackupVaultName: backupVault.backupVaultName },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        `The daily backup of the governance table (public records, I) ${what}. See AWS Backup \u2192 Jobs.`,
      );
    }
    new CfnOutput(this, 'RecordsBackupVaultName', {
      value: backupVault.backupVaultName,
      description: 'AWS Backup vault (locked) with the daily table backups',
    });

    // ------------------------------------------------------------ HR events
    // The HR system puts its events on a bus of its own; a rule per consuming function forwards the
    // detail-types that function consumes to its queue, and the function drains the queue. The queue
    // absorbs bursts (a reorganisation is hundreds of events) and keeps a failed event for a retry;
    // after 3 failed receives it moves to the dead-letter queue, which alarms. EventBridge's own
    // delivery failures (after its retries) land in the same dead-letter queue, so operators watch
    // one queue and redrive it back to the source queue; the ERROR_CODE / RULE_ARN message
    // attributes EventBridge adds tell the two apart.
    const hrConsumers = functionEntries.filter(([, spec]) => spec.hrEvents?.length);
    const hrBus = hrConsumers.length
      ? new EventBus(this, 'HrEventBus', {
          eventBusName: settings.hrBusName,
          description: 'HR system events (separations, updates) for social media governance',
        })
      : undefined;
    this.hrBus = hrBus;
    if (hrBus) {
      new CfnOutput(this, 'HrEventBusName', { value: hrBus.eventBusName, description: 'EventBridge bus the HR system puts its events on' });
      new CfnOutput(this, 'HrEventBusArn', { value: hrBus.eventBusArn });
    }
    for (const [key, spec] of hrBus ? hrConsumers : []) {
      const id = pascal(key);
      const consumer = this.functions[key];
      const deadLetterQueue = new Queue(this, `${id}HrEventsDeadLetterQueue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetterQueue).acknowledge(
        {
          id: 'AwsSolutions-SQS3',
          reason: `This is the dead-letter queue of ${key}'s HR event queue (its redrive target) and of the HR rule's delivery failures; a dead-letter queue has no dead-letter queue of its own.`,
        },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason: `This is the dead-letter queue of ${key}'s HR event queue: its messages wait (14 days, with an alarm) for an operator to redrive them to the source queue, so it has no redrive policy itself.`,
        },
      );
      const queue = new Queue(this, `${id}HrEventsQueue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // AWS's guidance for a Lambda event source: at least six times the function timeout.
        visibilityTimeout: Duration.seconds(6 * (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
      });
      new Rule(this, `${id}HrEventsRule`, {
        eventBus: hrBus,
        description: `HR events for ${key}: ${spec.hrEvents?.join(', ')}`,
        eventPattern: { source: [settings.hrEventSource], detailType: [...(spec.hrEvents ?? [])] },
        // The target adds the queue policy: only this rule (aws:SourceArn) may send.
        targets: [new SqsQueue(queue, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
      });
      consumer.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
      for (const mapping of consumer.node.findAll().filter((c) => c instanceof EventSourceMapping)) {
        Validations.of(mapping).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason: `An SQS event source mapping has no on-failure destination (Lambda supports them for stream and Kafka sources only); ${key}'s failed messages go to the queue's dead-letter queue after 3 receives instead, and that queue alarms.`,
        });
      }
      alarmOnDeadLetters(
        this,
        `${id}HrEventsDeadLetterAlarm`,
        deadLetterQueue,
        `${key}: an HR event could not be processed (3 failed attempts) or delivered; it waits in the dead-letter queue. Fix the cause, then redrive the dead-letter queue to its source queue.`,
        alarmAction,
      );
      new CfnOutput(this, `${id}HrEventsDeadLetterQueueUrl`, { value: deadLetterQueue.queueUrl, description: `HR events ${key} could not process` });
    }

    // ------------------------------------------------------------- schedules
    new CatalogueSchedules(this, 'Schedules', { schedules, functions: this.functions, alarmAction });

    // ------------------------------------------------------------ authorizer
    // The catalogue's authorizer function verifies the Cognito ID token (bearer header or the
    // session cookie) and always authorizes: it proves identity, and the function behind it enforces
    // presence (signedInPerson), sending a browser to sign-in instead of API Gateway's bare 403. No
    // identity source and no caching: it must run when no Authorization header is present (browsers
    // send the cookie), and a cached answer would outlive a signed-out session.
    const authorizers = functionEntries.filter(([, spec]) => spec.authorizer);
    if (authorizers.length !== 1 || !authorizers[0]) throw new Error('The catalogue must mark exactly one function as the authorizer.');
    const sessionAuthorizer = new HttpLambdaAuthorizer('SessionAuthorizer', this.functions[authorizers[0][0]], {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(0),
      identitySource: [],
    });

    // --------------------------------------------------------------- routes
    // Every integration waits the HTTP API's maximum, 30 s, which is also its default: TimeoutInMillis
    // is left unset because the CDK construct refuses more than 29 s (REST APIs' limit). A function's
    // own shorter timeout ends it first. A function whose catalogue timeout is longer keeps it (the
    // catalogue decides, and the local host has no such limit), but its caller gets a 503 at 30 s
    // while it runs on: warned at synthesis, so the catalogue can shorten it or move the work off the
    // request.
    for (const [key, spec] of functionEntries) {
      if (!spec.routes?.length) continue;
      const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      if (timeoutSeconds > HTTP_API_MAX_INTEGRATION_SECONDS) {
        Annotations.of(this.functions[key]).addWarningV2(
          'governance:routeTimeoutBeyondHttpApi',
          `${key} serves HTTP API routes with a ${timeoutSeconds} s timeout, but an HTTP API waits at most ${HTTP_API_MAX_INTEGRATION_SECONDS} s: a request still running then gets a 503 while the function runs on, billed, up to ${timeoutSeconds} s.`,
        );
      }
      const integration = new HttpLambdaIntegration(`${pascal(key)}Integration`, this.functions[key]);
      for (const route of spec.routes) {
        // A GET route answers HEAD too, as the local host does (the handler drops the body).
        const httpRoutes = this.api.addRoutes({
          path: route.path,
          methods: route.method === 'GET' ? [HttpMethod.GET, HttpMethod.HEAD] : [HttpMethod[route.method]],
          integration,
          authorizer: route.auth === 'jwt' ? sessionAuthorizer : undefined,
        });
        for (const httpRoute of httpRoutes) {
          if (route.auth === 'link') {
            const reason = `${route.method} ${route.path} is opened from an emailed approval link: the link's 256-bit secret (checked against its stored hash by ${key}) is the authentication, so approvers need no City sign-in.`;
            Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
          }
          if (route.auth === 'public') {
            // What an anonymous caller can reach is what the function's role allows. Only the two
            // harmless shapes are acknowledged; a public route in front of a function with data access
            // keeps its finding (and fails synthesis) until someone decides it deliberately.
            const granted = Object.entries(spec.access)
              .filter(([, value]) => (Array.isArray(value) ? value.length > 0 : Boolean(value)))
              .map(([what]) => what);
            const reach =
              granted.length === 0
                ? 'its role has no data access at all (no table, key, secret, mail or state machine; only its own logs and traces), so an anonymous caller gets public content and nothing else'
                : granted.length === 1 && granted[0] === 'userPool'
                  ? 'it is an OAuth sign-in endpoint, which must be reachable before sign-in; it only redirects to Cognito and sets the session cookie, and its role has no permission beyond its own logs and traces'
                  : undefined;
            if (reach) {
              Validations.of(httpRoute).acknowledge({
                id: 'AwsSolutions-APIG4',
                reason: `${route.method} ${route.path} is public in the catalogue (auth 'public', served by ${key}): ${reach}.`,
              });
            }
          }
        }
      }
    }

    // -------------------------------------------------------- default route
    // What no route above matches goes to the catalogue's default-route function instead of API
    // Gateway's bare {"message":"Not Found"}: a page for browsers (JSON for API clients), 405 with
    // Allow for a method an address does not answer, 204 with Allow for OPTIONS (no CORS). Public.
    const defaultRoutes = functionEntries.filter(([, spec]) => spec.defaultRoute);
    if (defaultRoutes.length !== 1 || !defaultRoutes[0]) throw new Error('The catalogue must mark exactly one function as the default route.');
    const [defaultKey, defaultSpec] = defaultRoutes[0];
    if (Object.values(defaultSpec.access).some((value) => (Array.isArray(value) ? value.length > 0 : Boolean(value)))) {
      throw new Error(`${defaultKey} serves the public $default route, so its catalogue access must be empty.`);
    }
    const defaultRoute = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${pascal(defaultKey)}Integration`, this.functions[defaultKey]),
    });
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `$default (served by ${defaultKey}) answers the requests no route matches with a not-found page, a 405 or an Allow list: its role has no data access at all (no table, key, secret, mail or state machine; only its own logs and traces), so an anonymous caller learns only which addresses exist, as the routes themselves already tell.`,
    });

    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new HttpStage(this, 'HttpApiDefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    // -------------------------------------------------------------- outputs
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'HTTP API endpoint' });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base URL of the links in emails' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
    new CfnOutput(this, 'MailConfigurationSetName', { value: configurationSet.configurationSetName });
    emailIdentity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `DKIM record ${i + 1} to publish in ${settings.mailDomain} DNS`,
      });
    });
    for (const [key] of stateMachineEntries) {
      new CfnOutput(this, `${pascal(key)}StateMachineArn`, { value: this.stateMachines[key].stateMachineArn });
    }
  }
}

/**
 * HTTP API access log line (JSON, one object per request). Only the route *template*
 * ($context.routeKey) is logged: never $context.path and never the query string, because the
 * approval link's secret rides in the query string.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  protocol: '$context.protocol',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** Builds the stack from the app's context: used by app.ts and by the infra tests. */
export function governanceStackFromContext(scope: Construct, id?: string): GovernanceStack {
  const stackName = (scope.node.tryGetContext('stackName') as string | undefined) ?? 'SocialMediaGovernance';
  // The region is pinned by context (TableV2 with a customer-managed key needs a concrete region);
  // the account stays a deploy-time value, so synthesis needs no credentials and is repeatable.
  const region = scope.node.tryGetContext('region') as string | undefined;
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error('Set the CDK context "region" (cdk.json or -c region=us-west-2) to the region to deploy to.');
  }
  return new GovernanceStack(scope, id ?? stackName, {
    stackName,
    env: { region },
    description: 'City of Albuquerque social media governance: account requests, email approvals, registry',
    settings: settingsFromContext(scope),
  });
}
