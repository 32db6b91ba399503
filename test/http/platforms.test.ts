import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformStore } from '../../functions/adapters/platform-store.ts';
import type { Platform, PlatformChange } from '#core/platform';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvedAccount, as, startTestStack, submit, browserAs } from '../support/harness.ts';
import { denverToday } from '../support/offboarding.ts';

/**
 * DTI's approved-platforms list (O.a, P) through the local HTTP API on DynamoDB Local: DTI adds,
 * edits and retires a platform, each change recorded with who and what; anyone else is refused
 * and nothing changes; bad input, a stale form and a retirement without a reason change nothing;
 * a retired platform leaves the New Social Media form, and the registry flags its accounts.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const browser = (personId: string) => browserAs(stack, personId);

const today = () => denverToday();

function newPlatform(id: string, name: string): Record<string, string> {
  return {
    id,
    name,
    siteUrl: `https://www.${id}.example`,
    agreementTitle: `${name} Terms of Service`,
    agreementUrl: `https://www.${id}.example/terms`,
    agreementReviewedOn: today(),
    userGuidelinesUrl: `https://dti.cabq.example/sm/${id}/guidelines`,
    userGuidelinesAdoptedOn: today(),
  };
}

/** The platform and its changes as the JSON API reads them back (the state after a request). */
async function stored(id: string): Promise<{ status: number; platform?: Platform & { missingDocuments: string[] }; changes: PlatformChange[] }> {
  const res = await as(stack, 'E102').get(`/platforms/${id}`);
  if (res.status !== 200) return { status: res.status, changes: [] };
  const body = (await res.json()) as { platform: Platform & { missingDocuments: string[] }; changes: PlatformChange[] };
  return { status: 200, ...body };
}

/** The edit form's fields as DTI's page fills them in for `platform`. */
function editFields(platform: Platform, overrides: Record<string, string> = {}): Record<string, string> {
  const doc = (k: 'userGuidelines' | 'accountStandards' | 'brandingStandards') => ({
    [`${k}Url`]: platform.documents?.[k]?.url ?? '',
    [`${k}AdoptedOn`]: platform.documents?.[k]?.adoptedOn ?? '',
  });
  return {
    version: String(platform.version),
    name: platform.name,
    siteUrl: platform.siteUrl ?? '',
    agreementTitle: platform.usageAgreement?.title ?? '',
    agreementUrl: platform.usageAgreement?.url ?? '',
    agreementReviewedOn: platform.usageAgreement?.reviewedOn ?? '',
    ...doc('userGuidelines'),
    ...doc('accountStandards'),
    ...doc('brandingStandards'),
    ...overrides,
  };
}

describe('the seeded list', () => {
  it('lists the demo platforms for everyone, Nextdoor incomplete without its branding standards, and the add button for DTI only', async () => {
    const json = (await (await as(stack, 'E102').get('/platforms')).json()) as { platforms: (Platform & { missingDocuments: string[] })[] };
    expect(json.platforms.map((p) => p.id).sort()).toEqual(['facebook', 'instagram', 'nextdoor', 'x', 'youtube']);
    expect(json.platforms.every((p) => p.status === 'APPROVED' && p.version === 1 && p.usageAgreement?.reviewedOn)).toBe(true);
    expect(json.platforms.find((p) => p.id === 'nextdoor')?.missingDocuments).toEqual(['brandingStandards']);
    expect(json.platforms.filter((p) => p.missingDocuments.length > 0).map((p) => p.id)).toEqual(['nextdoor']);

    const staff = await browser('E102').get('/platforms');
    expect(staff.status).toBe(200);
    const page = await staff.text();
    expect(page).toMatch(/<a href="\/platforms\/nextdoor">Nextdoor<\/a>.*<span class="usa-tag">Incomplete<\/span> missing branding standards/s);
    expect(page).not.toContain('href="/platforms/new"');
    expect(await (await browser('E400').get('/platforms')).text()).toContain('<a class="usa-button" href="/platforms/new">Add a platform</a>');
  });

  it('links the New Social Media form’s platform hint to the list', async () => {
    const page = await (await browser('E102').get('/requests/new')).text();
    expect(page).toContain('Only platforms on <a class="usa-link" href="/platforms">DTI’s approved list</a> (O.a).');
  });
});

