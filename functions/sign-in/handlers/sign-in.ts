import { ConfigurationError, NotFoundError } from '#core/errors';
import {
  authorizeUrl,
  decodeSignInAttempt,
  encodeSignInAttempt,
  logoutUrl,
  maxSessionSeconds,
  newSignInAttempt,
  refusalReason,
  safeNextPath,
  sameState,
  signInAttemptSeconds,
} from '#sign-in/sign-in';
import { managedLogin, redeemCode, verifiedIdentity } from '#adapters/cognito';
import { clearCookie, cookieValue, SESSION_COOKIE, SIGN_IN_COOKIE, setCookie } from '#adapters/cookies';
import { httpHandler } from '#adapters/handler';
import { env } from '#adapters/env';
import { type HttpEvent, type HttpResult, htmlResponse, redirect } from '#adapters/http';
import { logger } from '#adapters/logger';
import { signedOutPage, signInProblemPage, signInRefusedPage } from '#sign-in/pages';

/** A cookie's name, value and attributes must stay under 4096 bytes. */
const maxSessionCookieBytes = 3900;

const withCookies = (response: HttpResult, cookies: string[]): HttpResult => ({ ...response, cookies });

/** GET /auth/sign-in?next=/path: a fresh state and PKCE verifier in the sign-in cookie, then Cognito. */
async function start(event: HttpEvent): Promise<HttpResult> {
  const login = managedLogin();
  const attempt = newSignInAttempt(event.queryStringParameters?.next);
  return withCookies(redirect(authorizeUrl(login, attempt)), [setCookie(SIGN_IN_COOKIE, encodeSignInAttempt(attempt), signInAttemptSeconds)]);
}

/** GET /auth/callback?code&state: same browser (state), redeem the code, verify the ID token, session cookie. */
async function callback(event: HttpEvent): Promise<HttpResult> {
  const login = managedLogin();
  const { code, state, error, error_description: description } = event.queryStringParameters ?? {};
  const attempt = decodeSignInAttempt(cookieValue(event, SIGN_IN_COOKIE));
  const next = attempt?.next ?? safeNextPath(undefined);
  const problem = (reason: string, message: string) => {
    logger.info('sign-in refused', { reason });
    return withCookies(htmlResponse(400, signInProblemPage(message, next)), [clearCookie(SIGN_IN_COOKIE)]);
  };
  if (error) {
    // Why Cognito refused (the sign-in trigger's message), shown only to the browser that started
    // this sign-in: anyone can make a link to /auth/callback with a description of their choosing.
    const reason = attempt && (!state || sameState(state, attempt.state)) ? refusalReason(description) : undefined;
    if (!reason) return problem('refused by the identity provider', 'The City sign-in service did not sign you in (it was cancelled or refused).');
    logger.info('sign-in refused', { reason: 'refused with a reason', error: error.slice(0, 64) });
    return withCookies(htmlResponse(403, signInRefusedPage(reason, env().DTI_EMAIL, next)), [clearCookie(SIGN_IN_COOKIE)]);
  }
  if (!attempt || !code || !state || !sameState(state, attempt.state)) {
    return problem('state mismatch', 'This sign-in has expired or was started in another browser or tab, so it was not accepted.');
  }

  const idToken = await redeemCode(login, code, attempt.verifier);
  if (!idToken) return problem('code refused', 'The sign-in code has expired or was already used.');
  // Browsers silently drop a cookie over 4 KiB, which would send the person round the sign-in forever.
  if (idToken.length > maxSessionCookieBytes) {
    throw new ConfigurationError('Your City account\u2019s sign-in token is too large for the session cookie (too many claims or groups). Please tell DTI.');
  }
  let identity: Awaited<ReturnType<typeof verifiedIdentity>>;
  try {
    identity = await verifiedIdentity(idToken);
  } catch (cause) {
    // Only the error's class: its message may quote claims, and the token itself is never logged.
    throw new Error(`The ID token from the token endpoint did not verify (${(cause as Error).name}).`);
  }
  const lifetime = Math.min(identity.expiresAt - Math.floor(Date.now() / 1000), maxSessionSeconds);
  if (lifetime <= 0) return problem('token expired', 'The sign-in took too long to complete.');
  logger.info('signed in', { sub: identity.sub });
  return withCookies(redirect(safeNextPath(attempt.next)), [setCookie(SESSION_COOKIE, idToken, lifetime), clearCookie(SIGN_IN_COOKIE)]);
}

/**
 * POST /auth/sign-out: forget the session here, then end the Cognito session too. The form's answer
 * stays on this site (the pages' CSP allows forms to lead only here, redirects included); the page
 * it leads to goes on to Cognito's logout by itself (a refresh, and a link), which comes back to
 * /auth/signed-out.
 */
async function signOut(): Promise<HttpResult> {
  return withCookies(redirect('/auth/signed-out?ending=session'), [clearCookie(SESSION_COOKIE)]);
}

async function signedOut(event: HttpEvent): Promise<HttpResult> {
  const ending = event.queryStringParameters?.ending === 'session';
  return htmlResponse(200, signedOutPage(ending ? logoutUrl(managedLogin()) : undefined));
}

const routes: Record<string, (event: HttpEvent) => Promise<HttpResult>> = {
  'GET /auth/sign-in': start,
  'GET /auth/callback': callback,
  'POST /auth/sign-out': signOut,
  'GET /auth/signed-out': signedOut,
};

/** The browser sign-in for AWS (Cognito managed login); locally the development sign-in stands in. */
export async function signIn(event: HttpEvent): Promise<HttpResult> {
  const route = routes[event.routeKey];
  if (!route) throw new NotFoundError(`There is no sign-in page at ${event.routeKey}.`);
  return route(event);
}

export const handler = httpHandler(signIn);
