import { randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  GovernanceError,
  InvalidInputError,
  MalformedAddressError,
  MethodNotAllowedError,
  NotInDirectoryError,
  NotSignedInError,
  RouteNotFoundError,
} from '#core/errors';
import { alert } from '#core/components';
import { html, page } from '#core/html';
import type { Person, RoleHolder } from '#core/policy';
import { type Viewer, viewerFor } from '#site/navigation';
import { DirectoryEmptyError, decideSignIn, refusalError } from '#sign-in/directory-gate';
import { directorySetupPage } from '#sign-in/pages';
import { env } from '#adapters/env';
import { checkRequest, crossSiteRefusal, oversizedBody, ownOrigins, type RequestShape } from '#adapters/request-checks';
import type { DirectoryStore } from '#adapters/directory-store';

/*
 * This module creates no client and no logger at import (httpErrors is given the logger): the local
 * host loads it to answer its own refusals before the functions' environment is set.
 */

export type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

/**
 * Pages may carry an approval secret in their URL: never send it to another site as a Referer
 * (`same-origin`: only this app's own requests carry one — `no-referrer` would also make browsers
 * send `Origin: null` on the app's own form posts, which the cross-site fence must refuse), never
 * cache, never frame. Styles, fonts, icons and the one script come from the app's own /assets (the
 * U.S. Web Design System and site/app-assets.ts): nothing inline, nothing from another site; the
 * script may call back only to this app (the people picker). Forms post only to this app: sign-out
 * ends the identity provider's session by a link, not a form (sign-in/pages.ts).
 */
const securityHeaders = {
  'cache-control': 'no-store',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; font-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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

/** What `header` and `wantsHtml` read: an event, or a plain header map (the local host's own answers). */
interface HeaderCarrier {
  headers?: Record<string, string | string[] | undefined>;
}

function header(event: HeaderCarrier, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return Array.isArray(v) ? v.join(',') : v;
  return undefined;
}

/** A browser asks for HTML; API clients (and anything that says JSON) get JSON. */
export function wantsHtml(event: HeaderCarrier): boolean {
  const accept = header(event, 'accept') ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

/** A form's submission id: a repeated POST of one form carries the same one, so it stores one request. */
export const newSubmissionId = () => randomBytes(12).toString('base64url');

/** The submission id a form sent (redisplayed with its errors, it keeps it), or a new one. */
export const submissionIdOf = (body: Record<string, unknown>) => (typeof body.submissionId === 'string' ? body.submissionId : newSubmissionId());

/**
 * Parses a JSON or form-encoded body into a plain object (repeated form keys become arrays).
 * Anything else is refused with what to send instead.
 */
export function parseBody(event: HttpEvent): Record<string, unknown> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  // The request checks refuse it first (413); this keeps a plain handler, called without them, as safe.
  const tooLarge = oversizedBody(Buffer.byteLength(raw));
  if (tooLarge) throw tooLarge;
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
export async function signedInPerson(event: HttpEvent, store: DirectoryStore): Promise<Person> {
  return (await signedInViewer(event, store)).person;
}

/** Who signed in, by event, so an error page can still show them their navigation. */
const viewers = new WeakMap<HttpEvent, Viewer>();

/** The viewer `signedInViewer` found for this event, if it got that far. */
export const viewerOf = (event: HttpEvent): Viewer | undefined => viewers.get(event);

/**
 * The signed-in person with what they may do and the navigation that follows (site/navigation.ts).
 * The City-wide role holders are read beside the person, once, and handed on for reuse.
 */
export async function signedInViewer(event: HttpEvent, store: DirectoryStore): Promise<Viewer> {
  const found = await signedInDirectoryPerson(event, store);
  const viewer = viewerFor(found.person, await found.roleHolders);
  viewers.set(event, viewer);
  return viewer;
}

async function signedInDirectoryPerson(event: HttpEvent, store: DirectoryStore): Promise<{ person: Person; roleHolders: Promise<RoleHolder[]> }> {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerShape }).authorizer;
  const email = asString(authorizer?.lambda?.email) ?? asString(authorizer?.jwt?.claims?.email);
  if (!email) throw new NotSignedInError('Sign in with your City account to continue.');
  // The request checks (httpHandler) refuse every cross-site POST, whatever its credential, before
  // any handler runs; this keeps a plain handler called without them fenced for the session cookie.
  if (authorizer?.lambda?.credential === 'cookie') {
    const refusal = crossSiteRefusal({ method: event.requestContext.http.method, headers: event.headers ?? {}, ownOrigins: ownOriginsOf(event) });
    if (refusal) throw refusal;
  }
  const roleHolders = store.roleHolders();
  // Never left unhandled when the person is refused below.
  roleHolders.catch(() => undefined);
  // The sign-in trigger's decision again, on every request: a person who left the directory, or
  // separated (offboarding marks them, C), keeps no way in, whatever their sign-in still says.
  const verdict = await decideSignIn(store, email, isFirstAdminClaim(authorizer));
  if (verdict.outcome === 'refused') throw refusalError(verdict);
  // A first DTI administrator while the directory is empty: the setup page, wherever they go.
  if (verdict.outcome === 'firstAdmin') throw new DirectoryEmptyError(verdict.email);
  return { person: verdict.person, roleHolders };
}

