/**
 * Where an email's idempotency key lives (see mail-ledger.ts), with nothing else: the stores that
 * create items with a slot already claimed import this, not the ledger, so loading a store creates
 * no logger and no mail client.
 */
export interface MailSlot {
  PK: string;
  SK: string;
  key: string;
  /**
   * The slot lives on an item of its own (made by the first claim), not on the item the email is
   * about: for emails about a large item copied into an ALL-projection index (a request, an
   * offboarding record), where a slot on the item itself would rewrite it and its index copy twice
   * per email.
   */
  ownItem?: boolean;
}

/** The ledger item beside a large item: its emails' slots, and nothing else. */
export const ledgerBeside = (PK: string, key: string): MailSlot => ({ PK, SK: 'MAIL', key, ownItem: true });

export interface MailSlotState {
  claimedAt: string;
  attempts: number;
  sentAt?: string;
  messageId?: string;
  uncertain?: boolean;
}

export const mailAttribute = (key: string) => `mail:${key}`;

/** The slot, already claimed, to put on an item as it is created: the claim costs no write of its own. */
export function claimedAtCreation(key: string, at: string): Record<string, MailSlotState> {
  return { [mailAttribute(key)]: { claimedAt: at, attempts: 1 } };
}
