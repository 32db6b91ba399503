import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, mailbox, startTestStack, waitForEmail, waitUntilWaiting } from '../support/harness.ts';

/**
 * The new-platform form (O.a) over HTTP on the local stack: what it refuses (each field, a name on
 * DTI's list whatever its status, a name proposed and pending), that a refusal stores nothing, and
 * what the form offers a browser.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const valid = {
  name: 'Threads',
  siteUrl: 'https://www.threads.net',
  description: 'A text-first social network run by Meta, linked to Instagram accounts.',
  reason: 'Our Instagram followers are moving there for event updates.',
  agreementUrl: 'https://help.instagram.com/769983657850450',
};

async function propose(personId: string, body: Record<string, unknown>) {
  const res = await as(stack, personId).post('/platform-proposals', { submissionId: randomBytes(9).toString('base64url'), ...body });
  const json = (await res.json()) as { requestId?: string; platformId?: string; steps?: string[]; message?: string; fields?: Record<string, string> };
  return { ...json, status: res.status };
}

/** Everything stored and sent: what "nothing stored" is checked against. */
async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

describe('POST /platform-proposals refuses', () => {
  it.each([
    ['no name', { name: '' }, 'name', 'give the platform’s name, as people know it (at most 80 characters)'],
    ['a name of 81 characters', { name: 'x'.repeat(81) }, 'name', 'give the platform’s name, as people know it (at most 80 characters)'],
    ['a name without a letter or digit', { name: '!!!' }, 'name', 'give a name with at least one letter or digit'],
    [
      'a site that is not https',
      { siteUrl: 'http://www.threads.net' },
      'siteUrl',
      'give the platform’s site as an https:// address, for example https://www.threads.net',
    ],
    [
      'a description under 10 characters',
      { description: 'Posts' },
      'description',
      'say what the platform is and what the City would post there (at least 10 characters)',
    ],
    ['a description over 2000 characters', { description: 'x'.repeat(2001) }, 'description', 'keep what the platform is under 2000 characters'],
    ['no reason', { reason: '' }, 'reason', 'say why your department wants to use it (at least 10 characters)'],
    ['a reason over 2000 characters', { reason: 'x'.repeat(2001) }, 'reason', 'keep the reason under 2000 characters'],
    ['no usage agreement', { agreementUrl: '' }, 'agreementUrl', 'give the address of its usage agreement or terms of service, starting https://'],
    [
      'a usage agreement that is not an address',
      { agreementUrl: 'the terms' },
      'agreementUrl',
      'give the address of its usage agreement or terms of service, starting https://',
    ],
    [
      'a read-on day that is not a date',
      { agreementReadOn: '12/01/2026' },
      'agreementReadOn',
      'give the day you read the usage agreement as YYYY-MM-DD, or leave it empty',
    ],
    [
      'a read-on day that is not on the calendar',
      { agreementReadOn: '2026-02-30' },
      'agreementReadOn',
      'the day you read the usage agreement is not a calendar date',
    ],
  ])('%s with 400 on that field, and stores nothing', async (_what, change, field, message) => {
    const before = await footprint();
    const res = await propose('E103', { ...valid, ...change });
    expect(res.status).toBe(400);
    expect(res.fields).toEqual({ [field]: message });
    expect(await footprint()).toEqual(before);
  });

  it('a read-on day in the future with 400, naming the latest day allowed', async () => {
    const res = await propose('E103', { ...valid, agreementReadOn: '2999-01-01' });
    expect(res.status).toBe(400);
    expect(res.fields?.agreementReadOn).toMatch(/^the day you read the usage agreement is in the future; give \d{4}-\d{2}-\d{2} or earlier$/);
  });

  it.each([
    ['an approved platform', 'instagram', 'Instagram is already on DTI’s list of platforms (approved): see /platforms/instagram.'],
    [
      'one with its incomplete P documents, in other letters',
      'NEXTDOOR',
      'Nextdoor is already on DTI’s list of platforms (approved): see /platforms/nextdoor.',
    ],
  ])('the name of %s with 409 naming it, and stores nothing', async (_what, name, message) => {
    const before = await footprint();
    const res = await propose('E202', { ...valid, name });
    expect(res.status).toBe(409);
    expect(res.message).toBe(`${message} Ask DTI about it instead of proposing it again.`);
    expect(await footprint()).toEqual(before);
  });

  it('a retired platform’s name with 409 naming it retired', async () => {
    const dti = as(stack, 'E400');
    const platform = (await (await dti.get('/platforms/x')).json()) as { platform: { version: number } };
    const retired = await dti.post('/platforms/x/retire', {
      version: String(platform.platform.version),
      reason: 'The usage agreement no longer fits City use.',
    });
    expect(retired.status).toBe(200);
    const res = await propose('E202', { ...valid, name: ' x (twitter) ' });
    expect(res.status).toBe(409);
    expect(res.message).toBe('X (Twitter) is already on DTI’s list of platforms (retired): see /platforms/x. Ask DTI about it instead of proposing it again.');
  });

  it('a name proposed already and waiting for DTI with 409 naming the request; a repeat of the same submission is not a duplicate', async () => {
    const first = await propose('E103', { ...valid, name: 'Bluesky', submissionId: 'bluesky-first-1' });
    expect(first.status).toBe(201);
    expect(first.platformId).toBe('bluesky');
    expect(first.steps).toEqual(['DTI Director (Department of Technology and Innovation)']);

    // The first request's execution settles (its link and the receipt sent) before the footprint is taken.
    await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(first.requestId ?? ''));
    await waitForEmail(stack, (e) => e.subject.startsWith('Received') && e.text.includes(first.requestId ?? ''));
    await waitUntilWaiting(stack, first.requestId ?? '');
    const before = await footprint();
    const again = await propose('E202', { ...valid, name: 'bluesky' });
    expect(again.status).toBe(409);
    expect(again.message).toBe(
      `Bluesky is already proposed by Tom Sandoval for Parks and Recreation (request ${first.requestId}) and is waiting for DTI’s decision.`,
    );
    expect(await footprint()).toEqual(before);

    const repeat = await propose('E103', { ...valid, name: 'Bluesky', submissionId: 'bluesky-first-1' });
    expect([repeat.status, repeat.requestId]).toEqual([200, first.requestId]);
  });
});

