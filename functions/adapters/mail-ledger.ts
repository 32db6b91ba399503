import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '#adapters/logger';
import { type Email, type Mailer, sesMailer } from '#adapters/mailer';
import { mailAttribute, type MailSlot, type MailSlotState } from '#adapters/mail-slots';
import { TableClient } from '#adapters/table';

/**
 * Every email the workflows send has an idempotency key, recorded on the item the email is about
 * (an approval, a task link, a request, an offboarding) before the email goes out, as attribute
 * `mail:<key>` = { claimedAt, attempts, sentAt?, messageId?, uncertain? }:
 *
 *   claim (conditional: no slot yet) → send → confirm (sentAt, the provider's message id)
 *
 * A retry, a redrive or a restart finds the slot: sent → nothing is sent again; claimed but never
 * confirmed → the earlier attempt ended between its claim and its confirmation, so nobody can tell
 * whether the provider got the message (SES takes no idempotency key). It is sent once more, never
 * lost, and the slot is marked `uncertain` so the one case where a person may have two copies is on
 * the record. Two takeovers at once cannot both send: each takeover is conditional on the attempt
 * count it read.
 */
export type ClaimResult = 'claimed' | 'resend' | 'sent' | 'busy';

export class MailLedger extends TableClient {
  async claim(slot: MailSlot, at = new Date().toISOString()): Promise<ClaimResult> {
    const fresh = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: slot.PK, SK: slot.SK },
        UpdateExpression: 'SET #m = :claim',
        ConditionExpression: slot.ownItem ? 'attribute_not_exists(#m)' : 'attribute_exists(PK) AND attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#m': mailAttribute(slot.key) },
        ExpressionAttributeValues: { ':claim': { claimedAt: at, attempts: 1 } satisfies MailSlotState },
      }),
    );
    if (fresh) return 'claimed';
    const state = await this.state(slot);
    if (!state) throw new Error(`No item ${slot.PK} ${slot.SK} to send ${slot.key} about.`);
    if (state.sentAt) return 'sent';
    const taken = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: slot.PK, SK: slot.SK },
        UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true',
        ConditionExpression: '#m.attempts = :seen AND attribute_not_exists(#m.sentAt)',
        ExpressionAttributeNames: { '#m': mailAttribute(slot.key) },
        ExpressionAttributeValues: { ':next': state.attempts + 1, ':seen': state.attempts, ':at': at, ':true': true },
      }),
    );
    return taken ? 'resend' : 'busy';
  }

  /** Records the send; `record` sets fields of the owning item in the same write (e.g. emailedAt). */
  async confirm(slot: MailSlot, messageId: string | undefined, record: Record<string, string | number> = {}): Promise<void> {
    const at = new Date().toISOString();
    const fields = Object.keys(record);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: slot.PK, SK: slot.SK },
        UpdateExpression: `SET #m.sentAt = :at, #m.messageId = :id${fields.map((_, i) => `, #f${i} = :f${i}`).join('')}`,
        ConditionExpression: 'attribute_exists(#m)',
        ExpressionAttributeNames: { '#m': mailAttribute(slot.key), ...Object.fromEntries(fields.map((f, i) => [`#f${i}`, f])) },
        ExpressionAttributeValues: { ':at': at, ':id': messageId ?? 'unknown', ...Object.fromEntries(fields.map((f, i) => [`:f${i}`, record[f]])) },
      }),
    );
  }

  async state(slot: MailSlot): Promise<MailSlotState | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { PK: slot.PK, SK: slot.SK },
        ProjectionExpression: 'PK, #m',
        ExpressionAttributeNames: { '#m': mailAttribute(slot.key) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return (out.Item[mailAttribute(slot.key)] as MailSlotState | undefined) ?? { claimedAt: '', attempts: 0 };
  }
}

let ledger: MailLedger | undefined;

/**
 * Sends one email at most once per idempotency key (see MailLedger). `claimed`: the caller has just
 * created the owning item with the slot already claimed (claimedAtCreation). Returns what happened.
 */
export async function sendOnce(
  slot: MailSlot,
  email: Email,
  options: { claimed?: boolean; record?: Record<string, string | number>; mailer?: Mailer } = {},
): Promise<'sent' | 'resent' | 'skipped'> {
  ledger ??= new MailLedger();
  const claim: ClaimResult = options.claimed ? 'claimed' : await ledger.claim(slot);
  if (claim === 'sent' || claim === 'busy') return 'skipped';
  if (claim === 'resend') logger.warn('resending an email whose earlier attempt ended before it was recorded as sent', { mail: slot.key });
  const messageId = await (options.mailer ?? sesMailer).send(email, slot);
  await ledger.confirm(slot, messageId, options.record);
  return claim === 'resend' ? 'resent' : 'sent';
}

export { claimedAtCreation, ledgerBeside } from '#adapters/mail-slots';
