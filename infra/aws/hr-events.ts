import { Duration, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { EventSourceMapping, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { newDeadLetterQueue } from './dead-letter-queue.ts';
import { Construct } from 'constructs';
import type { FunctionKey, FunctionSpec } from '../../functions/catalogue.ts';
import { alarmOnDeadLetters } from './monitoring.ts';
import { stackOutput } from './outputs.ts';
import { DEFAULT_TIMEOUT_SECONDS, pascal } from './settings.ts';

export interface HrEventsProps {
  hrBusName: string;
  hrEventSource: string;
  /** The catalogue functions that consume HR events (`hrEvents`), each with its Lambda function. */
  consumers: { key: FunctionKey; spec: FunctionSpec; function: IFunction }[];
  alarmAction: IAlarmAction;
}

/**
 * The HR system puts its events on a bus of its own; a rule per consuming function forwards the
 * detail-types that function consumes to its queue, and the function drains the queue. The queue
 * absorbs bursts (a reorganisation is hundreds of events) and keeps a failed event for a retry;
 * after 3 failed receives it moves to the dead-letter queue, which alarms. EventBridge's own
 * delivery failures (after its retries) land in the same dead-letter queue, so operators watch one
 * queue and redrive it back to the source queue; the ERROR_CODE / RULE_ARN message attributes
 * EventBridge adds tell the two apart.
 */
export class HrEvents extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: HrEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: props.hrBusName,
      description: 'HR system events (separations, updates) for social media governance',
    });
    stackOutput(this, 'HrEventBusName', { value: this.bus.eventBusName, description: 'EventBridge bus the HR system puts its events on' });
    stackOutput(this, 'HrEventBusArn', { value: this.bus.eventBusArn });
    for (const consumer of props.consumers) this.deliverTo(consumer, props);
  }

  private deliverTo({ key, spec, function: consumer }: HrEventsProps['consumers'][number], props: HrEventsProps): void {
    const id = pascal(key);
    const deadLetterQueue = newDeadLetterQueue(this, `${id}DeadLetterQueue`);
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
    const queue = new Queue(this, `${id}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for a Lambda event source: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(6 * (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
    });
    new Rule(this, `${id}Rule`, {
      eventBus: this.bus,
      description: `HR events for ${key}: ${spec.hrEvents?.join(', ')}`,
      eventPattern: { source: [props.hrEventSource], detailType: [...(spec.hrEvents ?? [])] },
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
      `${id}DeadLetterAlarm`,
      deadLetterQueue,
      `${key}: an HR event could not be processed (3 failed attempts) or delivered; it waits in the dead-letter queue. Fix the cause, then redrive the dead-letter queue to its source queue.`,
      props.alarmAction,
    );
    stackOutput(this, `${id}HrEventsDeadLetterQueueUrl`, { value: deadLetterQueue.queueUrl, description: `HR events ${key} could not process` });
  }
}
