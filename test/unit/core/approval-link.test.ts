import { describe, expect, it } from 'vitest';
import { approvalLink, hashSecret, newApprovalId, approvalIdPattern, secretMatches } from '#core/approval-link';

const secret = `${'x'.repeat(21)}${'Y_-'.repeat(7)}z`;

describe('approval link secrets', () => {
  it('matches the right secret', () => {
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
  });

  it('does not match a secret that differs in one character', () => {
    const changed = `${secret.slice(0, 10)}${secret[10] === 'A' ? 'B' : 'A'}${secret.slice(11)}`;
    expect(changed).toHaveLength(secret.length);
    expect(secretMatches(changed, hashSecret(secret))).toBe(false);
  });

  it('does not match secrets of the wrong length, even when their hash is the one stored', () => {
    const short = secret.slice(0, 42);
    const long = `${secret}A`;
    expect(secretMatches(short, hashSecret(short))).toBe(false);
    expect(secretMatches(long, hashSecret(long))).toBe(false);
  });

  it('does not match against a stored hash of another length', () => {
    expect(secretMatches(secret, hashSecret(secret).slice(1))).toBe(false);
  });

  it('stores a hash that is not the secret', () => {
    const hash = hashSecret(secret);
    expect(hash).not.toBe(secret);
    expect(hash).not.toContain(secret);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('approval links', () => {
  it('puts the approval id in the path and the secret in the query, without a doubled slash', () => {
    expect(approvalLink('https://example.test/', 'AbCdEfGhIjKlMnOpQrStUv', secret)).toBe(`https://example.test/approvals/AbCdEfGhIjKlMnOpQrStUv?s=${secret}`);
  });

  it('issues fresh ids that fit the approval id pattern', () => {
    const a = newApprovalId();
    expect(a).toMatch(approvalIdPattern);
    expect(newApprovalId()).not.toBe(a);
  });
});
