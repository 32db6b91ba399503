import { beforeAll, describe, expect, it } from 'vitest';
import type { GovernanceStore } from '#adapters/store';
import { ForbiddenError, NotInDirectoryError, NotSignedInError } from '#core/errors';
import type { Person } from '#core/policy';
import { setFunctionEnv } from '../env.ts';
import { formPost, httpEvent, lambdaContext } from '../events.ts';
import { person } from '../fixtures.ts';

type Http = typeof import('#adapters/http');
type Handler = typeof import('#adapters/handler');
let signedInPerson: Http['signedInPerson'];
let httpHandler: Handler['httpHandler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ signedInPerson } = await import('#adapters/http'));
  ({ httpHandler } = await import('#adapters/handler'));
});

const ana = person('E102');
const elena = person('E500');

/**
 * The directory, as far as signedInPerson looks: people by email, and which emails were asked for,
 * and the City-wide role holders its Viewer is built from (none here: plain employees).
 */
function directory(...known: Person[]) {
  const asked: string[] = [];
  const store = {
    personByEmail: async (email: string) => {
      asked.push(email);
      return known.find((p) => p.email === email);
    },
    roleHolders: async () => [],
  } as unknown as GovernanceStore;
  return { store, asked };
}

const cookieIdentity = (p: Person) => ({ email: p.email, sub: `sub-${p.id}`, credential: 'cookie' });

describe('signedInPerson', () => {
  it('reads the Lambda authorizer context (AWS) in preference to JWT claims', async () => {
    const { store, asked } = directory(ana, elena);
    const event = httpEvent({ path: '/accounts', lambda: cookieIdentity(ana) });
    (event.requestContext.authorizer as unknown as Record<string, unknown>).jwt = { claims: { email: elena.email } };
    expect((await signedInPerson(event, store)).id).toBe('E102');
    expect(asked).toEqual([ana.email]);
  });

  it('reads the JWT claims of the local development sign-in', async () => {
    const { store } = directory(ana);
    expect((await signedInPerson(httpEvent({ path: '/accounts', email: ana.email }), store)).id).toBe('E102');
  });

  it('never takes identity from the body', async () => {
    const { store, asked } = directory(ana);
    const event = formPost('/requests', { email: ana.email, requesterId: 'E102' }, { lambda: {} });
    await expect(signedInPerson(event, store)).rejects.toBeInstanceOf(NotSignedInError);
    expect(asked).toEqual([]);
  });

  it('tells a verified person who is not in the directory so, without sending them to sign in again', async () => {
    const { store } = directory(ana);
    await expect(signedInPerson(httpEvent({ lambda: cookieIdentity(elena) }), store)).rejects.toBeInstanceOf(NotInDirectoryError);
  });
});

describe('cross-origin POST with the session cookie', () => {
  const post = (origin: string | undefined, identity: Record<string, string>) =>
    formPost('/requests', { purpose: 'x' }, { lambda: identity, headers: origin ? { origin, accept: 'text/html' } : { accept: 'text/html' } });

  it('is refused with a 403 that says why', async () => {
    const { store, asked } = directory(ana);
    const handler = httpHandler(async (event) => {
      await signedInPerson(event, store);
      return { statusCode: 200, body: 'submitted' };
    });
    const res = await handler(post('https://evil.example', cookieIdentity(ana)), lambdaContext);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('sent from another website');
    expect(asked).toEqual([]);
  });

  it.each([
    ['the public base URL', 'https://example.test'],
    ['the API\u2019s own domain', `https://${httpEvent().requestContext.domainName}`],
  ])('is accepted from %s', async (_, origin) => {
    const { store } = directory(ana);
    expect((await signedInPerson(post(origin, cookieIdentity(ana)), store)).id).toBe('E102');
  });

  it('is accepted without an Origin header, and for a bearer token from anywhere (browsers never attach one by themselves)', async () => {
    const { store } = directory(ana);
    expect((await signedInPerson(post(undefined, cookieIdentity(ana)), store)).id).toBe('E102');
    expect((await signedInPerson(post('https://evil.example', { ...cookieIdentity(ana), credential: 'bearer' }), store)).id).toBe('E102');
  });

  it('refuses an opaque ("null") origin too', async () => {
    const { store } = directory(ana);
    await expect(signedInPerson(post('null', cookieIdentity(ana)), store)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('NotSignedInError in the one error-mapping place', () => {
  const failing = (event: Parameters<ReturnType<Handler['httpHandler']>>[0], context: typeof lambdaContext) =>
    httpHandler(async () => {
      throw new NotSignedInError('Sign in with your City account to continue.');
    })(event, context);

  it('sends a browser to sign-in, coming back to the page it asked for', async () => {
    const res = await failing(httpEvent({ path: '/requests/na-1', headers: { accept: 'text/html,application/xhtml+xml' } }), lambdaContext);
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/auth/sign-in?next=%2Frequests%2Fna-1');
  });

  it('sends a browser that POSTed to sign-in without a next page (the form comes after)', async () => {
    const res = await failing(formPost('/requests', {}, { headers: { accept: 'text/html' } }), lambdaContext);
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/auth/sign-in');
  });

  it('answers an API client 401 JSON', async () => {
    const res = await failing(httpEvent({ path: '/accounts' }), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(String(res.body))).toMatchObject({ error: 'NotSignedInError' });
  });

  it('shows a person missing from the directory a page instead of a sign-in loop', async () => {
    const handler = httpHandler(async () => {
      throw new NotInDirectoryError('x@cabq.example is not in the social media governance directory. Ask DTI to add you.');
    });
    const res = await handler(httpEvent({ path: '/accounts', headers: { accept: 'text/html' } }), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(res.headers?.location).toBeUndefined();
    expect(res.body).toContain('Ask DTI to add you');
  });
});
