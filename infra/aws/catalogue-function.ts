import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionKey, type FunctionSpec, type StateMachineKey, stateMachineArnEnv } from '../../functions/catalogue.ts';
import { uswdsFiles } from '../../functions/site/asset-files.ts';
import { lambdaBundling } from '../bundling.ts';
import type { CredentialsVault } from './credentials-vault.ts';
import type { GovernanceTable } from './governance-table.ts';
import type { GovernanceKeys } from './keys.ts';
import type { Mail } from './mail.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, LOG_RETENTION, repoRoot, SERVICE_NAME } from './settings.ts';
import type { SignIn } from './sign-in.ts';

/** infra/bundling.ts's settings, in NodejsFunction's types: what the benchmark measures is what is deployed. */
export const nodejsBundling: BundlingOptions = {
  ...lambdaBundling,
  format: lambdaBundling.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
  mainFields: [...lambdaBundling.mainFields],
  externalModules: [...lambdaBundling.externalModules],
};

/**
 * The bundle of a function that serves the site's assets carries the U.S. Web Design System files
 * it serves (site/asset-files.ts chooses them: the stylesheet and the fonts and icons it uses) in
 * `uswds/` beside its code, copied from the installed package after esbuild runs.
 */
function withStaticAssets(bundling: BundlingOptions): BundlingOptions {
  const dist = join(repoRoot, 'node_modules', '@uswds', 'uswds', 'dist');
  const files = uswdsFiles(dist);
  return {
    ...bundling,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        ...[...new Set(files.map((f) => dirname(f)))].map((d) => `mkdir -p "${join(outputDir, 'uswds', d)}"`),
        ...files.map((f) => `cp "${join(inputDir, 'node_modules', '@uswds', 'uswds', 'dist', f)}" "${join(outputDir, 'uswds', f)}"`),
      ],
    },
  };
}

/** What every catalogue function may be granted, and what it is told about the deployment. */
export interface CatalogueFunctionContext {
  table: GovernanceTable;
  keys: GovernanceKeys;
  mail: Mail;
  signIn: SignIn;
  /** Only when some catalogue function uses the vault. */
  vault?: CredentialsVault;
  /** ARNs by name, before the state machines exist (they invoke the functions). */
  stateMachineArns: Record<StateMachineKey, string>;
  publicBaseUrl: string;
  dtiEmail: string;
  hrEventSource: string;
}

export interface CatalogueFunctionProps {
  key: FunctionKey;
  spec: FunctionSpec;
  context: CatalogueFunctionContext;
  /** Invoked by an EventBridge Scheduler schedule (it says why the function needs no DLQ). */
  scheduled: boolean;
}

const X_RAY_REASON =
  'X-Ray (active tracing) actions xray:PutTraceSegments / xray:PutTelemetryRecords do not support resource-level permissions; CDK adds them on Resource "*" for Tracing.ACTIVE.';

/**
 * The function factory: one catalogue function as one Lambda function (Node.js 24 on arm64, JSON
 * logs, active tracing), its own role with exactly what the catalogue's `access` says (and the
 * environment that goes with each grant), and its own log group.
 */
export class CatalogueFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: CatalogueFunctionProps) {
    super(scope, id);
    const { key, spec, context } = props;

    // Explicit log group and role: retention is set (audit: one year), and the role can write to
    // this log group only (no AWSLambdaBasicExecutionRole managed policy).
    const logGroup = new LogGroup(this, 'Logs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: context.keys.logs });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Social media governance: ${key}`,
    });
    logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      TABLE_NAME: context.table.tableName,
      PUBLIC_BASE_URL: context.publicBaseUrl,
      MAIL_FROM: context.mail.mailFrom,
      DTI_EMAIL: context.dtiEmail,
      SES_CONFIGURATION_SET: context.mail.configurationSet.configurationSetName,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      NODE_OPTIONS: '--enable-source-maps',
      ...this.grantCatalogueAccess(key, spec, context),
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, spec.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      description: spec.description.slice(0, 256),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment,
      bundling: spec.staticAssets ? withStaticAssets(nodejsBundling) : nodejsBundling,
    });
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: X_RAY_REASON });
    // Every caller is synchronous: HTTP API routes (request/response), Step Functions lambda:invoke
    // tasks (RequestResponse, with Retry/Catch in the ASL) and the SQS event source mapping (which
    // polls and invokes synchronously). With no asynchronous invocation there is nothing for a
    // function DLQ or an on-failure destination to receive.
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: spec.hrEvents?.length
        ? `${key} is invoked synchronously by its SQS event source mapping: a failed message returns to the queue and moves to the queue's dead-letter queue after 3 receives; a function DLQ only receives failed asynchronous invocations.`
        : spec.mailEvents
          ? `${key} is invoked asynchronously by its SNS subscription (SES bounces and complaints): a failed invocation, after Lambda's 2 retries, goes to its on-failure destination (the mail events' dead-letter queue, with an alarm; MailEvents in mail.ts), which holds the event as a function DLQ would, beside what SNS could not deliver.`
          : props.scheduled
            ? `${key} is invoked by an EventBridge Scheduler schedule, which retries and keeps what it cannot deliver in its own dead-letter queue (with an alarm). A frequent run that fails is redone by the next run, which does the same work; a yearly run that fails goes to its on-failure destination queue (with an alarm), which holds the event as a DLQ would.`
            : spec.cognitoTrigger
              ? `${key} is a Cognito user pool trigger, invoked synchronously by Cognito during a sign-in, whose error is the sign-in's refusal; a DLQ only receives failed asynchronous invocations.`
              : `${key} is only invoked synchronously (HTTP API or a Step Functions RequestResponse task, which retries and catches); a DLQ only receives failed asynchronous invocations.`,
    });
  }

  /** The role's permissions from the catalogue's `access`, each with the environment it needs. */
  private grantCatalogueAccess(key: FunctionKey, spec: FunctionSpec, context: CatalogueFunctionContext): Record<string, string> {
    const { access } = spec;
    const role = this.role;
    const environment: Record<string, string> = {};
    if (access.userPool) Object.assign(environment, context.signIn.environment);
    context.table.grantCatalogueAccess(role, key, access);
    if (access.sendEmail) context.mail.grantSend(role);
    for (const machine of access.startExecution ?? []) {
      environment[stateMachineArnEnv(machine)] = context.stateMachineArns[machine];
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [context.stateMachineArns[machine]] }));
    }
    if (access.sendTaskResult?.length) {
      // Task-token callbacks are authorized against the state machine that issued the token. Only
      // success: every failure is decided inside the workflow (the ASL's Catch), and no function
      // sends SendTaskFailure (adapters/step-functions.ts's sendTaskFailure has no caller).
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:SendTaskSuccess'],
          resources: access.sendTaskResult.map((machine) => context.stateMachineArns[machine]),
        }),
      );
    }
    // The execution input it starts with, and the task output it sends, are encrypted with the state machines' key.
    const machines = [...(access.startExecution ?? []), ...(access.sendTaskResult ?? [])];
    context.keys.grantExecutionData(
      role,
      machines.map((machine) => context.stateMachineArns[machine]),
    );
    if (access.linkKeys) Object.assign(environment, context.keys.grantLinkKeys(role, access.linkKeys));
    if (access.vault?.length && context.vault) Object.assign(environment, context.vault.grant(role, key, access.vault));
    if (spec.hrEvents?.length) environment.HR_EVENT_SOURCE = context.hrEventSource;
    return environment;
  }
}
