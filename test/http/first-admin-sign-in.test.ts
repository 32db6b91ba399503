import { DynamoDBDocumentClient, QueryCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { startTestStack } from '../support/harness.ts';

/*
 * The local host's development sign-in runs the sign-in trigger Cognito runs in AWS
 * (check-sign-in.ts), so it refuses the same people with the same words; and while the directory is
 * empty a first DTI administrator (FIRST_ADMIN_EMAILS) signs in and sees the setup page everywhere.
 */

const admin = 'dti.admin@cabq.example';
let stack: LocalStack;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack({ firstAdminEmails: [admin] });
  db = DynamoDBDocumentClient.from(stack.client);
});
afterAll(async () => {
  await stack?.stop();
});

const form = (fields: Record<string, string>) =>
  fetch(`${stack.baseUrl}/dev/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl, accept: 'text/html' },
    body: new URLSearchParams({ next: '/accounts', ...fields }).toString(),
  });

const page = (path: string, cookie: string, accept = 'text/html') => fetch(`${stack.baseUrl}${path}`, { headers: { cookie, accept }, redirect: 'manual' });

/** Everyone out of the directory, as a fresh deployment has it (people only: GSI2 PEOPLE is what "empty" reads). */
async function emptyTheDirectory(): Promise<void> {
  const people = await db.send(
    new QueryCommand({ TableName: stack.tableName, IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': 'PEOPLE' } }),
  );
  for (const item of people.Items ?? []) await db.send(new DeleteCommand({ TableName: stack.tableName, Key: { PK: item.PK, SK: item.SK } }));
}

describe('development sign-in, with people in the directory', () => {
  it('signs a directory person in', async () => {
    const res = await form({ personId: 'E102' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/accounts');
    expect(res.headers.get('set-cookie')).toMatch(/^dev_user=E102;/);
  });

  it('refuses an email the directory does not know, in the trigger\u2019s words, and sets no cookie', async () => {
    const res = await form({ email: 'nobody@cabq.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = await res.text();
    expect(body).toContain('You could not be signed in');
    expect(body).toContain('nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.');
  });

  it('refuses a first administrator once the directory has people', async () => {
    const res = await form({ email: admin });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(`${admin} is not in the social media governance directory. Ask DTI to add you.`);
  });

  it('refuses a separated person, with the date', async () => {
    await db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: 'PERSON#E103', SK: 'PROFILE' },
        UpdateExpression: 'SET separatedOn = :d',
        ExpressionAttributeValues: { ':d': '2026-12-01' },
      }),
    );
    const res = await form({ personId: 'E103' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Tom Sandoval separated from the City on 2026-12-01 and can no longer use this service.');
  });
});

describe('development sign-in, with the directory empty', () => {
  beforeAll(emptyTheDirectory);

  it('offers only the email form, saying who can come in', async () => {
    const body = await (await fetch(`${stack.baseUrl}/dev/sign-in`)).text();
    expect(body).toContain('The directory is empty: only a first DTI administrator (FIRST_ADMIN_EMAILS) can come in, by email below.');
    expect(body).not.toContain('id="personId"');
    expect(body).toContain('id="email"');
  });

  it('signs a first administrator in, and every page they reach is the setup page', async () => {
    const res = await form({ email: 'DTI.Admin@cabq.example' });
    expect(res.status).toBe(303);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toBe('dev_user=DTI.Admin%40cabq.example');
    for (const path of ['/', '/accounts', '/requests/new']) {
      const shown = await page(path, cookie);
      expect(shown.status, path).toBe(503);
      const body = await shown.text();
      expect(body).toContain('<h1>The directory is empty</h1>');
      expect(body).toContain('npm run directory -- import people.csv departments.csv roles.csv --target aws --stack &lt;stack name&gt; --dry-run');
    }
    const api = await page('/accounts', cookie, 'application/json');
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: string }).error).toBe('DirectoryEmptyError');
  });

  it('refuses anyone else at sign-in, and on every page even with a cookie made by hand', async () => {
    const res = await form({ email: 'nobody@cabq.example' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('nobody@cabq.example is not in the social media governance directory. Ask DTI to add you.');
    const forged = await page('/accounts', 'dev_user=nobody%40cabq.example', 'application/json');
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toBe('NotInDirectoryError');
  });
});
