import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, waitForEmail, walkToExpiry } from '../support/harness.ts';
import { seedAccounts } from '../support/offboarding.ts';

/**
 * Departmental social media policies (R) on the real ASL (approval-by-link) with DynamoDB Local
 * and the SES emulator: the Communications Director (or designee) decides; an approved version is
 * a write-once record with the SHA-256 of its text and becomes the department's current policy.
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

const director = 'emartinez@cabq.example';
const designee = 'pherrera@cabq.example';
const additions = 'Reply times and a weekend rota for comments.';

interface Policies {
  current: { recordId: string; version: string; sha256: string; text: string; approvedByName: string; sequence: number } | null;
  superseded: { recordId: string; version: string; supersededByVersion: string | null }[];
  pending: { requestId: string; version: string }[];
  notApproved: { requestId: string; version: string; status: string }[];
}

async function submit(personId: string, code: string, body: Record<string, unknown>) {
  const res = await as(stack, personId).post(`/departments/${code}/policies`, { additions, ...body });
  const json = (await res.json()) as { requestId: string; sha256: string; steps: string[]; message?: string };
  expect(res.status, json.message).toBe(201);
  return json;
}

const policies = async (code: string) => (await (await as(stack, 'E400').get(`/departments/${code}/policies`)).json()) as Policies;

const decisionLink = async (to: string, requestId: string, subject = /^Decision needed/) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

async function storedRecord(recordId: string) {
  const out = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `RECORD#${recordId}`, SK: 'RECORD' }, ConsistentRead: true }));
  return out.Item;
}

describe('departmental social media policies (R) on the approval chain', () => {
  it('keeps an approved version write-once with the SHA-256 of its text, current on the department’s page', async () => {
    const { requestId, sha256, steps } = await submit('E103', 'PRD', { version: '2027.1', text: 'abc: staff reply within one day.' });
    expect(requestId).toMatch(/^dp-\d{8}-[0-9a-f]{16}$/);
    expect(sha256).toBe('464000aa4a7a51dcc2f0b0b86698ff4f308969b7e8c7eb532b3dcb75e01da8f6');
    expect(steps).toEqual(['Communications Director']);

    const email = await waitForEmail(stack, (e) => e.to.includes(director) && e.text.includes(requestId));
    expect(email.subject).toBe('Decision needed: Parks and Recreation social media policy 2027.1');
    expect(email.text).toContain('Policy text: abc: staff reply within one day.');
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId: null } });

    const recordId = `rec-policy-${requestId.slice(3)}`;
    expect(await storedRecord(recordId)).toMatchObject({
      kind: 'DEPARTMENT_POLICY',
      departmentCode: 'PRD',
      version: '2027.1',
      text: 'abc: staff reply within one day.',
      sha256: '464000aa4a7a51dcc2f0b0b86698ff4f308969b7e8c7eb532b3dcb75e01da8f6',
      approvedById: 'E500',
      approvedByName: 'Elena Martinez',
      sequence: 1,
    });
    const page = await policies('PRD');
    expect(page.current).toMatchObject({ recordId, version: '2027.1', sha256: '464000aa4a7a51dcc2f0b0b86698ff4f308969b7e8c7eb532b3dcb75e01da8f6' });
    const html = await (await fetch(`${stack.baseUrl}/departments/PRD/policies`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } })).text();
    expect(html).toContain('Current policy: version 2027.1');
    expect(html).toContain('464000aa4a7a51dcc2f0b0b86698ff4f308969b7e8c7eb532b3dcb75e01da8f6');

    const approved = (await mailbox(stack)).filter((e) => e.text.includes(requestId) && e.subject.startsWith('Approved'));
    expect(approved.map((e) => [e.to, e.subject])).toEqual([[['tsandoval@cabq.example'], 'Approved: Parks and Recreation social media policy 2027.1']]);
    expect(approved[0]?.text).toContain(`kept on record as ${recordId}`);
    const request = (await (await as(stack, 'E103').get(`/requests/${requestId}`)).json()) as { request: { status: string; recordId: string } };
    expect(request.request).toMatchObject({ status: 'APPROVED', recordId });
  });

  it('makes a second approved version current; the first is superseded and still on record, unchanged', async () => {
    const first = await submit('E202', 'LIB', { version: '2026.1', text: 'Library posts are reviewed by a second person.' });
    await decide(stack, await decisionLink(director, first.requestId), 'APPROVED');
    expect((await outcome(first.requestId)).result?.status).toBe('APPROVED');
    const firstRecord = await storedRecord(`rec-policy-${first.requestId.slice(3)}`);

    const second = await submit('E202', 'LIB', { version: '2027.1', text: 'Library posts are reviewed by a second person, within a day.' });
    await decide(stack, await decisionLink(director, second.requestId), 'APPROVED');
    expect((await outcome(second.requestId)).result?.status).toBe('APPROVED');

    const page = await policies('LIB');
    expect(page.current).toMatchObject({ version: '2027.1', sequence: 2 });
    // The registry shows the department's policy in force on each of its accounts' pages.
    const [libraryAccount] = await seedAccounts(stack, 1, [{ personId: 'E202', role: 'ADMIN' }], { code: 'LIB', name: 'Albuquerque Public Library' });
    const account = (await (await as(stack, 'E202').get(`/accounts/${libraryAccount?.accountId}`)).json()) as { departmentPolicy: unknown };
    expect(account.departmentPolicy).toMatchObject({ version: '2027.1', recordId: `rec-policy-${second.requestId.slice(3)}` });
    const accountHtml = await (
      await fetch(`${stack.baseUrl}/accounts/${libraryAccount?.accountId}`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } })
    ).text();
    expect(accountHtml).toContain('<a href="/departments/LIB/policies">version 2027.1</a>, approved by Elena Martinez');
    expect(page.superseded).toEqual([expect.objectContaining({ version: '2026.1', supersededByVersion: '2027.1' })]);
    expect(await storedRecord(`rec-policy-${first.requestId.slice(3)}`)).toEqual(firstRecord);
    expect(firstRecord).toMatchObject({ sha256: '8551cb23d52592e2d4b296c83458bfdf687d9b0775a203642259951654db955a', sequence: 1 });
  });

  it('lets one of two versions approved at once become current, and the other superseded', async () => {
    const a = await submit('E301', 'APD', { version: 'A-1', text: 'APD posts follow the public information plan.' });
    const b = await submit('E301', 'APD', { version: 'B-1', text: 'APD posts follow the public information plan, revised.' });
    const links = await Promise.all([decisionLink(director, a.requestId), decisionLink(director, b.requestId)]);
    await Promise.all(links.map((link) => decide(stack, link, 'APPROVED')));
    expect([(await outcome(a.requestId)).result?.status, (await outcome(b.requestId)).result?.status]).toEqual(['APPROVED', 'APPROVED']);

    const page = await policies('APD');
    expect(page.current?.sequence).toBe(2);
    expect(page.superseded).toHaveLength(1);
    expect([page.current?.version, page.superseded[0]?.version].sort()).toEqual(['A-1', 'B-1']);
    expect(page.superseded[0]?.supersededByVersion).toBe(page.current?.version);
  });

  it('closes a rejected version with the reason told to the requester, keeps no record and frees the version', async () => {
    const { requestId } = await submit('E102', 'PRD', { version: '2028.0', text: 'Every post carries the program’s hashtag.' });
    const reason = 'The hashtag rule conflicts with rule E of the City policy.';
    expect((await decide(stack, await decisionLink(director, requestId), 'REJECTED', reason)).status).toBe(200);
    expect((await outcome(requestId)).result).toEqual({ status: 'REJECTED', accountId: null });

    const told = await waitForEmail(
      stack,
      (e) => e.to.includes('agallegos@cabq.example') && e.subject.startsWith('Not approved') && e.text.includes(requestId),
    );
    expect(told.subject).toBe('Not approved: Parks and Recreation social media policy 2028.0');
    expect(told.text).toContain(`Elena Martinez rejected your request. Reason: ${reason}`);
    expect(await storedRecord(`rec-policy-${requestId.slice(3)}`)).toBeUndefined();
    const page = await policies('PRD');
    expect(page.current?.version).toBe('2027.1');
    expect(page.notApproved).toContainEqual(expect.objectContaining({ requestId, version: '2028.0', status: 'REJECTED' }));
    // The same version may be submitted again once it was rejected.
    await submit('E102', 'PRD', { version: '2028.0', text: 'Every post carries the program’s hashtag where rule E allows.' });
  });

  it('sends the Communications Director’s own department’s policy to the designee, who approves it', async () => {
    const { requestId, steps } = await submit('E500', 'CMO', { version: '1', text: 'Mayor’s Office posts are approved by the Director.' });
    expect(steps).toEqual(['Communications Director']);
    await decide(stack, await decisionLink(designee, requestId), 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');
    expect(await storedRecord(`rec-policy-${requestId.slice(3)}`)).toMatchObject({ approvedById: 'E501', approvedByName: 'Paul Herrera' });
    expect((await mailbox(stack)).some((e) => e.to.includes(director) && e.subject.startsWith('Decision needed') && e.text.includes(requestId))).toBe(false);
  });

  it('reminds, escalates to the designee, reminds again and expires when nobody answers (local clock, no sleeping)', async () => {
    const { requestId } = await submit('E502', 'CMO', { version: '2', text: 'Mayor’s Office posts are scheduled a week ahead.' });
    await walkToExpiry(stack, requestId, { approver: director, designee });
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'EXPIRED', accountId: null } });
    const expired = await waitForEmail(stack, (e) => e.to.includes('rapodaca@cabq.example') && e.subject.startsWith('Expired') && e.text.includes(requestId));
    expect(expired.subject).toBe("Expired: Communications (Mayor's Office) social media policy 2");
    expect((await policies('CMO')).current?.version).toBe('1');
  });
});
