import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { ConfigurationError } from '#core/errors';
import { isConfiguredFirstAdmin } from '#sign-in/directory-gate';
import { verifiedIdentity } from '#adapters/cognito';
import { cookieValue, SESSION_COOKIE } from '#adapters/cookies';
import { authorizerHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';

/**
 * The HTTP API Lambda authorizer in front of every `jwt` route (AWS only).
 *
 * It proves identity; it does not enforce presence. It ALWAYS answers `isAuthorized: true`: with the
 * verified `email` and `sub` when a Cognito ID token (bearer header, or the `__Host-session` cookie the
 * sign-in sets) verifies, and with an empty context when there is none or it is invalid or expired.
 * Refusing here would make API Gateway answer a bare 403 that a browser cannot act on; instead the
 * function behind it calls `signedInPerson`, which sends a browser to sign-in (303) and an API client
 * a 401 (one place: httpErrors). So no function reads identity from anywhere but this context.
 *
 * `credential` says how the token came: only a cookie rides along on requests a browser makes by
 * itself, so only cookie-authenticated POSTs get the cross-origin check in signedInPerson.
 *
 * `firstAdmin: 'true'` says the email is on the deployment's first DTI administrators' list
 * (FIRST_ADMIN_EMAILS, context firstAdminEmails): signedInPerson shows them the setup page while the
 * directory is empty (sign-in/directory-gate.ts), so the list lives here and in the sign-in trigger only.
 */

export type AuthorizerContext = { email: string; sub: string; credential: 'bearer' | 'cookie'; firstAdmin?: 'true' } | Record<string, never>;
type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

function presentedToken(event: APIGatewayRequestAuthorizerEventV2): { token: string; credential: 'bearer' | 'cookie' } | undefined {
  const authorization = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer) return { token: bearer, credential: 'bearer' };
  const cookie = cookieValue(event, SESSION_COOKIE);
  return cookie ? { token: cookie, credential: 'cookie' } : undefined;
}

export async function authorizeRequest(event: APIGatewayRequestAuthorizerEventV2): Promise<Result> {
  const anonymous: Result = { isAuthorized: true, context: {} };
  const presented = presentedToken(event);
  if (!presented) return anonymous;
  try {
    const identity = await verifiedIdentity(presented.token);
    if (!identity.email) {
      logger.info('token refused', { reason: 'no email claim' });
      return anonymous;
    }
    const firstAdmin = isConfiguredFirstAdmin(identity.email, process.env.FIRST_ADMIN_EMAILS);
    return {
      isAuthorized: true,
      context: { email: identity.email, sub: identity.sub, credential: presented.credential, ...(firstAdmin ? { firstAdmin: 'true' as const } : {}) },
    };
  } catch (error) {
    // The error's class only (JwtExpiredError, JwtInvalidSignatureError…): never the token.
    if (error instanceof ConfigurationError) logger.error('sign-in is not configured', { error: error.name });
    else logger.info('token refused', { reason: (error as Error).name, credential: presented.credential });
    return anonymous;
  }
}

export const handler = authorizerHandler(authorizeRequest);
