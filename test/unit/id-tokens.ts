import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';

/**
 * A stand-in Cognito user pool for the sign-in tests: a real RSA key pair, its JWKS (handed to the
 * verifier with cacheJwks, so nothing is fetched) and ID tokens signed with it exactly as Cognito
 * shapes them. Nothing here leaves the process.
 */

export const userPoolId = 'us-west-2_TestPool1';
export const clientId = 'test-app-client';
export const authDomainUrl = 'https://cabq-test.auth.example.test';
const issuer = `https://cognito-idp.us-west-2.amazonaws.com/${userPoolId}`;
const kid = 'test-key-1';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** Another key under the same kid: a forged token. */
export const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] } as Jwks;

/** The sign-in's environment, on top of setFunctionEnv(). */
export function setAuthEnv(): void {
  Object.assign(process.env, { USER_POOL_ID: userPoolId, USER_POOL_CLIENT_ID: clientId, AUTH_DOMAIN_URL: authDomainUrl });
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A Cognito ID token for Ana Gallegos (valid for an hour), with `claims` overriding any claim. */
export function idToken(claims: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: '7f3c2a10-0000-4000-8000-000000000102',
    email: 'agallegos@cabq.example',
    email_verified: true,
    aud: clientId,
    iss: issuer,
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    ...claims,
  };
  const signed = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}
