import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cookieValue } from '#adapters/cookies';
import { governanceErrorResponse, type HttpResult, htmlResponse, internalErrorResponse, wantsHtml } from '#adapters/http';
import { checkRequest, decodePath, MAX_BODY_BYTES, ownOrigins, routeRequest } from '#adapters/request-checks';
import { type FunctionKey, type FunctionSpec, functions } from '#catalogue';
import { alert, requiredMark } from '#core/components';
import { html, page } from '#core/html';
import type { Person } from '#core/policy';
import { isConfiguredFirstAdmin } from '#sign-in/directory-gate';
import { signInRefusedPage } from '#sign-in/pages';
import type { HrDelivery, HrEntry } from '#local/hr-bus';
import type { ScheduleRun } from '#local/schedules';

/**
 * The local HTTP API: the catalogue's routes, each turned into the API Gateway v2 event its
 * Lambda would get, plus a clearly marked development sign-in that stands in for Cognito and the
 * Lambda authorizer. The sign-in only chooses whose claims (the directory email) go into the event;
 * the handlers still look the person up themselves and never read identity from a body. The AWS
 * sign-in's entry point, /auth/sign-in, leads here, so the same links work in both hosts. Before it
 * signs anyone in it runs the catalogue's sign-in trigger, the function Cognito runs in AWS, so it
 * refuses the same people with the same words; and it marks a first DTI administrator
 * (FIRST_ADMIN_EMAILS) as the Lambda authorizer does, for the setup page of an empty directory.
 *
 * Every request first passes the same request checks the functions run (adapters/request-checks.ts):
 * a malformed address is a 400, a body over 64 KiB a 413 (read no further than that), a cross-site
 * POST a 403, each a page or JSON like any refusal. Routing is the same module's, from the catalogue;
 * what no route matches goes, as in API Gateway, to the catalogue's `$default` function (404, 405
 * with Allow, OPTIONS). A HEAD goes to its GET route and is answered without a body.
 */

/** The catalogue's `$default` function (API Gateway's catch-all route). */
const defaultRouteKey: FunctionKey = (() => {
  const keys = (Object.entries(functions) as [FunctionKey, FunctionSpec][]).filter(([, spec]) => spec.defaultRoute).map(([key]) => key);
  if (keys.length !== 1 || !keys[0]) throw new Error('The catalogue must mark exactly one function as the default route.');
  return keys[0];
})();

/** The catalogue's Pre Token Generation trigger: the check every sign-in passes (sign-in/handlers/check-sign-in.ts). */
const signInCheckKey: FunctionKey | undefined = (Object.entries(functions) as [FunctionKey, FunctionSpec][]).find(
  ([, spec]) => spec.cognitoTrigger === 'preTokenGeneration',
)?.[0];

/** The event Cognito gives the trigger for a managed-login sign-in, with only what the check reads. */
function preTokenGenerationEvent(email: string) {
  return {
    version: '1',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'local',
    userPoolId: 'local',
    userName: email,
    callerContext: { awsSdkVersion: 'local', clientId: 'local-dev-sign-in' },
    request: { userAttributes: { email }, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] } },
    response: { claimsOverrideDetails: {} },
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** FIRST_ADMIN_EMAILS as the AWS authorizer reads it (the stack sets it from its options, or the shell). */
const firstAdmin = (email: string) => isConfiguredFirstAdmin(email, process.env.FIRST_ADMIN_EMAILS);

export interface LocalHttpApiOptions {
  invoke: (key: FunctionKey, event: unknown) => Promise<unknown>;
  people: () => Promise<Person[]>;
  personById: (id: string) => Promise<Person | undefined>;
  mailboxUrl: string;
  /** The local clock: ends every pending wait, after moving calendar time forward `days`. */
  advanceClock?: (days: number) => Promise<{ endedWaits: number; schedules: ScheduleRun[] }>;
  /** The local HR bus (POST /dev/hr/events, what `npm run hr` calls). */
  putHrEvent?: (entry: HrEntry) => Promise<HrDelivery>;
}

const cookieName = 'dev_user';

interface ReadBody {
  text: string;
  /** Bytes received, or declared by Content-Length; past the limit, no more are kept or counted. */
  bytes: number;
}

/**
 * The request body, kept only up to the limit: a declared Content-Length over it is not read at
 * all, and a body that grows past it is no longer kept (the rest is discarded as it arrives).
 */
function readBody(req: IncomingMessage): Promise<ReadBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.resolve({ text: '', bytes: declared });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve({ text: Buffer.concat(chunks).toString('utf8'), bytes });
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        chunks.length = 0;
        finish();
      } else chunks.push(chunk);
    });
    req.on('end', finish);
    req.on('error', reject);
  });
}

