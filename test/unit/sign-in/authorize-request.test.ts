import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { lambdaContext } from '../events.ts';
import { clientId, idToken, jwks, otherKey, setAuthEnv } from '../id-tokens.ts';

type Module = typeof import('#sign-in/handlers/authorize-request');
let authorizeRequest: Module['authorizeRequest'];
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  setAuthEnv();
  ({ authorizeRequest, handler } = await import('#sign-in/handlers/authorize-request'));
  const { idTokenVerifier } = await import('#adapters/cognito');
  idTokenVerifier().cacheJwks(jwks);
  // Any network use would be a bug: the JWKS is cached and nothing else is fetched.
  vi.stubGlobal(
    'fetch',
    vi.fn(() => Promise.reject(new Error('no network in unit tests'))),
  );
});

afterEach(() => vi.mocked(fetch).mockClear());

/** The Lambda authorizer's event (payload 2.0) for GET /requests/new. */
function authorizerEvent(o: { authorization?: string; cookies?: string[] } = {}): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-west-2:123456789012:api/$default/GET/requests/new',
    identitySource: [],
    routeKey: 'GET /requests/new',
    rawPath: '/requests/new',
    rawQueryString: '',
    cookies: o.cookies ?? [],
    headers: { accept: 'text/html', ...(o.authorization ? { authorization: o.authorization } : {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.test',
      domainPrefix: 'example',
      http: { method: 'GET', path: '/requests/new', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: 'GET /requests/new',
      stage: '$default',
      time: '01/Mar/2025:16:00:00 +0000',
      timeEpoch: 1740844800000,
    },
  } as APIGatewayRequestAuthorizerEventV2;
}

const ana = { email: 'agallegos@cabq.example', sub: '7f3c2a10-0000-4000-8000-000000000102' };

describe('authorize-request', () => {
  it('passes the identity of a valid bearer token on', async () => {
    const result = await authorizeRequest(authorizerEvent({ authorization: `Bearer ${idToken()}` }));
    expect(result).toEqual({ isAuthorized: true, context: { ...ana, credential: 'bearer' } });
  });

  it('passes the identity of a valid session cookie on, marked as a cookie credential', async () => {
    const result = await handler(authorizerEvent({ cookies: ['theme=dark', `__Host-session=${idToken()}`] }), lambdaContext);
    expect(result).toEqual({ isAuthorized: true, context: { ...ana, credential: 'cookie' } });
  });

  it('authorizes with an empty context when no token is presented, so the function can send a browser to sign-in', async () => {
    expect(await authorizeRequest(authorizerEvent())).toEqual({ isAuthorized: true, context: {} });
    expect(await authorizeRequest(authorizerEvent({ cookies: ['__Host-signin=abc.def.ghi'] }))).toEqual({ isAuthorized: true, context: {} });
  });

  it.each([
    ['an expired token', () => idToken({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token for another app client (audience)', () => idToken({ aud: `${clientId}-other` })],
    ['an access token instead of an ID token', () => idToken({ token_use: 'access', aud: undefined, client_id: clientId })],
    ['a token signed with another key', () => idToken({}, otherKey)],
    ['a token from another user pool', () => idToken({ iss: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_OtherPool' })],
    ['a token without an email claim', () => idToken({ email: undefined })],
    ['something that is not a JWT', () => 'not-a-jwt'],
  ])('gives no identity for %s, in the cookie or as a bearer token', async (_, token) => {
    const bad = token();
    expect(await authorizeRequest(authorizerEvent({ cookies: [`__Host-session=${bad}`] }))).toEqual({ isAuthorized: true, context: {} });
    expect(await authorizeRequest(authorizerEvent({ authorization: `Bearer ${bad}` }))).toEqual({ isAuthorized: true, context: {} });
    expect(fetch).not.toHaveBeenCalled();
  });
});
