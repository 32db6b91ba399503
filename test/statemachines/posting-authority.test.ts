import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import type { Grant } from '#core/registry';
import { approvalLinkIn, approvedAccount, as, askPostingAuthority, decide, mailbox, startTestStack, waitForEmail } from '../support/harness.ts';

/**
 * Posting authority (B) on the real ASL (the same approval chain as new accounts) with DynamoDB
 * Local and the SES emulator. The Parks account each test uses is made by an approved new-account
 * request, so its admins' grants and the posting-authority grants are one grant model.
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
const designee = 'mchavez@cabq.example';
const dti = 'dti-social-registry@cabq.example';
const reason = 'Posts the weekly pool schedule and closures.';

/** A Parks account whose only admin is Ana Gallegos (E102), so everyone else starts without a grant. */
const parksAccount = () => approvedAccount(stack, 'E102', { adminIds: ['E102'] });

const decisionLink = async (to: string, requestId: string) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Decision needed') && e.text.includes(requestId)));

async function ask(personId: string, accountId: string, body: Record<string, unknown>) {
  const res = await askPostingAuthority(stack, personId, accountId, body);
  const json = (await res.json()) as { requestId: string; steps: string[]; message?: string; fields?: Record<string, string> };
  // The HTTP status, not the request status the body also carries.
  return { ...json, status: res.status };
}

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

/** Grants by employee: the GSI2 lookup (B). */
async function grantsOfEmployee(personId: string): Promise<Grant[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: stack.tableName,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': `GRANTEE#${personId}` },
    }),
  );
  return (out.Items ?? []) as Grant[];
}

