import { describe, expect, it } from 'vitest';
import { generatePassword, passwordLength } from '#offboarding/credential';

/** The alphabet the policy asks for: letters and digits without 0/O and 1/l/I, and symbols safe to paste anywhere. */
const upper = /[A-HJ-NP-Z]/;
const lower = /[a-km-z]/;
const digit = /[2-9]/;
const symbol = /[!#%+\-=?@^_~]/;
const allowed = /^[A-HJ-NP-Za-km-z2-9!#%+\-=?@^_~]*$/;

const many = (n: number, length?: number) => Array.from({ length: n }, () => generatePassword(length));

describe('generatePassword', () => {
  it('makes 24-character passwords by default', () => {
    expect(passwordLength).toBe(24);
    for (const password of many(50)) expect(password).toHaveLength(24);
  });

  it.each([4, 5, 16, 64, 128])('makes a password of exactly %i characters on request', (length) => {
    expect(generatePassword(length)).toHaveLength(length);
  });

  it('puts an uppercase letter, a lowercase letter, a digit and a symbol in every password', () => {
    for (const password of [...many(500), ...many(500, 4)]) {
      expect(password).toMatch(upper);
      expect(password).toMatch(lower);
      expect(password).toMatch(digit);
      expect(password).toMatch(symbol);
    }
  });

  it('uses only the allowed characters', () => {
    for (const password of many(1000)) expect(password).toMatch(allowed);
  });

  it('never uses the ambiguous characters 0 O 1 l I, quotes, a backslash or whitespace', () => {
    const joined = many(1000).join('');
    for (const bad of ['0', 'O', '1', 'l', 'I', '"', "'", '`', '\\', ' ', '\t']) expect(joined).not.toContain(bad);
  });

  it('draws from the whole alphabet, not a part of it', () => {
    const seen = new Set(many(2000).join(''));
    const alphabet = [...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=?@^_~'];
    expect(alphabet.filter((c) => !seen.has(c))).toEqual([]);
    expect(seen.size).toBe(alphabet.length);
  });

  it('places the guaranteed characters anywhere, not always first', () => {
    const firstIsUpper = many(400).filter((p) => upper.test(p[0] ?? '')).length;
    // Uppercase is 24 of 68 characters: about 141 of 400 start with one, never all of them.
    expect(firstIsUpper).toBeLessThan(300);
  });

  it('makes 1000 distinct passwords', () => {
    expect(new Set(many(1000)).size).toBe(1000);
  });

  it.each([3, 0, -1, 129, 4.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the length %s with a RangeError', (length) => {
    expect(() => generatePassword(length)).toThrow(RangeError);
    expect(() => generatePassword(length)).toThrow('4–128');
  });
});
