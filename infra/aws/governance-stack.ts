import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { UserPool } from 'aws-cdk-lib/aws-cognito';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  type FunctionKey,
  type FunctionSpec,
  functions,
  type StateMachineKey,
  type StateMachineSpec,
  schedules,
  stateMachines,
} from '../../functions/catalogue.ts';
import { CatalogueFunction } from './catalogue-function.ts';
import { CatalogueStateMachine, type StateMachineAddress, stateMachineAddress } from './catalogue-state-machine.ts';
import { CredentialsVault } from './credentials-vault.ts';
import { GovernanceTable } from './governance-table.ts';
import { acknowledgeGuardFindings } from './guard.ts';
import { HrEvents } from './hr-events.ts';
import { GovernanceHttpApi } from './http-api.ts';
import { GovernanceKeys } from './keys.ts';
import { DeployParameters } from './deploy-parameters.ts';
import { Mail, MailEvents } from './mail.ts';
import { Monitoring, type WatchedFunction } from './monitoring.ts';
import { Operations, type TimedFunction } from './operations.ts';
import { stackOutput } from './outputs.ts';
import { RecordsBackup } from './records-backup.ts';
import { CatalogueSchedules } from './schedules.ts';
import { type GovernanceSettings, pascal, settingsFromContext } from './settings.ts';
import { SignIn } from './sign-in.ts';

// What other modules (app.ts, the infra tests) import from here, wherever it is defined.
export { RECORD_CHANGE_ACTIONS, RECORD_KEY_PREFIX, RECORD_WRITE_ACTIONS } from './governance-table.ts';
export { ACCESS_LOG_FIELDS, HTTP_API_MAX_INTEGRATION_SECONDS } from './http-api.ts';
export { credentialsKeyAlias, defaultAuthDomainPrefix, type GovernanceSettings, repoRoot, SERVICE_NAME, settingsFromContext } from './settings.ts';

export interface GovernanceStackProps extends StackProps {
  settings: GovernanceSettings;
}

const functionEntries = Object.entries(functions) as [FunctionKey, FunctionSpec][];
const stateMachineEntries = Object.entries(stateMachines) as [StateMachineKey, StateMachineSpec][];

/**
 * The AWS host of the governance workflows, composed of one construct per concern. Everything is
 * derived from functions/catalogue.ts: one Lambda function (with its own least-privilege role) per
 * catalogue function, one Step Functions state machine per catalogue state machine, one HTTP API
 * route per catalogue route. No construct names a function or state machine, so adding one to the
 * catalogue adds it here.
 */
export class GovernanceStack extends Stack {
  readonly keys: GovernanceKeys;
  readonly table: GovernanceTable;
  readonly functions = {} as Record<FunctionKey, NodejsFunction>;
  readonly functionRoles = {} as Record<FunctionKey, Role>;
  readonly stateMachines = {} as Record<StateMachineKey, StateMachine>;
  readonly api: HttpApi;
  readonly userPool: UserPool;
  /** Only when some catalogue function uses the credentials vault. */
  readonly vault?: CredentialsVault;
  /** The HR system's event bus (only when a catalogue function consumes HR events). */
  readonly hrBus?: EventBus;
  readonly backup: RecordsBackup;
  /** The alarm topic and the alarms on the functions and state machines. */
  readonly monitoring: Monitoring;
  /** The operational alarms and the dashboard (a nested stack). */
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    if (settings.dtiEmail.endsWith('.example')) {
      Annotations.of(this).addWarningV2(
        'governance:dtiEmailPlaceholder',
        `dtiEmail is the reserved placeholder ${settings.dtiEmail}; deploy with -c dtiEmail=<DTI mailbox>.`,
      );
    }

    this.keys = new GovernanceKeys(this, 'Keys');
    if (functionEntries.some(([, spec]) => spec.access.vault?.length)) {
      this.vault = new CredentialsVault(this, 'CredentialsVault', { vaultSecretPrefix: settings.vaultSecretPrefix });
    }
    this.table = new GovernanceTable(this, 'GovernanceTable', { encryptionKey: this.keys.table });
    stackOutput(this, 'TableName', { value: this.table.tableName });
    const mail = new Mail(this, 'Mail', settings);
    const http = new GovernanceHttpApi(this, 'Api', { logsKey: this.keys.logs });
    this.api = http.api;
    const publicBaseUrl = settings.publicBaseUrl ?? this.api.apiEndpoint;
    stackOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base URL of the links in emails' });
    const signIn = new SignIn(this, 'SignIn', { ...settings, publicBaseUrl, mail });
    this.userPool = signIn.userPool;
    // DTI's and the operators' mailboxes: placeholders synthesize, and CloudFormation refuses to deploy them.
    const mailboxes = new DeployParameters(this, 'Mailboxes', settings);
    const monitoring = new Monitoring(this, 'Monitoring', { alarmEmail: mailboxes.alarmEmail });
    this.monitoring = monitoring;

