/**
 * Which email an SES event is about. Every email the workflows send goes out from a ledger slot
 * (adapters/mail-ledger.ts: the item it is about, PK and SK, and its idempotency key); the mailer
 * sends that slot with the email as SES message tags, and SES puts the tags back in every event it
 * publishes for the message (`mail.tags`), so a bounce or a complaint names the slot it belongs to.
 *
 * SES tag values may hold only ASCII letters, digits, `_` and `-`, at most 256 characters: every
 * other character is written `_` and two hex digits per UTF-8 byte (`REQ#na-1` → `REQ_23na-1`),
 * which reads back exactly. The tags hold keys and ids (and the address a notice went to, which
 * the event names anyway), never a secret or a link.
 */
export interface MailRef {
  PK: string;
  SK: string;
  key: string;
}

export const mailTagNames = { PK: 'mail-pk', SK: 'mail-sk', key: 'mail-key' } as const satisfies Record<keyof MailRef, string>;

/** SES's limit on a tag value. */
export const MAX_TAG_VALUE_LENGTH = 256;

const plain = /^[A-Za-z0-9-]$/;

export function encodeTagValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (plain.test(char)) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The value a tag was made from; undefined for one this encoding cannot have made. */
export function decodeTagValue(value: string): string | undefined {
  if (!/^(?:[A-Za-z0-9-]|_[0-9A-F]{2})*$/.test(value)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    if (value[i] === '_') {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(value.charCodeAt(i));
      i += 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The SES message tags naming the slot an email is sent from. None when a value would be over SES's
 * limit: SES would refuse the send, and an email matters more than knowing its bounce.
 */
export function mailTags(ref: MailRef): { Name: string; Value: string }[] {
  const tags = (Object.keys(mailTagNames) as (keyof MailRef)[]).map((field) => ({ Name: mailTagNames[field], Value: encodeTagValue(ref[field]) }));
  return tags.every((t) => t.Value.length > 0 && t.Value.length <= MAX_TAG_VALUE_LENGTH) ? tags : [];
}

/** The slot an SES event's `mail.tags` name (each tag's values as SES publishes them, a list); undefined when they name none. */
export function refFromTags(tags: Readonly<Record<string, readonly string[] | undefined>> | undefined): MailRef | undefined {
  const read = (field: keyof MailRef) => {
    const values = tags?.[mailTagNames[field]];
    return values?.length === 1 && values[0] !== undefined ? decodeTagValue(values[0]) : undefined;
  };
  const [PK, SK, key] = [read('PK'), read('SK'), read('key')];
  return PK && SK && key ? { PK, SK, key } : undefined;
}
