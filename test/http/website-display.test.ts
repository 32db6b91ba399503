import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, mailbox, startTestStack } from '../support/harness.ts';
import { seedAccounts } from '../support/offboarding.ts';

/**
 * The website display form (Q) through the local HTTP API: each bad field is refused with its own
 * message and nothing is stored or sent; someone without posting authority is refused, told who
 * may ask; an unknown account is named; a method the address does not answer gets 405.
 */

let stack: LocalStack;
let accountId = '';
let handle = '';

beforeAll(async () => {
  stack = await startTestStack();
  const [seeded] = await seedAccounts(stack, 1, [
    { personId: 'E102', role: 'ADMIN' },
    { personId: 'E103', role: 'POSTER' },
  ]);
  accountId = seeded?.accountId ?? '';
  handle = seeded?.handle ?? '';
});
afterAll(async () => {
  await stack?.stop();
});

const moderation = 'A Parks web editor approves each post before the embed shows it and checks every link.';
const valid = {
  submissionId: 'sub-website-display-1',
  webPageUrl: 'https://www.cabq.gov/parks',
  content: 'The latest 3 posts',
  moderation,
  automaticFeed: 'no',
};
const ruleQ =
  'City websites shall not contain automatic feeds to uncensored social media site content. Prior to approving content for display on City websites, departments shall consult with DTI to ensure they have sufficient monitoring protocols in place to ensure content and links are appropriate and free from harmful technical attacks.';

/** Everything stored and sent: what "nothing stored" is checked against. */
async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

describe('POST /accounts/{accountId}/displays', () => {
  it.each([
    [
      'webPageUrl',
      { webPageUrl: 'https://parks.example.com/' },
      'parks.example.com is not a City website: give a page on cabq.gov (for example https://www.cabq.gov/parks)',
    ],
    ['webPageUrl', { webPageUrl: 'http://www.cabq.gov/parks' }, 'the web page’s address must start https://'],
    [
      'content',
      { content: 'posts' },
      'say which content is shown, for example “the latest 3 posts” or “a curated embed of selected posts” (at least 10 characters)',
    ],
    [
      'moderation',
      { moderation: 'We watch it.' },
      'describe how it is moderated: who checks what, how often, how links are screened and what happens to harmful content (at least 40 characters)',
    ],
    ['automaticFeed', { automaticFeed: undefined }, 'say whether it is an automatic feed of uncensored content: yes or no'],
  ])('refuses a bad %s with 400 on that field and stores nothing', async (field, change, message) => {
    const before = await footprint();
    const res = await as(stack, 'E103').post(`/accounts/${accountId}/displays`, { ...valid, ...change });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({ [field]: message });
    expect(await footprint()).toEqual(before);
  });

  it('refuses an automatic feed of uncensored content with 400 quoting rule Q, and stores nothing', async () => {
    const before = await footprint();
    const res = await as(stack, 'E103').post(`/accounts/${accountId}/displays`, { ...valid, automaticFeed: 'yes' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({
      automaticFeed: `an automatic feed of uncensored social media content cannot be shown on a City website. Rule Q: “${ruleQ}” Show content someone checks before it appears instead, and describe that moderation.`,
    });
    expect(await footprint()).toEqual(before);
  });

  it('answers a browser’s bad form with the form again, its error summary first, and stores nothing', async () => {
    const before = await footprint();
    const res = await fetch(`${stack.baseUrl}/accounts/${accountId}/displays`, {
      method: 'POST',
      headers: { cookie: 'dev_user=E103', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...valid, automaticFeed: 'yes' }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<h2 class="usa-alert__heading">There is a problem</h2>');
    expect(page).toContain('<a href="#automaticFeed-no">an automatic feed of uncensored social media content cannot be shown on a City website.');
    expect(page).toContain('id="automaticFeed-yes" name="automaticFeed" value="yes" checked');
    expect(await footprint()).toEqual(before);
  });

  it('refuses with 403 someone with no grant on the account, naming who may ask, and stores nothing', async () => {
    const before = await footprint();
    const res = await as(stack, 'E101').post(`/accounts/${accountId}/displays`, valid);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toBe(
      `Only someone with posting authority on Facebook ${handle} (an admin or a poster) can ask to show its content on a City website (Q). Ask one of its admins (Ana Gallegos), or ask for posting authority first.`,
    );
    expect((await as(stack, 'E101').get(`/accounts/${accountId}/displays/new`)).status).toBe(403);
    expect(await footprint()).toEqual(before);
  });

  it('answers an unknown account with 404 naming it', async () => {
    const res = await as(stack, 'E103').post('/accounts/acct-nobody/displays', valid);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe(
      'There is no account acct-nobody in the registry. Choose one from the registry at /accounts.',
    );
  });

  it('shows the form to a poster of the account, with DTI’s director as the decider', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts/${accountId}/displays/new`, { headers: { cookie: 'dev_user=E103', accept: 'text/html' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<h1>Ask to show it on a City website</h1>');
    expect(page).toContain('Samuel Ortiz decides for DTI by email.');
    expect(page).toContain(`action="/accounts/${accountId}/displays"`);
    const json = (await (await as(stack, 'E103').get(`/accounts/${accountId}/displays/new`)).json()) as { decidedBy: unknown };
    expect(json.decidedBy).toEqual([{ title: 'DTI Director (Department of Technology and Innovation)', name: 'Samuel Ortiz' }]);
  });

  it('answers a method the address does not answer with 405 and an allow header', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts/${accountId}/displays`, {
      method: 'DELETE',
      headers: { cookie: 'dev_user=E103', accept: 'application/json' },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