/** Grants by account: its partition, sort keys under GRANT#. */
async function grantsOfAccount(accountId: string): Promise<Grant[]> {
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

const mailAbout = async (requestId: string) => (await mailbox(stack)).filter((e) => e.text.includes(requestId));

describe('posting authority (B) on the approval chain', () => {
  it('records a grant authorized by the department director, found by employee and by account', async () => {
    const accountId = await parksAccount();
    const asked = await ask('E103', accountId, { role: 'POSTER', receivesCredential: false, reason });
    expect(asked.status).toBe(201);
    const { requestId } = asked;
    expect(requestId).toMatch(/^pa-\d{8}-[0-9a-f]{16}$/);
    expect(asked.steps).toEqual(['Department Director (Parks and Recreation)']);

    const email = await waitForEmail(stack, (e) => e.to.includes(director) && e.text.includes(requestId));
    expect(email.subject).toMatch(/^Decision needed: Posting authority for Tom Sandoval on Instagram @t[0-9a-f]+ \(poster, without the shared credential\)$/);
    expect(email.text).toContain(`Reason: ${reason}`);
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId } });

    const byEmployee = (await grantsOfEmployee('E103')).filter((g) => g.accountId === accountId);
    expect(byEmployee).toEqual([
      expect.objectContaining({
        personId: 'E103',
        role: 'POSTER',
        receivesCredential: false,
        authorizedById: 'E100',
        authorizedByName: 'Dolores Baca',
        sourceRequestId: requestId,
        status: 'ACTIVE',
      }),
    ]);
    const byAccount = await grantsOfAccount(accountId);
    expect(byAccount.map((g) => [g.personId, g.role, g.status]).sort()).toEqual([
      ['E102', 'ADMIN', 'ACTIVE'],
      ['E103', 'POSTER', 'ACTIVE'],
    ]);

    const told = await mailAbout(requestId);
    expect(told.filter((e) => e.subject.startsWith('Approved')).map((e) => e.to)).toEqual([['tsandoval@cabq.example']]);
    const dtiNotice = told.find((e) => e.to.includes(dti));
    expect(dtiNotice?.text).toContain('Tom Sandoval is not to receive the shared credential');

    // The history page and My requests show this kind too.
    const page = (await (await as(stack, 'E103').get(`/requests/${requestId}`)).json()) as { request: { kind: string; status: string } };
    expect(page.request).toMatchObject({ kind: 'POSTING_AUTHORITY', status: 'APPROVED' });
    const mine = (await (await as(stack, 'E103').get('/requests')).json()) as { requests: { requestId: string; kind: string }[] };
    expect(mine.requests).toContainEqual(expect.objectContaining({ requestId, kind: 'POSTING_AUTHORITY' }));
  });

  it('closes a rejected request with the director’s reason, told to the requester, and records no grant', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask('E101', accountId, { role: 'POSTER', reason });
    const rejection = 'The deputy director does not post for the department.';
    expect((await decide(stack, await decisionLink(director, requestId), 'REJECTED', rejection)).status).toBe(200);
    expect((await outcome(requestId)).result).toEqual({ status: 'REJECTED', accountId: null });

    const told = await waitForEmail(stack, (e) => e.to.includes(designee) && e.subject.startsWith('Not approved') && e.text.includes(requestId));
    expect(told.text).toContain(`Dolores Baca rejected your request. Reason: ${rejection}`);
    expect((await grantsOfEmployee('E101')).some((g) => g.accountId === accountId)).toBe(false);
    expect((await mailAbout(requestId)).some((e) => e.to.includes(dti))).toBe(false);
  });

  it('sends the department director’s own request to the designee, who authorizes it', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask('E100', accountId, { role: 'ADMIN', receivesCredential: true, reason });
    const request = (await (await as(stack, 'E100').get(`/requests/${requestId}`)).json()) as {
      request: { steps: { approverId: string; routedToDesignee: boolean; escalateToId: string | null }[] };
    };
    expect(request.request.steps).toEqual([expect.objectContaining({ approverId: 'E101', routedToDesignee: true, escalateToId: null })]);

    await decide(stack, await decisionLink(designee, requestId), 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');
    expect((await grantsOfEmployee('E100')).filter((g) => g.accountId === accountId)).toEqual([
      expect.objectContaining({ role: 'ADMIN', receivesCredential: true, authorizedById: 'E101', authorizedByName: 'Marcus Chavez' }),
    ]);
    // The director, who asked, gets 2 emails (was 1 before the receipt): the receipt on submit and
    // the outcome; she is never asked to decide her own authority.
    expect((await mailAbout(requestId)).filter((e) => e.to.includes(director)).map((e) => e.subject.split(':')[0])).toEqual(['Received', 'Approved']);
  });

  it('lets an active admin ask for someone else; the grantee, the requester and DTI are told', async () => {
    const accountId = await parksAccount();
    const asked = await ask('E102', accountId, { granteeId: 'E202', role: 'POSTER', receivesCredential: true, reason });
    expect(asked.status).toBe(201);
    const { requestId } = asked;
    await decide(stack, await decisionLink(director, requestId), 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');

    const approved = (await mailAbout(requestId)).filter((e) => e.subject.startsWith('Approved'));
    expect(approved.map((e) => e.to).sort()).toEqual([['agallegos@cabq.example'], ['iromero@cabq.example']]);
    expect(approved.find((e) => e.to.includes('iromero@cabq.example'))?.text).toContain('Ana Gallegos asked for this on your behalf.');
    const dtiNotice = (await mailAbout(requestId)).find((e) => e.to.includes(dti));
    expect(dtiNotice?.text).toContain('Isabel Romero is to receive the shared credential');
    expect((await grantsOfEmployee('E202')).filter((g) => g.accountId === accountId)).toEqual([
      expect.objectContaining({ role: 'POSTER', receivesCredential: true, authorizedById: 'E100', sourceRequestId: requestId }),
    ]);
    // The person it was for can read the request.
    expect((await as(stack, 'E202').get(`/requests/${requestId}`)).status).toBe(200);
  });

  it('refuses with 403 someone who is not an admin asking for someone else, and stores nothing', async () => {
    const accountId = await parksAccount();
    const before = await footprint();
    const asked = await ask('E103', accountId, { granteeId: 'E202', role: 'POSTER', reason });
    expect(asked.status).toBe(403);
    expect(asked.message).toMatch(/Only an active admin of Instagram @t[0-9a-f]+ can ask for posting authority for someone else/);
    expect(await footprint()).toEqual(before);
  });

  it('refuses with 409 what the person already holds, whichever request made the grant, and stores nothing', async () => {
    const accountId = await parksAccount();
    const before = await footprint();
    // Ana's grant comes from the new-account approval: ADMIN with the shared credential.
    const again = await ask('E102', accountId, { role: 'ADMIN', receivesCredential: true, reason });
    expect(again.status).toBe(409);
    expect(again.message).toMatch(/Ana Gallegos is already authorized on Instagram @t[0-9a-f]+ as admin \(receives the shared credential\), by Dolores Baca/);
    expect(await footprint()).toEqual(before);
  });

  it('replaces an older grant on a role change: the old one stays on record as REVOKED', async () => {
    const accountId = await parksAccount();
    const { requestId } = await ask('E102', accountId, { role: 'POSTER', receivesCredential: false, reason });
    await decide(stack, await decisionLink(director, requestId), 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');

    const anas = (await grantsOfAccount(accountId)).filter((g) => g.personId === 'E102');
    expect(anas).toHaveLength(2);
    const [old, current] = [anas.find((g) => g.role === 'ADMIN'), anas.find((g) => g.role === 'POSTER')];
    expect(current).toMatchObject({ status: 'ACTIVE', receivesCredential: false, sourceRequestId: requestId });
    expect(old).toMatchObject({ status: 'REVOKED', revokedReason: `replaced by ${requestId}`, revokedBySourceId: requestId });
    expect(Date.parse(old?.revokedAt ?? '')).not.toBeNaN();
    expect((await grantsOfEmployee('E102')).filter((g) => g.accountId === accountId && g.status === 'ACTIVE')).toHaveLength(1);

    // She knew the shared credential and no longer receives it: DTI is told to rotate it (C).
    const dtiNotice = (await mailAbout(requestId)).find((e) => e.to.includes(dti));
    expect(dtiNotice?.text).toContain('had the shared credential before: rotate it (C)');
    // The registry shows her once, as a poster.
    const { grants } = (await (await as(stack, 'E400').get(`/accounts/${accountId}`)).json()) as { grants: Grant[] };
    const active = grants.filter((g) => g.status === 'ACTIVE');
    expect(active?.map((g) => [g.personId, g.role])).toEqual([['E102', 'POSTER']]);
  });

  it('answers a repeated submission with the same request and starts one approval', async () => {
    const accountId = await parksAccount();
    const body = { submissionId: 'double-click-1', role: 'POSTER', reason };
    const first = await askPostingAuthority(stack, 'E103', accountId, body);
    const second = await askPostingAuthority(stack, 'E103', accountId, body);
    expect([first.status, second.status]).toEqual([201, 200]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { requestId: string }[];
    expect(b?.requestId).toBe(a?.requestId);
    await decisionLink(director, a?.requestId ?? '');
    expect((await mailAbout(a?.requestId ?? '')).filter((e) => e.subject.startsWith('Decision needed'))).toHaveLength(1);
  });

  it.each([
    ['an unknown account', 'acct-20250101-0000000000000000', {}, 404, undefined],
    ['a role that is neither Admin nor Poster', undefined, { role: 'OWNER' }, 400, 'role'],
    ['a reason under 10 characters', undefined, { reason: 'post' }, 400, 'reason'],
    ['a reason over 2000 characters', undefined, { reason: 'x'.repeat(2001) }, 400, 'reason'],
  ])('refuses %s and stores nothing', async (_what, account, change, status, field) => {
    const accountId = account ?? (await parksAccount());
    const before = await footprint();
    const asked = await ask('E103', accountId, { role: 'POSTER', reason, ...change });
    expect(asked.status).toBe(status);
    if (field) expect(Object.keys(asked.fields ?? {})).toEqual([field]);
    expect(await footprint()).toEqual(before);
  });

  it('refuses with 400 on the field an admin naming someone not in the directory', async () => {
    const accountId = await parksAccount();
    const before = await footprint();
    const asked = await ask('E102', accountId, { granteeId: 'E999', role: 'POSTER', reason });
    expect(asked.status).toBe(400);
    expect(asked.fields).toEqual({ granteeId: expect.stringMatching(/not in the directory/) });
    expect(await footprint()).toEqual(before);
  });
});
