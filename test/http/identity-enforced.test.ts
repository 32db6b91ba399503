import { randomBytes, randomUUID } from 'node:crypto';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionKey, type FunctionSpec, functions, type RouteSpec } from '#catalogue';
import type { HttpEvent, HttpResult } from '../../functions/adapters/http.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { asFunction } from '../../infra/local/table-access-check.ts';
import { mailbox, startTestStack, validForm } from '../support/harness.ts';
import { denverToday, seedAccounts, updateEmployee } from '../support/offboarding.ts';
import { lambdaContext } from '../unit/events.ts';
import { idToken, jwks, setAuthEnv } from '../unit/id-tokens.ts';

/*
 * Identity is enforced by each function, not by the HTTP API. The AWS Lambda authorizer
 * (sign-in/handlers/authorize-request.ts) authorizes everyone and passes on only a verified identity;
 * the local host's development sign-in does the same with its cookie. Each `jwt` route's function
 * then asks `signedInPerson` (adapters/http.ts) who is there, and that is where a caller is refused.
 * This file sends every `jwt` route of the catalogue — read from it, so a new route is covered the
 * day it is added — to both hosts, as someone who must not get in:
 *   (a) anonymous: no cookie, no token;
 *   (b) expired: in AWS an ID token an hour past its `exp` (session cookie or bearer); locally,
 *       whose development sign-in has no lifetime, a session it no longer knows (a `dev_user` cookie
 *       naming nobody, beside an expired Cognito session cookie, which the local host never reads);
 *   (c) separated: a valid sign-in (token or cookie) of a person HR has since separated, as the
 *       directory records it (`Employee Updated`, status SEPARATED: `separatedOn` on the person).
 * The rule, literally (adapters/http.ts httpErrors, core/errors.ts, sign-in/directory-gate.ts):
 *   - nobody signed in (a, b): a browser (Accept: text/html) is sent to sign-in with a 303 — a GET
 *     to `/auth/sign-in?next=<the path asked for>`, a POST to `/auth/sign-in` — and an API client
 *     gets a 401 NotSignedInError;
 *   - separated (c): a 403 ForbiddenError saying "<name> separated from the City on <date> and can
 *     no longer use this service.", to browsers and API clients alike (never a redirect: the City
 *     sign-in would only send them straight back);
 * and nothing changes: no table item written, updated or deleted, no email sent.
 */

interface JwtRoute extends RouteSpec {
  key: FunctionKey;
  entry: string;
  /** `POST /requests`: API Gateway's route key. */
  routeKey: string;
}

const jwtRoutes: JwtRoute[] = (Object.entries(functions) as [FunctionKey, FunctionSpec][]).flatMap(([key, spec]) =>
  (spec.routes ?? []).filter((r) => r.auth === 'jwt').map((r) => ({ ...r, key, entry: spec.entry, routeKey: `${r.method} ${r.path}` })),
);

const separated = { id: 'E401', name: 'Julia Vigil', email: 'jvigil@cabq.example' };
const current = { id: 'E102', email: 'agallegos@cabq.example' };
const separationDate = denverToday();
const separatedMessage = `${separated.name} separated from the City on ${separationDate} and can no longer use this service.`;

/** Plausible values for each path parameter, by name; the account is a real one (its admins include the separated person). */
const pathValues: Record<string, string> = {
  accountId: '',
  departmentCode: 'PRD',
  approvalId: randomBytes(16).toString('base64url'),
  taskId: randomBytes(16).toString('base64url'),
  requestId: `na-20260102-${randomBytes(8).toString('hex')}`,
  offboardingId: `off-${separated.id}-${separationDate.replaceAll('-', '')}`,
  section: 'departments',
  id: 'PRD',
  platformId: 'facebook',
  reviewId: String(new Date().getFullYear()),
};

function concrete(route: JwtRoute): { path: string; pathParameters: Record<string, string> } {
  const pathParameters: Record<string, string> = {};
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = pathValues[name];
    if (value === undefined) throw new Error(`${route.routeKey}: add a plausible value for {${name}} to pathValues`);
    pathParameters[name] = value;
    return encodeURIComponent(value);
  });
  return { path, pathParameters };
}

