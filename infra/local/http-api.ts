import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cookieValue } from '#adapters/cookies';
import { type FunctionKey, functions, type RouteSpec } from '#catalogue';
import { html, page } from '#domain/html';
import type { Person } from '#domain/policy';
import type { HrDelivery, HrEntry } from '#local/hr-bus';

/**
 * The local HTTP API: the catalogue's routes, each turned into the API Gateway v2 event its
 * Lambda would get, plus a clearly marked development sign-in that stands in for Cognito and the
 * Lambda authorizer. The sign-in only chooses whose claims (the directory email) go into the event;
 * the handlers still look the person up themselves and never read identity from a body. The AWS
 * sign-in's entry point, /auth/sign-in, leads here, so the same links work in both hosts.
 */

interface Route {
  key: FunctionKey;
  spec: RouteSpec;
  pattern: RegExp;
  params: string[];
}

function compile(): Route[] {
  const routes: Route[] = [];
  for (const [key, fn] of Object.entries(functions) as [FunctionKey, (typeof functions)[FunctionKey]][]) {
    for (const spec of ('routes' in fn ? fn.routes : []) as readonly RouteSpec[]) {
      const params: string[] = [];
      const source = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      routes.push({ key, spec, pattern: new RegExp(`^${source}$`), params });
    }
  }
  return routes;
}

export interface LocalHttpApiOptions {
  invoke: (key: FunctionKey, event: unknown) => Promise<unknown>;
  people: () => Promise<Person[]>;
  personById: (id: string) => Promise<Person | undefined>;
  mailboxUrl: string;
  /** The local clock: ends every pending wait, after moving calendar time forward `days`. */
  advanceClock?: (days: number) => number;
  /** The local HR bus (POST /dev/hr/events, what `npm run hr` calls). */
  putHrEvent?: (entry: HrEntry) => Promise<HrDelivery>;
}

const cookieName = 'dev_user';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function signInPage(people: Person[], next: string): string {
  return page({
    title: 'Development sign-in',
    body: html`<div class="card dev"><h1>Development sign-in (local only)</h1>
      <p>This page exists only on the local stack. In AWS, people sign in with their City account (Cognito, federated with the City's identity provider).</p>
      <form method="post" action="/dev/sign-in"><input type="hidden" name="next" value="${next}">
      <label for="personId">Sign in as</label><select id="personId" name="personId">${people.map(
        (p) => html`<option value="${p.id}">${p.name} — ${p.title ?? ''} (${p.departmentCode})</option>`,
      )}</select><button type="submit">Sign in</button></form></div>`,
  });
}

export class LocalHttpApi {
  private readonly routes = compile();
  private server?: Server;
  baseUrl = '';

  constructor(private readonly options: LocalHttpApiOptions) {}

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`Local host error: ${error.message}`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const send = (status: number, headers: Record<string, string>, body = '') => {
      res.writeHead(status, headers);
      res.end(body);
    };

    if (url.pathname === '/') return send(303, { location: '/requests/new' });
    if (url.pathname === '/dev/mailbox') return send(303, { location: this.options.mailboxUrl });
    if (url.pathname === '/dev/sign-in' && method === 'GET') {
      return send(
        200,
        { 'content-type': 'text/html; charset=utf-8' },
        signInPage(await this.options.people(), url.searchParams.get('next') ?? '/requests/new'),
      );
    }
    if (url.pathname === '/dev/sign-in' && method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const person = await this.options.personById(form.get('personId') ?? '');
      if (!person) return send(400, { 'content-type': 'text/plain' }, 'Choose a person from the directory.');
      const next = form.get('next') ?? '/requests/new';
      return send(303, {
        location: next.startsWith('/') && !next.startsWith('//') ? next : '/requests/new',
        'set-cookie': `${cookieName}=${encodeURIComponent(person.id)}; Path=/; HttpOnly; SameSite=Lax`,
      });
    }
    if (url.pathname === '/auth/sign-in' && method === 'GET') {
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
      const ended = this.options.advanceClock(days);
      return send(200, { 'content-type': 'application/json' }, JSON.stringify({ endedWaits: ended, movedDays: days }));
    }
    if (url.pathname === '/dev/hr/events' && method === 'POST' && this.options.putHrEvent) {
      let entry: HrEntry;
      try {
        entry = JSON.parse(await readBody(req)) as HrEntry;
      } catch {
        return send(400, { 'content-type': 'application/json' }, JSON.stringify({ error: 'InvalidInputError', message: 'Send the event as JSON.' }));
      }
      const delivered = await this.options.putHrEvent(entry);
      return send(delivered.status, { 'content-type': 'application/json' }, JSON.stringify(delivered.body));
    }

    const route = this.routes.find((r) => r.spec.method === method && r.pattern.test(url.pathname));
    if (!route) {
      const known = this.routes.some((r) => r.pattern.test(url.pathname));
      return send(known ? 405 : 404, { 'content-type': 'application/json' }, JSON.stringify({ message: known ? 'Method Not Allowed' : 'Not Found' }));
    }

    // Like the Lambda authorizer in AWS: identity when there is one, and the function runs either
    // way; with nobody signed in it sends a browser to /auth/sign-in (here: the dev sign-in) or answers 401.
    let claims: Record<string, string> | undefined;
    if (route.spec.auth === 'jwt') {
      const person = await this.options.personById(
        decodeURIComponent(cookieValue({ headers: req.headers as Record<string, string | undefined> }, cookieName) ?? ''),
      );
      if (person) claims = { sub: person.id, email: person.email };
    }

    const match = route.pattern.exec(url.pathname) as RegExpExecArray;
    const pathParameters = Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(match[i + 1] ?? '')]));
    const body = method === 'POST' ? await readBody(req) : undefined;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));
    delete headers.cookie;
    const query = Object.fromEntries(url.searchParams);
    const event = {
      version: '2.0',
      routeKey: `${route.spec.method} ${route.spec.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: url.host,
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: `${route.spec.method} ${route.spec.path}`,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null }, principalId: '', integrationLatency: 0 } } : {}),
      },
    };
    const result = (await this.options.invoke(route.key, event)) as {
      statusCode?: number;
      headers?: Record<string, string>;
      cookies?: string[];
      body?: string;
      isBase64Encoded?: boolean;
    };
    res.writeHead(result.statusCode ?? 200, { ...result.headers, ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}) });
    // As API Gateway does: a base64 body (a download) goes out as its bytes.
    res.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
