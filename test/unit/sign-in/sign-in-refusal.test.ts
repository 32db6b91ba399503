import { beforeAll, describe, expect, it } from 'vitest';
import { refusalReason } from '#sign-in/sign-in';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, lambdaContext } from '../events.ts';
import { setAuthEnv } from '../id-tokens.ts';

/*
 * When the sign-in trigger (check-sign-in.ts) refuses, Cognito sends the browser back to
 * /auth/callback with `error` and `error_description` ("PreTokenGeneration failed with error <the
 * trigger's message>."); the callback shows why, and what to do.
 */

type Module = typeof import('#sign-in/handlers/sign-in');
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  setAuthEnv();
  ({ handler } = await import('#sign-in/handlers/sign-in'));
});

const html = { accept: 'text/html' };
const sessionCookie = (cookies: string[] | undefined) => cookies?.find((c) => c.startsWith('__Host-session='));

/** Starts a sign-in: the state Cognito will send back, and the sign-in cookie the browser keeps. */
async function start(next = '/requests/na-1') {
  const res = await handler(httpEvent({ path: '/auth/sign-in', query: { next }, headers: html }), lambdaContext);
  const state = String(new URL(String(res.headers?.location)).searchParams.get('state'));
  const cookie = (res.cookies?.find((c) => c.startsWith('__Host-signin=')) ?? '').split(';')[0] ?? '';
  return { state, cookie };
}

const callback = (query: Record<string, string>, cookies: string[] = []) =>
  handler(httpEvent({ path: '/auth/callback', query, cookies, headers: html }), lambdaContext);

const notInDirectory = 'PreTokenGeneration failed with error nobody@cabq.example is not in the social media governance directory. Ask DTI to add you..';

describe('sign-in callback: Cognito refused the sign-in', () => {
  it('shows why (the trigger\u2019s words, unwrapped) and what to do, with no session', async () => {
    const { state, cookie } = await start();
    const res = await callback({ error: 'invalid_request', error_description: notInDirectory, state }, [cookie]);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('You could not be signed in');
    expect(res.body).toContain('<p class="margin-0">nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.</p>');
    expect(res.body).not.toContain('PreTokenGeneration failed');
    expect(res.body).toContain('ask DTI at <a class="usa-link" href="mailto:dti@example.test">dti@example.test</a>');
    expect(res.body).toContain('href="/auth/sign-in?next=%2Frequests%2Fna-1"');
    expect(res.body).not.toContain('did not sign you in');
    expect(sessionCookie(res.cookies)).toBeUndefined();
    expect(res.cookies?.find((c) => c.startsWith('__Host-signin='))).toMatch(/Max-Age=0/);
  });

  it('shows a separated person the date, without a state in the redirect too', async () => {
    const { cookie } = await start();
    const res = await callback(
      {
        error: 'invalid_request',
        error_description: 'PreTokenGeneration failed with error Tom Sandoval separated from the City on 2026-12-01 and can no longer use this service..',
      },
      [cookie],
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Tom Sandoval separated from the City on 2026-12-01 and can no longer use this service.</p>');
  });

  it('escapes the description', async () => {
    const { state, cookie } = await start();
    const res = await callback({ error: 'access_denied', error_description: '<script>alert(1)</script> & "more"', state }, [cookie]);
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;');
    expect(res.body).not.toContain('<script>alert(1)');
  });

  it('shows no description to a browser that did not start this sign-in (anyone can make such a link)', async () => {
    const forged = await callback({ error: 'access_denied', error_description: 'Your account is locked: call 555-0100.' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('The City sign-in service did not sign you in (it was cancelled or refused).');
    expect(forged.body).not.toContain('555-0100');

    const { cookie } = await start();
    const otherState = await callback({ error: 'access_denied', error_description: 'Your account is locked: call 555-0100.', state: 'another-state' }, [
      cookie,
    ]);
    expect(otherState.statusCode).toBe(400);
    expect(otherState.body).not.toContain('555-0100');
  });

  it('falls back to the general words when Cognito gives no description', async () => {
    const { state, cookie } = await start();
    const res = await callback({ error: 'access_denied', state }, [cookie]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The City sign-in service did not sign you in (it was cancelled or refused).');
  });
});

describe('refusalReason', () => {
  it('drops the trigger wrapper and the period Cognito adds', () => {
    expect(refusalReason(notInDirectory)).toBe('nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.');
    expect(refusalReason('PreAuthentication failed with error Not today.')).toBe('Not today.');
  });

  it('keeps any other description as it came, without control characters, and cuts a long one', () => {
    expect(refusalReason('User cancelled the sign-in.')).toBe('User cancelled the sign-in.');
    expect(refusalReason('line\r\nbreak')).toBe('linebreak');
    expect(refusalReason('x'.repeat(500))).toHaveLength(300);
    expect(refusalReason('  ')).toBeUndefined();
    expect(refusalReason(undefined)).toBeUndefined();
  });
});
