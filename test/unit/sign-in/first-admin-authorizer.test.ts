import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { idToken, jwks, setAuthEnv } from '../id-tokens.ts';

/*
 * The Lambda authorizer says when the verified email is a first DTI administrator's
 * (FIRST_ADMIN_EMAILS): signedInPerson then shows the setup page while the directory is empty.
 */

type Module = typeof import('#sign-in/handlers/authorize-request');
let authorizeRequest: Module['authorizeRequest'];

beforeAll(async () => {
  setFunctionEnv();
  setAuthEnv();
  ({ authorizeRequest } = await import('#sign-in/handlers/authorize-request'));
  const { idTokenVerifier } = await import('#adapters/cognito');
  idTokenVerifier().cacheJwks(jwks);
});

afterEach(() => {
  delete process.env.FIRST_ADMIN_EMAILS;
});

const bearer = (token: string) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-west-2:123456789012:api/$default/GET/',
    identitySource: [],
    routeKey: 'GET /',
    rawPath: '/',
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${token}` },
    requestContext: { http: { method: 'GET', path: '/' } },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('authorize-request: first administrators', () => {
  it('marks a listed email firstAdmin, whatever its case', async () => {
    process.env.FIRST_ADMIN_EMAILS = 'other@cabq.example,AGallegos@cabq.example';
    expect(await authorizeRequest(bearer(idToken()))).toEqual({
      isAuthorized: true,
      context: { email: 'agallegos@cabq.example', sub: '7f3c2a10-0000-4000-8000-000000000102', credential: 'bearer', firstAdmin: 'true' },
    });
  });

  it('does not mark anyone else, nor anyone when the list is unset', async () => {
    process.env.FIRST_ADMIN_EMAILS = 'other@cabq.example';
    expect((await authorizeRequest(bearer(idToken()))).context).not.toHaveProperty('firstAdmin');
    delete process.env.FIRST_ADMIN_EMAILS;
    expect((await authorizeRequest(bearer(idToken()))).context).not.toHaveProperty('firstAdmin');
  });
});
