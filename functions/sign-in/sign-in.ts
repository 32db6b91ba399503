import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The browser sign-in's rules (OAuth 2.0 authorization code flow with PKCE, RFC 7636), with no AWS
 * in them: where a person may be sent back to, what the short-lived sign-in cookie holds, and the
 * managed-login URLs. The sign-in function wires them to Cognito and cookies.
 */

export const defaultNextPath = '/requests/new';
/** A sign-in attempt (state + code verifier) lives this long: enough to type a password and MFA code. */
export const signInAttemptSeconds = 600;
/** The session cookie never outlives this, whatever the ID token says (the client issues 1 h tokens). */
export const maxSessionSeconds = 3600;

const self = 'https://self.invalid';

const hasControlCharacter = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Where to go after signing in: only a path on this site. `//host`, `/\host` (browsers read both as
 * another host), schemes and control characters all fall back to the form.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\') || hasControlCharacter(next)) return defaultNextPath;
  try {
    const url = new URL(next, self);
    return url.origin === self ? `${url.pathname}${url.search}` : defaultNextPath;
  } catch {
    return defaultNextPath;
  }
}

export interface SignInAttempt {
  /** Binds the callback to the browser that started the sign-in (CSRF on the callback). */
  state: string;
  /** PKCE code verifier: only its SHA-256 goes to the authorization endpoint. */
  verifier: string;
  next: string;
}

export function newSignInAttempt(next: string | null | undefined): SignInAttempt {
  return { state: randomBytes(32).toString('base64url'), verifier: randomBytes(48).toString('base64url'), next: safeNextPath(next) };
}

/** PKCE S256: BASE64URL(SHA256(code_verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The sign-in cookie's value: three base64url fields, so it needs no further encoding. */
export function encodeSignInAttempt(attempt: SignInAttempt): string {
  return [attempt.state, attempt.verifier, Buffer.from(attempt.next).toString('base64url')].join('.');
}

export function decodeSignInAttempt(value: string | undefined): SignInAttempt | undefined {
  const [state, verifier, next, ...rest] = (value ?? '').split('.');
  if (!state || !verifier || !next || rest.length) return undefined;
  return { state, verifier, next: safeNextPath(Buffer.from(next, 'base64url').toString('utf8')) };
}

/** Constant-time comparison of the callback's `state` with the cookie's. */
export function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ManagedLogin {
  /** The user pool domain's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  domainUrl: string;
  clientId: string;
  /** `<public base URL>/auth/callback`, registered on the app client. */
  callbackUrl: string;
  /** `<public base URL>/auth/signed-out`, registered on the app client. */
  signedOutUrl: string;
}

export function authorizeUrl(login: ManagedLogin, attempt: SignInAttempt): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: login.clientId,
    redirect_uri: login.callbackUrl,
    scope: 'openid email profile',
    state: attempt.state,
    code_challenge: pkceChallenge(attempt.verifier),
    code_challenge_method: 'S256',
  });
  return `${login.domainUrl}/oauth2/authorize?${query}`;
}

export function logoutUrl(login: ManagedLogin): string {
  return `${login.domainUrl}/logout?${new URLSearchParams({ client_id: login.clientId, logout_uri: login.signedOutUrl })}`;
}

/** The longest refusal reason shown: the trigger's messages are one sentence. */
const maxReasonLength = 300;

/**
 * Cognito's `error_description`, as a person reads it: a Lambda trigger's refusal arrives wrapped
 * ("PreTokenGeneration failed with error <message>." — Cognito adds the last period, hence a double
 * one), the wrapper is dropped; anything else is shown as it came. Control characters go, and an
 * overlong text is cut (the page escapes it, like every value).
 */
export function refusalReason(description: string | undefined): string | undefined {
  const text = [...(description ?? '')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .replace(/^\w+ failed with error\s+/, '')
    .replace(/\.\.$/, '.')
    .trim();
  if (!text) return undefined;
  return text.length > maxReasonLength ? `${text.slice(0, maxReasonLength - 1)}\u2026` : text;
}
