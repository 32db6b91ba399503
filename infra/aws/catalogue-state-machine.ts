import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CustomerManagedEncryptionConfiguration, DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type FunctionKey, functionArnPlaceholder, type StateMachineKey, type StateMachineSpec } from '../../functions/catalogue.ts';
import { deploymentRole, type UsersOnlyKey } from './keys.ts';
import { LOG_RETENTION, pascal, repoRoot } from './settings.ts';

/** A catalogue state machine's name and ARN, known before it exists. */
export interface StateMachineAddress {
  name: string;
  arn: string;
}

/**
 * Deterministic names, so the starters' env vars and IAM policies can name a state machine's ARN
 * without referencing the state machine (which references the functions): no cycle.
 */
export function stateMachineAddress(stack: Stack, key: StateMachineKey): StateMachineAddress {
  const name = `${stack.stackName}-${pascal(key)}`;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`State machine name "${name}" is not a valid name (1-80 of A-Za-z0-9_-).`);
  return { name, arn: stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) };
}

/**
 * The first group of the stack's own UUID (`AWS::StackId` is `arn:…:stack/<name>/<uuid>`): fixed for
 * as long as the stack lives, new when a stack of the same name is created again after a delete.
 */
export function stackInstanceSuffix(scope: Construct): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Stack.of(scope).stackId))));
}

export interface CatalogueStateMachineProps {
  key: StateMachineKey;
  spec: StateMachineSpec;
  name: string;
  /** The ARN its name gives it (stateMachineAddress), which its key's encryption context names. */
  arn: string;
  /** Encrypts the definition and the execution data (GovernanceKeys.executions). */
  encryptionKey: UsersOnlyKey;
  /** Encrypts its log group (GovernanceKeys.logs). */
  logsKey: UsersOnlyKey;
  /** The catalogue's functions; the machine gets the ARNs of those it invokes, and may invoke only them. */
  functions: Record<FunctionKey, IFunction>;
}

/**
 * One catalogue state machine: its ASL, inlined, with every `${<Key>FunctionArn}` placeholder
 * substituted; a role that may invoke exactly the functions the definition invokes; every state
 * transition logged (the workflow's audit trail) to a retained log group, and tracing; its
 * definition and execution data encrypted with the state machines' customer-managed key.
 */
export class CatalogueStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: CatalogueStateMachineProps) {
    super(scope, id);
    const { key, spec, name, arn, encryptionKey, logsKey, functions } = props;
    const definition = readFileSync(join(repoRoot, spec.definition), 'utf8');
    const substitutions = Object.fromEntries(spec.invokes.map((fnKey) => [functionArnPlaceholder(fnKey), functions[fnKey].functionArn]));
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

    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
      description: `Social media governance: state machine ${key}`,
    });
    // Unqualified function ARNs only: the ASL invokes $LATEST through the substituted ARN.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeCatalogueFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: spec.invokes.map((fnKey) => functions[fnKey].functionArn),
      }),
    );

    // The vended-logs prefix keeps the CloudWatch Logs resource policy small (one entry for the
    // prefix, not one per log group), so the name cannot be left to CloudFormation. The group is
    // retained (the audit trail), so a name fixed by the stack name alone would be taken when the
    // stack is deleted and deployed again: the stack's own UUID makes it that stack's.
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${name}-${stackInstanceSuffix(this)}`,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: logsKey,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      role,
      // ALL events (every state transition: the workflow's audit trail) but never execution data:
      // inputs/outputs carry task tokens and requester details, which stay in the table.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      // CDK adds to the role kms:Decrypt and kms:GenerateDataKey in this machine's encryption context,
      // and (logging being on) kms:GenerateDataKey for the log delivery, and to the key policy
      // delivery.logs.amazonaws.com's kms:Decrypt* (which UsersOnlyKey limits to this account).
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(encryptionKey),
    });
    // The key policy's side of the role's statements ("Data at rest encryption in Step Functions",
    // https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html: the execution
    // role, in the machine's encryption context; the logs' data key, in the logs' SourceArn context).
    // CloudFormation's execution role creates, updates and reads (DescribeStateMachine decrypts
    // the definition with the caller's permissions) the encrypted definition: the same use, for this machine only.
    const machineContext = { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': arn } };
    encryptionKey.allowUse([role, deploymentRole(this)], ['kms:Decrypt', 'kms:GenerateDataKey'], machineContext);
    const logsContext = Stack.of(this).formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME });
    encryptionKey.allowUse(role, ['kms:GenerateDataKey'], { StringEquals: { 'kms:EncryptionContext:SourceArn': logsContext } });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended-log delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing actions do not support resource-level permissions; CDK adds them on "*" for state machine logging and tracing.',
    });
    this.stateMachine.node.addDependency(role);
  }
}