/** The authorizer's word that the email is a first DTI administrator's (AWS: authorize-request.ts; locally the dev sign-in's claims). */
function isFirstAdminClaim(authorizer: AuthorizerShape | undefined): boolean {
  return String(authorizer?.lambda?.firstAdmin ?? authorizer?.jwt?.claims?.firstAdmin) === 'true';
}

/** The app's own origins, as this event's host sees them: the public base URL and the API's domain. */
function ownOriginsOf(event: HttpEvent): string[] {
  return ownOrigins(env().PUBLIC_BASE_URL, event.requestContext.domainName);
}

/** The request as the checks see it. The path is API Gateway's raw (still percent-encoded) one. */
function requestShape(event: HttpEvent): RequestShape {
  const body = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath ?? event.requestContext.http.path,
    headers: event.headers ?? {},
    bodyBytes: event.isBase64Encoded ? Buffer.from(body, 'base64').byteLength : Buffer.byteLength(body),
    ownOrigins: ownOriginsOf(event),
  };
}

/** Events that came as HEAD: their handler saw a GET, and their answer goes out without its body. */
const headRequests = new WeakSet<HttpEvent>();

/** The method the client sent (a HEAD reaches the handler as GET). */
export function requestedMethod(event: HttpEvent): string {
  return headRequests.has(event) ? 'HEAD' : event.requestContext.http.method;
}

function withoutBodyForHead(request: { event: HttpEvent; response: HttpResult | undefined | null }): void {
  if (!headRequests.has(request.event) || !request.response) return;
  request.response = { ...request.response, body: '', isBase64Encoded: false };
}

/**
 * The request checks (adapters/request-checks.ts) before any handler runs: a malformed address,
 * a body over 64 KiB and a cross-site POST are refused (thrown, so httpErrors answers them). A HEAD
 * is handled as its GET, whose status and headers go out without the body: no handler branches on it.
 */
export function requestChecks(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const { event } = request;
      const refusal = checkRequest(requestShape(event));
      // Marked first, so that a refused HEAD loses its body too.
      if (event.requestContext.http.method === 'HEAD') {
        headRequests.add(event);
        event.requestContext.http.method = 'GET';
        event.routeKey = event.routeKey.replace(/^HEAD /, 'GET ');
        event.requestContext.routeKey = event.requestContext.routeKey.replace(/^HEAD /, 'GET ');
      }
      if (refusal) throw refusal;
    },
    after: withoutBodyForHead,
    onError: withoutBodyForHead,
  };
}

