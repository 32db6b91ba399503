import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

interface EventOptions {
  method?: 'GET' | 'POST';
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** The signed-in person's email claim; omit for an anonymous request. */
  email?: string;
  /** The Lambda authorizer's context (AWS); replaces the JWT claims when given. */
  lambda?: Record<string, string>;
  /** Request cookies, as API Gateway's 2.0 payload carries them (`name=value`). */
  cookies?: string[];
}

/** An API Gateway HTTP API (v2) event, as the authorized routes receive it (JWT claims, or a Lambda authorizer's context). */
export function httpEvent(o: EventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = o.method ?? 'GET';
  const path = o.path ?? '/';
  const query = o.query ?? {};
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    cookies: o.cookies,
    headers: { accept: 'application/json', ...o.headers },
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: o.pathParameters,
    body: o.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.test',
      domainPrefix: 'example',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Mar/2025:16:00:00 +0000',
      timeEpoch: 1740844800000,
      authorizer: o.lambda
        ? { lambda: o.lambda }
        : {
            principalId: '',
            integrationLatency: 0,
            jwt: { claims: o.email ? { email: o.email } : {}, scopes: [] },
          },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const jsonPost = (path: string, body: unknown, extra: EventOptions = {}) =>
  httpEvent({
    method: 'POST',
    path,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...extra,
    headers: { 'content-type': 'application/json', ...extra.headers },
  });

export const formPost = (path: string, fields: Record<string, string>, extra: EventOptions = {}) =>
  httpEvent({
    method: 'POST',
    path,
    body: new URLSearchParams(fields).toString(),
    ...extra,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra.headers },
  });

/** A minimal Lambda context for the middy-wrapped handlers. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'unit-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:unit-test',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/unit-test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
