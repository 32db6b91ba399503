import { beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '#adapters/directory-store';
import { NotInDirectoryError } from '#core/errors';
import type { Person } from '#core/policy';
import { DirectoryEmptyError } from '#sign-in/directory-gate';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { person } from '../fixtures.ts';

/*
 * signedInPerson (adapters/http.ts) while the directory has nobody in it: a first DTI administrator
 * (the authorizer's firstAdmin, from FIRST_ADMIN_EMAILS) gets the setup page on every page, anyone
 * else is refused as before.
 */

type Http = typeof import('#adapters/http');
type Handler = typeof import('#adapters/handler');
let signedInPerson: Http['signedInPerson'];
let httpHandler: Handler['httpHandler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ signedInPerson } = await import('#adapters/http'));
  ({ httpHandler } = await import('#adapters/handler'));
});

const admin = 'dti.admin@cabq.example';

function directory(people: Person[]) {
  const asked: string[] = [];
  const store = {
    personByEmail: async (email: string) => {
      asked.push(`personByEmail ${email}`);
      return people.find((p) => p.email === email);
    },
    hasPeople: async () => {
      asked.push('hasPeople');
      return people.length > 0;
    },
    roleHolders: async () => [],
  } as unknown as DirectoryStore;
  return { store, asked };
}

const identity = (email: string, firstAdmin: boolean) => ({ email, sub: 'sub-1', credential: 'cookie', ...(firstAdmin ? { firstAdmin: 'true' } : {}) });

describe('signedInPerson with an empty directory', () => {
  it('answers a first administrator with the setup page, on any page', async () => {
    const { store } = directory([]);
    const page = httpHandler(async (event) => {
      await signedInPerson(event, store);
      return { statusCode: 200, body: 'the page' };
    });
    for (const path of ['/', '/accounts', '/requests/new']) {
      const res = await page(httpEvent({ path, lambda: identity(admin, true), headers: { accept: 'text/html' } }), lambdaContext);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('<h1>The directory is empty</h1>');
      expect(res.body).toContain(`You are signed in as ${admin}`);
      expect(res.body).toContain('npm run directory -- import people.csv departments.csv roles.csv --target aws --stack &lt;stack name&gt; --dry-run');
      expect(res.body).toContain('The same command without <code>--dry-run</code>');
      expect(res.body).toContain('README.md, section \u201cGo-live checklist\u201d');
      // Signed in: the way out is there.
      expect(res.body).toContain('action="/auth/sign-out"');
      expect(res.body).not.toContain('the page');
    }
  });

  it('answers an API client with the 503 and its message', async () => {
    const { store } = directory([]);
    const page = httpHandler(async (event) => {
      await signedInPerson(event, store);
      return { statusCode: 200, body: 'the page' };
    });
    const res = await page(httpEvent({ path: '/accounts', lambda: identity(admin, true) }), lambdaContext);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body as string)).toEqual({ error: 'DirectoryEmptyError', message: new DirectoryEmptyError(admin).message });
  });

  it('reads the flag from the development sign-in\u2019s claims too', async () => {
    const { store } = directory([]);
    const event = httpEvent({ path: '/' });
    (event.requestContext.authorizer as unknown as { jwt: { claims: Record<string, string> } }).jwt.claims = { email: admin, firstAdmin: 'true' };
    await expect(signedInPerson(event, store)).rejects.toBeInstanceOf(DirectoryEmptyError);
  });

  it('refuses anyone who is not a first administrator, without asking whether the directory is empty', async () => {
    const { store, asked } = directory([]);
    await expect(signedInPerson(httpEvent({ lambda: identity('nobody@cabq.example', false) }), store)).rejects.toThrow(
      new NotInDirectoryError('nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.'),
    );
    expect(asked).toEqual(['personByEmail nobody@cabq.example']);
  });

  it('gives the flag no weight once the directory has people: the first administrator is refused or is their own entry', async () => {
    const ana = person('E102');
    const { store } = directory([ana]);
    await expect(signedInPerson(httpEvent({ lambda: identity(admin, true) }), store)).rejects.toBeInstanceOf(NotInDirectoryError);
    expect((await signedInPerson(httpEvent({ lambda: identity(ana.email, true) }), store)).id).toBe('E102');
  });
});
