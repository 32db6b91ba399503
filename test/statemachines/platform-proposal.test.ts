import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform, PlatformChange } from '#core/platform';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, startTestStack, submit, validForm, waitForEmail, walkToExpiry } from '../support/harness.ts';
import { denverToday } from '../support/offboarding.ts';

/**
 * A new platform (O.a) on the real ASL (approval-by-link) with DynamoDB Local and the SES emulator:
 * a department proposes, DTI's director (or designee) decides; an approved platform joins DTI's
 * list marked incomplete, with its change citing the request, and the New Social Media form offers
 * it only once DTI has recorded its three P documents.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const director = 'sortiz@cabq.example';
const designee = 'jvigil@cabq.example';
const dtiMailbox = 'dti-social-registry@cabq.example';

async function propose(personId: string, name: string) {
  const res = await as(stack, personId).post('/platform-proposals', {
    submissionId: randomBytes(9).toString('base64url'),
    name,
    siteUrl: `https://www.${name.toLowerCase()}.example`,
    description: `${name} is a social network where residents follow local news.`,
    reason: 'Residents asked us to post program updates there.',
    agreementUrl: `https://www.${name.toLowerCase()}.example/terms`,
    agreementReadOn: '2026-01-15',
  });
  const json = (await res.json()) as { requestId: string; platformId: string; steps: string[]; message?: string };
  expect(res.status, json.message).toBe(201);
  return json;
}

const decisionLink = async (to: string, requestId: string, subject = /^Decision needed/) =>
  approvalLinkIn(await waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(requestId)));

async function outcome(requestId: string) {
  const result = await stack.sfn.result(requestId);
  return { status: result?.status, result: (JSON.parse(result?.output ?? '{}') as { result?: { status: string; accountId: string | null } }).result };
}

async function listed(id: string): Promise<{ status: number; platform?: Platform & { missingDocuments: string[] }; changes: PlatformChange[] }> {
  const res = await as(stack, 'E202').get(`/platforms/${id}`);
  if (res.status !== 200) return { status: res.status, changes: [] };
  return { status: 200, ...((await res.json()) as { platform: Platform & { missingDocuments: string[] }; changes: PlatformChange[] }) };
}

const offered = async () => ((await (await as(stack, 'E102').get('/requests/new')).json()) as { platforms: { id: string }[] }).platforms.map((p) => p.id);

/** DTI records the three P documents on the platform's page, as its edit form posts them. */
function recordDocuments(platform: Platform) {
  const today = denverToday();
  const doc = (k: string) => ({ [`${k}Url`]: `https://dti.cabq.example/sm/${platform.id}/${k}`, [`${k}AdoptedOn`]: today });
  return as(stack, 'E401').post(`/platforms/${platform.id}`, {
    version: String(platform.version),
    name: platform.name,
    siteUrl: platform.siteUrl,
    agreementTitle: platform.usageAgreement?.title,
    agreementUrl: platform.usageAgreement?.url,
    agreementReviewedOn: platform.usageAgreement?.reviewedOn,
    ...doc('userGuidelines'),
    ...doc('accountStandards'),
    ...doc('brandingStandards'),
  });
}

