import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stackOutput } from './outputs.ts';
import { pascal } from './settings.ts';

/** An alarm as soon as a message waits in a dead-letter queue: something could not be done, and says why. */
export function alarmOnDeadLetters(scope: Construct, id: string, queue: IQueue, alarmDescription: string, action: IAlarmAction): Alarm {
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
 * publish to, emailed to the operators (alarmEmail) when set. Also the alarms on the catalogue's
 * functions and state machines; each other concern raises its own alarms through `alarmOn`.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarmAction: IAlarmAction;

  constructor(scope: Construct, id: string, props: { alarmEmail?: string }) {
    super(scope, id);
    const key = new Key(this, 'AlarmTopicKey', {
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

  /** Errors (unhandled errors and timeouts) of a catalogue function. */
  watchFunction(key: string, fn: IFunction): void {
    this.alarmOn(
      this,
      `${pascal(key)}ErrorsAlarm`,
      fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      `${key}: the function threw (unhandled error or timeout).`,
    );
  }
}