/** Header names lower-cased and repeated headers joined, as API Gateway's v2 event carries them. */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));
}

/** The request target as a URL on this host. Path and query stay as sent (percent-encoded). */
function requestUrl(target: string): URL {
  // Prefixed, not resolved against a base: `//x/y` is a path here, not a host named x.
  return new URL(target.startsWith('/') ? `http://local${target}` : target, 'http://local');
}

function signInPage(people: Person[], next: string): string {
  return page({
    title: 'Development sign-in',
    body: html`<h1>Development sign-in (local only)</h1>
      ${alert('warning', 'This page exists only on the local stack. In AWS, people sign in with their City account (Cognito, federated with the City’s identity provider).', { slim: true })}
      ${
        people.length
          ? html`<form class="usa-form usa-form--large" method="post" action="/dev/sign-in"><input type="hidden" name="next" value="${next}">
      <div class="usa-form-group"><label class="usa-label" for="personId">Sign in as${requiredMark}</label>
      <span class="usa-hint" id="personId-hint">Anyone in the demo directory: you see what they would see.</span>
      <select class="usa-select" id="personId" name="personId" required aria-describedby="personId-hint">${people.map(
        (p) => html`<option value="${p.id}">${p.name} — ${p.title ?? ''} (${p.departmentCode})</option>`,
      )}</select></div><button class="usa-button" type="submit">Sign in</button></form>`
          : alert('info', 'The directory is empty: only a first DTI administrator (FIRST_ADMIN_EMAILS) can come in, by email below.', { slim: true })
      }
      <form class="usa-form usa-form--large" method="post" action="/dev/sign-in"><input type="hidden" name="next" value="${next}">
      <div class="usa-form-group"><label class="usa-label" for="email">Or a City account’s email</label>
      <span class="usa-hint" id="email-hint">As if Cognito had signed in this address: it must be in the directory, or a first administrator’s while the directory is empty.</span>
      <input class="usa-input" id="email" name="email" type="email" required aria-describedby="email-hint"></div><button class="usa-button usa-button--outline" type="submit">Continue with this email</button></form>`,
  });
}

export class LocalHttpApi {
  private server?: Server;
  baseUrl = '';