/** OPTIONS of a known address: what it answers, and no CORS (the app is same-origin only). */
export function allowResponse(allow: readonly string[]): HttpResult {
  return { statusCode: 204, headers: { ...securityHeaders, allow: allow.join(', ') }, body: '' };
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

function errorHeading(error: GovernanceError): string {
  if (error instanceof NotInDirectoryError) return 'Not in the directory';
  if (error instanceof RouteNotFoundError) return 'Page not found';
  return 'Something needs attention';
}

/** A field's name as a person reads it: "proposedHandle" → "Proposed handle", "admins.0" → "Admins 1". */
function fieldLabel(key: string): string {
  const words = key
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function errorPage(error: GovernanceError, viewer?: Viewer): string {
  const fields = error instanceof InvalidInputError ? Object.entries(error.fields) : [];
  // A wrong address leaves the reader nowhere to be: give them the way back in.
  const wrongAddress = error instanceof RouteNotFoundError || error instanceof MethodNotAllowedError || error instanceof MalformedAddressError;
  return page({
    title: errorHeading(error),
    viewer,
    body: html`<div class="card"><h1>${errorHeading(error)}</h1>
      ${alert(
        'error',
        html`<p class="margin-0">${error.message}</p>${
          fields.length ? html`<ul class="usa-list margin-bottom-0">${fields.map(([k, v]) => html`<li><strong>${fieldLabel(k)}</strong>: ${v}</li>`)}</ul>` : ''
        }`,
        { role: 'alert' },
      )}
      <p>${wrongAddress ? 'Check the link, or start again from ' : 'You can go back, or start again from '}<a class="usa-link" href="/">My work</a>.</p></div>`,
  });
}

/** A GovernanceError as its response: its status and message, a page for browsers and JSON otherwise. */
export function governanceErrorResponse(error: GovernanceError, asHtml: boolean, viewer?: Viewer): HttpResult {
  const body = { error: error.name, message: error.message, ...(error instanceof InvalidInputError ? { fields: error.fields } : {}) };
  // A first administrator's empty directory is a page of its own: what to do, not an error.
  const shown = error instanceof DirectoryEmptyError ? directorySetupPage(error.email) : errorPage(error, viewer);
  const response = asHtml ? htmlResponse(error.status, shown) : jsonResponse(error.status, body);
  if (error instanceof MethodNotAllowedError) response.headers = { ...response.headers, allow: error.allow.join(', ') };
  return response;
}

/** Anything but a GovernanceError: a 500 that names only the reference to give DTI, never the error. */
export function internalErrorResponse(reference: string, asHtml: boolean, viewer?: Viewer): HttpResult {
  const message = `Something went wrong on our side. Please try again; if it keeps happening, give DTI this reference: ${reference}`;
  return asHtml
    ? htmlResponse(
        500,
        page({
          title: 'Error',
          viewer,
          body: html`<div class="card"><h1>Sorry, something went wrong</h1>${alert('error', message, { role: 'alert' })}<p>Start again from <a href="/">My work</a>.</p></div>`,
        }),
      )
    : jsonResponse(500, { error: 'InternalError', message });
}

/**
 * The one place errors become responses: GovernanceErrors keep their status and message (HTML for
 * browsers, JSON otherwise), except that a browser nobody has signed in is sent to sign-in; anything
 * else is a 500 that names only its log correlation id.
 */
export function httpErrors(logger: Pick<Logger, 'info' | 'error'>): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      if (error instanceof GovernanceError) {
        logger.info('request refused', { error: error.name, status: error.status });
        if (error instanceof NotSignedInError && wantsHtml(event)) {
          request.response = redirect(signInLocation(event));
          return;
        }
        request.response = governanceErrorResponse(error, wantsHtml(event), viewerOf(event));
        return;
      }
      const reference = event.requestContext?.requestId ?? 'unknown';
      logger.error('unhandled error', { error: error as Error, reference });
      request.response = internalErrorResponse(reference, wantsHtml(event), viewerOf(event));
    },
  };
}
