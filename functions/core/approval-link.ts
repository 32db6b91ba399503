import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Approval links (DESIGN: email approvals). The link carries an opaque random id and a 256-bit
 * secret (a keyed MAC of the id, see adapters/link-keys); only the secret's SHA-256 is stored. A
 * full-entropy secret needs no slow hash: nothing is cheaper to brute-force than the secret itself.
 */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function secretMatches(secret: string | undefined, storedHash: string): boolean {
  if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return false;
  const actual = Buffer.from(hashSecret(secret));
  const expected = Buffer.from(storedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export const approvalIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** An offboarding task's link; also the only way to the password. The password is never in an email. */
export function taskLink(baseUrl: string, approvalId: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/tasks/${approvalId}?s=${secret}`;
}

/** The link emailed to an approver. The secret rides in the query string, never in a logged field. */
export function approvalLink(baseUrl: string, approvalId: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/approvals/${approvalId}?s=${secret}`;
}
