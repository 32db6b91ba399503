import { parse } from 'csv-parse/sync';
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordsStore } from '../../functions/adapters/records-store.ts';
import { PlatformStore } from '../../functions/adapters/platform-store.ts';
import { type GovernanceRecord, makeRecord } from '#core/records';
import type { Manifest } from '#records/export';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, approveEveryStep, as, askPostingAuthority, decide, mailbox, startTestStack, submit, waitForEmail } from '../support/harness.ts';
import { denverDaysFromNow, denverToday, hire, rotate, separate, taskLinkFor } from '../support/offboarding.ts';

/**
 * The records export (H, I) through the local HTTP API, over a history made by the real workflows:
 * a new account approved through its links, posting authority approved, an offboarding that revokes
 * a grant and rotates the shared password, and records (a preserved post, an edit, a moderation
 * removal) written through the records store. Another account's history must stay out of it, and
 * no password, link or token may appear in any byte of the download.
 */

let stack: LocalStack;
let db: DynamoDBDocumentClient;

interface History {
  accountId: string;
  newAccountRequestId: string;
  postingRequestId: string;
  offboardingId: string;
  leaverId: string;
  stayerId: string;
  records: { post: GovernanceRecord; edit: GovernanceRecord; moderation: GovernanceRecord; oldEdit: GovernanceRecord };
  password: string;
  other: { accountId: string; requestId: string; recordIds: string[] };
  /** DTI's changes to its platforms list (City-wide): three in the range, one added two years back. */
  platforms: { inRange: string; outOfRange: string };
}
let history: History;

const range = { from: denverDaysFromNow(-30), to: denverToday() };
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function record(accountId: string, label: string, kind: GovernanceRecord['kind'], recordedAt = new Date()): GovernanceRecord {
  const base = {
    kind,
    accountId,
    accountLabel: label,
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    recordedAt: recordedAt.toISOString(),
    recordedById: 'E102',
    recordedByName: 'Ana Gallegos',
  };
  const payload =
    kind === 'PRESERVED_POST'
      ? {
          preserved: {
            requestId: `pr-${denverToday().replaceAll('-', '')}-${randomBytes(8).toString('hex')}`,
            postRef: `https://instagram.example/p/${randomBytes(4).toString('hex')}`,
            action: 'DELETE' as const,
            content: { text: 'Pools close early, 5 pm, "storm"', author: 'ABQ Parks', publishedAt: '2026-06-01', mediaLinks: [] },
          },
        }
      : kind === 'POST_EDIT'
        ? { edit: { postRef: 'https://instagram.example/p/2', before: 'Opens at 9', after: 'Opens at 10', why: 'Wrong time' } }
        : {
            moderation: {
              category: 'c',
              categoryLabel: 'Profane language or content',
              location: 'https://instagram.example/p/3#c',
              content: '=cmd|profanity',
              justification: 'K.c',
            },
          };
  return makeRecord({ ...base, ...payload }, recordedAt);
}

