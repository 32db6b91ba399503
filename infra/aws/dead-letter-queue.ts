import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION } from './settings.ts';

/**
 * Where failed work waits for an operator (each owner alarms on its age and says how to redrive):
 * encrypted, TLS only, kept 14 days. Its RedriveAllowPolicy declares it a dead-letter queue
 * (Control Tower CT.SQS.PR.1). `allowAll` is SQS's default made explicit: `byQueue` would name the
 * source queue, whose RedrivePolicy names this one (a CloudFormation cycle), and the Scheduler
 * dead-letter and on-failure queues have no source queue at all.
 */
export function newDeadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
    redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
  });
}
