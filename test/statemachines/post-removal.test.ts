import { randomBytes } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { type GovernanceRecord, recordIntact } from '#core/records';
import { approvalLinkIn, as, decide, mailbox, type SentEmail, startTestStack, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, type Hire, seedAccounts } from '../support/offboarding.ts';

/**
 * Supervisor-approved post removal (M.c, H) on the real approval-chain ASL with DynamoDB Local and
 * the SES emulator: the post is preserved as a write-once record with the request, the requester's
 * supervisor (from the directory) decides by link, then the requester removes it and confirms.
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

const ana = 'agallegos@cabq.example';
const marcus = 'mchavez@cabq.example';
const dolores = 'dbaca@cabq.example';
const attack = '<img src=x onerror=alert(1)>';

const content = {
  text: 'Pools open June 1!\nBring sunscreen.  ',
  author: 'ABQ Parks',
  publishedAt: '2025-05-20T15:04:00Z',
  mediaLinks: ['https://cdn.example.org/pool.jpg', 'https://cdn.example.org/slide.mp4'],
};
const removal = (change: Record<string, unknown> = {}) => ({
  submissionId: randomBytes(9).toString('base64url'),
  postRef: `https://www.facebook.com/abqparks/posts/${randomBytes(6).toString('hex')}`,
  action: 'DELETE',
  reason: 'The post gave the wrong date for the pool opening.',
  content,
  ...change,
});

/** A Parks Facebook account on which the given people hold posting authority. */
async function accountWith(...grants: Parameters<typeof seedAccounts>[2]) {
  const [seeded] = await seedAccounts(stack, 1, grants);
  if (!seeded) throw new Error('no account seeded');
  return seeded;
}

async function ask(personId: string, accountId: string, body: Record<string, unknown>) {
  const res = await as(stack, personId).post(`/accounts/${accountId}/removals`, body);
  const json = (await res.json()) as { requestId: string; recordId: string; steps: string[]; message?: string; fields?: Record<string, string> };
  return { ...json, status: res.status };
}

interface RequestJson {
  request: { status: string; outcomeReason?: string; recordId: string; steps: { role: string; approverId: string; escalateToId: string | null }[] };
  approvals: { step: number; round: number; approverId: string; remindersSent: number; supersededAt?: string; decision?: { outcome: string } }[];
  record: GovernanceRecord | null;
  recordIntact: boolean;
  removal: { removedAt: string; removedById: string; removedByName: string } | null;
}

const requestJson = async (requestId: string, viewer = 'E102') => (await (await as(stack, viewer).get(`/requests/${requestId}`)).json()) as RequestJson;

const requestHtml = async (requestId: string, viewer = 'E102') =>
  (await fetch(`${stack.baseUrl}/requests/${requestId}`, { headers: { cookie: `dev_user=${viewer}`, accept: 'text/html' } })).text();

/** The record exactly as DynamoDB holds it: every attribute value, as stored. */
async function storedRecord(recordId: string) {
  const out = await stack.client.send(
    new GetItemCommand({ TableName: stack.tableName, Key: { PK: { S: `RECORD#${recordId}` }, SK: { S: 'RECORD' } }, ConsistentRead: true }),
  );
  if (!out.Item) throw new Error(`no record ${recordId}`);
  return out.Item;
}

/** The record as the functions read it. */
async function recordAsRead(recordId: string) {
  const out = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `RECORD#${recordId}`, SK: 'RECORD' }, ConsistentRead: true }));
  return out.Item as GovernanceRecord & Record<string, unknown>;
}

/** Checks the preserved content is unchanged since it was written (the same bytes) and matches its checksum. */
async function expectPreserved(recordId: string, first: Awaited<ReturnType<typeof storedRecord>>) {
  expect(await storedRecord(recordId)).toEqual(first);
  expect(recordIntact(await recordAsRead(recordId))).toBe(true);
}

const linkTo = async (to: string, requestId: string, subject: RegExp) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

const mailAbout = async (requestId: string) => (await mailbox(stack)).filter((e) => e.text.includes(requestId));

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

/** Everything stored and sent: what "nothing stored" is checked against. */
async function footprint() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

/** A person through HR's "Employee Updated" event (their whole record, HR's first for them), with the supervisor HR names. */
async function hire(name: string, supervisorId?: string, id = `T${randomBytes(4).toString('hex')}`): Promise<Hire> {
  const person = { id, name: `${name} ${id}`, email: `${id.toLowerCase()}@cabq.example` };
  const put = await stack.hr.put({
    source: 'cabq.hr',
    'detail-type': 'Employee Updated',
    detail: {
      employeeId: id,
      name: person.name,
      email: person.email,
      departmentCode: 'PRD',
      ...(supervisorId ? { supervisorId } : {}),
      status: 'ACTIVE',
      effectiveAt: new Date().toISOString(),
      sequence: 0,
    },
  });
  if (put.status !== 202 || put.body.result !== 'applied') throw new Error(`hire failed: ${JSON.stringify(put.body)}`);
  return person;
}