async function buildHistory(): Promise<History> {
  const records = new RecordsStore(DynamoDBDocumentClient.from(stack.client, { marshallOptions: { removeUndefinedValues: true } }), stack.tableName);
  const [leaver, stayer] = [await hire(stack, 'PRD', 'Export leaver'), await hire(stack, 'PRD', 'Export stayer')];
  const handle = `@exp${randomBytes(4).toString('hex')}`;

  const newAccountRequestId = await submit(stack, 'E102', { adminIds: [leaver.id, stayer.id], proposedHandle: handle });
  const created = await approveEveryStep(stack, newAccountRequestId, 2);
  if (created.status !== 'APPROVED' || !created.accountId) throw new Error(`new account ${created.status}`);
  const accountId = created.accountId;

  const asked = await askPostingAuthority(stack, 'E103', accountId, { role: 'POSTER', receivesCredential: false, reason: 'Posts the weekly pool schedule.' });
  const { requestId: postingRequestId } = (await asked.json()) as { requestId: string };
  const email = await waitForEmail(stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(postingRequestId));
  expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
  expect((await stack.sfn.result(postingRequestId))?.status).toBe('SUCCEEDED');

  const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
  const password = await rotate(stack, stayer.id, await taskLinkFor(stack, stayer.email, handle));
  expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');

  const label = `Instagram ${handle}`;
  const mine = {
    post: record(accountId, label, 'PRESERVED_POST'),
    edit: record(accountId, label, 'POST_EDIT'),
    moderation: record(accountId, label, 'MODERATION'),
    // Two years back: outside the range.
    oldEdit: record(accountId, label, 'POST_EDIT', new Date(Date.now() - 730 * 86_400_000)),
  };
  for (const r of Object.values(mine)) expect(await records.putRecord(r)).toBe(true);

  // Another account, in another department, with its own request and records.
  const otherRequestId = await submit(stack, 'E202', { departmentCode: 'LIB', adminIds: ['E202'] });
  const other = await approveEveryStep(stack, otherRequestId, 2);
  if (!other.accountId) throw new Error('other account not approved');
  const otherRecords = [record(other.accountId, 'Other', 'POST_EDIT'), record(other.accountId, 'Other', 'MODERATION')];
  for (const r of otherRecords) expect(await records.putRecord(r)).toBe(true);

  const platforms = await changePlatforms();

  return {
    platforms,
    accountId,
    newAccountRequestId,
    postingRequestId,
    offboardingId,
    leaverId: leaver.id,
    stayerId: stayer.id,
    records: mine,
    password,
    other: { accountId: other.accountId, requestId: otherRequestId, recordIds: otherRecords.map((r) => r.recordId) },
  };
}

/** Through the platforms pages: DTI adds a platform, edits it, retires it. And one added two years back, outside the range. */
async function changePlatforms(): Promise<History['platforms']> {
  const added = await as(stack, 'E400').post('/platforms', {
    id: 'exportgram',
    name: 'Exportgram',
    siteUrl: 'https://www.exportgram.example',
    agreementTitle: 'Exportgram Terms',
    agreementUrl: 'https://www.exportgram.example/terms',
    agreementReviewedOn: denverDaysFromNow(-10),
  });
  expect(added.status).toBe(201);
  const { platform } = (await added.json()) as { platform: Record<string, unknown> & { usageAgreement: Record<string, string> } };
  const edited = await as(stack, 'E401').post('/platforms/exportgram', {
    version: '1',
    name: 'Exportgram',
    siteUrl: platform.siteUrl,
    agreementTitle: platform.usageAgreement.title,
    agreementUrl: platform.usageAgreement.url,
    agreementReviewedOn: denverDaysFromNow(-1),
  });
  expect(edited.status).toBe(200);
  const retired = await as(stack, 'E400').post('/platforms/exportgram/retire', { version: '2', reason: 'Offering ended, terms withdrawn.' });
  expect(retired.status).toBe(200);

  const store = new PlatformStore(DynamoDBDocumentClient.from(stack.client, { marshallOptions: { removeUndefinedValues: true } }), stack.tableName);
  const longAgo = new Date(Date.now() - 730 * 86_400_000).toISOString();
  const old = { id: 'ancientgram', name: 'Ancientgram', approved: true, status: 'APPROVED' as const, version: 1 };
  const change = {
    platformId: 'ancientgram',
    platformName: 'Ancientgram',
    version: 1,
    kind: 'ADDED' as const,
    at: longAgo,
    byId: 'E400',
    byName: 'Samuel Ortiz',
    changes: [],
  };
  expect(await store.addPlatform(old, change)).toBe(true);
  return { inRange: 'exportgram', outOfRange: 'ancientgram' };
}

