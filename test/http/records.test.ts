import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '#core/html';
import { policy } from '#core/policy';
import { canonicalJson, type GovernanceRecord, recordIntact, sha256Hex } from '#core/records';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, mailbox, startTestStack, browserAs } from '../support/harness.ts';
import { grantFor, type Hire, hire, seedAccounts } from '../support/offboarding.ts';

let stack: LocalStack;
let accountId: string;
let admin: Hire;
let poster: Hire;
let outsider: Hire;

const hostile = `<script>alert("x")</script> & 'quoted'`;
const escaped = escapeHtml(hostile);

beforeAll(async () => {
  stack = await startTestStack();
  [admin, poster, outsider] = await Promise.all([hire(stack, 'PRD', 'Account Admin'), hire(stack, 'PRD', `Poster ${hostile}`), hire(stack, 'PRD', 'No Grant')]);
  const [seeded] = await seedAccounts(stack, 1, [grantFor(admin, 'ADMIN'), grantFor(poster, 'POSTER', false)]);
  if (!seeded) throw new Error('no account seeded');
  accountId = seeded.accountId;
});
afterAll(async () => {
  await stack?.stop();
});

/** Every public record in the table, as stored (RECORD# items). */
async function storedRecords(): Promise<GovernanceRecord[]> {
  const db = DynamoDBDocumentClient.from(stack.client);
  const records: GovernanceRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({
        TableName: stack.tableName,
        FilterExpression: 'begins_with(PK, :record)',
        ExpressionAttributeValues: { ':record': 'RECORD#' },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    records.push(...((out.Items ?? []) as GovernanceRecord[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records;
}

const storedRecord = async (recordId: string) => (await storedRecords()).find((r) => r.recordId === recordId);

const browser = (personId: string) => browserAs(stack, personId);

const removal = {
  category: 'g',
  location: 'https://www.facebook.com/abqparks/posts/1 comment by "Deals 4 U"',
  content: 'Cheap sunglasses at example.shop!!!',
  author: 'Deals 4 U',
  justification: 'Solicits commerce unrelated to City business (K.g).',
};

const correction = {
  postRef: 'https://www.facebook.com/abqparks/posts/2',
  before: 'The pool opens at 9 a.m. on Saturday.',
  after: 'The pool opens at 10 a.m. on Saturday.',
  why: 'Wrong opening time.',
};

const moderate = (personId: string, body: Record<string, unknown>) => as(stack, personId).post(`/accounts/${accountId}/moderation`, body);
const recordEdit = (personId: string, body: Record<string, unknown>) => as(stack, personId).post(`/accounts/${accountId}/edits`, body);

/** A literal string as a regular expression. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('moderation removals (K)', () => {
  it.each([
    ['an admin of the account', () => admin.id],
    ['a department director', () => 'E100'],
    ['the Communications Coordinator', () => 'E502'],
  ])('refuses %s with 403, saying who may, and stores nothing', async (_who, id) => {
    const before = await storedRecords();
    const res = await moderate(id(), removal);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/Only the Communications Director or their designee \(Elena Martinez, .+\)/);
    expect((await as(stack, id()).get(`/accounts/${accountId}/moderation/new`)).status).toBe(403);
    expect(await storedRecords()).toEqual(before);
  });

  it.each([
    ['the Communications Director', 'E500', 'Elena Martinez'],
    ['their designee', 'E501', undefined],
  ])('records a removal by %s, with no email to anyone', async (_who, id, name) => {
    const mailBefore = (await mailbox(stack)).length;
    const res = await moderate(id, removal);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { recordId: string; sha256: string };
    const record = await storedRecord(body.recordId);
    expect(record).toMatchObject({
      kind: 'MODERATION',
      accountId,
      departmentCode: 'PRD',
      recordedById: id,
      moderation: { ...removal, categoryLabel: 'Solicitations of commerce not directly related to City business' },
      sha256: body.sha256,
    });
    if (name) expect(record?.recordedByName).toBe(name);
    expect(record && recordIntact(record)).toBe(true);
    expect((await mailbox(stack)).length).toBe(mailBefore);
  });

  it.each(policy.moderation.categories.map((c) => [c.id, c.label]))('accepts category %s (%s)', async (id, label) => {
    const res = await moderate('E500', { ...removal, category: id });
    expect(res.status).toBe(201);
    const record = await storedRecord(((await res.json()) as { recordId: string }).recordId);
    expect(record?.moderation).toMatchObject({ category: id, categoryLabel: label });
  });

  it('refuses an unknown category with 400 listing the valid ones, and stores nothing', async () => {
    const before = await storedRecords();
    const res = await moderate('E500', { ...removal, category: 'm' });
    expect(res.status).toBe(400);
    const { fields } = (await res.json()) as { fields: Record<string, string> };
    expect(fields.category).toMatch(/^category must be one of a, b, c, d, e, f, g, h, i, j, k, l: a — Posts not topically/);
    for (const c of policy.moderation.categories) expect(fields.category).toContain(`${c.id} — ${c.label}`);
    expect(await storedRecords()).toEqual(before);
  });

  it('makes one record of a form sent twice', async () => {
    const submissionId = randomBytes(9).toString('base64url');
    const first = await moderate('E501', { ...removal, submissionId });
    const again = await moderate('E501', { ...removal, submissionId });
    expect([first.status, again.status]).toEqual([201, 200]);
    const [a, b] = (await Promise.all([first.json(), again.json()])) as { recordId: string }[];
    expect(b?.recordId).toBe(a?.recordId);
    expect((await storedRecords()).filter((r) => r.recordId === a?.recordId)).toHaveLength(1);
  });

  it('answers 404 for an account not in the registry', async () => {
    expect((await as(stack, 'E500').post('/accounts/acct-nope/moderation', removal)).status).toBe(404);
  });

  it('escapes every value on the confirmation page', async () => {
    const res = await browser('E500').post(`/accounts/${accountId}/moderation`, {
      submissionId: randomBytes(9).toString('base64url'),
      category: 'd',
      location: hostile,
      content: hostile,
      author: hostile,
      justification: hostile,
    });
    expect(res.status).toBe(201);
    const page = await res.text();
    expect(page).not.toContain('<script>');
    expect(page.split(escaped).length - 1).toBe(4);
    expect(page).toContain('Nobody was notified');
    const id = /rec-mod-\d{8}-[0-9a-f]{16}/.exec(page)?.[0] ?? '';
    expect((await storedRecord(id))?.moderation).toMatchObject({ location: hostile, content: hostile, author: hostile, justification: hostile });
  });

  it('re-renders the form with the errors marked and every value kept, escaped', async () => {
    const before = await storedRecords();
    const res = await browser('E500').post(`/accounts/${accountId}/moderation`, {
      submissionId: randomBytes(9).toString('base64url'),
      category: hostile,
      location: hostile,
      content: hostile,
      author: hostile,
      justification: 'short',
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).not.toContain('<script>');
    expect(page).toMatch(new RegExp(`<textarea class="usa-textarea" id="location" name="location"[^>]*>${escapeRegExp(escaped)}</textarea>`));
    expect(page).toMatch(new RegExp(`<textarea class="usa-textarea" id="content" name="content"[^>]*>${escapeRegExp(escaped)}</textarea>`));
    expect(page).toContain(`value="${escaped}"`);
    expect(page).toMatch(
      /<select class="usa-select usa-input--error" id="category" name="category" required aria-invalid="true" aria-describedby="category-error category-hint">/,
    );
    expect(page).toMatch(
      /<textarea class="usa-textarea usa-input--error" id="justification" name="justification" required aria-invalid="true" aria-describedby="justification-error justification-hint">short<\/textarea>/,
    );
    expect(page).toContain('choose from the list the part of rule K');
    expect(await storedRecords()).toEqual(before);
  });
});

describe('corrections of earlier posts (M.b)', () => {
  it('records an edit by someone with posting authority, with before, after, why and its checksum', async () => {
    const res = await recordEdit(poster.id, correction);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { recordId: string; sha256: string };
    expect(body.recordId).toMatch(/^rec-edit-\d{8}-[0-9a-f]{16}$/);
    const record = await storedRecord(body.recordId);
    expect(record).toMatchObject({ kind: 'POST_EDIT', accountId, recordedById: poster.id, recordedByName: poster.name, edit: correction });
    expect(record?.sha256).toBe(sha256Hex(canonicalJson(correction)));
    expect(body.sha256).toBe(record?.sha256);
  });

  it.each([
    ['someone without a grant on the account', () => outsider.id],
    ['the Communications Director', () => 'E500'],
  ])('refuses %s with 403 and stores nothing', async (_who, id) => {
    const before = await storedRecords();
    const res = await recordEdit(id(), correction);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain(`Ask one of its admins (${admin.name})`);
    expect((await as(stack, id()).get(`/accounts/${accountId}/edits/new`)).status).toBe(403);
    expect(await storedRecords()).toEqual(before);
  });

  it('refuses an edit that changes nothing with 400', async () => {
    const res = await recordEdit(admin.id, { ...correction, after: correction.before });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({ after: expect.stringMatching(/same as before/) });
  });

  it('escapes every value on the confirmation page and on the form re-render', async () => {
    const fields = { postRef: hostile, before: `${hostile} before`, after: `${hostile} after`, why: hostile };
    const done = await browser(poster.id).post(`/accounts/${accountId}/edits`, { submissionId: randomBytes(9).toString('base64url'), ...fields });
    expect(done.status).toBe(201);
    const page = await done.text();
    expect(page).not.toContain('<script>');
    // postRef, before, after, why, and the poster's own name (signed in as, recorded by).
    expect(page.split(escaped).length - 1).toBe(6);

    const again = await browser(poster.id).post(`/accounts/${accountId}/edits`, { ...fields, after: fields.before });
    expect(again.status).toBe(400);
    const form = await again.text();
    expect(form).not.toContain('<script>');
    expect(form).toContain(`value="${escaped}"`);
    expect(form).toMatch(
      new RegExp(
        `<textarea class="usa-textarea usa-input--error" id="after" name="after"[^>]*aria-invalid="true" aria-describedby="after-error after-hint">${escapeRegExp(escaped)} before</textarea>`,
      ),
    );
  });
});

describe('the comment guidelines (L)', () => {
  const ids = policy.moderation.categories.map((c) => c.id);

  it('are public and cacheable, listing exactly the configured categories in order', async () => {
    const res = await fetch(`${stack.baseUrl}/guidelines`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('vary')).toBe('accept');
    const page = await res.text();
    expect([...page.matchAll(/data-category="([^"]*)"/g)].map((m) => m[1])).toEqual(ids);
    for (const c of policy.moderation.categories) expect(page).toContain(escapeHtml(c.label));

    const json = await fetch(`${stack.baseUrl}/guidelines`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { categories: unknown }).categories).toEqual(policy.moderation.categories.map(({ id, label }) => ({ id, label })));
  });

  it('offer the same ids that the moderation form offers and enforces, so shown and enforced cannot drift', async () => {
    const shown = [...(await (await fetch(`${stack.baseUrl}/guidelines`)).text()).matchAll(/data-category="([^"]*)"/g)].map((m) => m[1]);
    const form = await (await browser('E500').get(`/accounts/${accountId}/moderation/new`)).text();
    const select = /<select[^>]*id="category"[^>]*>([\s\S]*?)<\/select>/.exec(form)?.[1] ?? '';
    const offered = [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    const asJson = (await (await as(stack, 'E500').get(`/accounts/${accountId}/moderation/new`)).json()) as { categories: { id: string }[] };
    expect(shown).toEqual(ids);
    expect(offered).toEqual(shown);
    expect(asJson.categories.map((c) => c.id)).toEqual(shown);
    for (const id of shown) expect((await moderate('E501', { ...removal, category: id })).status).toBe(201);
  });
});
