import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityMeter } from '#adapters/dynamo-client';
import { accountItem } from '#adapters/registry-store';
import type { Account } from '#core/registry';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, startTestStack } from '../support/harness.ts';

/**
 * The registry at City scale (issue 10): the same pages read the same capacity at 50 accounts and
 * at 2,000, because every list read is a Query with a Limit. Capacity is metered per call
 * (ReturnConsumedCapacity, functions/adapters/dynamo-client.ts) and counted only inside the
 * showRegistry function (the stack's aroundInvoke hook names each invocation).
 */

let stack: LocalStack;
const invocation = new AsyncLocalStorage<string>();
let read = 0;

const departments = { PRD: 'Parks and Recreation', LIB: 'Albuquerque Public Library' } as const;
const platforms = { facebook: 'Facebook', instagram: 'Instagram' } as const;

/** Account i: every handle the same length (so every item the same size); one of them is the needle. */
function seededAccount(i: number): Account {
  const department = i % 5 === 0 ? 'LIB' : 'PRD';
  const platform = i % 7 === 0 ? 'instagram' : 'facebook';
  return {
    accountId: `acct-scale-${String(i).padStart(4, '0')}`,
    platformId: platform,
    platformName: platforms[platform],
    handle: i === 42 ? '@needle42' : `@acct${String(i).padStart(4, '0')}`,
    departmentCode: department,
    departmentName: departments[department],
    status: 'ACTIVE',
    admins: [],
    sourceRequestId: `na-scale-${String(i).padStart(4, '0')}`,
    createdAt: '2026-01-05T16:00:00.000Z',
  };
}

async function seed(from: number, to: number): Promise<void> {
  const db = DynamoDBDocumentClient.from(stack.client);
  const items = Array.from({ length: to - from }, (_, k) => accountItem(seededAccount(from + k)));
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending && pending.length > 0) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: pending as never } }));
      pending = out.UnprocessedItems?.[stack.tableName] as Record<string, unknown>[] | undefined;
    }
  }
}

/** The read units one GET of the registry consumed, with its response. */
async function metered(path: string, accept = 'text/html'): Promise<{ units: number; status: number; body: string }> {
  read = 0;
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie: 'dev_user=E400', accept }, redirect: 'manual' });
  const body = await res.text();
  return { units: read, status: res.status, body };
}

beforeAll(async () => {
  stack = await startTestStack({ aroundInvoke: (key, invoke) => invocation.run(key, invoke) });
  capacityMeter.enabled = true;
  capacityMeter.onCall = (call) => {
    if (invocation.getStore() !== 'showRegistry' || call.isWrite) return;
    for (const c of call.consumed) read += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
  };
});
afterAll(async () => {
  capacityMeter.onCall = undefined;
  capacityMeter.enabled = false;
  await stack?.stop();
});