describe('DTI changes the list (O.a, P)', () => {
  it('adds a platform from the form, recorded as its own change with who made it', async () => {
    const res = await browser('E400').post('/platforms', newPlatform('threads', 'Threads'));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/platforms/threads?done=added');
    const { platform, changes } = await stored('threads');
    expect(platform).toMatchObject({ id: 'threads', name: 'Threads', status: 'APPROVED', approved: true, version: 1, updatedById: 'E400' });
    expect(platform?.missingDocuments).toEqual(['accountStandards', 'brandingStandards']);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'ADDED', version: 1, byId: 'E400', byName: 'Samuel Ortiz' });
    expect(changes[0]?.changes).toContainEqual({ field: 'siteUrl', label: 'Site', before: null, after: 'https://www.threads.example' });
    const page = await (await browser('E400').get('/platforms/threads?done=added')).text();
    expect(page).toContain('The platform is on the approved list; its addition is recorded below.');
    expect(page).toContain('<h2 class="usa-alert__heading">Incomplete</h2>');
  });

  it('edits a platform, recording each field changed before → after, and bumps its version', async () => {
    const before = (await stored('threads')).platform as Platform;
    const res = await browser('E401').post(
      '/platforms/threads',
      editFields(before, {
        accountStandardsUrl: 'https://dti.cabq.example/sm/threads/accounts',
        accountStandardsAdoptedOn: today(),
        siteUrl: 'https://www.threads.net',
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/platforms/threads?done=edited');
    const { platform, changes } = await stored('threads');
    expect(platform).toMatchObject({ version: 2, siteUrl: 'https://www.threads.net', updatedByName: 'Julia Vigil' });
    expect(changes.map((c) => `${c.version}/${c.kind}/${c.byId}`)).toEqual(['1/ADDED/E400', '2/EDITED/E401']);
    expect(changes[1]?.changes).toEqual([
      { field: 'siteUrl', label: 'Site', before: 'https://www.threads.example', after: 'https://www.threads.net' },
      {
        field: 'documents.accountStandards.url',
        label: 'Account-management standards and processes address',
        before: null,
        after: 'https://dti.cabq.example/sm/threads/accounts',
      },
      { field: 'documents.accountStandards.adoptedOn', label: 'Account-management standards and processes adopted on', before: null, after: today() },
    ]);
    const page = await (await browser('E102').get('/platforms/threads')).text();
    expect(page).toContain('<li>Site: https://www.threads.example → https://www.threads.net</li>');
    expect(page).toContain('Julia Vigil');
  });

  it('saves nothing, and records nothing, when an edit changes nothing', async () => {
    const { platform } = await stored('threads');
    const res = await as(stack, 'E400').post('/platforms/threads', editFields(platform as Platform));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { change: unknown }).change).toBe(null);
    expect((await stored('threads')).changes).toHaveLength(2);
  });

  it('refuses anyone but DTI with a 403 page, and changes nothing', async () => {
    const { platform } = await stored('threads');
    const fields = editFields(platform as Platform, { name: 'Threads by Ana' });
    for (const [path, body] of [
      ['/platforms', newPlatform('bluesky', 'Bluesky')],
      ['/platforms/threads', fields],
      ['/platforms/threads/retire', { version: String(platform?.version), reason: 'Nobody in Parks uses it any more.' }],
    ] as const) {
      const json = await as(stack, 'E102').post(path, body);
      expect(json.status, path).toBe(403);
      expect(((await json.json()) as { message: string }).message).toMatch(/^Only DTI staff add, edit or retire platforms/);
      const page = await browser('E500').post(path, body);
      expect(page.status, path).toBe(403);
      expect(await page.text()).toContain('Elena Martinez is not in DTI');
    }
    expect((await browser('E102').get('/platforms/new')).status).toBe(403);
    expect((await stored('bluesky')).status).toBe(404);
    const after = await stored('threads');
    expect(after.platform).toMatchObject({ name: 'Threads', version: 2, status: 'APPROVED' });
    expect(after.changes).toHaveLength(2);
    // Others read the page, without the forms.
    const page = await (await browser('E102').get('/platforms/threads')).text();
    expect(page).not.toContain('action="/platforms/threads"');
    expect(page).not.toContain('action="/platforms/threads/retire"');
  });

  it('answers bad input with a 400 naming the field, JSON or a page whose error summary takes focus, and changes nothing', async () => {
    const json = await as(stack, 'E400').post('/platforms', { ...newPlatform('mastodon', 'Mastodon'), siteUrl: 'http://mastodon.example' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { fields: Record<string, string> }).fields).toEqual({
      siteUrl: 'give the site address as an https:// address, for example https://www.example.com/terms',
    });
    const page = await browser('E400').post('/platforms', { ...newPlatform('mastodon', 'Mastodon'), agreementReviewedOn: '2999-01-01' });
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('id="error-summary" tabindex="-1" autofocus data-focus-on-load');
    expect(text).toContain(
      `<a href="#agreementReviewedOn">the day DTI last reviewed the usage agreement is in the future; give a day no later than today (${today()})</a>`,
    );
    expect(text).toContain('value="Mastodon"');
    expect((await stored('mastodon')).status).toBe(404);

    const taken = await as(stack, 'E400').post('/platforms', newPlatform('threads', 'Threads again'));
    expect(((await taken.json()) as { fields: Record<string, string> }).fields).toEqual({ id: 'Threads already has the id threads; choose another' });

    const { platform } = await stored('threads');
    const edit = await browser('E400').post('/platforms/threads', editFields(platform as Platform, { brandingStandardsUrl: 'https://dti.cabq.example/b' }));
    expect(edit.status).toBe(400);
    expect(await edit.text()).toContain('give the day the City adopted the branding standards as YYYY-MM-DD, or leave its address empty too');
    expect((await stored('threads')).platform?.version).toBe(2);
  });

  it('refuses a form made from an older version with a 409 that shows the current values, and changes nothing', async () => {
    const { platform } = await stored('threads');
    const old = editFields(platform as Platform, { version: '1', name: 'Threads (old form)' });
    const json = await as(stack, 'E400').post('/platforms/threads', old);
    expect(json.status).toBe(409);
    const body = (await json.json()) as { error: string; message: string; platform: Platform };
    expect(body).toMatchObject({ error: 'ConflictError', platform: { version: 2, siteUrl: 'https://www.threads.net' } });
    expect(body.message).toMatch(/Someone else changed Threads after you opened the form \(Julia Vigil, version 2\)\. Nothing was changed/);
    const page = await browser('E400').post('/platforms/threads', old);
    expect(page.status).toBe(409);
    const text = await page.text();
    expect(text).toContain('<h2 class="usa-alert__heading">Someone else changed this platform</h2>');
    expect(text).toContain('value="https://www.threads.net"');
    expect(text).toContain('<input type="hidden" name="version" value="2">');
    const retire = await as(stack, 'E400').post('/platforms/threads/retire', { version: '1', reason: 'Retired from an old page.' });
    expect(retire.status).toBe(409);
    const after = await stored('threads');
    expect(after.platform).toMatchObject({ name: 'Threads', version: 2, status: 'APPROVED' });
    expect(after.changes).toHaveLength(2);
  });

  it('lets exactly one of two edits made from the same version through', async () => {
    const { platform } = await stored('threads');
    const [a, b] = await Promise.all([
      as(stack, 'E400').post('/platforms/threads', editFields(platform as Platform, { agreementTitle: 'Threads Terms, first' })),
      as(stack, 'E401').post('/platforms/threads', editFields(platform as Platform, { agreementTitle: 'Threads Terms, second' })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const after = await stored('threads');
    expect(after.platform?.version).toBe(3);
    expect(after.changes).toHaveLength(3);
    const winner = a.status === 200 ? 'Threads Terms, first' : 'Threads Terms, second';
    expect(after.platform?.usageAgreement?.title).toBe(winner);
    expect(after.changes[2]?.changes).toEqual([{ field: 'usageAgreement.title', label: 'Usage agreement', before: 'Threads Terms of Service', after: winner }]);
  });

  it('refuses to retire without a reason, naming the field, and changes nothing', async () => {
    const { platform } = await stored('threads');
    const json = await as(stack, 'E400').post('/platforms/threads/retire', { version: String(platform?.version) });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { fields: Record<string, string> }).fields).toEqual({
      reason: 'say why the platform is retired: the reason is kept on record and shown to everyone',
    });
    const page = await browser('E400').post('/platforms/threads/retire', { version: String(platform?.version), reason: 'no' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('<a href="#reason">say why the platform is retired in at least 10 characters</a>');
    expect((await stored('threads')).platform).toMatchObject({ status: 'APPROVED', version: 3 });
  });
});

describe('the store’s own conditions (DynamoDB Local)', () => {
  it('adds a platform once, writes a change only from the version stored, and never changes a retired one', async () => {
    // The handler checks the version first; these are the write's own conditions, for the race that check cannot see.
    const store = new PlatformStore(DynamoDBDocumentClient.from(stack.client, { marshallOptions: { removeUndefinedValues: true } }), stack.tableName);
    const at = new Date().toISOString();
    const change = (version: number, kind: PlatformChange['kind'] = 'EDITED'): PlatformChange => ({
      platformId: 'storegram',
      platformName: 'Storegram',
      version,
      kind,
      at,
      byId: 'E400',
      byName: 'Samuel Ortiz',
      changes: [],
    });
    const v1: Platform = { id: 'storegram', name: 'Storegram', approved: true, status: 'APPROVED', version: 1 };
    expect(await store.addPlatform(v1, change(1, 'ADDED'))).toBe(true);
    expect(await store.addPlatform({ ...v1, name: 'Storegram again' }, change(1, 'ADDED'))).toBe(false);
    // From a version that is not the stored one: nothing written, neither the platform nor its change.
    expect(await store.changePlatform({ ...v1, name: 'Storegram (stale)', version: 5 }, change(5), 4)).toBe(false);
    expect(await store.changePlatform({ ...v1, name: 'Storegram 2', version: 2 }, change(2), 1)).toBe(true);
    expect(await store.changePlatform({ ...v1, name: 'Storegram (late)', version: 3 }, change(3), 1)).toBe(false);
    const retired: Platform = { ...v1, name: 'Storegram 2', approved: false, status: 'RETIRED', version: 3 };
    expect(await store.changePlatform(retired, change(3, 'RETIRED'), 2)).toBe(true);
    expect(await store.changePlatform({ ...v1, version: 4 }, change(4), 3)).toBe(false);
    const after = await store.platformWithChanges('storegram');
    expect(after.platform).toMatchObject({ name: 'Storegram 2', status: 'RETIRED', version: 3 });
    expect(after.changes.map((c) => `${c.version}/${c.kind}`)).toEqual(['1/ADDED', '2/EDITED', '3/RETIRED']);
  });
});

describe('a retired platform', () => {
  let accountId: string;
  const reason = 'The usage agreement expired and was not renewed (O.a review).';

  beforeAll(async () => {
    // With all three P documents: a new account may use only a complete platform (O.a, P).
    const complete = {
      ...newPlatform('oldgram', 'Oldgram'),
      accountStandardsUrl: 'https://dti.cabq.example/sm/oldgram/accounts',
      accountStandardsAdoptedOn: today(),
      brandingStandardsUrl: 'https://dti.cabq.example/sm/oldgram/branding',
      brandingStandardsAdoptedOn: today(),
    };
    expect((await as(stack, 'E400').post('/platforms', complete)).status).toBe(201);
    // An account on it, through the same approval flow as every new account.
    accountId = await approvedAccount(stack, 'E102', { platformId: 'oldgram' });
    const { platform } = await stored('oldgram');
    const res = await browser('E401').post('/platforms/oldgram/retire', { version: String(platform?.version), reason });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/platforms/oldgram?done=retired');
  }, 60_000);

  it('is kept with its retirement (when, who, why) recorded as its own change, and is not changed again', async () => {
    const { platform, changes } = await stored('oldgram');
    expect(platform).toMatchObject({
      status: 'RETIRED',
      approved: false,
      retiredById: 'E401',
      retiredByName: 'Julia Vigil',
      retiredReason: reason,
      version: 2,
    });
    expect(changes.at(-1)).toMatchObject({
      kind: 'RETIRED',
      version: 2,
      byId: 'E401',
      reason,
      changes: [{ field: 'status', before: 'APPROVED', after: 'RETIRED' }],
    });
    const page = await (await browser('E102').get('/platforms/oldgram')).text();
    expect(page).toContain('<h2 class="usa-alert__heading">Oldgram is retired</h2>');
    expect(page).toContain(`by Julia Vigil: ${reason}`);
    expect(page).not.toContain('action="/platforms/oldgram/retire"');
    const again = await as(stack, 'E400').post('/platforms/oldgram', editFields(platform as Platform, { name: 'Oldgram revived' }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toMatch(/a retired platform stays on record and is not changed/);
    expect((await stored('oldgram')).changes).toHaveLength(2);
  });

  it('is no longer offered by the New Social Media form, and a request naming it is refused', async () => {
    const form = (await (await as(stack, 'E102').get('/requests/new')).json()) as { platforms: Platform[] };
    // Threads (added above with only its user guidelines) is incomplete, so not offered either (P).
    expect(form.platforms.map((p) => p.id)).toEqual(['facebook', 'instagram', 'x', 'youtube']);
    expect(form.platforms.map((p) => p.id)).not.toContain('oldgram');
    expect(await (await browser('E102').get('/requests/new')).text()).not.toContain('value="oldgram"');
    await expect(submit(stack, 'E102', { platformId: 'oldgram' })).rejects.toThrow(
      /submit failed: 400 .*Oldgram was retired from DTI’s approved list \(O\.a\)/,
    );
  });

  it('is flagged on its accounts in the registry: a tag in the list, when and why on the account’s page', async () => {
    const list = await (await browser('E400').get('/accounts?platform=oldgram')).text();
    expect(list).toMatch(new RegExp(`<a href="/accounts/${accountId}">Oldgram @[^<]+</a> <span class="usa-tag">Platform retired</span>`));
    expect(list).toContain('<option value="oldgram" selected>Oldgram (retired)</option>');
    const page = await (await browser('E102').get(`/accounts/${accountId}`)).text();
    expect(page).toContain('<h2 class="usa-alert__heading">Platform retired</h2>');
    expect(page).toContain('(Julia Vigil).</p>');
    expect(page).toContain(`<p class="margin-0">Why: ${reason}</p>`);
    const json = (await (await as(stack, 'E102').get(`/accounts/${accountId}`)).json()) as { platformRetired: { retiredReason: string } | null };
    expect(json.platformRetired).toMatchObject({ platformId: 'oldgram', retiredReason: reason });
  });
});
