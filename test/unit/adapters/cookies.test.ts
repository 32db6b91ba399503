import { describe, expect, it } from 'vitest';
import { clearCookie, cookieValue, SESSION_COOKIE, SIGN_IN_COOKIE, setCookie } from '#adapters/cookies';

const header = (cookie: string) => ({ headers: { Cookie: cookie } });

describe('cookieValue', () => {
  it('reads a cookie from the 2.0 payload’s cookies and from a Cookie header of any case', () => {
    expect(cookieValue({ cookies: ['a=1', `${SESSION_COOKIE}=tok.en.sig`] }, SESSION_COOKIE)).toBe('tok.en.sig');
    expect(cookieValue({ headers: { cookie: 'a=1; b=2' } }, 'b')).toBe('2');
    expect(cookieValue({ headers: { COOKIE: 'a=1; b=2' } }, 'a')).toBe('1');
  });

  it('returns undefined when the cookie is absent or there is no cookie at all', () => {
    expect(cookieValue({}, SESSION_COOKIE)).toBeUndefined();
    expect(cookieValue({ cookies: [], headers: {} }, SESSION_COOKIE)).toBeUndefined();
    expect(cookieValue(header('a=1'), SESSION_COOKIE)).toBeUndefined();
    expect(cookieValue(header(''), SESSION_COOKIE)).toBeUndefined();
  });

  it('skips pairs without an equals sign and still finds the ones after them', () => {
    expect(cookieValue(header('garbage; ;;a=1; alsogarbage; b=2'), 'b')).toBe('2');
    expect(cookieValue(header('garbage; ;;a=1; alsogarbage; b=2'), 'garbage')).toBeUndefined();
    expect(cookieValue({ cookies: ['junk', 'a=1'] }, 'a')).toBe('1');
    expect(cookieValue({ cookies: ['junk'] }, 'junk')).toBeUndefined();
  });

  it('keeps the first of duplicate cookies, the payload’s cookies before the header', () => {
    expect(cookieValue(header('a=first; a=second'), 'a')).toBe('first');
    expect(cookieValue({ cookies: ['a=array'], headers: { cookie: 'a=header' } }, 'a')).toBe('array');
  });

  it('keeps everything after the first equals sign, trims spaces around names and values', () => {
    expect(cookieValue(header('  a  =  x=y==  ; b=2'), 'a')).toBe('x=y==');
    expect(cookieValue(header('a=; b=2'), 'a')).toBe('');
    expect(cookieValue(header('a="quoted"'), 'a')).toBe('"quoted"');
  });

  it('returns a percent-encoded value as sent, for the caller to decode', () => {
    expect(cookieValue(header('person=E102%20x%2541'), 'person')).toBe('E102%20x%2541');
  });

  it('does not throw on a bad percent-encoding and returns the value as sent', () => {
    expect(() => cookieValue(header('a=%E0%A4%A; b=%'), 'a')).not.toThrow();
    expect(cookieValue(header('a=%E0%A4%A; b=%'), 'a')).toBe('%E0%A4%A');
    expect(cookieValue(header('a=%E0%A4%A; b=%'), 'b')).toBe('%');
    expect(cookieValue({ cookies: ['%=1', 'c=%zz'] }, 'c')).toBe('%zz');
  });

  it('does not treat names of Object.prototype as cookies', () => {
    expect(cookieValue(header('a=1'), 'constructor')).toBeUndefined();
    expect(cookieValue(header('__proto__=x'), '__proto__')).toBe('x');
  });
});

describe('setCookie and clearCookie', () => {
  it('sets a host-only, HttpOnly, Secure, Lax cookie for whole seconds', () => {
    expect(setCookie(SIGN_IN_COOKIE, 'v', 600.9)).toBe('__Host-signin=v; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=600');
  });

  it('clears a cookie with the same attributes and Max-Age=0', () => {
    expect(clearCookie(SESSION_COOKIE)).toBe('__Host-session=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0');
  });
});