/** Every account a filter selects, page by page through the JSON `next` cursors. */
async function everyPage(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const res = await as(stack, 'E400').get(`/accounts?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accounts: Account[]; next: string | null };
    expect(body.accounts.length).toBeLessThanOrEqual(25);
    ids.push(...body.accounts.map((a) => a.accountId));
    cursor = body.next;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

describe('the registry from 50 to 2,000 accounts', () => {
  const pages = ['/accounts?department=all', '/accounts?platform=facebook', '/accounts?department=PRD', '/accounts?q=needle', '/accounts?q=%40acct00'];
  const at50: Record<string, number> = {};
  /** Read units per page as DynamoDB Local reports them: 26 items of one query (a page and one more), plus the viewer, departments and platforms. */
  const expected: Record<string, number> = {
    '/accounts?department=all': 3.5,
    '/accounts?platform=facebook': 3.5,
    '/accounts?department=PRD': 3.5,
    '/accounts?q=needle': 2.5,
    '/accounts?q=%40acct00': 3.5,
  };

  it('reads a bounded amount per page at 50 accounts', async () => {
    await seed(0, 50);
    for (const path of pages) {
      const { units, status } = await metered(path);
      expect(status).toBe(200);
      expect({ path, units }).toEqual({ path, units: expected[path] });
      at50[path] = units;
    }
    const first = await metered('/accounts?department=all');
    expect(first.body).toContain('Showing 1–25 of accounts matching: active. Sorted by platform, then handle.');
    expect(first.body).toContain('rel="next"');
  });

  it('reads the same capacity per page at 2,000 accounts: first page, filtered pages, handle searches', async () => {
    await seed(50, 2000);
    for (const path of pages) {
      const { units, status } = await metered(path);
      expect(status).toBe(200);
      expect({ path, units }).toEqual({ path, units: at50[path] });
    }
  });

  it('finds the one account among 2,000 by its handle, with a link to its page', async () => {
    const res = await as(stack, 'E400').get('/accounts?q=NEEDLE');
    const body = (await res.json()) as { accounts: Account[]; next: string | null };
    expect(body.accounts.map((a) => a.handle)).toEqual(['@needle42']);
    expect(body.next).toBe(null);
    const page = await metered('/accounts?q=needle');
    expect(page.body).toContain('<a href="/accounts/acct-scale-0042">Instagram @needle42</a>');
    expect(page.body).toContain('Showing 1–1 of accounts matching: handle starting with “needle”, active.');
  });

  it('pages through a department filter visiting each of its 400 accounts exactly once', async () => {
    const { ids, pages: count } = await everyPage('department=LIB');
    expect(ids.length).toBe(400);
    expect(new Set(ids).size).toBe(400);
    expect(count).toBe(16);
    expect(ids.every((id) => Number(id.slice(-4)) % 5 === 0)).toBe(true);
  });

  it('pages through a department and handle search (a FilterExpression) visiting each of its 200 accounts exactly once', async () => {
    const { ids, pages: count } = await everyPage('department=LIB&q=acct1');
    expect(ids.length).toBe(200);
    expect(new Set(ids).size).toBe(200);
    expect(count).toBe(8);
  });

  it('pages through a platform filter visiting each of its 286 accounts exactly once', async () => {
    const { ids } = await everyPage('platform=instagram');
    expect(ids.length).toBe(286);
    expect(new Set(ids).size).toBe(286);
  });

  it('answers a tampered cursor with a 400 that says what to do', async () => {
    const other = Buffer.from(
      JSON.stringify({ key: { PK: 'ACCOUNT#acct-scale-0001', SK: 'PROFILE', GSI1PK: 'ACCOUNTS#RETIRED', GSI1SK: 'facebook#@acct0001' }, start: 26 }),
    ).toString('base64url');
    const res = await as(stack, 'E400').get(`/accounts?platform=facebook&cursor=${other}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('the page cursor belongs to other filters');
  });

  it('downloads what a filter selects, every page, as a CSV attachment', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts?department=LIB&format=csv`, { headers: { cookie: 'dev_user=E400' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="registry-accounts.csv"');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines.length).toBe(401);
    expect(lines[1]).toBe(
      "acct-scale-0005,Facebook,'@acct0005,LIB,Albuquerque Public Library,ACTIVE,2026-01-05T16:00:00.000Z,na-scale-0005,/accounts/acct-scale-0005",
    );
  });

  it('opens APD’s Director of Communications on APD’s accounts, with the way to all of them', async () => {
    const res = await fetch(`${stack.baseUrl}/accounts`, { headers: { cookie: 'dev_user=E310', accept: 'text/html' } });
    const body = await res.text();
    expect(body).toContain('Showing APD’s accounts · <a href="/accounts?department=all">Show all City accounts</a>');
    expect(body).toContain('No accounts match: Albuquerque Police Department, active.');
  });

  it('shows an account’s page, and a 404 for an unknown one', async () => {
    const found = await fetch(`${stack.baseUrl}/accounts/acct-scale-0042`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } });
    expect(found.status).toBe(200);
    expect(await found.text()).toContain('<h1>Instagram @needle42</h1>');
    const missing = await as(stack, 'E400').get('/accounts/acct-nobody');
    expect(missing.status).toBe(404);
  });
});
