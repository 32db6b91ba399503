import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, waitForEmail, walkToExpiry } from '../support/harness.ts';
import { seedAccounts } from '../support/offboarding.ts';

/**
 * Showing an account's content on a City website (Q) on the real ASL (the shared approval-by-link
 * flow) with DynamoDB Local and the SES emulator: DTI's director decides; an approval puts the
 * display's standing on the account, shown on its page; a rejection tells the reason and puts
 * nothing; nobody answering reminds, escalates to DTI's designee and expires; DTI's director's own
 * request goes to the designee.
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

const dtiDirector = 'sortiz@cabq.example';
const dtiDesignee = 'jvigil@cabq.example';
const dtiMailbox = 'dti-social-registry@cabq.example';
const ana = 'agallegos@cabq.example';
const moderation =
  'A Parks web editor approves each post before the embed shows it, checks every link with the City URL scanner, and removes harmful content within an hour.';
const display = { webPageUrl: 'https://www.cabq.gov/parks', content: 'A curated embed of selected posts', moderation, automaticFeed: 'no' };

/** A Parks account whose only admin is Ana Gallegos (E102). */
const parksAccount = async () => (await seedAccounts(stack, 1, [{ personId: 'E102', role: 'ADMIN' }]))[0] ?? { accountId: '', handle: '' };

async function ask(personId: string, accountId: string, body: Record<string, unknown> = display) {
  const res = await as(stack, personId).post(`/accounts/${accountId}/displays`, { submissionId: randomBytes(9).toString('base64url'), ...body });
  const json = (await res.json()) as { requestId: string; steps: string[]; message?: string };
  // The HTTP status, not the request status the body also carries.
  return { ...json, status: res.status };
}

const linkFor = async (to: string, requestId: string, subject = /^Decision needed/) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

const standing = async (accountId: string, requestId: string) =>
  (
    await db.send(
      new GetCommand({ TableName: stack.tableName, Key: { PK: `ACCOUNT#${accountId}`, SK: `STANDING#DISPLAY#${requestId}` }, ConsistentRead: true }),
    )
  ).Item;

const accountHtml = async (personId: string, accountId: string) =>
  (await fetch(`${stack.baseUrl}/accounts/${accountId}`, { headers: { cookie: `dev_user=${personId}`, accept: 'text/html' } })).text();

