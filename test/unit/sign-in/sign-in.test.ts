import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { safeNextPath } from '#sign-in/sign-in';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { authDomainUrl, clientId, idToken, jwks, setAuthEnv } from '../id-tokens.ts';

type Module = typeof import('#sign-in/handlers/sign-in');
let handler: Module['handler'];
let logged: MockInstance[];

const fetchMock = vi.fn<typeof fetch>();

beforeAll(async () => {
  setFunctionEnv();
  setAuthEnv();
  ({ handler } = await import('#sign-in/handlers/sign-in'));
  const { idTokenVerifier } = await import('#adapters/cognito');
  idTokenVerifier().cacheJwks(jwks);
  const { logger } = await import('#adapters/logger');
  logged = (['debug', 'info', 'warn', 'error'] as const).map((level) => vi.spyOn(logger, level));
  vi.stubGlobal('fetch', fetchMock);
});

afterAll(() => vi.unstubAllGlobals());

beforeEach(() => {
  fetchMock.mockReset();
  for (const spy of logged) spy.mockClear();
});

const html = { accept: 'text/html' };
const signInCookie = (cookies: string[] | undefined) => cookies?.find((c) => c.startsWith('__Host-signin=')) ?? '';
const sessionCookie = (cookies: string[] | undefined) => cookies?.find((c) => c.startsWith('__Host-session='));
/** Everything the functions logged, as one string (to prove what is never in it). */
const allLogged = () => JSON.stringify(logged.flatMap((spy) => spy.mock.calls));

/** Starts a sign-in and returns what the browser holds: the redirect's query and the sign-in cookie. */
async function start(next?: string) {
  const res = await handler(httpEvent({ path: '/auth/sign-in', query: next === undefined ? {} : { next }, headers: html }), lambdaContext);
  const location = new URL(String(res.headers?.location));
  const cookie = signInCookie(res.cookies);
  return { res, location, query: location.searchParams, cookie, cookieValue: (cookie.split(';')[0] ?? '').slice('__Host-signin='.length) };
}

const callback = (query: Record<string, string>, cookies: string[] = []) =>
  handler(httpEvent({ path: '/auth/callback', query, cookies, headers: html }), lambdaContext);

/** Cognito's token endpoint answering with `idToken`. */
const tokenEndpointReturns = (token: string) =>
  fetchMock.mockResolvedValue(Response.json({ id_token: token, access_token: 'access-token-value', refresh_token: 'refresh-token-value', expires_in: 3600 }));

describe('sign-in: start', () => {
  it('redirects to the managed login with the code flow, OIDC scopes and a PKCE S256 challenge', async () => {
    const { res, location, query, cookieValue } = await start('/requests/na-1');
    expect(res.statusCode).toBe(303);
    expect(`${location.origin}${location.pathname}`).toBe(`${authDomainUrl}/oauth2/authorize`);
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(clientId);
    expect(query.get('redirect_uri')).toBe('https://example.test/auth/callback');
    expect(query.get('scope')).toBe('openid email profile');
    expect(query.get('code_challenge_method')).toBe('S256');
    // The cookie holds state.verifier.next; the challenge is the verifier's SHA-256, the state is the same.
    const [state, verifier] = cookieValue.split('.');
    expect(query.get('state')).toBe(state);
    expect(verifier?.length).toBeGreaterThanOrEqual(43);
    expect(query.get('code_challenge')).toBe(createHash('sha256').update(String(verifier)).digest('base64url'));
    expect(location.search).not.toContain(String(verifier));
  });

  it('keeps state and verifier in a short-lived __Host- cookie only scripts and other sites cannot use', async () => {
    const { cookie } = await start();
    expect(cookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/', 'SameSite=Lax', 'Secure']);
  });

  it('uses a fresh state and verifier every time', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.cookieValue).not.toBe(b.cookieValue);
    expect(a.query.get('state')).not.toBe(b.query.get('state'));
  });
});

