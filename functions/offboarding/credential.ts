import { randomInt } from 'node:crypto';

/**
 * New shared passwords for City accounts (C). 24 characters from 68 unambiguous ones (no 0/O,
 * 1/l/I) is about 146 bits; at least one of each class satisfies every platform's rules we know of
 * (Meta, X, Instagram, YouTube, LinkedIn, Nextdoor); symbols avoid quotes, backslash and spaces so
 * a password survives being pasted into any form.
 */
const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+-=?@^_~'] as const;
const all = classes.join('');

export const passwordLength = 24;

export function generatePassword(length: number = passwordLength): string {
  if (!Number.isInteger(length) || length < classes.length || length > 128) throw new RangeError('password length must be 4–128');
  const chars = classes.map((c) => c[randomInt(c.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
