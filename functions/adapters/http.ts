import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ForbiddenError, GovernanceError, InvalidInputError, NotInDirectoryError, NotSignedInError } from '#domain/errors';
import { html, page } from '#domain/html';
import type { Person } from '#domain/policy';
import { env } from '#adapters/env';
import { logger } from '#adapters/logger';
import type { GovernanceStore } from '#adapters/store';

export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

/**
 * Pages may carry an approval secret in their URL: never send it on as a Referer, never cache,
 * never frame; scripts are not needed at all.
 */
const securityHeaders = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function htmlResponse(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { ...securityHeaders, 'content-type': 'text/html; charset=utf-8' }, body };
}

export function jsonResponse(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { ...securityHeaders, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function redirect(location: string): HttpResult {
  return { statusCode: 303, headers: { ...securityHeaders, location }, body: '' };
}

function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** A browser asks for HTML; API clients (and anything that says JSON) get JSON. */
export function wantsHtml(event: HttpEvent): boolean {
  const accept = header(event, 'accept') ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

const maxBodyBytes = 64 * 1024;

/**
 * Parses a JSON or form-encoded body into a plain object (repeated form keys become arrays).
 * Anything else is refused with what to send instead.
 */
export function parseBody(event: HttpEvent): Record<string, unknown> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > maxBodyBytes) throw new InvalidInputError('The request body is larger than 64 KiB.');
  const type = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through to the error below
    }
    throw new InvalidInputError('The body is not a JSON object.');
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
  throw new InvalidInputError('Send the body as application/json or application/x-www-form-urlencoded.');
}

/** What an authorizer put in the event: the Lambda authorizer's context (AWS) or JWT claims (local dev sign-in). */
interface AuthorizerShape {
  lambda?: Record<string, unknown> | null;
  jwt?: { claims?: Record<string, unknown> };
}

const asString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The signed-in City employee, from the authorizer (in AWS the Lambda authorizer's verified context,
 * locally the development sign-in's JWT claims) and the directory. Never from the request body.
 */
export async function signedInPerson(event: HttpEvent, store: GovernanceStore): Promise<Person> {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerShape }).authorizer;
  const email = asString(authorizer?.lambda?.email) ?? asString(authorizer?.jwt?.claims?.email);
  if (!email) throw new NotSignedInError('Sign in with your City account to continue.');
  if (authorizer?.lambda?.credential === 'cookie') refuseCrossOriginPost(event);
  const person = await store.personByEmail(email);
  if (!person) throw new NotInDirectoryError(`${email} is not in the social media governance directory. Ask DTI to add you.`);
  // Offboarding marks a separated employee: they keep no way in, whatever their sign-in still says (C).
  if (person.separatedOn) throw new ForbiddenError(`${person.name} separated from the City on ${person.separatedOn} and can no longer use this service.`);
  return person;
}

/**
 * CSRF fence for cookie-authenticated requests. The session cookie is SameSite=Lax, so browsers
 * already leave it off cross-site POSTs; this also refuses a POST that a browser says (Origin)
 * came from any other origin, same-site ones included. Bearer tokens need no fence: browsers never
 * attach them on their own.
 */
function refuseCrossOriginPost(event: HttpEvent): void {
  if (event.requestContext.http.method !== 'POST') return;
  const origin = header(event, 'origin');
  if (origin === undefined) return;
  const own = [new URL(env().PUBLIC_BASE_URL).origin, `https://${event.requestContext.domainName}`];
  if (!own.includes(origin)) {
    throw new ForbiddenError('This form was sent from another website, so it was refused. Open the form on the City site and send it from there.');
  }
}

/**
 * Where a browser goes to sign in, coming back to the page it asked for (GET, with its query, so
 * an emailed task link still works after sign-in: the sign-in keeps `next` in its own HttpOnly
 * cookie, never in a log or at the identity provider) or to the form.
 */
function signInLocation(event: HttpEvent): string {
  if (event.requestContext.http.method !== 'GET') return '/auth/sign-in';
  const next = event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
  return `/auth/sign-in?next=${encodeURIComponent(next)}`;
}

export function errorPage(error: GovernanceError): string {
  const fields = error instanceof InvalidInputError ? Object.entries(error.fields) : [];
  return page({
    title: 'Something needs attention',
    body: html`<div class="card"><h1>${error instanceof NotInDirectoryError ? 'Not in the directory' : 'Something needs attention'}</h1>
      <div class="banner error">${error.message}</div>
      ${fields.length ? html`<ul>${fields.map(([k, v]) => html`<li><strong>${k}</strong>: ${v}</li>`)}</ul>` : ''}</div>`,
  });
}

/**
 * The one place errors become responses: GovernanceErrors keep their status and message (HTML for
 * browsers, JSON otherwise), except that a browser nobody has signed in is sent to sign-in; anything
 * else is a 500 that names only its log correlation id.
 */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      if (error instanceof GovernanceError) {
        logger.info('request refused', { error: error.name, status: error.status });
        if (error instanceof NotSignedInError && wantsHtml(event)) {
          request.response = redirect(signInLocation(event));
          return;
        }
        const body = { error: error.name, message: error.message, ...(error instanceof InvalidInputError ? { fields: error.fields } : {}) };
        request.response = wantsHtml(event) ? htmlResponse(error.status, errorPage(error)) : jsonResponse(error.status, body);
        return;
      }
      const reference = event.requestContext?.requestId ?? 'unknown';
      logger.error('unhandled error', { error: error as Error, reference });
      const message = `Something went wrong on our side. Please try again; if it keeps happening, give DTI this reference: ${reference}`;
      request.response = wantsHtml(event)
        ? htmlResponse(500, page({ title: 'Error', body: html`<div class="card"><h1>Sorry</h1><p>${message}</p></div>` }))
        : jsonResponse(500, { error: 'InternalError', message });
    },
  };
}