describe('a new platform (O.a) on the approval chain', () => {
  it('adds an approved platform to the list incomplete; the New Social Media form offers it once DTI records its P documents', async () => {
    const { requestId, platformId, steps } = await propose('E103', 'Threads');
    expect(requestId).toMatch(/^pp-\d{8}-[0-9a-f]{16}$/);
    expect([platformId, steps]).toEqual(['threads', ['DTI Director (Department of Technology and Innovation)']]);

    const email = await waitForEmail(stack, (e) => e.to.includes(director) && e.text.includes(requestId));
    expect(email.subject).toBe('Decision needed: New platform Threads for Parks and Recreation');
    expect(email.text).toContain('Why the department wants it: Residents asked us to post program updates there.');
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'APPROVED', accountId: null } });

    const { platform, changes } = await listed('threads');
    expect(platform).toMatchObject({
      id: 'threads',
      name: 'Threads',
      status: 'APPROVED',
      siteUrl: 'https://www.threads.example',
      usageAgreement: { title: 'Threads usage agreement', url: 'https://www.threads.example/terms', reviewedOn: denverToday() },
      version: 1,
      updatedByName: 'Samuel Ortiz',
      missingDocuments: ['userGuidelines', 'accountStandards', 'brandingStandards'],
    });
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'ADDED', version: 1, byId: 'E400', byName: 'Samuel Ortiz', reason: `Added by approval of ${requestId}`, requestId }),
    ]);
    const page = await (await fetch(`${stack.baseUrl}/platforms`, { headers: { cookie: 'dev_user=E202', accept: 'text/html' } })).text();
    expect(page).toMatch(/<a href="\/platforms\/threads">Threads<\/a>.*<span class="usa-tag">Incomplete<\/span> missing user guidelines/s);

    const told = (await mailbox(stack)).filter((e) => e.text.includes(requestId));
    expect(told.filter((e) => e.subject.startsWith('Approved')).map((e) => [e.to, e.subject])).toEqual([
      [['tsandoval@cabq.example'], 'Approved: New platform Threads'],
    ]);
    const notice = told.find((e) => e.to.includes(dtiMailbox));
    expect(notice?.subject).toBe('Platform list: Threads added, P documents to record');
    expect(notice?.text).toContain(`Record the P documents: ${stack.baseUrl}/platforms/threads`);

    // Incomplete: not offered, and a form naming it is refused with what is missing.
    expect(await offered()).not.toContain('threads');
    const refused = await as(stack, 'E102').post('/requests', { ...validForm, platformId: 'threads', proposedHandle: '@ABQParksThreads' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { fields: Record<string, string> }).fields).toEqual({
      platformId:
        'Threads is incomplete on DTI’s list: its user guidelines, account-management standards and processes, branding standards (P) are not recorded yet; choose another platform, or ask DTI to record them',
    });

    expect((await recordDocuments(platform as Platform)).status).toBe(200);
    expect((await listed('threads')).platform?.missingDocuments).toEqual([]);
    expect(await offered()).toContain('threads');
    await submit(stack, 'E102', { platformId: 'threads' });
  });

  it('sends the DTI director’s own proposal to the DTI designee, who approves it', async () => {
    const { requestId } = await propose('E400', 'Bluesky');
    const request = (await (await as(stack, 'E400').get(`/requests/${requestId}`)).json()) as {
      request: { steps: { approverId: string; routedToDesignee: boolean; escalateToId: string | null }[] };
    };
    expect(request.request.steps).toEqual([expect.objectContaining({ approverId: 'E401', routedToDesignee: true, escalateToId: null })]);
    await decide(stack, await decisionLink(designee, requestId), 'APPROVED');
    expect((await outcome(requestId)).result?.status).toBe('APPROVED');
    expect((await listed('bluesky')).changes).toEqual([expect.objectContaining({ byId: 'E401', byName: 'Julia Vigil', requestId })]);
    expect((await mailbox(stack)).some((e) => e.to.includes(director) && e.subject.startsWith('Decision needed') && e.text.includes(requestId))).toBe(false);
  });

  it('closes a rejected proposal with the reason told to the requester, and adds nothing', async () => {
    const { requestId } = await propose('E202', 'Snapchat');
    const reason = 'Its messages disappear, so they cannot be kept as public records (H).';
    expect((await decide(stack, await decisionLink(director, requestId), 'REJECTED', reason)).status).toBe(200);
    expect((await outcome(requestId)).result).toEqual({ status: 'REJECTED', accountId: null });
    const told = await waitForEmail(stack, (e) => e.to.includes('iromero@cabq.example') && e.subject.startsWith('Not approved') && e.text.includes(requestId));
    expect(told.subject).toBe('Not approved: New platform Snapchat');
    expect(told.text).toContain(`Samuel Ortiz rejected your request. Reason: ${reason}`);
    expect((await listed('snapchat')).status).toBe(404);
    expect((await mailbox(stack)).some((e) => e.to.includes(dtiMailbox) && e.text.includes(requestId))).toBe(false);
  });

  it('fails, told to the requester and DTI, when DTI added a platform with its id while it waited; nothing is added twice', async () => {
    const { requestId } = await propose('E103', 'Mastodon');
    const added = await as(stack, 'E401').post('/platforms', {
      id: 'mastodon',
      name: 'Mastodon (City server)',
      siteUrl: 'https://social.cabq.example',
      agreementTitle: 'City Mastodon terms',
      agreementUrl: 'https://social.cabq.example/terms',
      agreementReviewedOn: denverToday(),
    });
    expect(added.status).toBe(201);
    await decide(stack, await decisionLink(director, requestId), 'APPROVED');
    expect((await outcome(requestId)).result).toEqual({ status: 'FAILED', accountId: null });
    const told = await waitForEmail(
      stack,
      (e) => e.to.includes('tsandoval@cabq.example') && e.subject.startsWith('Could not complete') && e.text.includes(requestId),
    );
    expect(told.text).toContain('a platform with the id mastodon was added to DTI’s list while Mastodon was waiting for a decision');
    const failure = await waitForEmail(stack, (e) => e.to.includes(dtiMailbox) && e.subject === `Workflow failure on request ${requestId}`);
    expect(failure.text).toContain('a platform with the id mastodon was added');
    const { platform, changes } = await listed('mastodon');
    expect([platform?.name, changes.length]).toEqual(['Mastodon (City server)', 1]);
  });

  it('reminds, escalates to the DTI designee, reminds again and expires when nobody answers (local clock, no sleeping)', async () => {
    const { requestId } = await propose('E502', 'Tumblr');
    await walkToExpiry(stack, requestId, { approver: director, designee });
    expect(await outcome(requestId)).toEqual({ status: 'SUCCEEDED', result: { status: 'EXPIRED', accountId: null } });
    const expired = await waitForEmail(stack, (e) => e.to.includes('rapodaca@cabq.example') && e.subject.startsWith('Expired') && e.text.includes(requestId));
    expect(expired.subject).toBe('Expired: New platform Tumblr');
    expect((await listed('tumblr')).status).toBe(404);
  });
});
