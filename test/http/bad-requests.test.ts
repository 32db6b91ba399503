import { randomBytes, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/adapters/http.ts';
import { routeRequest } from '../../functions/adapters/request-checks.ts';
import { LocalHttpApi } from '../../infra/local/http-api.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { mailbox, startTestStack, validForm } from '../support/harness.ts';

/**
 * One table of bad requests, each sent to both entry points: (a) the local HTTP API over real
 * HTTP, and (b) the AWS entry point, the middy-wrapped `handler` a Lambda runs, given the API
 * Gateway v2 event the HTTP API would send (signed in through the Lambda authorizer's cookie
 * context). Both run in this process against the same local services, and must answer alike.
 */

let stack: LocalStack;
type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;
const aws: Record<string, LambdaHandler> = {};

beforeAll(async () => {
  stack = await startTestStack();
  // Imported only now: the handler modules read the environment the stack has just set.
  const modules = {
    submitRequest: import('#new-account/handlers/submit-request'),
    showRequest: import('#approval-chain/handlers/show-request'),
    decideApproval: import('#approval-chain/handlers/decide-approval'),
    completeOffboardingTask: import('#offboarding/handlers/complete-offboarding-task'),
    showGuidelines: import('#records/handlers/show-guidelines'),
    answerUnknownRoute: import('#site/handlers/answer-unknown-route'),
  };
  for (const [key, mod] of Object.entries(modules)) aws[key] = (await mod).handler as unknown as LambdaHandler;
});
afterAll(async () => {
  await stack?.stop();
});

const ana = { id: 'E102', email: 'agallegos@cabq.example' };
const apiDomain = 'abc123.execute-api.us-west-2.amazonaws.com';

interface BadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Signed in as Ana: the dev sign-in cookie locally, the Lambda authorizer's cookie context in AWS. */
  signedIn?: boolean;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function sendLocal(request: BadRequest): Promise<Answer> {
  const res = await fetch(`${stack.baseUrl}${request.path}`, {
    method: request.method,
    headers: { ...request.headers, ...(request.signedIn ? { cookie: `dev_user=${ana.id}` } : {}) },
    body: request.body,
    redirect: 'manual',
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/** The API Gateway v2 event for `request`, for the function API Gateway would invoke (`routeKey` says which route). */
function awsEvent(request: BadRequest, routeKey: string, pathParameters?: Record<string, string>): HttpEvent {
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers: { 'user-agent': 'vitest', ...request.headers, ...(request.body ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
    cookies: request.signedIn ? ['__Host-session=verified-by-the-authorizer'] : undefined,
    pathParameters,
    body: request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: apiDomain,
      domainPrefix: 'abc123',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      // The Lambda authorizer always authorizes; its context carries the identity when the cookie verified.
      authorizer: { lambda: request.signedIn ? { email: ana.email, sub: `sub-${ana.id}`, credential: 'cookie' } : {} },
    },
  } as unknown as HttpEvent;
}

const lambdaContext = (name: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-west-2:123456789012:function:${name}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

async function sendAws(request: BadRequest, target: AwsTarget): Promise<Answer> {
  const handler = aws[target.fn];
  if (!handler) throw new Error(`no handler ${target.fn}`);
  const result = await handler(awsEvent(request, target.routeKey, target.pathParameters), lambdaContext(target.fn));
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: result.statusCode ?? 200, headers, body: result.body ?? '' };
}

/** Everything stored and sent: a refused request must change neither. */
async function everything() {
  const items = await stack.client.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true }));
  return { items: items.Items ?? [], mail: (await mailbox(stack)).length };
}

const json = { accept: 'application/json', 'content-type': 'application/json' };
const page = { accept: 'text/html,application/xhtml+xml' };
const newRequest = () =>
  JSON.stringify({ ...validForm, proposedHandle: `@t${randomBytes(4).toString('hex')}`, submissionId: randomBytes(9).toString('base64url') });

/** Where API Gateway would send the request: the function and the route key of its route, or `$default`. */
interface AwsTarget {
  fn: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
}

interface Row {
  name: string;
  request: BadRequest;
  aws: AwsTarget;
  status: number;
  expectAnswer: (answer: Answer) => void;
  /** The request must leave the table and the mailbox as they were. */
  storesNothing?: boolean;
}

const unknownRoute: AwsTarget = { fn: 'answerUnknownRoute', routeKey: '$default' };
const crossSiteMessage = 'This form was sent from another website, so it was refused. Open the form on the City site and send it from there.';
const jsonBody = (answer: Answer) => JSON.parse(answer.body) as { error: string; message: string };

const rows: Row[] = [
  {
    name: 'refuses a signed-in POST /requests from another origin with 403, storing and sending nothing',
    request: { method: 'POST', path: '/requests', signedIn: true, headers: { ...json, origin: 'https://evil.example' }, body: newRequest() },
    aws: { fn: 'submitRequest', routeKey: 'POST /requests' },
    status: 403,
    storesNothing: true,
    expectAnswer: (a) => expect(jsonBody(a)).toEqual({ error: 'ForbiddenError', message: crossSiteMessage }),
  },
  {
    name: 'refuses a signed-in form POST that the browser marks Sec-Fetch-Site: cross-site with a 403 page, storing nothing',
    request: {
      method: 'POST',
      path: '/requests',
      signedIn: true,
      headers: { ...page, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ purpose: 'x', submissionId: randomBytes(9).toString('base64url') }).toString(),
    },
    aws: { fn: 'submitRequest', routeKey: 'POST /requests' },
    status: 403,
    storesNothing: true,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.body).toContain('Open the form on the City site');
    },
  },
  {
    name: 'refuses a 1 MB body with 413 naming the 64 KiB limit, storing nothing',
    request: {
      method: 'POST',
      path: '/requests',
      signedIn: true,
      headers: json,
      body: JSON.stringify({ ...validForm, purpose: 'x'.repeat(1024 * 1024), submissionId: randomBytes(9).toString('base64url') }),
    },
    aws: { fn: 'submitRequest', routeKey: 'POST /requests' },
    status: 413,
    storesNothing: true,
    expectAnswer: (a) => {
      expect(jsonBody(a).error).toBe('PayloadTooLargeError');
      expect(jsonBody(a).message).toContain('larger than the 64 KiB limit');
    },
  },
  ...(
    [
      ['/approvals/%E0%A4%A', { fn: 'decideApproval', routeKey: 'GET /approvals/{approvalId}', pathParameters: { approvalId: '%E0%A4%A' } }, false],
      ['/requests/%ZZ', { fn: 'showRequest', routeKey: 'GET /requests/{requestId}', pathParameters: { requestId: '%ZZ' } }, true],
      ['/tasks/%C0%AF', { fn: 'completeOffboardingTask', routeKey: 'GET /tasks/{taskId}', pathParameters: { taskId: '%C0%AF' } }, true],
    ] as const
  ).map(
    ([path, target, signedIn]): Row => ({
      name: `answers GET ${path} (malformed percent-encoding) with 400 and what to do, not a 500`,
      request: { method: 'GET', path, signedIn, headers: { accept: 'application/json' } },
      aws: target,
      status: 400,
      expectAnswer: (a) => {
        expect(jsonBody(a).error).toBe('MalformedAddressError');
        expect(jsonBody(a).message).toMatch(/malformed percent-encoding.*Check the link/);
      },
    }),
  ),
  {
    name: 'answers HEAD of a malformed address with 400 and no body',
    request: { method: 'HEAD', path: '/approvals/%E0%A4%A', headers: page },
    aws: { fn: 'decideApproval', routeKey: 'HEAD /approvals/{approvalId}', pathParameters: { approvalId: '%E0%A4%A' } },
    status: 400,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.body).toBe('');
    },
  },
  {
    name: 'shows a browser a malformed address as a 400 page with the way home',
    request: { method: 'GET', path: '/requests/%ZZ', signedIn: true, headers: page },
    aws: { fn: 'showRequest', routeKey: 'GET /requests/{requestId}', pathParameters: { requestId: '%ZZ' } },
    status: 400,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.body).toContain('malformed percent-encoding');
      expect(a.body).toContain('<a class="usa-link" href="/">My work</a>');
    },
  },
  {
    name: 'answers a browser at an unknown address with a 404 HTML page that links home',
    request: { method: 'GET', path: '/no/such/page', headers: page },
    aws: unknownRoute,
    status: 404,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.headers['content-security-policy']).toContain("default-src 'none'");
      expect(a.body).toMatch(/^<!doctype html>/);
      expect(a.body).toContain('<h1>Page not found</h1>');
      expect(a.body).toContain('<a class="usa-link" href="/">My work</a>');
    },
  },
  {
    name: 'answers an API client at an unknown address with 404 JSON',
    request: { method: 'GET', path: '/no/such/page', headers: { accept: 'application/json' } },
    aws: unknownRoute,
    status: 404,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('application/json');
      expect(jsonBody(a)).toEqual({
        error: 'RouteNotFoundError',
        message: 'There is no page at this address. Check the link, or start again from the home page.',
      });
    },
  },
  {
    name: 'answers a method the address does not answer with 405 and an allow header',
    request: { method: 'DELETE', path: '/requests/na-1', headers: { accept: 'application/json' } },
    aws: unknownRoute,
    status: 405,
    expectAnswer: (a) => {
      expect(a.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect(jsonBody(a)).toEqual({ error: 'MethodNotAllowedError', message: 'This address does not answer DELETE requests; it answers GET, HEAD, OPTIONS.' });
    },
  },
  {
    name: 'answers a POST to a page that only shows with 405 and an allow header',
    request: { method: 'POST', path: '/guidelines', headers: { ...json }, body: '{}' },
    aws: unknownRoute,
    status: 405,
    expectAnswer: (a) => expect(a.headers.allow).toBe('GET, HEAD, OPTIONS'),
  },
  {
    name: 'answers OPTIONS of a known address with 204, the allow header and no CORS',
    request: { method: 'OPTIONS', path: '/requests', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } },
    aws: unknownRoute,
    status: 204,
    expectAnswer: (a) => {
      expect(a.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
      expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(a.body).toBe('');
    },
  },
  {
    name: 'answers OPTIONS of an unknown address with 404',
    request: { method: 'OPTIONS', path: '/no/such/page', headers: { accept: 'application/json' } },
    aws: unknownRoute,
    status: 404,
    expectAnswer: (a) => expect(jsonBody(a).error).toBe('RouteNotFoundError'),
  },
  {
    name: 'answers HEAD of a GET route with its GET status and headers and no body (AWS: the GET function given a HEAD)',
    request: { method: 'HEAD', path: '/guidelines', headers: page },
    aws: { fn: 'showGuidelines', routeKey: 'HEAD /guidelines' },
    status: 200,
    expectAnswer: (a) => {
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.headers['cache-control']).toBe('public, max-age=300');
      expect(a.body).toBe('');
    },
  },
  {
    name: 'answers HEAD of a sign-in-only page like its GET: a browser with no session is sent to sign-in, no body (AWS: the GET function given a HEAD)',
    request: { method: 'HEAD', path: '/requests/new', headers: page },
    aws: { fn: 'submitRequest', routeKey: 'HEAD /requests/new' },
    status: 303,
    storesNothing: true,
    expectAnswer: (a) => {
      expect(a.headers.location).toBe('/auth/sign-in?next=%2Frequests%2Fnew');
      expect(a.body).toBe('');
    },
  },
];

