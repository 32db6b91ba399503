import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import {
  approvalLinkIn,
  as,
  decide,
  mailbox,
  restartTestStack,
  startTestStack,
  submit,
  validForm,
  waitForEmail,
  waitUntilWaiting,
} from '../support/harness.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Every item of a request's partition, as stored: what "changes nothing" is checked against. */
async function stored(requestId: string) {
  const out = await stack.client.send(
    new QueryCommand({
      TableName: stack.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': { S: `REQ#${requestId}` } },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const firstLink = async (requestId: string) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId)));

describe('approval links', () => {
  it('changes nothing on ten GETs (mail scanners prefetch links)', async () => {
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const before = await stored(requestId);
    for (let i = 0; i < 10; i += 1) {
      const res = await fetch(link.url, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('Approve');
      expect(page).toContain(validForm.purpose);
    }
    expect(await stored(requestId)).toEqual(before);
    expect(stack.sfn.waitingOn(requestId)).toHaveLength(1);
  });

  it('refuses a second decision on the same link with "already decided"', async () => {
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    expect((await decide(stack, link, 'APPROVED')).status).toBe(200);
    const again = await fetch(`${stack.baseUrl}/approvals/${link.approvalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ s: link.secret, outcome: 'REJECTED', reason: 'changed my mind' }).toString(),
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already approved by Dolores Baca');
    const approvals = (await stored(requestId)).filter((i) => i.SK?.S?.startsWith('APPR#00'));
    expect(approvals[0]?.decision?.M?.outcome?.S).toBe('APPROVED');
  });

  it('answers a wrong secret as it answers an unknown link, and changes nothing', async () => {
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const before = await stored(requestId);
    const forged = { ...link, secret: randomBytes(32).toString('base64url') };
    expect((await decide(stack, forged, 'APPROVED')).status).toBe(404);
    expect((await decide(stack, { ...link, secret: '' }, 'APPROVED')).status).toBe(404);
    const page = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
    const wrong = await page(`${stack.baseUrl}/approvals/${link.approvalId}?s=${forged.secret}`);
    const unknown = await page(`${stack.baseUrl}/approvals/${randomBytes(16).toString('base64url')}?s=${forged.secret}`);
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    const body = await wrong.text();
    // One page for both: nothing tells a guessed id from a real one, and nothing about the request shows.
    expect(body).toBe(await unknown.text());
    expect(body).toContain('This link is not valid');
    for (const leak of ['Dolores Baca', 'Department Director', 'Parks', requestId]) expect(body).not.toContain(leak);
    expect(await stored(requestId)).toEqual(before);
  });

  it('requires a reason to reject and keeps the link open', async () => {
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    const res = await decide(stack, link, 'REJECTED');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields.reason).toMatch(/reason/);
    expect((await decide(stack, link, 'APPROVED')).status).toBe(200);
  });

  it("keeps the email ledger and the start marker on the items, out of the request's history", async () => {
    const requestId = await submit(stack, 'E102');
    await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const approval = (await stored(requestId)).find((i) => i.SK?.S?.startsWith('APPR#'));
    expect(approval?.['mail:first']?.M?.sentAt?.S).toMatch(/^\d{4}-/);
    const history = await (await as(stack, 'E102').get(`/requests/${requestId}`)).text();
    expect(history).toContain(requestId);
    expect(history).not.toContain('mail:');
    expect(history).not.toContain('pendingStart');
  });

  it('never stores the link secret or the task token in clear', async () => {
    const requestId = await submit(stack, 'E102');
    const link = await firstLink(requestId);
    const dump = JSON.stringify(await stored(requestId));
    expect(dump).not.toContain(link.secret);
    expect(dump).toContain('sealedToken');
    const approval = (await stored(requestId)).find((i) => i.SK?.S?.startsWith('APPR#'));
    expect(approval?.sealedToken?.S).toMatch(/^aes\./);
  });

  it('keeps links working across a restart of the local stack mid-approval', async () => {
    const requestId = await submit(stack, 'E102');
    const director = await firstLink(requestId);
    await waitUntilWaiting(stack, requestId);
    const emailsBefore = (await mailbox(stack)).filter((e) => e.text.includes(requestId)).length;

    stack = await restartTestStack(stack);
    expect(stack.resumed).toContain(requestId);
    await waitUntilWaiting(stack, requestId);
    // The re-run re-armed the wait without emailing the director again.
    expect((await mailbox(stack)).filter((e) => e.text.includes(requestId)).length).toBe(emailsBefore);

    expect((await decide(stack, director, 'APPROVED')).status).toBe(200);
    await decide(
      stack,
      await approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes('emartinez@cabq.example') && e.text.includes(requestId))),
      'APPROVED',
    );
    expect(JSON.parse((await stack.sfn.result(requestId))?.output ?? '{}').result.status).toBe('APPROVED');
  });
});

describe('the New Social Media form', () => {
  it('refuses invalid input with a message per field and stores nothing', async () => {
    const mailBefore = (await mailbox(stack)).length;
    const res = await as(stack, 'E102').post('/requests', {
      ...validForm,
      purpose: 'short',
      proposedHandle: 'no spaces allowed',
      adminIds: [],
      checklist: ['cityName'],
      platformId: 'myspace',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe('InvalidInputError');
    expect(Object.keys(body.fields).sort()).toEqual(['adminIds', 'checklist', 'proposedHandle', 'purpose']);
    const unknownPlatform = await as(stack, 'E102').post('/requests', { ...validForm, platformId: 'myspace', proposedHandle: '@fresh1' });
    expect(((await unknownPlatform.json()) as { fields: Record<string, string> }).fields.platformId).toMatch(/approved list/);
    expect((await mailbox(stack)).length).toBe(mailBefore);
    const mine = await stack.client.send(
      new QueryCommand({
        TableName: stack.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'REQUESTER#E102' } },
      }),
    );
    const purposes = (mine.Items ?? []).map((i) => i.purpose?.S);
    expect(purposes).not.toContain('short');
  });

  it('takes the requester from the sign-in, never from the body', async () => {
    const res = await as(stack, 'E103').post('/requests', {
      ...validForm,
      proposedHandle: '@fromE103',
      requester: { id: 'E500', name: 'Elena Martinez' },
      requesterId: 'E500',
    });
    expect(res.status).toBe(201);
    const { requestId } = (await res.json()) as { requestId: string };
    const view = (await (await as(stack, 'E103').get(`/requests/${requestId}`)).json()) as { request: { requester: { id: string } } };
    expect(view.request.requester.id).toBe('E103');
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await fetch(`${stack.baseUrl}/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(validForm) });
    expect(res.status).toBe(401);
  });

  it('sends a browser nobody signed in to /auth/sign-in, which leads to the development sign-in, keeping the page', async () => {
    const page = await fetch(`${stack.baseUrl}/requests/new`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/auth/sign-in?next=%2Frequests%2Fnew');
    const signIn = await fetch(`${stack.baseUrl}/auth/sign-in?next=%2Frequests%2Fnew`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/dev/sign-in?next=%2Frequests%2Fnew');
  });

  it('signs out of the development sign-in through the same /auth/sign-out as in AWS', async () => {
    const out = await fetch(`${stack.baseUrl}/auth/sign-out`, { method: 'POST', headers: { cookie: 'dev_user=E102' }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/auth/signed-out');
    expect(out.headers.get('set-cookie')).toMatch(/^dev_user=;.*Max-Age=0/);
    const page = await fetch(`${stack.baseUrl}/auth/signed-out`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You are signed out');
  });

  it('starts one request for a repeated submission of the same form', async () => {
    const submissionId = randomBytes(9).toString('base64url');
    const body = { ...validForm, proposedHandle: '@twice', submissionId };
    const first = await as(stack, 'E102').post('/requests', body);
    const second = await as(stack, 'E102').post('/requests', body);
    expect([first.status, second.status]).toEqual([201, 200]);
    const a = (await first.json()) as { requestId: string };
    const b = (await second.json()) as { requestId: string };
    expect(b.requestId).toBe(a.requestId);
    await waitUntilWaiting(stack, a.requestId);
    expect((await mailbox(stack)).filter((e) => e.subject.startsWith('Decision needed') && e.text.includes(a.requestId))).toHaveLength(1);
  });

  it('escapes HTML typed into the form on every page and email', async () => {
    const evil = '<img src=x onerror=alert(1)> & "quotes"';
    const requestId = await submit(stack, 'E102', { purpose: `Purpose with markup ${evil}`, audience: evil });
    const email = await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId));
    expect(email.html).not.toContain('<img src=x');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const page = await (await fetch(approvalLinkIn(email).url, { headers: { accept: 'text/html' } })).text();
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  });

  it('shows a request only to the people involved', async () => {
    const requestId = await submit(stack, 'E102');
    expect((await as(stack, 'E202').get(`/requests/${requestId}`)).status).toBe(403);
    expect((await as(stack, 'E102').get(`/requests/${requestId}`)).status).toBe(200);
    expect((await as(stack, 'E100').get(`/requests/${requestId}`)).status).toBe(200);
  });
});

describe('my requests', () => {
  it('lists the signed-in person\u2019s own requests, newest first, and nobody else\u2019s', async () => {
    const older = await submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E202'] });
    const newer = await submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E202'] });
    const theirs = await submit(stack, 'E102');
    const res = await as(stack, 'E202').get('/requests');
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as { requests: { requestId: string; status: string }[] }).requests.map((r) => r.requestId);
    expect(ids).toEqual([newer, older]);
    expect(ids).not.toContain(theirs);
    const page = await (await fetch(`${stack.baseUrl}/requests`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } })).text();
    expect(page).toContain(`href="/requests/${newer}"`);
  });
});
