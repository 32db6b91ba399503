import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { UsersOnlyKey } from './keys.ts';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stackOutput } from './outputs.ts';
import { pascal } from './settings.ts';

/** The dead-letter queues alarmed in each stack, so the operations stack also watches their age (operations.ts). */
const deadLetterQueues = new WeakMap<Stack, { id: string; queue: IQueue }[]>();
export const deadLetterQueuesOf = (stack: Stack) => deadLetterQueues.get(stack) ?? [];

/** An alarm as soon as a message waits in a dead-letter queue: something could not be done, and says why. */
export function alarmOnDeadLetters(scope: Construct, id: string, queue: IQueue, alarmDescription: string, action: IAlarmAction): Alarm {
  const stack = Stack.of(scope);
  deadLetterQueues.set(stack, [...deadLetterQueuesOf(stack), { id: `${pascal(scope.node.id)}${id}`, queue }]);
  const alarm = new Alarm(scope, id, {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription,
  });
  alarm.addAlarmAction(action);
  return alarm;
}

/**
 * Where every alarm goes: an encrypted SNS topic that only this account's CloudWatch alarms may
 * publish to, emailed to the operators (the AlarmEmail deploy parameter). Also the alarms on the catalogue's
 * functions (grouped, see watchFunctions) and state machines; each other concern raises its own alarms through `alarmOn`.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarmAction: IAlarmAction;

  constructor(scope: Construct, id: string, props: { alarmEmail?: string }) {
    super(scope, id);
    // Administered by the account, used only by CloudWatch alarms of this account (UsersOnlyKey).
    const key = new UsersOnlyKey(this, 'AlarmTopicKey', {
      description: 'Social media governance: alarm notifications topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets CloudWatch use it.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Social media governance alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsFromThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    if (props.alarmEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'Operators\u2019 alarm email subscription: SNS retries email delivery itself and the alarm state stays visible in CloudWatch; a dead-letter queue for undelivered alarm emails would need its own alarm and reader.',
      });
    }
    this.alarmAction = new SnsAction(this.topic);
    stackOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn });
  }

  /** An alarm, on the topic, as soon as the metric counts one. */
  alarmOn(scope: Construct, id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(scope, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.alarmAction);
    return alarm;
  }

  /**
   * One alarm per catalogue state machine on every execution that ended badly: failed, timed out
   * or aborted, summed by metric math (each filled with 0 where it has no data). One alarm, not
   * three: each is a CloudFormation resource, and the on-call's action is the same (open the
   * machine's executions, filter by status, read the history).
   */
  watchStateMachine(key: string, machine: IStateMachine): void {
    const period = Duration.minutes(5);
    const endedBadly = new MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: machine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: machine.metricTimedOut({ period, statistic: 'Sum' }),
        aborted: machine.metricAborted({ period, statistic: 'Sum' }),
      },
      period,
      label: `${key} executions failed, timed out or aborted`,
    });
    this.alarmOn(
      this,
      `${pascal(key)}ExecutionsEndedBadlyAlarm`,
      endedBadly,
      `${key}: an execution failed (a step failed for good; the workflow's failure report went out), timed out, or was aborted (stopped by hand). Open the state machine's executions, filter by status, and read the history.`,
    );
  }

  /**
   * Errors (unhandled errors and timeouts) of the catalogue's functions, in grouped metric-math
   * alarms rather than one alarm a function: each alarm is a CloudFormation resource, and the
   * stack has a budget of them (CloudFormation's limit is 500 a stack). Each alarm sums
   * `FILL(e<i>, 0)` over the Errors (Sum, 5 minutes) of up to MAX_METRICS_PER_MATH_ALARM functions,
   * grouped by workflow folder (`functions/<folder>/…`, see errorAlarmGroups). Its description lists
   * the functions it covers, and each metric is labelled with its function's key, so the alarm's
   * graph shows which function threw.
   */
  watchFunctions(watched: readonly WatchedFunction[]): void {
    const period = Duration.minutes(5);
    for (const group of errorAlarmGroups(watched)) {
      const usingMetrics = Object.fromEntries(
        group.functions.map((w, i) => [`e${i + 1}`, w.function.metricErrors({ period, statistic: 'Sum', label: w.key })]),
      );
      const errors = new MathExpression({
        expression: Object.keys(usingMetrics)
          .map((id) => `FILL(${id}, 0)`)
          .join(' + '),
        usingMetrics,
        period,
        label: `Errors of ${group.functions.map((w) => w.key).join(', ')}`,
      });
      const listed = group.workflows.map(({ workflow, keys }) => `${workflow} (${keys.join(', ')})`).join('; ');
      this.alarmOn(
        this,
        group.id,
        errors,
        `A function threw (unhandled error or timeout), one of: ${listed}. The alarm's graph has one line per function, labelled with its key: open that function's logs (its Lambda name contains the key in PascalCase).`,
      );
    }
  }
}

/** A catalogue function whose errors are someone's incident (so not the Cognito trigger). */
export interface WatchedFunction {
  key: string;
  /** The catalogue's entry, `functions/<workflow folder>/handlers/<file>.ts`: groups the alarms. */
  entry: string;
  function: IFunction;
}

/**
 * How many metrics one metric-math alarm may reference. CloudWatch, "Limits that apply to alarms
 * based on metric math expressions": "Alarms based on metric math expressions can reference a
 * maximum of 10 metrics. This is a hard limit that cannot be increased."
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html; PutMetricAlarm
 * likewise takes at most 10 MetricStat queries in Metrics.)
 */
export const MAX_METRICS_PER_MATH_ALARM = 10;

export interface ErrorAlarmGroup {
  id: string;
  functions: WatchedFunction[];
  workflows: { workflow: string; keys: string[] }[];
}

/**
 * The functions' error alarms: each workflow folder's functions together (a folder of more than
 * MAX_METRICS_PER_MATH_ALARM is split in chunks of that many), and each folder in the first alarm,
 * in catalogue order, that still has room for all of it (first fit). Catalogue order and folders
 * stay together, at the cost of rarely an alarm more than ceil(functions / 10).
 */
export function errorAlarmGroups(watched: readonly WatchedFunction[]): ErrorAlarmGroup[] {
  const byWorkflow = new Map<string, WatchedFunction[]>();
  for (const w of watched) {
    const workflow = w.entry.split('/')[1] ?? w.entry;
    byWorkflow.set(workflow, [...(byWorkflow.get(workflow) ?? []), w]);
  }
  const groups: { functions: WatchedFunction[]; workflows: { workflow: string; keys: string[] }[] }[] = [];
  for (const [workflow, all] of byWorkflow) {
    for (let start = 0; start < all.length; start += MAX_METRICS_PER_MATH_ALARM) {
      const part = all.slice(start, start + MAX_METRICS_PER_MATH_ALARM);
      let group = groups.find((g) => g.functions.length + part.length <= MAX_METRICS_PER_MATH_ALARM);
      if (!group) {
        group = { functions: [], workflows: [] };
        groups.push(group);
      }
      group.functions.push(...part);
      group.workflows.push({ workflow, keys: part.map((w) => w.key) });
    }
  }
  // Named after the workflows they cover (a workflow split over alarms appears in each).
  const seen = new Map<string, number>();
  return groups.map((g) => {
    const base = `${g.workflows
      .map(({ workflow }) =>
        workflow
          .split(/[^A-Za-z0-9]+/)
          .map(pascal)
          .join(''),
      )
      .join('')}ErrorsAlarm`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { id: n === 1 ? base : `${base}${n}`, ...g };
  });
}
