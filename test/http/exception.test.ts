import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from '../../functions/adapters/clock.ts';
import { addDays, dayIn } from '../../functions/exception/exception.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvedAccount, as, mailbox, startTestStack } from '../support/harness.ts';

/** The exception form (F.d) over HTTP: what is refused, and that a refusal stores and sends nothing. */

let stack: LocalStack;
let accountId: string;

beforeAll(async () => {
  stack = await startTestStack();
  // A Parks account whose only admin is Ana Gallegos (E102): Tom Sandoval (E103) holds no grant on it.
  accountId = await approvedAccount(stack, 'E102', { adminIds: ['E102'] });
});
afterAll(async () => {
  await stack?.stop();
});

const today = () => dayIn(now());
const reason = 'The summer camp page shares partner posts for the season.';

async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

async function post(personId: string, account: string, body: Record<string, unknown>) {
  const res = await as(stack, personId).post(`/accounts/${account}/exceptions`, { submissionId: randomBytes(9).toString('base64url'), ...body });
  return { status: res.status, body: (await res.json()) as { message?: string; fields?: Record<string, string> } };
}

describe('asking for an exception (F.d) over HTTP', () => {
  it('shows the form to someone with posting authority on the account', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts/${accountId}/exceptions/new`, { headers: { cookie: 'dev_user=E102', accept: 'text/html' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<h1>Ask for an exception</h1>');
    expect(page).toContain('F.b Purpose and Commitment to Quality');
    expect(page).toContain(`action="/accounts/${accountId}/exceptions"`);
    expect(page).toContain('Rosa Apodaca decides by email.');
  });

  it('answers 400 with a message per field and stores and sends nothing', async () => {
    const before = await footprint();
    const bad = await post('E102', accountId, { standard: 'z', reason: 'short', startsOn: addDays(today(), -1), endsOn: addDays(today(), -2) });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual({
      standard: 'choose the standard of F the exception is from: F.a, F.b or F.c',
      reason: 'say why the account needs this exception (at least 10 characters)',
      startsOn: `the exception cannot start in the past: choose today (${today()}) or a later day`,
    });
    const tooLong = await post('E102', accountId, { standard: 'a', reason, endsOn: addDays(today(), 361) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.fields).toEqual({
      endsOn: `choose an end date on or before ${addDays(today(), 360)}: an exception lasts at most 360 days, counted from today`,
    });
    const backwards = await post('E102', accountId, { standard: 'a', reason, startsOn: addDays(today(), 5), endsOn: addDays(today(), 5) });
    expect(backwards.body.fields).toEqual({ endsOn: `the end date must be after the start date (${addDays(today(), 5)})` });
    expect(await footprint()).toEqual(before);
  });

  it('shows the form again with the errors when a browser posts it', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts/${accountId}/exceptions`, {
      method: 'POST',
      headers: { cookie: 'dev_user=E102', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl },
      body: new URLSearchParams({ submissionId: randomBytes(9).toString('base64url'), standard: 'b', reason }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('give the end date as YYYY-MM-DD');
  });

  it('refuses someone without a grant on the account (403), naming who may ask', async () => {
    const before = await footprint();
    const refused = await post('E103', accountId, { standard: 'b', reason, endsOn: addDays(today(), 30) });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(
      /^Only someone with posting authority on Instagram @t[0-9a-f]+ \(an admin or a poster\) can ask for an exception for it\. Ask one of its admins \(Ana Gallegos\), or ask for posting authority first\.$/,
    );
    const form = await as(stack, 'E103').get(`/accounts/${accountId}/exceptions/new`);
    expect(form.status).toBe(403);
    expect(await footprint()).toEqual(before);
  });

  it('answers 404 naming an account that is not in the registry', async () => {
    const missing = await post('E102', 'acct-20250101-ffffffffffffffff', { standard: 'b', reason, endsOn: addDays(today(), 30) });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('There is no account acct-20250101-ffffffffffffffff in the registry. Choose one from the registry at /accounts.');
  });

  it('stores a valid request once, however often it is submitted', async () => {
    const body = { submissionId: randomBytes(9).toString('base64url'), standard: 'c', reason, endsOn: addDays(today(), 90) };
    const first = await as(stack, 'E102').post(`/accounts/${accountId}/exceptions`, body);
    const again = await as(stack, 'E102').post(`/accounts/${accountId}/exceptions`, body);
    const [a, b] = (await Promise.all([first.json(), again.json()])) as { requestId: string; steps: string[]; startsOn: string }[];
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(b?.requestId).toBe(a?.requestId);
    expect(a?.requestId).toMatch(/^ex-\d{8}-[0-9a-f]{16}$/);
    expect(a?.steps).toEqual(['Communications Coordinator']);
    expect(a?.startsOn).toBe(today());
  });
});
