import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, type Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { UsersOnlyKey } from './keys.ts';
import { EventInvokeConfig, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  type IEmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { newDeadLetterQueue } from './dead-letter-queue.ts';
import { Construct } from 'constructs';
import type { FunctionKey } from '../../functions/catalogue.ts';
import { alarmOnDeadLetters } from './monitoring.ts';
import { stackOutput } from './outputs.ts';
import { pascal } from './settings.ts';

/** What SES publishes to the events topic: what makes an email undeliverable. Deliveries, opens and sends are not needed. */
export const MAIL_EVENTS = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT];

/** Lambda's own retries of a failed asynchronous invocation (its maximum), before the dead-letter queue. */
const ASYNC_RETRIES = 2;

export interface MailProps {
  mailDomain: string;
  mailFrom: string;
  /** The identity of mailDomain is already in SES (settings.existingMailIdentity): use it, create none. */
  existingMailIdentity?: boolean;
}

/**
 * The mail the workflows send (approval links, notices): an SES domain identity with Easy DKIM and
 * a configuration set that requires TLS, keeps reputation metrics and does not send to addresses on
 * SES's suppression list for bounces or complaints. Its bounces and complaints go to the catalogue's
 * mail-event functions (MailEvents). Every send names the configuration set itself, so an identity
 * already in SES (the City's, whose default configuration set may be another) sends through it too.
 */
export class Mail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly identity: IEmailIdentity;
  /** The identity's domain (the identity's name, which is a token when the stack creates it). */
  readonly mailDomain: string;
  readonly mailFrom: string;
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.mailDomain = props.mailDomain;
    this.mailFrom = props.mailFrom;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    stackOutput(this, 'MailConfigurationSetName', { value: this.configurationSet.configurationSetName });

    if (props.existingMailIdentity) {
      // Its name is the domain, so it cannot be created a second time: the City's own identity, or
      // the one a deleted deployment retained. Its DKIM records are published already.
      this.identity = EmailIdentity.fromEmailIdentityName(this, 'Identity', props.mailDomain);
      return;
    }
    // Easy DKIM: the City publishes the three CNAME records (outputs DkimRecord1..3) in its DNS.
    const identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.mailDomain),
      configurationSet: this.configurationSet,
    });
    // Retained: a verified domain (DKIM published, reputation built) is not thrown away with a stack.
    identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.identity = identity;
    identity.dkimRecords.forEach((record, i) => {
      stackOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `DKIM record ${i + 1} to publish in ${props.mailDomain} DNS`,
      });
    });
  }

  /** Sending from the governance identity, through its configuration set, as MAIL_FROM only. */
  grantSend(role: Role): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendFromGovernanceIdentity',
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.mailFrom } },
      }),
    );
  }
}

export interface MailEventsProps {
  mail: Mail;
  /** The catalogue functions that consume bounces and complaints (`mailEvents`), each with its Lambda function. */
  consumers: { key: FunctionKey; function: IFunction }[];
  alarmAction: IAlarmAction;
}

/**
 * Bounces and complaints: the configuration set → an SNS topic, encrypted with a key of its own
 * that SES may use only for this configuration set of this account (and only SES, so conditioned,
 * may publish: the event destination writes the topic policy) → each consumer (the catalogue's
 * `mailEvents` functions). SNS invokes a function asynchronously: Lambda retries a failed
 * invocation twice, then puts the event in the dead-letter queue (its on-failure destination);
 * what SNS itself cannot hand to Lambda goes to the same queue (the subscription's redrive policy).
 * One queue, one alarm: an operator reads the message and invokes the function again with it.
 */
export class MailEvents extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Administered by the account, used only by SES for this configuration set's events (UsersOnlyKey).
    const key = new UsersOnlyKey(this, 'TopicKey', {
      description: 'Social media governance: SES bounce and complaint notifications topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // SES publishes to an encrypted topic only if the key lets SES use it (SES Developer Guide, event destinations).
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToPublishThisConfigurationSetsEvents',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': props.mail.configurationSetArn } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Social media governance: email bounces and complaints',
      masterKey: key,
      enforceSSL: true,
    });
    new ConfigurationSetEventDestination(this, 'BouncesAndComplaints', {
      configurationSet: props.mail.configurationSet,
      destination: EventDestination.snsTopic(this.topic),
      events: MAIL_EVENTS,
    });

    const deadLetterQueue = newDeadLetterQueue(this, 'DeadLetterQueue');
    Validations.of(deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This is the dead-letter queue of the bounce and complaint events (the SNS subscriptions\u2019 redrive target and the functions\u2019 on-failure destination): a dead-letter queue has none of its own.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This is the dead-letter queue of the bounce and complaint events: its messages wait 14 days, with an alarm, for an operator, who invokes the function again with the event; nothing reads it automatically.',
      },
    );
    for (const consumer of props.consumers) {
      this.topic.addSubscription(new LambdaSubscription(consumer.function, { deadLetterQueue }));
      new EventInvokeConfig(this, `${pascal(consumer.key)}FailedEvents`, {
        function: consumer.function,
        retryAttempts: ASYNC_RETRIES,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(deadLetterQueue),
      });
    }
    alarmOnDeadLetters(
      this,
      'DeadLetterAlarm',
      deadLetterQueue,
      `A bounce or complaint could not be processed by ${props.consumers.map((c) => c.key).join(', ')} (after Lambda's ${ASYNC_RETRIES} retries) or delivered to it by SNS. Fix the cause in the function's log, then invoke it again with the queued message's event (requestPayload, or the SNS message).`,
      props.alarmAction,
    );
    stackOutput(this, 'MailEventsTopicArn', { value: this.topic.topicArn, description: 'SES bounce and complaint notifications' });
    stackOutput(this, 'MailEventsDeadLetterQueueUrl', { value: deadLetterQueue.queueUrl, description: 'Bounces and complaints that could not be processed' });
  }
}