/** A body the route would take from a signed-in person where it is easy to give one (the new-account form), else just a submission id. */
function bodyFor(route: JwtRoute): Record<string, string | string[]> {
  const submissionId = randomBytes(9).toString('base64url');
  return route.routeKey === 'POST /requests' ? { ...validForm, proposedHandle: `@t${randomBytes(4).toString('hex')}`, submissionId } : { submissionId };
}

type Client = 'browser' | 'api';
type Caller = 'anonymous' | 'expired' | 'separated' | 'current';

interface Answer {
  status: number;
  location: string | null;
  body: string;
}

interface Host {
  name: 'local' | 'AWS';
  send(route: JwtRoute, client: Client, caller: Caller): Promise<Answer>;
}

let stack: LocalStack;
let aws: Host;
let local: Host;

const expiredToken = (email: string) => idToken({ email, exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 });
const validToken = (who: { id: string; email: string }) => idToken({ email: who.email, sub: `sub-${who.id}` });

function requestParts(route: JwtRoute, client: Client) {
  const { path, pathParameters } = concrete(route);
  const fields = route.method === 'POST' ? bodyFor(route) : undefined;
  const body =
    fields === undefined
      ? undefined
      : client === 'browser'
        ? new URLSearchParams(Object.entries(fields).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString()
        : JSON.stringify(fields);
  const headers: Record<string, string> = {
    accept: client === 'browser' ? 'text/html,application/xhtml+xml' : 'application/json',
    'user-agent': 'vitest',
    // A browser's own form post carries the app's origin (the cross-site fence lets it through).
    ...(client === 'browser' && body !== undefined ? { origin: new URL(stack.baseUrl).origin } : {}),
    ...(body !== undefined ? { 'content-type': client === 'browser' ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
  };
  return { path, pathParameters, body, headers };
}

function localHost(): Host {
  const cookieOf: Record<Caller, string | undefined> = {
    anonymous: undefined,
    expired: `dev_user=E999; __Host-session=${expiredToken(current.email)}`,
    separated: `dev_user=${separated.id}`,
    current: `dev_user=${current.id}`,
  };
  return {
    name: 'local',
    async send(route, client, caller) {
      const { path, body, headers } = requestParts(route, client);
      const cookie = cookieOf[caller];
      const res = await fetch(`${stack.baseUrl}${path}`, {
        method: route.method,
        headers: { ...headers, ...(cookie ? { cookie } : {}) },
        body,
        redirect: 'manual',
      });
      return { status: res.status, location: res.headers.get('location'), body: await res.text() };
    },
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The AWS host without AWS: API Gateway's part played here, the functions' real middy handlers
 * (as Lambda runs them, each held to its catalogue table access) against DynamoDB Local. The
 * authorizer gets the request's cookies and Authorization header, verifies any token against a
 * stand-in user pool's JWKS (cached, nothing fetched), and its context becomes the route event's
 * `requestContext.authorizer.lambda`, as API Gateway passes a simple response on.
 */
async function awsHost(): Promise<Host> {
  const load = async (entry: string) => {
    const mod = (await import(new URL(`../../${entry}`, import.meta.url).href)) as { handler?: Handler };
    if (typeof mod.handler !== 'function') throw new Error(`${entry} exports no handler`);
    return mod.handler;
  };
  const authorizerEntry = (Object.values(functions) as FunctionSpec[]).find((spec) => spec.authorizer)?.entry;
  if (!authorizerEntry) throw new Error('the catalogue has no authorizer function');
  const authorizer = await load(authorizerEntry);
  const { idTokenVerifier } = await import('#adapters/cognito');
  idTokenVerifier().cacheJwks(jwks);
  const handlers = new Map<FunctionKey, Handler>();
  for (const route of jwtRoutes) if (!handlers.has(route.key)) handlers.set(route.key, await load(route.entry));

  /** What the caller presents: a browser the session cookie, an API client a bearer token. */
  const tokenOf: Record<Caller, string | undefined> = {
    anonymous: undefined,
    expired: expiredToken(current.email),
    separated: validToken(separated),
    current: validToken(current),
  };
  const domainName = 'abc123.execute-api.us-west-2.amazonaws.com';

  return {
    name: 'AWS',
    async send(route, client, caller) {
      const { path, pathParameters, body, headers: sent } = requestParts(route, client);
      const token = tokenOf[caller];
      const cookies = token && client === 'browser' ? [`__Host-session=${token}`] : undefined;
      const headers = { ...sent, ...(token && client === 'api' ? { authorization: `Bearer ${token}` } : {}) };
      const http = { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' };
      const requestContext = {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName,
        domainPrefix: 'abc123',
        http,
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      };
      const authorizerEvent = {
        version: '2.0',
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-west-2:123456789012:abc123/$default/${route.method}${route.path}`,
        identitySource: [],
        routeKey: route.routeKey,
        rawPath: path,
        rawQueryString: '',
        cookies,
        headers,
        requestContext,
      } as unknown as APIGatewayRequestAuthorizerEventV2;
      const verdict = (await authorizer(authorizerEvent, lambdaContext)) as { isAuthorized: boolean; context: Record<string, string> };
      // The authorizer lets everyone through; were it to refuse, API Gateway would answer a bare 403.
      if (!verdict.isAuthorized) return { status: 403, location: null, body: 'the authorizer refused' };
      const event = {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: path,
        rawQueryString: '',
        cookies,
        headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
        body,
        isBase64Encoded: false,
        requestContext: { ...requestContext, authorizer: { lambda: verdict.context } },
      } as unknown as HttpEvent;
      const handler = handlers.get(route.key);
      if (!handler) throw new Error(`no handler for ${route.key}`);
      const result = (await asFunction(route.key, () => handler(event, { ...lambdaContext, functionName: route.key }))) as HttpResult;
      const location = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'location')?.[1];
      return { status: result.statusCode ?? 200, location: location === undefined ? null : String(location), body: result.body ?? '' };
    },
  };
}

/** Everything stored and sent, as comparable strings: a refused request must change neither. */
async function everything(): Promise<{ items: string[]; mail: number }> {
  const items: string[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.client.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true, ExclusiveStartKey }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { items: items.sort(), mail: (await mailbox(stack)).length };
}

function changes(before: { items: string[]; mail: number }, after: { items: string[]; mail: number }): string[] {
  const had = new Set(before.items);
  const has = new Set(after.items);
  return [
    ...after.items.filter((i) => !had.has(i)).map((i) => `wrote ${i.slice(0, 160)}`),
    ...before.items.filter((i) => !has.has(i)).map((i) => `replaced or deleted ${i.slice(0, 160)}`),
    ...(after.mail !== before.mail ? [`sent ${after.mail - before.mail} email(s)`] : []),
  ];
}

const jsonOf = (body: string): { error?: string; message?: string } => {
  try {
    return JSON.parse(body) as { error?: string; message?: string };
  } catch {
    return {};
  }
};

/** What the rule says this caller gets from this route, as a list of what was wrong (empty: as documented). */
function problems(route: JwtRoute, client: Client, caller: Exclude<Caller, 'current'>, answer: Answer): string[] {
  const found: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) found.push(what);
  };
  const said = `${answer.status}${answer.location ? ` → ${answer.location}` : ''}: ${answer.body.slice(0, 200)}`;
  if (caller === 'separated') {
    check(answer.status === 403, `expected 403, got ${said}`);
    if (client === 'api') {
      const json = jsonOf(answer.body);
      check(json.error === 'ForbiddenError' && json.message === separatedMessage, `expected ForbiddenError "${separatedMessage}", got ${said}`);
    } else check(answer.body.includes(separatedMessage), `expected the page to say "${separatedMessage}", got ${said}`);
    return found;
  }
  if (client === 'api') {
    check(answer.status === 401, `expected 401, got ${said}`);
    check(jsonOf(answer.body).error === 'NotSignedInError', `expected NotSignedInError, got ${said}`);
    return found;
  }
  const { path } = concrete(route);
  const signIn = route.method === 'GET' ? `/auth/sign-in?next=${encodeURIComponent(path)}` : '/auth/sign-in';
  check(answer.status === 303 && answer.location === signIn, `expected 303 → ${signIn}, got ${said}`);
  return found;
}

beforeAll(async () => {
  // The stand-in user pool, before any function reads its environment (env() reads it once).
  setAuthEnv();
  stack = await startTestStack();
  const [account] = await seedAccounts(stack, 1, [
    { personId: separated.id, personName: separated.name, role: 'ADMIN' },
    { personId: current.id, role: 'ADMIN' },
  ]);
  if (!account) throw new Error('no account seeded');
  pathValues.accountId = account.accountId;
  // HR separates Julia Vigil (DTI): the directory marks her separated today. Her grant and any
  // sign-in she still holds are untouched (her offboarding would revoke the grant; it is not run here).
  const put = await updateEmployee(stack, separated.id, { status: 'SEPARATED', separationDate });
  if (put.status !== 202) throw new Error(`separation not recorded: ${JSON.stringify(put.body)}`);
  local = localHost();
  aws = await awsHost();
});
afterAll(async () => {
  await stack?.stop();
});

describe('the routes this file sends', () => {
  it('are every jwt route of the catalogue, the known ones among them', () => {
    const keys = jwtRoutes.map((r) => r.routeKey);
    expect(keys.length).toBeGreaterThan(40);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /',
        'GET /requests/new',
        'POST /requests',
        'GET /requests/{requestId}',
        'GET /accounts/{accountId}/credential',
        'POST /accounts/{accountId}/credential',
        'GET /credentials',
        'POST /tasks/{taskId}',
        'GET /records/export',
        'POST /directory/{section}/{id}',
        'POST /reviews/{reviewId}/departments/{departmentCode}',
        'POST /platforms/{platformId}/retire',
      ]),
    );
    // Link and public routes are authenticated otherwise (the link's secret; nothing, for sign-in).
    expect(keys).not.toContain('POST /approvals/{approvalId}');
    expect(keys).not.toContain('GET /auth/sign-in');
    expect(jwtRoutes.filter((r) => r.method === 'POST').length).toBeGreaterThan(15);
  });
});

describe.each([
  ['local', () => local],
  ['AWS', () => aws],
] as const)('every jwt route, %s host', (_, host) => {
  it.each([
    ['refuses an anonymous caller: a browser sent to sign-in (303), an API client 401, nothing changed', 'anonymous'],
    ['refuses an expired session as if nobody had signed in: 303 to sign-in, or 401, nothing changed', 'expired'],
    ['refuses a separated person whose sign-in is still valid: 403 with the separation date, nothing changed', 'separated'],
  ] as const)('%s', async (_, caller) => {
    const wrong: string[] = [];
    const start = await everything();
    for (const route of jwtRoutes) {
      for (const client of ['browser', 'api'] as const) {
        const before = route.method === 'POST' ? await everything() : undefined;
        const answer = await host().send(route, client, caller);
        for (const p of problems(route, client, caller, answer)) wrong.push(`${route.routeKey} (${client}): ${p}`);
        if (before) for (const c of changes(before, await everything())) wrong.push(`${route.routeKey} (${client}): ${c}`);
      }
    }
    for (const c of changes(start, await everything())) wrong.push(`after every route: ${c}`);
    expect(wrong).toEqual([]);
  });

  // The refusals above mean something only if the same requests reach each function when a current
  // employee sends them: her GETs are answered by the function itself (its page, a 403 or a 404 of
  // its own), never with a sign-in, a 401 or the separation refusal.
  it('lets a current employee through the same GETs to the function', async () => {
    const wrong: string[] = [];
    for (const route of jwtRoutes.filter((r) => r.method === 'GET')) {
      const answer = await host().send(route, 'api', 'current');
      const refused =
        answer.status === 401 || answer.status >= 500 || answer.body.includes('no longer use this service') || answer.location?.startsWith('/auth/sign-in');
      if (refused) wrong.push(`${route.routeKey}: ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });
});
