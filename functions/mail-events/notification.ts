import * as z from '#core/zod';
import { type MailRef, refFromTags } from './mail-tags.ts';

/**
 * SES's event publishing, as the configuration set's event destination delivers it: an SNS
 * notification whose Message is the event's JSON (`eventType` Bounce or Complaint, `mail` with the
 * message id, destination and tags, and `bounce` or `complaint`). SES documents more fields than
 * these and may add more: only what is used is read, and anything else is let through.
 *
 * What cannot be acted on is never an error to retry (a retry would read the same message the same
 * way): it is an `Ignored`, with a named reason the handler logs.
 */

/** What was undeliverable, and how: each is recorded once per email. */
export type MailEventKind = 'bounce-permanent' | 'bounce-transient' | 'bounce-undetermined' | 'complaint';

export interface MailEvent {
  kind: MailEventKind;
  /** SES's message id (the SendEmail answer's MessageId, recorded on the email's slot). */
  messageId: string;
  /** The slot the email was sent from (its tags). */
  ref: MailRef;
  /** The addresses that bounced or complained (lower case). */
  recipients: string[];
  /** When SES (or the recipient's provider) reported it. */
  at: string;
  /** SES's id of this bounce or complaint report. */
  feedbackId?: string;
  /** The sub-type and the receiving server's answer, or the complaint's feedback type. */
  detail?: string;
  subject?: string;
}

export type IgnoreReason =
  | 'not-an-sns-notification'
  | 'not-json'
  | 'not-an-ses-event'
  | 'unhandled-event-type'
  | 'untagged-email'
  | 'not-a-governance-item'
  | 'unknown-email'
  | 'other-message';

export interface Ignored {
  ignored: IgnoreReason;
  detail: string;
  messageId?: string;
}

const snsEventSchema = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal('aws:sns'), Sns: z.object({ MessageId: z.optional(z.string()), Message: z.string() }) }))
    .check(z.minLength(1)),
});

/** The messages an SNS-invoked function was given (one per record; SNS sends one at a time). */
export function snsMessages(event: unknown): string[] | Ignored {
  const parsed = snsEventSchema.safeParse(event);
  if (!parsed.success) return { ignored: 'not-an-sns-notification', detail: 'The event has no aws:sns records with a Message.' };
  return parsed.data.Records.map((r) => r.Sns.Message);
}

const recipient = z.object({ emailAddress: z.string().check(z.minLength(3), z.maxLength(320)), diagnosticCode: z.optional(z.string()) });
const mailSchema = z.object({
  messageId: z.string().check(z.minLength(1), z.maxLength(200)),
  destination: z.optional(z.array(z.string())),
  tags: z.optional(z.record(z.string(), z.array(z.string()))),
  commonHeaders: z.optional(z.object({ subject: z.optional(z.string()) })),
});
const sesEventSchema = z.discriminatedUnion('eventType', [
  z.object({
    eventType: z.literal('Bounce'),
    mail: mailSchema,
    bounce: z.object({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: z.array(recipient).check(z.minLength(1)),
      timestamp: z.string(),
      feedbackId: z.optional(z.string()),
    }),
  }),
  z.object({
    eventType: z.literal('Complaint'),
    mail: mailSchema,
    complaint: z.object({
      complainedRecipients: z.array(recipient).check(z.minLength(1)),
      timestamp: z.string(),
      feedbackId: z.optional(z.string()),
      complaintFeedbackType: z.optional(z.string()),
    }),
  }),
]);

/** Longest diagnostic kept: a receiving server's answer is usually one line, and it goes in an email to DTI. */
const MAX_DETAIL = 500;

/** One SNS message as a bounce or complaint of one of the workflows' emails, or why it is not one. */
export function parseSesEvent(message: string): MailEvent | Ignored {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ignored: 'not-json', detail: 'The SNS message is not JSON.' };
  }
  const eventType = (json as { eventType?: unknown } | null)?.eventType;
  if (typeof eventType === 'string' && eventType !== 'Bounce' && eventType !== 'Complaint') {
    return { ignored: 'unhandled-event-type', detail: `SES event type "${eventType.slice(0, 40)}" is not a bounce or a complaint.` };
  }
  const parsed = sesEventSchema.safeParse(json);
  if (!parsed.success) return { ignored: 'not-an-ses-event', detail: `Not an SES bounce or complaint: ${z.prettifyError(parsed.error).slice(0, 300)}` };
  const event = parsed.data;
  const { messageId } = event.mail;
  const ref = refFromTags(event.mail.tags);
  if (!ref) return { ignored: 'untagged-email', detail: 'The email carries no governance mail tags (it was not sent from a mail ledger slot).', messageId };
  const subject = event.mail.commonHeaders?.subject;
  const common = { messageId, ref, ...(subject ? { subject: subject.slice(0, 200) } : {}) };
  if (event.eventType === 'Bounce') {
    const { bounce } = event;
    const diagnostics = bounce.bouncedRecipients.map((r) => r.diagnosticCode).filter(Boolean);
    const detail = [bounce.bounceSubType, ...diagnostics].filter(Boolean).join(': ').slice(0, MAX_DETAIL);
    return {
      ...common,
      kind: `bounce-${bounce.bounceType.toLowerCase()}` as MailEventKind,
      recipients: bounce.bouncedRecipients.map((r) => r.emailAddress.toLowerCase()),
      at: bounce.timestamp,
      ...(bounce.feedbackId ? { feedbackId: bounce.feedbackId } : {}),
      ...(detail ? { detail } : {}),
    };
  }
  const { complaint } = event;
  return {
    ...common,
    kind: 'complaint',
    recipients: complaint.complainedRecipients.map((r) => r.emailAddress.toLowerCase()),
    at: complaint.timestamp,
    ...(complaint.feedbackId ? { feedbackId: complaint.feedbackId } : {}),
    ...(complaint.complaintFeedbackType ? { detail: complaint.complaintFeedbackType.slice(0, MAX_DETAIL) } : {}),
  };
}

export const isIgnored = (x: object): x is Ignored => 'ignored' in x;