describe('sign-in: callback', () => {
  it('redeems the code with the PKCE verifier, sets the session cookie from the verified ID token and returns to next', async () => {
    const { query, cookie } = await start('/requests/na-1');
    const token = idToken();
    tokenEndpointReturns(token);
    const res = await callback({ code: 'the-auth-code', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);

    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/requests/na-1');
    const session = sessionCookie(res.cookies) ?? '';
    expect(session.split('; ')[0]).toBe(`__Host-session=${token}`);
    const attributes = session.split('; ').slice(1);
    expect(attributes.filter((a) => !a.startsWith('Max-Age')).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure']);
    const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))?.slice(8));
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    // The sign-in cookie has done its job.
    expect(signInCookie(res.cookies)).toMatch(/^__Host-signin=;.*Max-Age=0/);

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${authDomainUrl}/oauth2/token`);
    expect(init.method).toBe('POST');
    const form = new URLSearchParams(String(init.body));
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: 'the-auth-code',
      redirect_uri: 'https://example.test/auth/callback',
      code_verifier: cookie.split(';')[0]?.split('=')[1]?.split('.')[1],
    });
  });

  it('caps the session at the ID token\u2019s remaining lifetime', async () => {
    const { query, cookie } = await start();
    tokenEndpointReturns(idToken({ exp: Math.floor(Date.now() / 1000) + 900 }));
    const res = await callback({ code: 'c', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);
    const maxAge = Number(/Max-Age=(\d+)/.exec(sessionCookie(res.cookies) ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(850);
    expect(maxAge).toBeLessThanOrEqual(900);
  });

  it('refuses a state that does not match the cookie: 400 page, no session cookie, no token request', async () => {
    const { cookie } = await start('/requests/na-1');
    const res = await callback({ code: 'the-auth-code', state: 'attacker-state' }, [cookie.split(';')[0] ?? '']);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('started in another browser or tab');
    expect(res.body).toContain('href="/auth/sign-in?next=%2Frequests%2Fna-1"');
    expect(sessionCookie(res.cookies)).toBeUndefined();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('refuses a callback without the sign-in cookie (another browser, or more than 10 minutes later)', async () => {
    const { query } = await start();
    const res = await callback({ code: 'the-auth-code', state: String(query.get('state')) });
    expect(res.statusCode).toBe(400);
    expect(sessionCookie(res.cookies)).toBeUndefined();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('asks to start again when Cognito refuses the code, and sets no session', async () => {
    const { query, cookie } = await start();
    fetchMock.mockResolvedValue(Response.json({ error: 'invalid_grant' }, { status: 400 }));
    const res = await callback({ code: 'used-code', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('expired or was already used');
    expect(sessionCookie(res.cookies)).toBeUndefined();
  });

  it('sets no session when the returned ID token does not verify (another app client)', async () => {
    const { query, cookie } = await start();
    tokenEndpointReturns(idToken({ aud: 'another-client' }));
    const res = await callback({ code: 'c', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);
    expect(res.statusCode).toBe(500);
    expect(sessionCookie(res.cookies)).toBeUndefined();
  });

  it('refuses an ID token too large for a cookie (the browser would drop it and loop) with a clear page', async () => {
    const { query, cookie } = await start();
    tokenEndpointReturns(idToken({ 'cognito:groups': Array.from({ length: 200 }, (_, i) => `city-group-${i}`) }));
    const res = await callback({ code: 'c', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('too large for the session cookie');
    expect(sessionCookie(res.cookies)).toBeUndefined();
  });

  it('never logs the code, the tokens, the state or the verifier', async () => {
    const { query, cookieValue, cookie } = await start();
    const token = idToken();
    tokenEndpointReturns(token);
    const state = String(query.get('state'));
    await callback({ code: 'secret-auth-code', state }, [cookie.split(';')[0] ?? '']);
    tokenEndpointReturns(idToken({ aud: 'another-client' }));
    await callback({ code: 'secret-auth-code', state }, [cookie.split(';')[0] ?? '']);
    const log = allLogged();
    expect(log).toContain('signed in');
    for (const secret of ['secret-auth-code', token, token.split('.')[2], state, cookieValue.split('.')[1], 'access-token-value', 'refresh-token-value']) {
      expect(log).not.toContain(String(secret));
    }
  });

  it.each(['//evil.example/requests', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x=1'])(
    'never sends the browser on to %s after signing in',
    async (next) => {
      const { query, cookie } = await start(next);
      tokenEndpointReturns(idToken());
      const res = await callback({ code: 'c', state: String(query.get('state')) }, [cookie.split(';')[0] ?? '']);
      const location = String(res.headers?.location);
      expect(location.startsWith('/') && !location.startsWith('//') && !location.includes('\\')).toBe(true);
      expect(location).not.toMatch(/evil|[\r\n]/);
    },
  );
});

describe('next path', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNextPath('/requests/na-1')).toBe('/requests/na-1');
    expect(safeNextPath('/accounts?x=1')).toBe('/accounts?x=1');
  });

  it.each(['//evil.example', 'https://evil.example', '/\\evil.example', '/\t/evil.example', 'requests/new', '', undefined])('refuses %j', (next) => {
    expect(safeNextPath(next)).toBe('/requests/new');
  });
});

describe('sign-in: sign-out', () => {
  it("clears the session cookie and stays on this site, where the CSP lets a form lead (form-action 'self')", async () => {
    const res = await handler(httpEvent({ method: 'POST', path: '/auth/sign-out', headers: html, cookies: [`__Host-session=${idToken()}`] }), lambdaContext);
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/auth/signed-out?ending=session');
    expect(sessionCookie(res.cookies)).toMatch(/^__Host-session=; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=0$/);
  });

  it('then ends the Cognito session by a refresh and a link (not a form), coming back to the signed-out page', async () => {
    const res = await handler(httpEvent({ path: '/auth/signed-out', headers: html, query: { ending: 'session' }, pathParameters: undefined }), lambdaContext);
    expect(res.statusCode).toBe(200);
    const logout = `${authDomainUrl}/logout?client_id=${clientId}&amp;logout_uri=https%3A%2F%2Fexample.test%2Fauth%2Fsigned-out`;
    expect(res.body).toContain(`<meta http-equiv="refresh" content="0; url=${logout}">`);
    expect(res.body).toContain(`<a class="usa-link" href="${logout}">continue to the City sign-out</a>`);
    expect(res.body).not.toContain('<form method="post" action="https://');
  });

  it('shows a signed-out page with a way back in', async () => {
    const res = await handler(httpEvent({ path: '/auth/signed-out', headers: html }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are signed out');
    expect(res.body).toContain('href="/auth/sign-in"');
  });
});

describe('sign-in: not configured', () => {
  it('answers a clear page, never a stack trace, when the user pool settings are missing', async () => {
    const saved = { ...process.env };
    delete process.env.USER_POOL_ID;
    delete process.env.USER_POOL_CLIENT_ID;
    delete process.env.AUTH_DOMAIN_URL;
    try {
      // A fresh module graph: env() caches what it read.
      vi.resetModules();
      const fresh = await import('#sign-in/handlers/sign-in');
      const res = await fresh.handler(httpEvent({ path: '/auth/sign-in', headers: html }), lambdaContext);
      expect(res.statusCode).toBe(500);
      expect(res.body).toContain('Sign-in is not configured');
      expect(res.body).not.toMatch(/\bat .*\.ts:\d+|node_modules/);
    } finally {
      process.env = saved;
    }
  });
});