describe('the new-platform form', () => {
  it('is offered from the platforms list to everyone signed in, and says who decides', async () => {
    const list = await (await fetch(`${stack.baseUrl}/platforms`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } })).text();
    expect(list).toContain('<a class="usa-link" href="/platform-proposals/new">Propose a platform</a>');
    const form = await fetch(`${stack.baseUrl}/platform-proposals/new`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } });
    expect(form.status).toBe(200);
    const page = await form.text();
    expect(page).toContain('<h1>Propose a platform for the approved list</h1>');
    expect(page).toMatch(/<dt>For<\/dt><dd>Albuquerque Public Library<\/dd>\s*<dt>Decided by<\/dt><dd>Samuel Ortiz \(DTI\)<\/dd>/);
  });

  it('answers a browser’s bad submission with the form, its errors and what was typed (400)', async () => {
    const res = await fetch(`${stack.baseUrl}/platform-proposals`, {
      method: 'POST',
      headers: { cookie: 'dev_user=E202', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...valid, name: 'Mastodon', siteUrl: 'mastodon' }).toString(),
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<a href="#siteUrl">give the platform’s site as an https:// address, for example https://www.threads.net</a>');
    expect(page).toContain('value="Mastodon"');
  });

  it('answers a browser’s duplicate name with the form, the error on the name (409)', async () => {
    const res = await fetch(`${stack.baseUrl}/platform-proposals`, {
      method: 'POST',
      headers: { cookie: 'dev_user=E202', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...valid, name: 'Facebook' }).toString(),
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<a href="#name">Facebook is already on DTI’s list of platforms (approved): see /platforms/facebook.');
  });
});
