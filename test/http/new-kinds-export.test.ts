import { parse } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, startTestStack, submit, waitForEmail } from '../support/harness.ts';
import { denverDaysFromNow, denverToday, seedAccounts } from '../support/offboarding.ts';

/**
 * The records export (H) carries the four kinds of issue 12 as the real workflows leave them: an
 * exception (F.d) and a City website display (Q) filed under their account, a departmental policy
 * (R) with its write-once record, and a platform proposal (O.a) and a rejected new-account request,
 * neither about an existing account, filed under their department. A department's export has them all.
 */

let stack: LocalStack;
const ids: Record<string, string> = {};
const policyText = 'Parks staff answer comments within one working day.';
const endsOn = denverDaysFromNow(60);

const csv = (bytes: Uint8Array | undefined) =>
  parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), { bom: true, record_delimiter: '\r\n', columns: true }) as Record<string, string>[];

async function ask(personId: string, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await as(stack, personId).post(path, { submissionId: randomBytes(9).toString('base64url'), ...body });
  const json = (await res.json()) as { requestId?: string; message?: string };
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json.requestId as string;
}

async function decideFor(to: string, requestId: string, outcome: 'APPROVED' | 'REJECTED', reason?: string) {
  const email = await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Decision needed') && e.text.includes(requestId));
  expect((await decide(stack, approvalLinkIn(email), outcome, reason)).status).toBe(200);
}

/** Waits until the request is closed (an exception's execution lives on after its approval). */
async function closed(requestId: string): Promise<string> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    const body = (await (await as(stack, 'E400').get(`/requests/${requestId}`)).json()) as { request?: { status?: string } };
    if (body.request?.status && body.request.status !== 'PENDING') return body.request.status;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${requestId} still pending`);
}

beforeAll(async () => {
  stack = await startTestStack();
  const [account] = await seedAccounts(stack, 1, [{ personId: 'E102', role: 'ADMIN' }]);
  const accountId = account?.accountId as string;
  ids.accountId = accountId;

  ids.exception = await ask('E102', `/accounts/${accountId}/exceptions`, {
    standard: 'b',
    reason: 'A pilot of short-form video before the quality standard covers it.',
    endsOn,
  });
  // The Communications Coordinator decides exceptions.
  await decideFor('rapodaca@cabq.example', ids.exception, 'APPROVED');
  ids.display = await ask('E102', `/accounts/${accountId}/displays`, {
    webPageUrl: 'https://www.cabq.gov/parksandrecreation/events',
    content: 'The three newest posts, chosen by the account admins.',
    moderation: 'An admin checks every shown post and its links each working morning and removes anything off-topic or harmful at once.',
    automaticFeed: 'no',
  });
  // DTI's director decides displays and platforms.
  await decideFor('sortiz@cabq.example', ids.display, 'APPROVED');
  ids.policy = await ask('E103', '/departments/PRD/policies', { version: '2027.1', text: policyText, additions: 'Reply times for comments.' });
  await decideFor('emartinez@cabq.example', ids.policy, 'APPROVED');
  ids.platform = await ask('E102', '/platform-proposals', {
    name: `Neighbourly ${randomBytes(3).toString('hex')}`,
    siteUrl: 'https://neighbourly.example',
    description: 'A neighbourhood events board residents already use.',
    reason: 'Parks wants to post its volunteer days where residents look for them.',
    agreementUrl: 'https://neighbourly.example/terms',
  });
  await decideFor('sortiz@cabq.example', ids.platform, 'REJECTED', 'Nextdoor already reaches these residents.');
  ids.newAccount = await submit(stack, 'E102');
  await decideFor('dbaca@cabq.example', ids.newAccount, 'REJECTED', 'One Parks events account is enough.');
  for (const key of ['exception', 'display', 'policy', 'platform', 'newAccount']) await closed(ids[key] as string);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('records export of the new kinds (H)', () => {
  it('a department’s export has each kind’s request row, and the approved policy with its checksum, intact', async () => {
    const res = await as(stack, 'E400').get(`/records/export?department=PRD&from=${denverDaysFromNow(-1)}&to=${denverToday()}`);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const requests = new Map(csv(files['requests.csv']).map((r) => [r.requestId, r]));

    expect(requests.get(ids.exception as string)).toMatchObject({
      kind: 'EXCEPTION',
      status: 'APPROVED',
      accountId: ids.accountId,
      subject: 'F.b Purpose and Commitment to Quality',
      startsOn: denverToday(),
      endsOn,
    });
    expect(requests.get(ids.display as string)).toMatchObject({
      kind: 'WEBSITE_DISPLAY',
      status: 'APPROVED',
      accountId: ids.accountId,
      webPageUrl: 'https://www.cabq.gov/parksandrecreation/events',
      startsOn: denverToday(),
    });
    expect(requests.get(ids.policy as string)).toMatchObject({
      kind: 'DEPARTMENT_POLICY',
      status: 'APPROVED',
      accountId: '',
      departmentCode: 'PRD',
      subject: 'Parks and Recreation social media policy 2027.1',
      documentSha256: '5445eb817986b63f9a8be44552de0b08021ae734cf6fb2adbc0375bdbf01ea5e',
    });
    expect(requests.get(ids.platform as string)).toMatchObject({
      kind: 'PLATFORM_PROPOSAL',
      status: 'REJECTED',
      accountId: '',
      departmentCode: 'PRD',
      outcomeReason: 'Nextdoor already reaches these residents.',
    });
    // Rejected, so no account will ever carry it: its department's export is where it is kept.
    expect(requests.get(ids.newAccount as string)).toMatchObject({
      kind: 'NEW_ACCOUNT',
      status: 'REJECTED',
      accountId: '',
      outcomeReason: 'One Parks events account is enough.',
    });

    const decisions = csv(files['decisions.csv']);
    expect(decisions.filter((d) => d.requestId === ids.platform).map((d) => [d.outcome, d.reason, d.decidedByName])).toEqual([
      ['REJECTED', 'Nextdoor already reaches these residents.', 'Samuel Ortiz'],
    ]);

    const policies = csv(files['department-policies.csv']);
    expect(policies.map((p) => [p.requestId, p.version, p.text, p.sha256, p.intact])).toEqual([
      [ids.policy, '2027.1', policyText, '5445eb817986b63f9a8be44552de0b08021ae734cf6fb2adbc0375bdbf01ea5e', 'true'],
    ]);
  });

  it('an account’s export has its exception and display, and none of the department’s own requests', async () => {
    const res = await as(stack, 'E400').get(`/records/export?accountId=${ids.accountId}&from=${denverDaysFromNow(-1)}&to=${denverToday()}`);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(
      csv(files['requests.csv'])
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['EXCEPTION', 'WEBSITE_DISPLAY']);
    expect(csv(files['department-policies.csv'])).toEqual([]);
  });
});