    // Functions first (their roles name the state machines by ARN), then the machines that invoke them.
    const addresses = Object.fromEntries(stateMachineEntries.map(([key]) => [key, stateMachineAddress(this, key)])) as Record<
      StateMachineKey,
      StateMachineAddress
    >;
    const stateMachineArns = Object.fromEntries(stateMachineEntries.map(([key]) => [key, addresses[key].arn])) as Record<StateMachineKey, string>;
    const context = {
      ...settings,
      dtiEmail: mailboxes.dtiEmail,
      table: this.table,
      keys: this.keys,
      mail,
      signIn,
      vault: this.vault,
      stateMachineArns,
      publicBaseUrl,
    };
    const scheduled = new Set<string>(Object.values(schedules).map((schedule) => schedule.target));
    const functionScope = new Construct(this, 'Functions');
    const watched: WatchedFunction[] = [];
    const timed: TimedFunction[] = [];
    for (const [key, spec] of functionEntries) {
      const made = new CatalogueFunction(functionScope, pascal(key), { key, spec, context, scheduled: scheduled.has(key) });
      this.functions[key] = made.function;
      this.functionRoles[key] = made.role;
      timed.push({ key, entry: spec.entry, function: made.function, timeoutSeconds: made.function.timeout?.toSeconds() ?? 3 });
      // An error alarm where an error is someone's incident at once: a page or an API answer that
      // failed (nobody retries it). A state machine's task is retried by its machine, whose outcome
      // alarm watches it; the schedules, HR and mail consumers are retried by Lambda or SQS and
      // end in an alarmed dead-letter queue. A Cognito trigger refuses a sign-in by throwing: its
      // Errors count refusals, no one's incident.
      if (spec.routes?.length || spec.defaultRoute || spec.authorizer) watched.push({ key, entry: spec.entry, function: made.function });
    }
    monitoring.watchFunctions(watched);
    const machineScope = new Construct(this, 'StateMachines');
    for (const [key, spec] of stateMachineEntries) {
      const { name, arn } = addresses[key];
      this.stateMachines[key] = new CatalogueStateMachine(machineScope, pascal(key), {
        key,
        spec,
        name,
        arn,
        encryptionKey: this.keys.executions,
        logsKey: this.keys.logs,
        functions: this.functions,
      }).stateMachine;
      monitoring.watchStateMachine(key, this.stateMachines[key]);
      stackOutput(this, `${pascal(key)}StateMachineArn`, { value: this.stateMachines[key].stateMachineArn });
    }

    const routed = functionEntries.map(([key, spec]) => ({ key, spec, function: this.functions[key] }));
    http.addCatalogueRoutes(routed);
    const consumers = routed.filter(({ spec }) => spec.hrEvents?.length);
    if (consumers.length) this.hrBus = new HrEvents(this, 'HrEvents', { ...settings, consumers, alarmAction: monitoring.alarmAction }).bus;
    const mailConsumers = routed.filter(({ spec }) => spec.mailEvents);
    if (mailConsumers.length) new MailEvents(this, 'MailEvents', { mail, consumers: mailConsumers, alarmAction: monitoring.alarmAction });
    new CatalogueSchedules(this, 'Schedules', { schedules, functions: this.functions, alarmAction: monitoring.alarmAction });
    this.backup = new RecordsBackup(this, 'RecordsBackup', { ...settings, table: this.table, tableKey: this.keys.table, monitoring });
    // Last: it watches every function, machine and dead-letter queue made above.
    this.operations = new Operations(this, 'Operations', {
      alarmAction: monitoring.alarmAction,
      functions: timed,
      stateMachines: this.stateMachines,
      api: this.api,
      table: this.table,
    });
    // The Control Tower findings that are accepted designs, acknowledged with their reasons on
    // exactly their resources (guard.ts; app.ts runs the check at synthesis).
    acknowledgeGuardFindings(this);
  }
}

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