describe('bad requests, the same in both hosts', () => {
  it.each(rows)('$name', async (row) => {
    const before = row.storesNothing ? await everything() : undefined;
    const local = await sendLocal(row.request);
    const lambda = await sendAws(row.request, row.aws);
    expect({ local: local.status, aws: lambda.status }).toEqual({ local: row.status, aws: row.status });
    row.expectAnswer(local);
    row.expectAnswer(lambda);
    if (before) expect(await everything()).toEqual(before);
  });
});

describe('bad requests the local host alone sees', () => {
  it('answers HEAD of a GET route with exactly the headers of its GET (local: the host routes HEAD to the GET function)', async () => {
    const get = await fetch(`${stack.baseUrl}/guidelines`);
    const head = await fetch(`${stack.baseUrl}/guidelines`, { method: 'HEAD' });
    expect(head.status).toBe(get.status);
    // Framing and timing headers aside (a HEAD has no body to frame).
    const framing = ['date', 'content-length', 'transfer-encoding', 'keep-alive', 'connection'];
    const compared = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => !framing.includes(k)));
    expect(compared(head)).toEqual(compared(get));
    expect(await head.text()).toBe('');
    expect((await get.text()).length).toBeGreaterThan(0);
  });

  it('refuses a chunked 1 MB body it has read no further than the limit (local only: no Content-Length to go by)', async () => {
    const before = await everything();
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 16) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${stack.baseUrl}/requests`, {
      method: 'POST',
      headers: { ...json, cookie: `dev_user=${ana.id}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toContain('64 KiB');
    expect(await everything()).toEqual(before);
  });

  it('takes a malformed dev_user cookie as nobody signed in, not as a crash (local only: the dev sign-in)', async () => {
    const res = await fetch(`${stack.baseUrl}/requests`, { headers: { accept: 'application/json', cookie: 'dev_user=%E0%A4%A' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('NotSignedInError');
  });

  it('answers a malformed address on a local-only /dev route with 400, not a crash', async () => {
    const res = await fetch(`${stack.baseUrl}/dev/%ZZ`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('MalformedAddressError');
  });

  it('answers a host failure with a 500 that names a reference and never the error (local only: the host itself)', async () => {
    const failing = new LocalHttpApi({
      invoke: async () => {
        throw new Error('table t-secret is unreachable at 10.0.0.7');
      },
      people: async () => [],
      personById: async () => undefined,
      mailboxUrl: 'http://127.0.0.1:1',
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const baseUrl = await failing.listen();
      const browser = await fetch(`${baseUrl}/guidelines`, { headers: page });
      const client = await fetch(`${baseUrl}/guidelines`, { headers: { accept: 'application/json' } });
      expect([browser.status, client.status]).toEqual([500, 500]);
      const text = await browser.text();
      const { error, message } = (await client.json()) as { error: string; message: string };
      expect(text).toMatch(/^<!doctype html>/);
      expect(error).toBe('InternalError');
      for (const body of [text, message]) expect(body).not.toContain('10.0.0.7');
      const reference = /give DTI this reference: ([0-9a-f-]{36})/.exec(message)?.[1];
      expect(reference).toBeDefined();
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining(reference as string),
        expect.objectContaining({ message: 'table t-secret is unreachable at 10.0.0.7' }),
      );
    } finally {
      logged.mockRestore();
      await failing.stop();
    }
  });

  it('refuses a cross-origin POST to the local sign-out too', async () => {
    const res = await fetch(`${stack.baseUrl}/auth/sign-out`, { method: 'POST', headers: { origin: 'https://evil.example' }, redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('bad requests the AWS host alone sees', () => {
  it('answers a HEAD that reached $default (the HTTP API declares no HEAD routes) with 405 and the methods it does route', async () => {
    const answer = await sendAws({ method: 'HEAD', path: '/guidelines', headers: page }, unknownRoute);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, OPTIONS');
    expect(answer.body).toBe('');
  });

  it('serves the site root as My work in both hosts (a catalogue route, so API Gateway routes it too): a browser nobody signed in is sent to sign in', async () => {
    expect(routeRequest('GET', '/')).toMatchObject({ kind: 'route', key: 'showMyWork' });
    const local = await fetch(`${stack.baseUrl}/`, { redirect: 'manual', headers: page });
    expect([local.status, local.headers.get('location')]).toEqual([303, '/auth/sign-in?next=%2F']);
  });

  it('refuses a bearer-token POST from another origin too: the check no longer depends on the credential', async () => {
    const request: BadRequest = { method: 'POST', path: '/requests', signedIn: true, headers: { ...json, origin: 'https://evil.example' }, body: newRequest() };
    const event = awsEvent(request, 'POST /requests');
    (event.requestContext as unknown as { authorizer: { lambda: Record<string, string> } }).authorizer.lambda.credential = 'bearer';
    const before = await everything();
    const result = await (aws.submitRequest as LambdaHandler)(event, lambdaContext('submitRequest'));
    expect(result.statusCode).toBe(403);
    expect(await everything()).toEqual(before);
  });
});

describe('the checks refuse only what they should', () => {
  it('stores a signed-in POST /requests from the app’s own origin, in both hosts', async () => {
    const local = await sendLocal({ method: 'POST', path: '/requests', signedIn: true, headers: { ...json, origin: stack.baseUrl }, body: newRequest() });
    expect(local.status).toBe(201);
    const lambda = await sendAws(
      {
        method: 'POST',
        path: '/requests',
        signedIn: true,
        headers: { ...json, origin: `https://${apiDomain}`, 'sec-fetch-site': 'same-origin' },
        body: newRequest(),
      },
      { fn: 'submitRequest', routeKey: 'POST /requests' },
    );
    expect(lambda.status).toBe(201);
  });
});
