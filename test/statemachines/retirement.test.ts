import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import type { Grant } from '#core/registry';
import { approvalLinkIn, as, askPostingAuthority, browserAs, decide, mailbox, startTestStack, waitForEmail } from '../support/harness.ts';
import { denverDaysFromNow, denverToday, seedAccounts } from '../support/offboarding.ts';

/**
 * Retiring an account (issue 14) on the real ASL (statemachines/approval-by-link.asl.json as the
 * accountRetirementApproval workflow) with DynamoDB Local and the SES emulator: an admin asks, the
 * Parks director approves by link, and the account, its grants and its credential are retired.
 */

let stack: LocalStack;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  stack = await startTestStack();
  db = DynamoDBDocumentClient.from(stack.client);
});
afterAll(async () => {
  await stack?.stop();
});

const director = 'dbaca@cabq.example';
const dti = 'dti-social-registry@cabq.example';
const reason = 'The pool program moved to the main Parks account.';
const day = 86_400_000;

/** A Parks account: Ana Gallegos (E102) its admin, Tom Sandoval (E103) a poster. */
async function parksAccount(): Promise<string> {
  const [seeded] = await seedAccounts(stack, 1, [
    { personId: 'E102', role: 'ADMIN' },
    { personId: 'E103', role: 'POSTER' },
  ]);
  return seeded?.accountId as string;
}

async function askRetirement(personId: string, accountId: string, body: Record<string, unknown> = {}) {
  const res = await as(stack, personId).post(`/accounts/${accountId}/retirement`, {
    submissionId: randomBytes(9).toString('base64url'),
    reason,
    contentPlan: 'ARCHIVE_THEN_READ_ONLY',
    ...body,
  });
  const json = (await res.json()) as { requestId: string; message?: string; steps?: string[] };
  // The HTTP status, not the request status the body also carries.
  return { ...json, status: res.status };
}

async function decideFor(to: string, requestId: string, outcome: 'APPROVED' | 'REJECTED', why?: string) {
  const email = await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Decision needed') && e.text.includes(requestId));
  expect((await decide(stack, approvalLinkIn(email), outcome, why)).status).toBe(200);
}

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

const item = async (PK: string, SK: string) => (await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;

async function grantsOf(accountId: string): Promise<Grant[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :grant)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':grant': 'GRANT#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as Grant[];
}

/** Everything stored and sent: what "nothing stored" is checked against. */
async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

