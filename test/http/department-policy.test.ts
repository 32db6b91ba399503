import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, waitForEmail } from '../support/harness.ts';

/** The departmental policy form (R) over HTTP on the local stack: what it refuses, and that a refusal stores nothing. */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const valid = { version: '2027.1', text: 'Staff reply to comments within one business day.', additions: 'Reply times and a weekend rota for comments.' };

async function post(personId: string, code: string, body: Record<string, unknown>) {
  const res = await as(stack, personId).post(`/departments/${code}/policies`, { submissionId: randomBytes(9).toString('base64url'), ...body });
  const json = (await res.json()) as { requestId?: string; message?: string; fields?: Record<string, string> };
  return { ...json, status: res.status };
}

/** Everything stored and sent: what "nothing stored" is checked against. */
async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

describe('POST /departments/{code}/policies refuses', () => {
  it.each([
    ['a version with a space', { version: '2027 1' }, 'version', 'give the version as 1 to 20 letters, digits, dots, dashes or underscores, e.g. 2027.1'],
    [
      'a version of 21 characters',
      { version: 'x'.repeat(21) },
      'version',
      'give the version as 1 to 20 letters, digits, dots, dashes or underscores, e.g. 2027.1',
    ],
    ['no text', { text: '' }, 'text', 'paste the policy’s full text (at least 20 characters)'],
    ['a text of 50001 characters', { text: 'x'.repeat(50_001) }, 'text', 'the policy’s text can be at most 50000 characters'],
    [
      'a summary under 10 characters',
      { additions: 'rules' },
      'additions',
      'say what the policy adds to the City’s social media policy (at least 10 characters)',
    ],
    ['a summary over 4000 characters', { additions: 'x'.repeat(4001) }, 'additions', 'keep what it adds under 4000 characters'],
    [
      'a document address that is not https',
      { documentUrl: 'http://www.cabq.gov/policy.pdf' },
      'documentUrl',
      'give the adopted document’s address as https://…, or leave it empty',
    ],
  ])('%s with 400 on that field, and stores nothing', async (_what, change, field, message) => {
    const before = await footprint();
    const res = await post('E103', 'PRD', { ...valid, ...change });
    expect(res.status).toBe(400);
    expect(res.fields).toEqual({ [field]: message });
    expect(await footprint()).toEqual(before);
  });

  it('someone of another department with 403 naming who may submit, and stores nothing', async () => {
    const before = await footprint();
    const res = await post('E202', 'PRD', valid);
    expect(res.status).toBe(403);
    expect(res.message).toBe(
      'Only staff of Parks and Recreation can submit its social media policy (R). You are in the directory under LIB; ask someone in Parks and Recreation to submit it.',
    );
    expect((await as(stack, 'E202').get('/departments/PRD/policies/new')).status).toBe(403);
    expect(await footprint()).toEqual(before);
  });

  it('an unknown department with 404 naming it, and stores nothing', async () => {
    const before = await footprint();
    const res = await post('E103', 'NOPE', valid);
    expect(res.status).toBe(404);
    expect(res.message).toBe('There is no department NOPE in the directory. Check the department code (for example PRD).');
    expect((await as(stack, 'E103').get('/departments/NOPE/policies')).status).toBe(404);
    expect(await footprint()).toEqual(before);
  });

  it('an HTML form with its errors on the page, with 400', async () => {
    const res = await fetch(`${stack.baseUrl}/departments/PRD/policies`, {
      method: 'POST',
      headers: { cookie: 'dev_user=E103', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl },
      body: new URLSearchParams({ version: 'bad version', text: 'short', additions: 'Reply times and a weekend rota.' }).toString(),
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('There are 2 problems');
    expect(page).toContain('paste the policy’s full text (at least 20 characters)');
  });
});

describe('POST /departments/{code}/policies', () => {
  it('accepts a text of 50000 characters, and answers a repeated submission with the same request', async () => {
    const body = { ...valid, version: 'long-1', text: 'x'.repeat(50_000), submissionId: 'double-click-1' };
    const [first, second] = [await post('E103', 'PRD', body), await post('E103', 'PRD', body)];
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.requestId).toBe(first.requestId);
  });

  it('refuses a version pending for the department with 409 naming it, then one approved', async () => {
    const first = await post('E103', 'PRD', { ...valid, version: '2027.2' });
    expect(first.status).toBe(201);
    const again = await post('E102', 'PRD', { ...valid, version: '2027.2' });
    expect(again.status).toBe(409);
    expect(again.message).toBe(
      `Version 2027.2 of the Parks and Recreation social media policy is already waiting for the Communications Director’s decision (request ${first.requestId}). Wait for that decision, or give this one its own number.`,
    );

    const email = await waitForEmail(stack, (e) => e.to.includes('emartinez@cabq.example') && e.text.includes(first.requestId ?? '-'));
    await decide(stack, approvalLinkIn(email), 'APPROVED');
    await stack.sfn.result(first.requestId ?? '');
    const approved = await post('E102', 'PRD', { ...valid, version: '2027.2' });
    expect(approved.status).toBe(409);
    expect(approved.message).toBe(
      `Version 2027.2 of the Parks and Recreation social media policy is already approved (request ${first.requestId}). Give the new version its own number.`,
    );
    // Another department may use the same number.
    expect((await post('E202', 'LIB', { ...valid, version: '2027.2' })).status).toBe(201);
  });

  it('shows the department’s page to anyone signed in, with the submit link only for its staff', async () => {
    const page = (who: string) => fetch(`${stack.baseUrl}/departments/PRD/policies`, { headers: { cookie: `dev_user=${who}`, accept: 'text/html' } });
    const staff = await (await page('E103')).text();
    expect(staff).toContain('href="/departments/PRD/policies/new"');
    const outsider = await page('E202');
    expect(outsider.status).toBe(200);
    expect(await outsider.text()).toContain('Only staff of Parks and Recreation can submit its policy.');
    const form = await fetch(`${stack.baseUrl}/departments/PRD/policies/new`, { headers: { cookie: 'dev_user=E103', accept: 'text/html' } });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Submit the Parks and Recreation social media policy');
  });
});