beforeAll(async () => {
  stack = await startTestStack();
  db = DynamoDBDocumentClient.from(stack.client);
  history = await buildHistory();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const query = (params: Record<string, string>) => `/records/export?${new URLSearchParams(params).toString()}`;

async function download(viewer: string, params: Record<string, string>) {
  const res = await as(stack, viewer).get(query(params));
  expect(res.status, await res.clone().text()).toBe(200);
  const zip = new Uint8Array(await res.arrayBuffer());
  const files = unzipSync(zip);
  const text = (name: string) => decoder.decode(files[name]);
  const manifest = JSON.parse(text('manifest.json')) as Manifest;
  const doc = JSON.parse(text('export.json')) as Record<string, Record<string, unknown>[]>;
  return { res, zip, files, text, manifest, doc };
}

/** RFC 4180 rows after the header, as objects (the export's CSVs start with a BOM). */
function csv(text: string): Record<string, string>[] {
  return parse(text, { bom: true, record_delimiter: '\r\n', columns: true }) as Record<string, string>[];
}

/** Every secret the workflows made: link ids and secrets from the emails, and what the table holds only as hashes and sealed tokens. */
async function secretsMade(): Promise<string[]> {
  const found = new Set<string>([history.password, Buffer.from(history.password).toString('base64')]);
  for (const e of await mailbox(stack)) {
    for (const m of `${e.text}\n${e.html}`.matchAll(/\/(?:approvals|tasks)\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+)/g)) {
      if (m[1]) found.add(m[1]);
      if (m[2]) found.add(m[2]);
    }
  }
  const items = (await db.send(new ScanCommand({ TableName: stack.tableName }))).Items ?? [];
  for (const item of items) {
    for (const key of ['secretHash', 'sealedToken', 'versionId', 'approvalId'] as const) if (typeof item[key] === 'string') found.add(item[key]);
  }
  return [...found];
}

const sha256 = (b: Uint8Array | undefined) =>
  createHash('sha256')
    .update(b ?? new Uint8Array())
    .digest('hex');
const csvFiles = [
  'requests.csv',
  'decisions.csv',
  'preserved-posts.csv',
  'edits.csv',
  'moderation.csv',
  'grants.csv',
  'offboarding-tasks.csv',
  'platform-changes.csv',
  'reviews.csv',
  'department-policies.csv',
];
const jsonKey: Record<string, string> = {
  'requests.csv': 'requests',
  'decisions.csv': 'decisions',
  'preserved-posts.csv': 'preservedPosts',
  'edits.csv': 'edits',
  'moderation.csv': 'moderation',
  'grants.csv': 'grants',
  'offboarding-tasks.csv': 'offboardingTasks',
  'platform-changes.csv': 'platformChanges',
  'reviews.csv': 'reviews',
  'department-policies.csv': 'departmentPolicies',
};

describe('records export (H, I)', () => {
  it('gives the City Clerk’s contact exactly the account’s records of the range, as one zip', async () => {
    const h = history;
    const { res, text, files } = await download('E600', { accountId: h.accountId, ...range });
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="records-${h.accountId}-${range.from}-${range.to}.zip"`);

    const ids = (file: string, key: string) => csv(text(file)).map((r) => r[key]);
    expect(ids('requests.csv', 'requestId')).toEqual([h.newAccountRequestId, h.postingRequestId]);
    expect(csv(text('decisions.csv')).map((r) => `${r.requestId}/${r.step}/${r.round}/${r.outcome}/${r.decidedById}`)).toEqual([
      `${h.newAccountRequestId}/0/approver/APPROVED/E100`,
      `${h.newAccountRequestId}/1/approver/APPROVED/E500`,
      `${h.postingRequestId}/0/approver/APPROVED/E100`,
    ]);
    expect(ids('preserved-posts.csv', 'recordId')).toEqual([h.records.post.recordId]);
    expect(ids('edits.csv', 'recordId')).toEqual([h.records.edit.recordId]);
    expect(ids('moderation.csv', 'recordId')).toEqual([h.records.moderation.recordId]);
    expect(
      csv(text('grants.csv'))
        .map((g) => `${g.personId}/${g.role}/${g.status}/${g.revokedBySourceId}`)
        .sort(),
    ).toEqual([`${h.leaverId}/ADMIN/REVOKED/${h.offboardingId}`, `${h.stayerId}/ADMIN/ACTIVE/`, 'E103/POSTER/ACTIVE/'].sort());
    expect(csv(text('offboarding-tasks.csv')).map((t) => `${t.offboardingId}/${t.kind}/${t.status}/${t.doneById}`)).toEqual([
      `${h.offboardingId}/ROTATE/DONE/${h.stayerId}`,
    ]);
    // Formula neutralised in the CSV, unchanged in the JSON.
    expect(csv(text('moderation.csv'))[0]?.content).toBe("'=cmd|profanity");
    expect((JSON.parse(text('export.json')) as { moderation: { content: string }[] }).moderation[0]?.content).toBe('=cmd|profanity');

    const everything = Object.values(files)
      .map((b) => decoder.decode(b))
      .join('\n');
    for (const absent of [h.other.accountId, h.other.requestId, ...h.other.recordIds, h.records.oldEdit.recordId, h.platforms.outOfRange])
      expect(everything).not.toContain(absent);
  });

  it('lists DTI’s platform changes of the range in platform-changes.csv: what changed before → after, who, when, why retired', async () => {
    const { text, doc } = await download('E600', { accountId: history.accountId, ...range });
    const rows = csv(text('platform-changes.csv'));
    expect(rows.map((r) => `${r.platformId}/${r.version}/${r.change}/${r.changedById}/${r.changedByName}`)).toEqual([
      'exportgram/1/ADDED/E400/Samuel Ortiz',
      'exportgram/2/EDITED/E401/Julia Vigil',
      'exportgram/3/RETIRED/E400/Samuel Ortiz',
    ]);
    expect(rows[1]).toMatchObject({
      platformName: 'Exportgram',
      changedFields: 'usageAgreement.reviewedOn',
      whatChanged: `Usage agreement reviewed by DTI on: ${denverDaysFromNow(-10)} → ${denverDaysFromNow(-1)}`,
      retirementReason: '',
    });
    expect(rows[2]).toMatchObject({ whatChanged: 'Status: APPROVED → RETIRED', retirementReason: 'Offering ended, terms withdrawn.' });
    expect(rows[0]?.whatChanged).toContain('Site: (none) → https://www.exportgram.example');
    expect(doc.platformChanges?.[2]).toMatchObject({ change: 'RETIRED', whatChanged: ['Status: APPROVED → RETIRED'] });
  });

  it('lists in the manifest each file’s rows and SHA-256, which match the files, and each record’s checksum', async () => {
    const h = history;
    const { files, manifest, doc, text } = await download('E600', { accountId: h.accountId, ...range });
    expect(manifest).toMatchObject({ scope: { kind: 'account', accountId: h.accountId }, range: { ...range, timeZone: 'America/Denver' } });
    expect(manifest.generatedBy).toEqual({ id: 'E600', name: 'Teresa Padilla' });
    expect(manifest.notes.csv).toMatch(/apostrophe/);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['export.json', ...csvFiles].sort());
    for (const f of manifest.files) {
      expect(f.sha256, f.name).toBe(sha256(files[f.name]));
      expect(f.bytes, f.name).toBe(files[f.name]?.byteLength);
    }
    for (const name of csvFiles) {
      const listed = manifest.files.find((f) => f.name === name);
      const rows = csv(text(name)).length;
      expect(listed?.rows, name).toBe(rows);
      expect(doc[jsonKey[name] as string]?.length, name).toBe(rows);
      expect(manifest.counts[jsonKey[name] as keyof Manifest['counts']], name).toBe(rows);
    }
    expect(manifest.records).toEqual(
      expect.arrayContaining(
        [h.records.post, h.records.edit, h.records.moderation].map((r) => expect.objectContaining({ recordId: r.recordId, sha256: r.sha256, intact: true })),
      ),
    );
    expect(manifest.records).toHaveLength(3);
  });

  it('puts no password, link secret, link id, sealed token or vault version in any byte of the download', async () => {
    const { zip, files } = await download('E600', { accountId: history.accountId, ...range });
    const secrets = await secretsMade();
    // The controls: the history did make links, sealed tokens and the password.
    expect(secrets.length).toBeGreaterThan(8);
    const texts = [Buffer.from(zip).toString('latin1'), ...Object.values(files).map((b) => decoder.decode(b))];
    for (const secret of secrets) for (const t of texts) expect(t.includes(secret), `secret ${secret.slice(0, 4)}… in the export`).toBe(false);
  });

  it('gives DTI a department’s export with every account of that department and no other', async () => {
    const h = history;
    const parks = await download('E400', { department: 'PRD', ...range });
    expect(parks.res.headers.get('content-disposition')).toBe(`attachment; filename="records-PRD-${range.from}-${range.to}.zip"`);
    expect(parks.manifest.accounts.map((a) => a.accountId)).toEqual([h.accountId]);
    expect(parks.manifest.counts).toMatchObject({
      requests: 2,
      decisions: 3,
      preservedPosts: 1,
      edits: 1,
      moderation: 1,
      grants: 3,
      offboardingTasks: 1,
      platformChanges: 3,
      reviews: 0,
    });
    const library = await download('E400', { department: 'lib', ...range });
    expect(library.manifest.accounts.map((a) => a.accountId)).toEqual([h.other.accountId]);
    // The platforms list is City-wide: every department's export carries its changes.
    expect(library.manifest.counts.platformChanges).toBe(3);
    expect([...csv(library.text('edits.csv')), ...csv(library.text('moderation.csv'))].map((r) => r.recordId).sort()).toEqual([...h.other.recordIds].sort());
    // The Clerk's designee may export too.
    expect((await as(stack, 'E601').get(query({ department: 'PRD', ...range }))).status).toBe(200);
  });

  it('refuses with 403 anyone but DTI and the City Clerk’s contact, saying who may', async () => {
    for (const viewer of ['E102', 'E100']) {
      const res = await as(stack, viewer).get(query({ accountId: history.accountId, ...range }));
      expect(res.status, viewer).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/DTI staff, the City Clerk’s records contact or their designee/);
    }
  });

  it('answers 400 with what to fix for a bad scope or range', async () => {
    const a = history.accountId;
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ accountId: a, from: '2026-03-02', to: '2026-03-01' }, { to: 'the last day (2026-03-01) is before the first day (2026-03-02)' }],
      [{ accountId: a, from: '2010-01-01', to: '2026-01-01' }, { to: 'an export covers at most 10 years; make two exports for a longer period' }],
      [{ accountId: a, from: '2026-02-30', to: '2026-03-01' }, { from: 'the first day is not a calendar date' }],
      [{ accountId: a, to: '2026-03-01' }, { from: 'give the first day as YYYY-MM-DD' }],
      [{ accountId: a, department: 'PRD', ...range }, { scope: 'choose one account or one department, not both' }],
    ];
    for (const [params, fields] of cases) {
      const res = await as(stack, 'E600').get(query(params));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual(fields);
    }
    // A browser gets the form again, with the message beside the field.
    const page = await fetch(`${stack.baseUrl}${query({ accountId: a, from: '2026-03-02', to: '2026-03-01' })}`, {
      headers: { cookie: 'dev_user=E600', accept: 'text/html' },
    });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('the last day (2026-03-01) is before the first day (2026-03-02)');
    expect((await as(stack, 'E600').get(query({ accountId: 'acct-nothing-here', ...range }))).status).toBe(404);
  });

  it('shows the form without a scope: the registry’s accounts and the last 12 months', async () => {
    const json = (await (await as(stack, 'E600').get('/records/export')).json()) as { defaults: { from: string; to: string } };
    expect(json.defaults.to).toBe(denverToday());
    const page = await fetch(`${stack.baseUrl}/records/export`, { headers: { cookie: 'dev_user=E600', accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<option value="${history.accountId}"`);
    expect(html).toContain(`name="to" value="${denverToday()}"`);
  });
});
