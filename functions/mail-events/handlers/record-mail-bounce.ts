import { metricNames } from '#core/metrics';
import { env } from '#adapters/env';
import { correlate, taskHandler } from '#adapters/handler';
import { taskLogKeys } from '#adapters/log-keys';
import { logger } from '#adapters/logger';
import { approvalIn, MailEventStore } from '#adapters/mail-event-store';
import { sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
import { escalateUndeliverable } from '#adapters/undeliverable-link';
import { pageOf, type StepOutcome, undeliverableNotice } from '../emails.ts';
import { type Ignored, isIgnored, parseSesEvent, snsMessages } from '../notification.ts';
import { aboutOf, dtiNoticeKey, matchSent, planFor, undeliverableEntry, undeliverableReason } from '../undeliverable.ts';

let store: MailEventStore | undefined;

export type MailEventOutcome = Ignored | { recorded: boolean; step?: StepOutcome; dti: 'sent' | 'resent' | 'skipped' | 'not-told' };

/**
 * SES bounces and complaints, from the configuration set's SNS topic. Each step is idempotent, and
 * each runs on every delivery (SNS delivers at least once, and an earlier delivery may have ended
 * part-way): the record is a conditional write, once per email and kind; the escalation is
 * conditional on the step's state; DTI's notice goes through the mail ledger, once per email and kind.
 *
 * What cannot be acted on (not SES's, untagged, naming no email of ours) is logged with its named
 * reason and answered, never thrown: SNS invokes asynchronously, and Lambda would retry it twice and
 * then park it in the dead-letter queue, where it would alarm for something no retry can change. A
 * failure that can pass (DynamoDB, SES, KMS) is thrown, so those retries redo the whole, idempotent, work.
 */
export async function recordMailBounce(event: unknown): Promise<{ outcomes: MailEventOutcome[] }> {
  const messages = snsMessages(event);
  const outcomes = isIgnored(messages) ? [messages] : await Promise.all(messages.map(handleMessage));
  for (const o of outcomes) if (isIgnored(o)) logger.warn('mail event ignored', { reason: o.ignored, detail: o.detail, messageId: o.messageId });
  return { outcomes };
}

async function handleMessage(message: string): Promise<MailEventOutcome> {
  const event = parseSesEvent(message);
  if (isIgnored(event)) return event;
  const about = aboutOf(event.ref);
  if (!about) return { ignored: 'not-a-governance-item', detail: `Its tags name an item under ${event.ref.PK.split('#')[0]}#.`, messageId: event.messageId };
  // SNS hands over one message per invocation: its lines are the request's, offboarding's or review's.
  correlate(taskLogKeys(about).correlationId);
  store ??= new MailEventStore();
  const s = store;
  const sent = await s.sentFrom(event.ref);
  const mismatch = matchSent(event, sent?.slot);
  if (mismatch || !sent) return mismatch as Ignored;

  const recorded = await s.recordUndeliverable(event.ref, undeliverableEntry(event, new Date().toISOString()));
  // Once per email and kind: a redelivery finds it recorded (the conditional write refuses it).
  if (recorded) countMetric(metricNames.mailUndeliverable, 'mail');
  const approval = about.kind === 'approval' ? approvalIn(sent.item) : undefined;
  const request = about.kind === 'approval' ? await s.request(about.requestId, true) : undefined;
  const plan = planFor(event, about, { dtiEmail: env().DTI_EMAIL, approval, requestStatus: request?.status });
  const step: StepOutcome | undefined =
    plan.escalate && approval && request
      ? await escalateUndeliverable(s, approval, request, undeliverableReason(approval.approverName, event.recipients))
      : plan.whyNot && about.kind === 'approval'
        ? { whyNot: plan.whyNot }
        : undefined;
  const stepTitle = approval ? request?.steps[approval.step]?.title : undefined;
  const notice = undeliverableNotice({
    event,
    about,
    outcome: step ?? { whyNot: plan.whyNot ?? 'not-a-link' },
    ...(stepTitle ? { stepTitle } : {}),
    pageUrl: pageOf(about, env().PUBLIC_BASE_URL),
  });
  const dti = plan.tellDti
    ? await sendOnce({ PK: event.ref.PK, SK: event.ref.SK, key: dtiNoticeKey(event) }, { to: [env().DTI_EMAIL], ...notice })
    : 'not-told';
  // DTI's own address cannot be told about itself: the log (and the item's record) is where this one shows.
  logger[plan.tellDti ? 'info' : 'error']('undeliverable email recorded', {
    kind: event.kind,
    item: event.ref.PK,
    mail: event.ref.key,
    recorded,
    step,
    dti,
  });
  return { recorded, ...(step ? { step } : {}), dti };
}

export const handler = taskHandler(recordMailBounce);
