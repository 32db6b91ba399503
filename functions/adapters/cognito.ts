import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { ConfigurationError } from '#core/errors';
import type { ManagedLogin } from '#sign-in/sign-in';
import { env } from '#adapters/env';
import { logger } from '#adapters/logger';

/**
 * Cognito, as the sign-in and the authorizer use it: the managed login's settings, the token
 * endpoint, and ID token verification (aws-jwt-verify fetches the pool's public JWKS over HTTPS
 * once per container, so no IAM permission is involved). Tokens, codes and verifiers are never logged.
 */

const notConfigured = () =>
  new ConfigurationError('Sign-in is not configured for this deployment (USER_POOL_ID, USER_POOL_CLIENT_ID and AUTH_DOMAIN_URL must be set). Please tell DTI.');

export function managedLogin(): ManagedLogin {
  const { USER_POOL_ID, USER_POOL_CLIENT_ID, AUTH_DOMAIN_URL, PUBLIC_BASE_URL } = env();
  if (!USER_POOL_ID || !USER_POOL_CLIENT_ID || !AUTH_DOMAIN_URL) throw notConfigured();
  const base = PUBLIC_BASE_URL.replace(/\/+$/, '');
  return {
    domainUrl: AUTH_DOMAIN_URL.replace(/\/+$/, ''),
    clientId: USER_POOL_CLIENT_ID,
    callbackUrl: `${base}/auth/callback`,
    signedOutUrl: `${base}/auth/signed-out`,
  };
}

const createVerifier = (userPoolId: string, clientId: string) => CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'id' });
export type IdTokenVerifier = ReturnType<typeof createVerifier>;

let verifier: IdTokenVerifier | undefined;

/** One verifier per container, so its JWKS cache survives between invocations. */
export function idTokenVerifier(): IdTokenVerifier {
  if (verifier) return verifier;
  const { USER_POOL_ID, USER_POOL_CLIENT_ID } = env();
  if (!USER_POOL_ID || !USER_POOL_CLIENT_ID) throw notConfigured();
  verifier = createVerifier(USER_POOL_ID, USER_POOL_CLIENT_ID);
  return verifier;
}

export interface VerifiedIdentity {
  sub: string;
  email?: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Signature, issuer (this pool), audience (this client), token_use 'id' and expiry; throws otherwise. */
export async function verifiedIdentity(idToken: string): Promise<VerifiedIdentity> {
  const payload = await idTokenVerifier().verify(idToken);
  return { sub: payload.sub, email: typeof payload.email === 'string' ? payload.email : undefined, expiresAt: payload.exp };
}

/**
 * Redeems an authorization code at the token endpoint (public client: the PKCE verifier instead of
 * a secret). Undefined when Cognito refuses the code (expired, used, wrong verifier): the person
 * starts again. Anything else is our problem and throws.
 */
export async function redeemCode(login: ManagedLogin, code: string, codeVerifier: string): Promise<string | undefined> {
  const res = await fetch(`${login.domainUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: login.clientId,
      code,
      redirect_uri: login.callbackUrl,
      code_verifier: codeVerifier,
    }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status === 400) {
    const body = (await res.json().catch(() => ({}))) as { error?: unknown };
    logger.info('authorization code refused', { error: typeof body.error === 'string' && /^[a-z_]{1,40}$/.test(body.error) ? body.error : 'unknown' });
    return undefined;
  }
  if (!res.ok) throw new Error(`The Cognito token endpoint answered ${res.status}.`);
  const body = (await res.json()) as { id_token?: unknown };
  if (typeof body.id_token !== 'string') throw new Error('The Cognito token endpoint returned no ID token.');
  return body.id_token;
}