  constructor(private readonly options: LocalHttpApiOptions) {}

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        // As a function's unhandled error: a 500 that names only a reference; the error goes to the console.
        const reference = randomUUID();
        console.error(`local HTTP API: unhandled error, reference ${reference}`, error);
        if (res.headersSent) return void res.destroy();
        this.write(res, internalErrorResponse(reference, wantsHtml({ headers: flatHeaders(req.headers) })));
      });
    });
    // A port taken meanwhile is a failed start-up that says so, not an uncaught exception.
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => {
        this.server?.off('error', reject);
        resolve();
      });
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  private write(res: ServerResponse, result: HttpResult, extraHeaders: Record<string, string> = {}) {
    res.writeHead(result.statusCode ?? 200, {
      ...result.headers,
      ...extraHeaders,
      ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}),
    } as Record<string, string | string[]>);
    // As API Gateway does: a base64 body (a download) goes out as its bytes. Node sends no body for a HEAD.
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flatHeaders(req.headers);
    const url = requestUrl(req.url ?? '/');
    const domainName = headers.host || 'local';
    const send = (status: number, sendHeaders: Record<string, string>, body = '') => {
      res.writeHead(status, sendHeaders);
      res.end(body);
    };

    const body = await readBody(req);
    const refusal = checkRequest({ method, path: url.pathname, headers, bodyBytes: body.bytes, ownOrigins: ownOrigins(this.baseUrl, domainName) });
    if (refusal) {
      // A body refused unread must not hold the connection open for the rest of it.
      return this.write(res, governanceErrorResponse(refusal, wantsHtml({ headers })), body.bytes > MAX_BODY_BYTES ? { connection: 'close' } : {});
    }

    const reading = method === 'GET' || method === 'HEAD';
    if (url.pathname === '/dev/mailbox' && reading) return send(303, { location: this.options.mailboxUrl });
    if (url.pathname === '/dev/sign-in' && reading) {
      return send(200, { 'content-type': 'text/html; charset=utf-8' }, signInPage(await this.options.people(), url.searchParams.get('next') ?? '/'));
    }
    if (url.pathname === '/dev/sign-in' && method === 'POST') {
      const form = new URLSearchParams(body.text);
      const typed = form.get('email')?.trim();
      const person = typed ? undefined : await this.options.personById(form.get('personId') ?? '');
      const email = typed ?? person?.email;
      if (!email || (typed && !EMAIL.test(typed)))
        return send(400, { 'content-type': 'text/plain' }, 'Choose a person from the directory, or type an email address.');
      const next = form.get('next') ?? '/';
      const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/';
      const refusal = await this.signInRefusal(email);
      if (refusal) return this.write(res, htmlResponse(403, signInRefusedPage(refusal, process.env.DTI_EMAIL ?? '', safeNext)));
      return send(303, {
        location: safeNext,
        // The person's id when chosen from the list (as the tests set it), else the address typed: the functions look people up by email.
        'set-cookie': `${cookieName}=${encodeURIComponent(person?.id ?? email)}; Path=/; HttpOnly; SameSite=Lax`,
      });
    }
    if (url.pathname === '/auth/sign-in' && reading) {
      const next = url.searchParams.get('next');
      return send(303, { location: `/dev/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}` });
    }
    if (url.pathname === '/auth/sign-out' && method === 'POST') {
      return send(303, { location: '/auth/signed-out', 'set-cookie': `${cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    }
    if (url.pathname === '/dev/clock/advance' && method === 'POST' && this.options.advanceClock) {
      const days = Number(url.searchParams.get('days') ?? 0);
      if (!Number.isInteger(days) || days < 0 || days > 366) {
        return send(400, { 'content-type': 'application/json' }, JSON.stringify({ message: 'days is a whole number from 0 to 366.' }));
      }
      const { endedWaits, schedules } = await this.options.advanceClock(days);
      return send(200, { 'content-type': 'application/json' }, JSON.stringify({ endedWaits, movedDays: days, schedules }));
    }
    if (url.pathname === '/dev/reviews' && method === 'POST') {
      // `npm run review -- start`: the same event an operator sends with `aws lambda invoke` in AWS.
      const year = url.searchParams.get('year');
      const departmentCode = url.searchParams.get('department') ?? undefined;
      const event = { trigger: 'cli', ...(year ? { year: Number(year) } : {}), ...(departmentCode ? { departmentCode } : {}) };
      try {
        return send(200, { 'content-type': 'application/json' }, JSON.stringify(await this.options.invoke('startReview', event)));
      } catch (error) {
        const e = error as Error & { status?: number };
        return send(e.status && e.status < 500 ? e.status : 500, { 'content-type': 'application/json' }, JSON.stringify({ error: e.name, message: e.message }));
      }
    }
    if (url.pathname === '/dev/hr/events' && method === 'POST' && this.options.putHrEvent) {
      let entry: HrEntry;
      try {
        entry = JSON.parse(body.text) as HrEntry;
      } catch {
        return send(400, { 'content-type': 'application/json' }, JSON.stringify({ error: 'InvalidInputError', message: 'Send the event as JSON.' }));
      }
      const delivered = await this.options.putHrEvent(entry);
      return send(delivered.status, { 'content-type': 'application/json' }, JSON.stringify(delivered.body));
    }

    // The catalogue route, or (like API Gateway) the $default function for what no route matches.
    const routed = routeRequest(method, url.pathname);
    const route = routed.kind === 'route' ? routed : undefined;

    // Like the Lambda authorizer in AWS: identity when there is one, and the function runs either
    // way; with nobody signed in it sends a browser to /auth/sign-in (here: the dev sign-in) or answers 401.
    let claims: Record<string, string> | undefined;
    if (route?.spec.auth === 'jwt') {
      const signedIn = decodePath(cookieValue({ headers }, cookieName) ?? '') ?? '';
      const person = EMAIL.test(signedIn) ? undefined : await this.options.personById(signedIn);
      const email = person?.email ?? (EMAIL.test(signedIn) ? signedIn : undefined);
      if (email) claims = { sub: person?.id ?? email, email, ...(firstAdmin(email) ? { firstAdmin: 'true' } : {}) };
    }

    delete headers.cookie;
    const routeKey = route ? `${method} ${route.spec.path}` : '$default';
    const query = Object.fromEntries(url.searchParams);
    const event = {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: route && Object.keys(route.pathParameters).length ? route.pathParameters : undefined,
      body: method === 'POST' ? body.text : undefined,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName,
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null }, principalId: '', integrationLatency: 0 } } : {}),
      },
    };
    this.write(res, (await this.options.invoke(route?.key ?? defaultRouteKey, event)) as HttpResult);
  }

  /** The sign-in trigger's refusal of this email (its message), or nothing when it lets them in. */
  private async signInRefusal(email: string): Promise<string | undefined> {
    if (!signInCheckKey) return undefined;
    try {
      await this.options.invoke(signInCheckKey, preTokenGenerationEvent(email));
      return undefined;
    } catch (error) {
      // Its refusals are the GovernanceErrors of a 4xx; anything else (the table unreachable) is a real failure.
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status < 500) return (error as Error).message;
      throw error;
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
