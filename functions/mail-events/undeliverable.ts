import type { Approval } from '#core/approval';
import type { RequestStatus } from '#core/request';
import type { MailRef } from './mail-tags.ts';
import type { Ignored, MailEvent, MailEventKind } from './notification.ts';

/**
 * What an undeliverable email (a bounce, a complaint) changes, decided without I/O: which item it
 * was about, whether the event is this email's, what is recorded, whether the step moves on at once
 * and whether DTI is told. The handler reads and writes; this says what.
 */

/** What an email's slot says about the item it is on (adapters/store.ts and the other stores' keys). */
export type About =
  | { kind: 'approval'; requestId: string; step: number; round: 0 | 1 }
  | { kind: 'request'; requestId: string }
  | { kind: 'offboarding'; offboardingId: string }
  | { kind: 'review'; reviewId: string }
  | { kind: 'account'; accountId: string };

/**
 * The partition keys of the items emails are sent about, each with what it is. A slot anywhere
 * else is none of the workflows' (the catalogue's writeKeys for recordMailBounce list these).
 */
export const itemPrefixes = { 'REQ#': 'request', 'OFFBOARD#': 'offboarding', 'REVIEW#': 'review', 'ACCOUNT#': 'account' } as const;

export function aboutOf(ref: Pick<MailRef, 'PK' | 'SK'>): About | undefined {
  const prefix = (Object.keys(itemPrefixes) as (keyof typeof itemPrefixes)[]).find((p) => ref.PK.startsWith(p));
  const id = prefix ? ref.PK.slice(prefix.length) : '';
  if (!prefix || !id) return undefined;
  if (prefix === 'REQ#') {
    const approval = /^APPR#(\d{2})#([01])$/.exec(ref.SK);
    return approval ? { kind: 'approval', requestId: id, step: Number(approval[1]), round: Number(approval[2]) as 0 | 1 } : { kind: 'request', requestId: id };
  }
  if (prefix === 'OFFBOARD#') return { kind: 'offboarding', offboardingId: id };
  if (prefix === 'REVIEW#') return { kind: 'review', reviewId: id };
  return { kind: 'account', accountId: id };
}

/** The slot an email was sent from, as the ledger left it (mail-slots.ts). */
export interface SentSlot {
  attempts: number;
  sentAt?: string;
  messageId?: string;
  uncertain?: boolean;
}

/**
 * Whether an event is about the email this slot sent. The slot holds the message id of the send it
 * confirmed; a slot not confirmed yet (the event outran the confirmation, or the send ended before
 * it) or one sent twice (`uncertain`: the first copy's id was never recorded) accepts its address's
 * event too. A slot that confirmed another message does not: its item has sent something newer
 * there (a hand-over put a new link in the slot), and the event is about the old one.
 */
export function matchSent(event: Pick<MailEvent, 'messageId'>, slot: SentSlot | undefined): Ignored | undefined {
  if (!slot) return { ignored: 'unknown-email', detail: 'No email was sent from the slot its tags name.', messageId: event.messageId };
  if (!slot.messageId || slot.messageId === 'unknown' || slot.uncertain || slot.messageId === event.messageId) return undefined;
  return { ignored: 'other-message', detail: 'The slot its tags name has since sent another message.', messageId: event.messageId };
}

/** What is kept on the item, once per email and kind (the slot's `<kind>` entry and the item's `undeliverable` list). */
export interface UndeliverableEntry {
  kind: MailEventKind;
  mailKey: string;
  recipients: string[];
  at: string;
  recordedAt: string;
  messageId: string;
  feedbackId?: string;
  detail?: string;
}

export function undeliverableEntry(event: MailEvent, recordedAt: string): UndeliverableEntry {
  return {
    kind: event.kind,
    mailKey: event.ref.key,
    recipients: event.recipients,
    at: event.at,
    recordedAt,
    messageId: event.messageId,
    ...(event.feedbackId ? { feedbackId: event.feedbackId } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  };
}

/** An approver's link email: the first one or a reminder (not a notice to DTI on the same item). */
const isLinkEmail = (key: string) => key === 'first' || /^reminder-\d+$/.test(key);

export type WhyNotMoved = 'not-a-link' | 'complaint' | 'not-permanent' | 'not-the-approver' | 'designee-link' | 'decided' | 'request-closed';

export interface Plan {
  /**
   * Move the step to its designee now: an undecided first-round link whose approver's address
   * bounced for good. One superseded already goes there too: an earlier delivery of this event may
   * have escalated it and ended before the designee's email was sent (escalateUndeliverable finishes it).
   */
  escalate: boolean;
  whyNot?: WhyNotMoved;
  /**
   * Tell DTI (once per email and kind). Not when the undeliverable address is DTI's own or the email
   * was one of the notices to DTI: DTI would be emailed at the address that does not work, about
   * itself, and each of those notices would bounce in turn.
   */
  tellDti: boolean;
}

export function planFor(event: MailEvent, about: About, context: { dtiEmail: string; approval?: Approval; requestStatus?: RequestStatus }): Plan {
  const tellDti = !event.recipients.includes(context.dtiEmail.toLowerCase()) && !event.ref.key.startsWith('dti-');
  const not = (whyNot: WhyNotMoved): Plan => ({ escalate: false, whyNot, tellDti });
  const { approval } = context;
  if (about.kind !== 'approval' || !approval || !isLinkEmail(event.ref.key)) return not('not-a-link');
  if (event.kind === 'complaint') return not('complaint');
  if (event.kind !== 'bounce-permanent') return not('not-permanent');
  if (!event.recipients.includes(approval.approverEmail.toLowerCase())) return not('not-the-approver');
  if (approval.decision) return not('decided');
  if (context.requestStatus !== 'PENDING') return not('request-closed');
  if (about.round === 1) return not('designee-link');
  return { escalate: true, tellDti };
}

/** The DTI notice's idempotency key: one notice per email and kind, on the email's own item. */
export const dtiNoticeKey = (event: Pick<MailEvent, 'kind' | 'ref'>) => `dti-${event.kind}-${event.ref.key}`;

/** Why the link that could not be delivered went to someone else: the new approver's email and the history say it. */
export function undeliverableReason(approverName: string, recipients: readonly string[]): string {
  return `the email with ${approverName}’s decision link could not be delivered to ${recipients.join(', ')}`;
}
