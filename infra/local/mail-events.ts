import { randomUUID } from 'node:crypto';
import { type FunctionKey, functions } from '#catalogue';
import { accountId, region } from '#local/step-functions';

/** The local stand-in for the events topic's ARN (AWS: MailEvents in infra/aws/mail.ts). */
export const localMailEventsTopicArn = `arn:aws:sns:${region}:${accountId}:social-media-governance-mail-events`;

/**
 * The local events topic. The SES emulator bounces nothing and publishes no events, so whoever
 * plays SES (a test, a developer) publishes the notification here: it is handed, as the SNS
 * notification Lambda receives in AWS, to every catalogue function marked `mailEvents`, through
 * the same invoke path as every other local function (its table access checked). Unlike SNS, the
 * publisher hears each function's answer, and a function that throws makes the publish throw
 * (in AWS Lambda would retry it twice, then keep it in the dead-letter queue).
 */
export function localMailEvents(invoke: (key: FunctionKey, event: unknown) => Promise<unknown>) {
  const consumers = (Object.entries(functions) as [FunctionKey, { mailEvents?: boolean }][]).filter(([, f]) => f.mailEvents).map(([key]) => key);
  return {
    async publish(notification: unknown): Promise<unknown[]> {
      const event = {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: `${localMailEventsTopicArn}:${randomUUID()}`,
            Sns: {
              Type: 'Notification',
              MessageId: randomUUID(),
              TopicArn: localMailEventsTopicArn,
              Subject: null,
              Message: typeof notification === 'string' ? notification : JSON.stringify(notification),
              Timestamp: new Date().toISOString(),
              SignatureVersion: '1',
              Signature: 'local',
              SigningCertUrl: '',
              UnsubscribeUrl: '',
              MessageAttributes: {},
            },
          },
        ],
      };
      const answers: unknown[] = [];
      for (const key of consumers) answers.push(await invoke(key, event));
      return answers;
    },
  };
}

/**
 * An SES event-publishing notification of a bounce or a complaint, shaped as SES sends it (SES
 * Developer Guide, "Contents of event data that Amazon SES publishes to Amazon SNS"), for an email
 * the workflows sent: its message id and recipient from the emulator's mailbox, and the tags the
 * mailer sent it with (mail-events/mail-tags.ts `mailTags`).
 */
export function sesNotification(input: {
  eventType: 'Bounce' | 'Complaint';
  bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  messageId: string;
  to: string[];
  subject?: string;
  tags: { Name: string; Value: string }[];
  from?: string;
  at?: string;
}): Record<string, unknown> {
  const at = input.at ?? new Date().toISOString();
  const mail = {
    timestamp: at,
    source: input.from ?? 'social-media-governance@cabq.example',
    sendingAccountId: accountId,
    messageId: input.messageId,
    destination: input.to,
    headersTruncated: false,
    commonHeaders: { from: [input.from ?? 'social-media-governance@cabq.example'], to: input.to, messageId: input.messageId, subject: input.subject ?? '' },
    tags: {
      'ses:configuration-set': ['local'],
      'ses:caller-identity': ['local'],
      ...Object.fromEntries(input.tags.map((t) => [t.Name, [t.Value]])),
    },
  };
  const feedbackId = `${randomUUID()}-000000`;
  if (input.eventType === 'Complaint') {
    return {
      eventType: 'Complaint',
      mail,
      complaint: {
        complainedRecipients: input.to.map((emailAddress) => ({ emailAddress })),
        timestamp: at,
        feedbackId,
        complaintFeedbackType: 'abuse',
      },
    };
  }
  const permanent = (input.bounceType ?? 'Permanent') === 'Permanent';
  return {
    eventType: 'Bounce',
    mail,
    bounce: {
      bounceType: input.bounceType ?? 'Permanent',
      bounceSubType: permanent ? 'General' : 'MailboxFull',
      bouncedRecipients: input.to.map((emailAddress) => ({
        emailAddress,
        action: 'failed',
        status: permanent ? '5.1.1' : '4.2.2',
        diagnosticCode: permanent ? 'smtp; 550 5.1.1 user unknown' : 'smtp; 452 4.2.2 mailbox full',
      })),
      timestamp: at,
      feedbackId,
      reportingMTA: 'dsn; local',
    },
  };
}