describe('a display on a City website (Q) on the approval-by-link flow', () => {
  it('puts the display on the account when DTI’s director approves, shows it on the account page and tells the requester and DTI', async () => {
    const { accountId, handle } = await parksAccount();
    const asked = await ask('E102', accountId, { ...display, pageTitle: 'Parks and Recreation' });
    expect(asked.status).toBe(201);
    const { requestId } = asked;
    expect(requestId).toMatch(/^wd-\d{8}-[0-9a-f]{16}$/);
    expect(asked.steps).toEqual(['DTI Director (Department of Technology and Innovation)']);

    const email = await waitForEmail(stack, (e) => e.to.includes(dtiDirector) && e.subject.startsWith('Decision needed') && e.text.includes(requestId));
    expect(email.subject).toBe(`Decision needed: Display of Facebook ${handle} on https://www.cabq.gov/parks for Parks and Recreation`);
    expect(email.text).toContain(`Moderation (monitoring protocol): ${moderation}`);
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId } });

    expect(await standing(accountId, requestId)).toMatchObject({
      entity: 'Standing',
      kind: 'DISPLAY',
      accountId,
      requestId,
      title: 'Shown on https://www.cabq.gov/parks',
      facts: [
        ['Page', 'Parks and Recreation'],
        ['Content', 'A curated embed of selected posts'],
        ['Moderation', moderation],
        ['Asked by', 'Ana Gallegos'],
      ],
      approvedByName: 'Samuel Ortiz',
      status: 'ACTIVE',
    });
    const page = await accountHtml('E102', accountId);
    const section = page.slice(page.indexOf('<h2>In force on this account</h2>'), page.indexOf('<h2>Admins and posters</h2>'));
    expect(section).toContain('Shown on <a class="usa-link" href="https://www.cabq.gov/parks">https://www.cabq.gov/parks</a>');
    expect(section).toContain('by Samuel Ortiz');
    expect(section).toContain(`<a href="/requests/${requestId}">request ${requestId}</a>`);

    const told = (await mailbox(stack)).filter((e) => e.text.includes(requestId));
    expect(told.filter((e) => e.subject.startsWith('Approved')).map((e) => e.to)).toEqual([[ana]]);
    expect(told.filter((e) => e.to.includes(dtiMailbox)).map((e) => e.subject)).toEqual([`Registry: Facebook ${handle} shown on https://www.cabq.gov/parks`]);

    // A second display of the account on the same page, while this one is in force, is refused.
    const again = await ask('E102', accountId);
    expect(again.status).toBe(409);
    expect(again.message).toBe(`Facebook ${handle} is already shown on https://www.cabq.gov/parks, approved by Samuel Ortiz (request ${requestId}).`);
  });

  it('tells the requester DTI’s reason when it is rejected, and puts nothing on the account', async () => {
    const { accountId } = await parksAccount();
    const { requestId } = await ask('E102', accountId, { ...display, content: 'The latest 3 posts, as they are posted' });
    const reason = 'The latest posts appear before anyone checks them: curate them first.';
    expect((await decide(stack, await linkFor(dtiDirector, requestId), 'REJECTED', reason)).status).toBe(200);
    expect((await outcome(requestId)).result).toEqual({ status: 'REJECTED', accountId: null });

    const told = await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Not approved') && e.text.includes(requestId));
    expect(told.text).toContain(`Samuel Ortiz rejected your request. Reason: ${reason}`);
    expect(await standing(accountId, requestId)).toBeUndefined();
    expect(await accountHtml('E102', accountId)).toContain('No exception (F.d) or display on a City website (Q) is in force on this account.');
    expect((await mailbox(stack)).some((e) => e.to.includes(dtiMailbox) && e.text.includes(requestId))).toBe(false);
  });

  it('reminds DTI’s director, escalates to the designee, reminds again and expires when nobody answers (local clock, no sleeping)', async () => {
    const { accountId } = await parksAccount();
    const { requestId } = await ask('E102', accountId);
    const { first } = await walkToExpiry(stack, requestId, { approver: dtiDirector, designee: dtiDesignee });
    // Escalated: the director's first link stopped working.
    expect((await fetch(first.url, { headers: { accept: 'text/html' } })).status).toBe(410);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'EXPIRED', accountId: null } });
    await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Expired') && e.text.includes(requestId));
    expect(await standing(accountId, requestId)).toBeUndefined();
  });

  it('sends DTI’s director’s own request to DTI’s designee, who approves it', async () => {
    const [dtiAccount] = await seedAccounts(stack, 1, [{ personId: 'E400', personName: 'Samuel Ortiz', role: 'ADMIN' }], {
      code: 'DTI',
      name: 'Department of Technology and Innovation',
    });
    const accountId = dtiAccount?.accountId ?? '';
    const { requestId, status } = await ask('E400', accountId, { ...display, webPageUrl: 'https://www.cabq.gov/technology' });
    expect(status).toBe(201);
    const request = (await (await as(stack, 'E400').get(`/requests/${requestId}`)).json()) as {
      request: { steps: { approverId: string; routedToDesignee: boolean; escalateToId: string | null }[] };
    };
    expect(request.request.steps).toEqual([expect.objectContaining({ approverId: 'E401', routedToDesignee: true, escalateToId: null })]);
    expect((await mailbox(stack)).some((e) => e.to.includes(dtiDirector) && e.subject.startsWith('Decision needed') && e.text.includes(requestId))).toBe(false);

    await decide(stack, await linkFor(dtiDesignee, requestId), 'APPROVED');
    expect((await outcome(requestId)).result).toEqual({ status: 'APPROVED', accountId });
    expect(await standing(accountId, requestId)).toMatchObject({
      title: 'Shown on https://www.cabq.gov/technology',
      approvedByName: 'Julia Vigil',
      status: 'ACTIVE',
    });
  });
});