describe('retiring an account (issue 14)', () => {
  it('retires the account, revokes every grant and retires its credential once the director approves by link', async () => {
    const accountId = await parksAccount();
    // A credential already on file: retiring it keeps what it holds.
    await db.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          PK: `ACCOUNT#${accountId}`,
          SK: 'CREDENTIAL',
          entity: 'Credential',
          accountId,
          status: 'CONFIRMED',
          currentVersionId: 'v-1',
          updatedAt: '2026-01-02T00:00:00.000Z',
        },
      }),
    );
    const page = await (await browserAs(stack, 'E102').get(`/accounts/${accountId}`)).text();
    expect(page).toContain(`<a href="/accounts/${accountId}/retirement/new">Retire this account</a>`);
    expect(await (await browserAs(stack, 'E103').get(`/accounts/${accountId}`)).text()).not.toContain('Retire this account');

    const asked = await askRetirement('E102', accountId);
    expect(asked.status).toBe(201);
    const { requestId } = asked;
    expect(requestId).toMatch(/^ra-\d{8}-[0-9a-f]{16}$/);
    expect(asked.steps).toEqual(['Department Director (Parks and Recreation)']);

    const email = await waitForEmail(stack, (e) => e.to.includes(director) && e.text.includes(requestId));
    expect(email.subject).toMatch(/^Decision needed: /);
    expect(email.text).toContain(`Reason: ${reason}`);
    expect(email.text).toContain('Its content: Archive its content, then leave the account on the platform, read-only (no new posts)');
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId } });

    const profile = await item(`ACCOUNT#${accountId}`, 'PROFILE');
    expect(profile).toMatchObject({
      status: 'RETIRED',
      GSI1PK: 'ACCOUNTS#RETIRED',
      GSI2PK: 'ACCOUNTS_BY_DEPARTMENT#RETIRED',
      GSI3PK: 'ACCOUNTS_BY_HANDLE#RETIRED',
      retiredReason: reason,
      retiredBySourceId: requestId,
    });
    const retiredAt = String(profile?.retiredAt);
    expect((await grantsOf(accountId)).map((g) => [g.personId, g.status, g.revokedBySourceId, g.revokedAt]).sort()).toEqual([
      ['E102', 'REVOKED', requestId, retiredAt],
      ['E103', 'REVOKED', requestId, retiredAt],
    ]);
    const credential = await item(`ACCOUNT#${accountId}`, 'CREDENTIAL');
    expect(credential).toMatchObject({ status: 'RETIRED', retiredAt, retiredBySourceId: requestId, currentVersionId: 'v-1' });
    // Kept 2555 days (policy.credentials.retainRetiredDays), then due for deletion: not deleted now.
    expect((Date.parse(String(credential?.deleteAfter)) - Date.parse(retiredAt)) / day).toBe(2555);

    const told = (await mailbox(stack)).filter((e) => e.text.includes(requestId));
    expect(told.filter((e) => e.subject.startsWith('Approved')).map((e) => e.to)).toEqual([['agallegos@cabq.example']]);
    const notice = told.find((e) => e.to.includes(dti));
    expect(notice?.subject).toMatch(/^Registry: Facebook @seed[0-9a-f]+0 retired \(Parks and Recreation\)$/);
    expect(notice?.text).toContain('Posting authority revoked: Ana Gallegos (admin, had the shared credential); Tom Sandoval (poster)');

    // The registry: RETIRED with the day and the request, listed under Retired, linked to the request.
    const shown = (await (await as(stack, 'E103').get(`/accounts/${accountId}`)).json()) as {
      account: Record<string, unknown>;
      actions: Record<string, boolean>;
    };
    expect(shown.account).toMatchObject({ status: 'RETIRED', retiredAt, retiredBySourceId: requestId });
    expect(shown.actions).toMatchObject({ postingAuthority: false, retirement: false });
    const html = await (await browserAs(stack, 'E102').get(`/accounts/${accountId}`)).text();
    expect(html).toContain(`through <a href="/requests/${requestId}">${requestId}</a>. Why: ${reason}`);
    expect(html).not.toContain('Retire this account');
    const listed = (await (await as(stack, 'E400').get('/accounts?status=RETIRED')).json()) as { accounts: { accountId: string }[] };
    expect(listed.accounts.map((a) => a.accountId)).toContain(accountId);

    // A retired account refuses new posting authority, removals, exceptions and a second retirement, storing nothing.
    const before = await footprint();
    const refused = await askPostingAuthority(stack, 'E103', accountId, { role: 'POSTER', reason: 'Posts the weekly pool schedule.' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      new RegExp(`was retired on .+ by request ${requestId} \\(${reason}\\)\\. A retired account takes no new posting authority`),
    );
    const removal = await as(stack, 'E102').get(`/accounts/${accountId}/removals/new`);
    expect(removal.status).toBe(409);
    const exceptionPage = await browserAs(stack, 'E102').get(`/accounts/${accountId}/exceptions/new`);
    expect(exceptionPage.status).toBe(409);
    expect(await exceptionPage.text()).toContain(`by request ${requestId}`);
    expect((await askRetirement('E100', accountId)).status).toBe(409);
    // Nor credential changes or views: its credential is kept on record, as it was.
    for (const [who, body] of [
      ['E100', { action: 'change', mode: 'generate' }],
      ['E400', { action: 'view', reason: 'Checking the retired account' }],
    ] as const) {
      const res = await as(stack, who).post(`/accounts/${accountId}/credential`, body);
      expect(res.status, who).toBe(409);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /is retired: its credential is kept on record and can no longer be viewed or changed\.$/,
      );
    }
    expect(await footprint()).toEqual(before);

    // Its records stay exportable (H): the account's export has the retirement request.
    const exported = await as(stack, 'E400').get(`/records/export?accountId=${accountId}&from=${denverDaysFromNow(-1)}&to=${denverToday()}`);
    expect(exported.status).toBe(200);
    const files = unzipSync(new Uint8Array(await exported.arrayBuffer()));
    const requests = new TextDecoder().decode(files['requests.csv']);
    expect(requests).toContain(requestId);
    expect(requests).toContain('ARCHIVE_THEN_READ_ONLY');
  });

  it('refuses a poster, and a second request while one is open; a rejection retires nothing and lets a new one be asked', async () => {
    const accountId = await parksAccount();
    const poster = await askRetirement('E103', accountId);
    expect(poster.status).toBe(403);
    expect(poster.message).toContain('Only an admin of');

    const first = await askRetirement('E102', accountId);
    expect(first.status).toBe(201);
    const second = await askRetirement('E100', accountId);
    expect(second.status).toBe(409);
    expect(second.message).toContain(`already has an open request to retire it: ${first.requestId}, asked by Ana Gallegos`);

    await decideFor(director, first.requestId, 'REJECTED', 'The summer program still posts here.');
    expect((await outcome(first.requestId)).result).toEqual({ status: 'REJECTED', accountId: null });
    expect(await item(`ACCOUNT#${accountId}`, 'PROFILE')).toMatchObject({ status: 'ACTIVE', GSI1PK: 'ACCOUNTS#ACTIVE' });
    expect((await grantsOf(accountId)).map((g) => g.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect(await item(`ACCOUNT#${accountId}`, 'CREDENTIAL')).toBeUndefined();

    // The director asks now: the designee decides, and an account without a credential on file gets a retired one.
    const again = await askRetirement('E100', accountId, { contentPlan: 'ARCHIVE_THEN_DELETE' });
    expect(again.status).toBe(201);
    await decideFor('mchavez@cabq.example', again.requestId, 'APPROVED');
    expect((await outcome(again.requestId)).result).toEqual({ status: 'APPROVED', accountId });
    expect(await item(`ACCOUNT#${accountId}`, 'CREDENTIAL')).toMatchObject({
      entity: 'Credential',
      accountId,
      status: 'RETIRED',
      retiredBySourceId: again.requestId,
    });
  });
});