describe('post removal (M.c, H) on the approval chain', () => {
  it('preserves the post, the supervisor approves, the requester removes it and confirms: closed APPROVED with when and by whom', async () => {
    const { accountId, handle } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const asked = await ask('E102', accountId, removal());
    expect(asked.status).toBe(201);
    const { requestId, recordId } = asked;
    expect(requestId).toMatch(/^pr-\d{8}-[0-9a-f]{16}$/);
    expect(asked.steps).toEqual(['Supervisor', 'Removal, confirmed by the requester']);
    // The record is there before anyone is asked anything.
    const preserved = await storedRecord(recordId);
    expect(await recordAsRead(recordId)).toMatchObject({ kind: 'PRESERVED_POST', accountId, preserved: { requestId, content } });

    const email = await waitForEmail(stack, (e) => e.to.includes(marcus) && e.text.includes(requestId));
    expect(email.subject).toBe(`Decision needed: remove a post from Facebook ${handle}`);
    expect(email.text).toContain('Reason: The post gave the wrong date for the pool opening.');
    expect(email.text).toContain(`Post text, as it stands: ${content.text}`);
    await expectPreserved(recordId, preserved);
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    await expectPreserved(recordId, preserved);

    const confirm = await waitForEmail(stack, (e) => e.to.includes(ana) && e.text.includes(requestId) && e.subject.startsWith('Approved by'));
    expect(confirm.subject).toBe(`Approved by Marcus Chavez: remove it now, then confirm — Facebook ${handle}`);
    const link = approvalLinkIn(confirm);
    const page = await (await fetch(link.url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<h1>Approved by Marcus Chavez: remove it now, then confirm</h1>');
    expect(page).toContain('I have removed it</button>');
    expect(page).not.toContain('value="REJECTED"');
    // Rejecting is not possible on this link, even by hand.
    expect((await decide(stack, link, 'REJECTED', 'I changed my mind')).status).toBe(400);
    await expectPreserved(recordId, preserved);

    const before = Date.now();
    expect((await decide(stack, link, 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId } });
    await expectPreserved(recordId, preserved);

    const shown = await requestJson(requestId);
    expect(shown.request.status).toBe('APPROVED');
    expect(shown.removal).toMatchObject({ removedById: 'E102', removedByName: 'Ana Gallegos' });
    expect(Date.parse(shown.removal?.removedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(shown.recordIntact).toBe(true);
    expect(shown.record?.recordId).toBe(recordId);
    const html = await requestHtml(requestId);
    expect(html).toContain('<strong>Removed</strong>: confirmed by Ana Gallegos');
    expect(html).toContain('<span class="app-status app-status--approved">intact</span>');
    expect(html).toContain('Supervisor: <strong>approved</strong> by Marcus Chavez');

    const done = (await mailAbout(requestId)).filter((e) => e.subject.startsWith('Approved:'));
    expect(done.map((e) => e.to).sort()).toEqual([[ana], [marcus]]);
    expect(done.find((e) => e.to.includes(ana))?.text).toContain('Ana Gallegos confirmed on');
    // Nobody else hears of it, and the supervisor's supervisor is never asked.
    expect((await mailAbout(requestId)).some((e) => e.to.includes(dolores) || e.to.includes('dti-social-registry@cabq.example'))).toBe(false);
    // The requester's request list shows it.
    const mine = (await (await as(stack, 'E102').get('/requests')).json()) as { requests: { requestId: string; kind: string }[] };
    expect(mine.requests).toContainEqual(expect.objectContaining({ requestId, kind: 'POST_REMOVAL' }));
  });

  it('tells the requester the supervisor’s reason for a rejection, and asks nothing more', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'ADMIN' });
    const { requestId, recordId } = await ask('E102', accountId, removal({ action: 'MERGE', mergeTargetRef: 'https://www.facebook.com/abqparks/posts/1' }));
    const preserved = await storedRecord(recordId);
    const rejection = 'Correct it with an edit instead (M.b).';
    expect((await decide(stack, await linkTo(marcus, requestId, /^Decision needed/), 'REJECTED', rejection)).status).toBe(200);
    expect((await outcome(requestId)).result).toEqual({ status: 'REJECTED', accountId: null });

    const told = await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Not approved') && e.text.includes(requestId));
    expect(told.text).toContain(`Marcus Chavez rejected your request. Reason: ${rejection}`);
    expect((await mailAbout(requestId)).some((e) => e.subject.startsWith('Approved by'))).toBe(false);
    const shown = await requestJson(requestId);
    expect(shown.request).toMatchObject({ status: 'REJECTED', outcomeReason: rejection });
    expect(shown.removal).toBeNull();
    await expectPreserved(recordId, preserved);
  });

  it('refuses with 403 someone without posting authority on the account, and stores nothing', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'ADMIN' });
    const before = await footprint();
    const asked = await ask('E103', accountId, removal());
    expect(asked.status).toBe(403);
    expect(asked.message).toMatch(/Only someone with posting authority on Facebook @seed[0-9a-f]+0 can ask to remove one of its posts/);
    expect(await footprint()).toEqual(before);
  });

  it('refuses with 409 a requester whom the directory gives no supervisor, and stores nothing', async () => {
    const { accountId } = await accountWith({ personId: 'E001', role: 'ADMIN' });
    const before = await footprint();
    const asked = await ask('E001', accountId, removal());
    expect(asked.status).toBe(409);
    expect(asked.message).toMatch(/names no supervisor for Ramona Duran.*Ask HR/);
    expect(await footprint()).toEqual(before);
  });

  it('answers a repeated submission with the same request and preserves the post once', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const body = removal();
    const [first, second] = [await ask('E102', accountId, body), await ask('E102', accountId, body)];
    expect([first.status, second.status]).toEqual([201, 200]);
    expect([second.requestId, second.recordId]).toEqual([first.requestId, first.recordId]);
    await linkTo(marcus, first.requestId, /^Decision needed/);
    expect((await mailAbout(first.requestId)).filter((e) => e.subject.startsWith('Decision needed'))).toHaveLength(1);
    const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true }));
    expect(scan.Items?.filter((i) => i.PK?.S?.startsWith('RECORD#') && i.preserved?.M?.requestId?.S === first.requestId)).toHaveLength(1);
  });

  it('reminds the supervisor, escalates to the supervisor’s supervisor, and expires: the requester is told', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const { requestId, recordId } = await ask('E102', accountId, removal());
    const preserved = await storedRecord(recordId);
    const first = await linkTo(marcus, requestId, /^Decision needed/);

    await waitUntilWaiting(stack, requestId);
    expect(stack.sfn.expireWaits(requestId)).toBe(1);
    expect(await linkTo(marcus, requestId, /^Reminder/)).toEqual(first);

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    const escalated = await waitForEmail(stack, (e) => e.to.includes(dolores) && e.subject.startsWith('Escalated to you') && e.text.includes(requestId));
    expect(escalated.text).toContain('Marcus Chavez did not answer in time, so this decision (Supervisor) now comes to you as their supervisor.');
    const superseded = await fetch(first.url, { headers: { accept: 'text/html' } });
    expect(superseded.status).toBe(410);
    await expectPreserved(recordId, preserved);

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    await linkTo(dolores, requestId, /^Reminder/);
    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);

    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'EXPIRED', accountId: null } });
    const told = await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Expired') && e.text.includes(requestId));
    expect(told.text).toContain('Nobody decided it in time (your supervisor, then their supervisor)');
    const shown = await requestJson(requestId);
    expect(shown.approvals.map((a) => [a.step, a.round, a.approverId, a.remindersSent, Boolean(a.supersededAt)])).toEqual([
      [0, 0, 'E101', 1, true],
      [0, 1, 'E100', 1, false],
    ]);
    expect(shown.request.outcomeReason).toBe('Not decided in time by the supervisor or their supervisor');
    await expectPreserved(recordId, preserved);
  });

  it('lets the supervisor’s supervisor decide an escalated removal; then the requester confirms', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const { requestId } = await ask('E102', accountId, removal());
    await linkTo(marcus, requestId, /^Decision needed/);
    for (let i = 0; i < 2; i += 1) {
      await waitUntilWaiting(stack, requestId);
      stack.sfn.expireWaits(requestId);
    }
    await decide(stack, await linkTo(dolores, requestId, /^Escalated to you/), 'APPROVED');
    const confirm = await linkTo(ana, requestId, /^Approved by Dolores Baca: remove it now, then confirm/);
    await decide(stack, confirm, 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');
    const done = (await mailAbout(requestId)).filter((e) => e.subject.startsWith('Approved:'));
    expect(done.map((e) => e.to).sort()).toEqual([[ana], [dolores]]);
  });

  it('expires an approved removal the requester never confirms: "approved but never confirmed removed"', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const { requestId, recordId } = await ask('E102', accountId, removal());
    const preserved = await storedRecord(recordId);
    await decide(stack, await linkTo(marcus, requestId, /^Decision needed/), 'APPROVED');
    const confirm = await linkTo(ana, requestId, /^Approved by Marcus Chavez/);

    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);
    expect(await linkTo(ana, requestId, /^Reminder: remove the post from/)).toEqual(confirm);
    await waitUntilWaiting(stack, requestId);
    stack.sfn.expireWaits(requestId);

    expect((await outcome(requestId)).result).toEqual({ status: 'EXPIRED', accountId: null });
    const told = await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Expired') && e.text.includes(requestId));
    expect(told.text).toContain('Marcus Chavez approved removing the post, but it was never confirmed removed');
    const shown = await requestJson(requestId);
    expect(shown.request.outcomeReason).toBe('Approved by Marcus Chavez, but never confirmed removed');
    expect(shown.removal).toBeNull();
    // Nobody else is asked to confirm in the requester's place.
    expect((await mailAbout(requestId)).filter((e) => e.subject.startsWith('Escalated'))).toHaveLength(0);
    const closedLink = await fetch(confirm.url, { headers: { accept: 'text/html' } });
    expect(closedLink.status).toBe(410);
    await expectPreserved(recordId, preserved);
  });

  it('never escalates to the requester when they are their own supervisor’s supervisor', async () => {
    const [leadId, bossId] = [`T${randomBytes(4).toString('hex')}`, `T${randomBytes(4).toString('hex')}`];
    const boss = await hire('Pat Boss', leadId, bossId);
    const lead = await hire('Lee Lead', bossId, leadId);
    const { accountId } = await accountWith(grantFor(boss, 'ADMIN'));
    const asked = await ask(boss.id, accountId, removal());
    expect(asked.status).toBe(201);
    const { requestId } = asked;
    const shown = await requestJson(requestId, boss.id);
    expect(shown.request.steps.map((s) => [s.role, s.approverId, s.escalateToId])).toEqual([
      ['SUPERVISOR', lead.id, null],
      ['REQUESTER', boss.id, null],
    ]);

    await linkTo(lead.email, requestId, /^Decision needed/);
    for (let i = 0; i < 2; i += 1) {
      await waitUntilWaiting(stack, requestId);
      stack.sfn.expireWaits(requestId);
    }
    expect((await outcome(requestId)).result?.status).toBe('EXPIRED');
    // The requester gets 2 emails (was 1 before the receipt): the receipt on submit and the
    // expiry; never an escalated decision on their own request.
    const toBoss = (await mailAbout(requestId)).filter((e) => e.to.includes(boss.email));
    expect(toBoss.map((e) => e.subject.split(':')[0])).toEqual(['Received', 'Expired']);
  });

  it('escapes HTML in every field on the pages and in the emails', async () => {
    const { accountId } = await accountWith({ personId: 'E102', role: 'POSTER' });
    const hostile = removal({
      postRef: 'https://www.facebook.com/abqparks/posts/1?q=<b>x</b>',
      action: 'MERGE',
      mergeTargetRef: 'https://www.facebook.com/abqparks/posts/2?"onmouseover=1',
      reason: `Wrong date ${attack}`,
      content: {
        text: `Pools ${attack}`,
        author: `Parks ${attack}`,
        publishedAt: `May ${attack}`,
        mediaLinks: ['https://cdn.example.org/a.jpg?<script>x</script>'],
      },
    });
    const { requestId } = await ask('E102', accountId, hostile);
    const decisionEmail = await waitForEmail(stack, (e) => e.to.includes(marcus) && e.text.includes(requestId));
    const decisionPage = await (await fetch(approvalLinkIn(decisionEmail).url, { headers: { accept: 'text/html' } })).text();
    await decide(stack, approvalLinkIn(decisionEmail), 'APPROVED');
    const confirmEmail = await waitForEmail(stack, (e) => e.to.includes(ana) && e.subject.startsWith('Approved by') && e.text.includes(requestId));
    const confirmPage = await (await fetch(approvalLinkIn(confirmEmail).url, { headers: { accept: 'text/html' } })).text();
    await decide(stack, approvalLinkIn(confirmEmail), 'APPROVED');
    await outcome(requestId);
    const requestPage = await requestHtml(requestId);
    const outcomes: SentEmail[] = (await mailAbout(requestId)).filter((e) => e.subject.startsWith('Approved:'));

    for (const out of [decisionEmail.html, confirmEmail.html, decisionPage, confirmPage, requestPage, ...outcomes.map((e) => e.html)]) {
      expect(out).not.toContain(attack);
      expect(out).not.toContain('<b>x</b>');
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('"onmouseover');
    }
    for (const out of [decisionEmail.html, decisionPage, requestPage]) {
      expect(out).toContain('Pools &lt;img src=x onerror=alert(1)&gt;');
      expect(out).toContain('Parks &lt;img src=x onerror=alert(1)&gt;');
      expect(out).toContain('Wrong date &lt;img src=x onerror=alert(1)&gt;');
      expect(out).toContain('a.jpg?&lt;script&gt;x&lt;/script&gt;');
    }
    // The plain-text email carries the content as it was typed: it is text, not markup.
    expect(decisionEmail.text).toContain(`Post text, as it stands: Pools ${attack}`);
  });
});
