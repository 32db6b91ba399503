import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EventInvokeConfig, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { newDeadLetterQueue } from './dead-letter-queue.ts';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { FunctionKey, ScheduleKey, ScheduleSpec } from '../../functions/catalogue.ts';
import { cronExpression } from '../../functions/core/yearly-schedule.ts';
import { alarmOnDeadLetters } from './monitoring.ts';
import { pascal } from './settings.ts';

/**
 * The catalogue's schedules on EventBridge Scheduler (the local host runs the same entries on a
 * timer): each invokes its function with the catalogue's input, through a role that may invoke only
 * that function, retries, and keeps what it could not deliver in a dead-letter queue that alarms.
 */
export class CatalogueSchedules extends Construct {
  readonly schedules: Record<string, Schedule> = {};

  constructor(
    scope: Construct,
    id: string,
    props: { schedules: Record<ScheduleKey, ScheduleSpec>; functions: Record<FunctionKey, IFunction>; alarmAction: IAlarmAction },
  ) {
    super(scope, id);
    for (const [key, spec] of Object.entries(props.schedules) as [ScheduleKey, ScheduleSpec][]) {
      const name = pascal(key);
      const deadLetterQueue = newDeadLetterQueue(this, `${name}DeadLetterQueue`);
      Validations.of(deadLetterQueue).acknowledge(
        { id: 'AwsSolutions-SQS3', reason: `This is the dead-letter queue of the ${key} schedule: a dead-letter queue has no dead-letter queue of its own.` },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason: `This is the dead-letter queue of the ${key} schedule; its messages wait 14 days, with an alarm, for an operator. The next run of the schedule does the same work, so nothing needs redriving.`,
        },
      );
      // Its own role: invoke exactly this function (no version or alias wildcard), and keep what it
      // cannot deliver in its own dead-letter queue.
      const target = props.functions[spec.target];
      const role = new Role(this, `${name}ScheduleRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
        description: `Social media governance: the ${key} schedule invokes ${spec.target}`,
      });
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));
      this.schedules[key] = new Schedule(this, `${name}Schedule`, {
        description: spec.description,
        schedule: spec.yearly
          ? ScheduleExpression.expression(cronExpression(spec.yearly), TimeZone.of(spec.timeZone))
          : ScheduleExpression.rate(Duration.minutes(spec.everyMinutes)),
        // A target of our own instead of aws-scheduler-targets' LambdaInvoke, which would also grant
        // invoke on every version and alias (`<arn>:*`) to the role.
        target: {
          bind: () => ({
            arn: target.functionArn,
            role,
            input: ScheduleTargetInput.fromObject(spec.input),
            retryPolicy: retryPolicyOf(spec),
            deadLetterConfig: { arn: deadLetterQueue.queueArn },
          }),
        },
      });
      if (spec.yearly) this.keepFailedRuns(key, spec, target, props.alarmAction);
      alarmOnDeadLetters(
        this,
        `${name}DeadLetterAlarm`,
        deadLetterQueue,
        `The ${key} schedule could not invoke ${spec.target} (after ${retryPolicyOf(spec).maximumRetryAttempts} retries). ${spec.description}: look at ${spec.target}'s log and the queue's message for the reason.`,
        props.alarmAction,
      );
    }
  }

  /**
   * A yearly run has no next run to redo it. The scheduler's retries and dead-letter queue cover
   * handing the event to Lambda; a run that Lambda accepted but that failed (after Lambda's own two
   * retries) goes to this queue, with the event, and alarms, so an operator can invoke it again.
   */
  private keepFailedRuns(key: string, spec: ScheduleSpec, target: IFunction, alarmAction: IAlarmAction): void {
    const name = pascal(key);
    const failed = newDeadLetterQueue(this, `${name}FailedRunsQueue`);
    Validations.of(failed).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue keeps the failed yearly runs of ${spec.target} (its on-failure destination): it is itself where failures end up.`,
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: `This queue keeps the failed yearly runs of ${spec.target} for an operator (14 days, with an alarm), who invokes the function again with the message's requestPayload; nothing reads it automatically.`,
      },
    );
    new EventInvokeConfig(this, `${name}FailedRuns`, {
      function: target,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(failed),
    });
    alarmOnDeadLetters(
      this,
      `${name}FailedRunAlarm`,
      failed,
      `A yearly run of ${spec.target} (${key}) failed after Lambda's 2 retries: ${spec.description}. Fix the cause in ${spec.target}'s log, then invoke it again with the queued message's requestPayload.`,
      alarmAction,
    );
  }
}

/**
 * A frequent run later than one period is superseded by the next one, which does the same work: 3
 * retries within the period. A yearly run has no next one for a year: it keeps trying for the
 * longest EventBridge Scheduler allows (24 hours), and its target is idempotent (one execution per
 * year), so a retry of a run that did start starts nothing.
 */
export function retryPolicyOf(spec: ScheduleSpec): { maximumRetryAttempts: number; maximumEventAgeInSeconds: number } {
  return spec.yearly
    ? { maximumRetryAttempts: 20, maximumEventAgeInSeconds: 24 * 3600 }
    : { maximumRetryAttempts: 3, maximumEventAgeInSeconds: spec.everyMinutes * 60 };
}
