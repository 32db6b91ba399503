import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OffboardingTask } from '#offboarding/offboarding';
import { canonicalJson, type GovernanceRecord, makeRecord, recordIntact } from '#core/records';
import { buildRecordsExport } from '#records/export';
import { toCsv } from '#records/export-writers';
import type { Account, Grant } from '#core/registry';

/**
 * The checksums records carry, and the export's file checksums, pinned as literals taken from the
 * code as it stood on 2026-12-01. A record's sha256 is written once and kept for years; an export is
 * checked against its manifest by people outside the City. If a refactor changes how content is
 * serialised or how a CSV is written, these fail: the expectations are never computed from the code
 * under test.
 */

const recordedAt = new Date('2025-03-15T18:00:00.000Z');
const head = {
  accountId: 'acct-20250301-0123456789abcdef',
  accountLabel: 'Instagram @ABQParks',
  departmentCode: 'PRD',
  departmentName: 'Parks and Recreation',
  recordedAt: recordedAt.toISOString(),
  recordedById: 'E102',
  recordedByName: 'Ana Gallegos',
};

// Keys deliberately out of order, text with quotes, commas, line breaks, accents and a formula start.
const preserved = makeRecord(
  {
    ...head,
    kind: 'PRESERVED_POST',
    preserved: {
      postRef: 'https://instagram.example/p/1',
      requestId: 'pr-20250315-0123456789abcdef',
      action: 'MERGE',
      mergeTargetRef: 'https://instagram.example/p/0',
      content: {
        text: '=HYPERLINK("http://evil.example","click")\nSee you at Tingley, señor',
        publishedAt: '2025-03-14T16:00:00.000Z',
        author: 'ABQ Parks',
        mediaLinks: ['https://a.example/1.jpg', 'https://a.example/2.jpg'],
      },
    },
  },
  recordedAt,
  'E102#form-0001',
);

const edit = makeRecord(
  {
    ...head,
    kind: 'POST_EDIT',
    edit: { why: 'Wrong time', postRef: 'https://instagram.example/p/2', before: 'Pool opens at 9, "sharp"', after: 'Pool opens at 10,\nnot 9' },
  },
  recordedAt,
  'E102#form-0002',
);

const moderation = makeRecord(
  {
    ...head,
    kind: 'MODERATION',
    moderation: {
      category: 'c',
      categoryLabel: 'Profane language or content',
      location: 'https://instagram.example/p/3#c1',
      content: '@everyone +1 -2 — ¡qué!',
      author: 'Someone',
      justification: 'K.c',
    },
  },
  recordedAt,
  'E102#form-0003',
);

describe('record checksums', () => {
  it('keeps the canonical JSON of each record kind byte for byte', () => {
    expect(canonicalJson(edit.edit)).toBe(
      '{"after":"Pool opens at 10,\\nnot 9","before":"Pool opens at 9, \\"sharp\\"","postRef":"https://instagram.example/p/2","why":"Wrong time"}',
    );
  });

  it('gives each known record the SHA-256 it has always had', () => {
    expect({ preserved: preserved.sha256, edit: edit.sha256, moderation: moderation.sha256 }).toEqual({
      preserved: '33488ff643675d8bf2334ff6eb9823f68fe45b26421e55448b6500150868f3cd',
      edit: '949194c446e053daf74609d3bdab5799847749e7ee1348f898a4e111dd44a64d',
      moderation: '5349d90eb042c114020e8235ea80d26e8011789fdbfa8a451068876f7be5a4b1',
    });
  });

  it('gives a record sent twice with the same seed the same id', () => {
    expect([preserved.recordId, edit.recordId, moderation.recordId]).toEqual([
      'rec-post-20250315-0ad3f4b4121a9edd',
      'rec-edit-20250315-04cee972a4212bc5',
      'rec-mod-20250315-6280c06b80849593',
    ]);
  });

  it('finds each known record intact, and a changed one not', () => {
    expect([preserved, edit, moderation].map(recordIntact)).toEqual([true, true, true]);
    const changed = { ...edit, edit: { ...(edit.edit as NonNullable<GovernanceRecord['edit']>), after: 'Pool opens at 11' } };
    expect(recordIntact(changed)).toBe(false);
  });
});

const account: Account = {
  accountId: head.accountId,
  platformId: 'instagram',
  platformName: 'Instagram',
  handle: '@ABQParks',
  departmentCode: 'PRD',
  departmentName: 'Parks and Recreation',
  status: 'ACTIVE',
  admins: [{ id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' }],
  sourceRequestId: 'na-20250301-0123456789abcdef',
  createdAt: '2025-03-01T16:00:00.000Z',
};

const grant: Grant = {
  accountId: head.accountId,
  personId: 'E103',
  personName: 'Tom Sandoval',
  role: 'POSTER',
  receivesCredential: true,
  authorizedById: 'E100',
  authorizedByName: 'Dolores Baca',
  authorizedAt: '2025-03-16T16:00:00.000Z',
  sourceRequestId: 'pa-20250316-0123456789abcdef',
  status: 'REVOKED',
  revokedAt: '2025-03-20T07:00:05.000Z',
  revokedReason: 'separated, "per HR"',
  revokedBySourceId: 'off-E103-20250320',
} as Grant;

const task: OffboardingTask = {
  offboardingId: 'off-E103-20250320',
  accountId: head.accountId,
  kind: 'ROTATE',
  accountLabel: 'Instagram @ABQParks',
  departmentName: 'Parks and Recreation',
  employeeName: 'Tom Sandoval',
  status: 'DONE',
  round: 1,
  remindersSent: 2,
  lastSweep: 0,
  recipients: [
    { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    { id: 'E104', name: 'Lucía Ortiz', email: 'lortiz@cabq.example' },
  ],
  escalateTo: { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example' },
  createdAt: '2025-03-20T07:00:05.000Z',
  escalatedAt: '2025-03-22T07:00:05.000Z',
  reveals: [{ personId: 'E102', name: 'Ana Gallegos', at: '2025-03-22T15:00:00.000Z' }],
  doneAt: '2025-03-22T15:05:00.000Z',
  doneById: 'E102',
  doneByName: 'Ana Gallegos',
};

describe('records export file checksums', () => {
  const built = buildRecordsExport({
    query: { scope: { kind: 'account', accountId: head.accountId }, from: '2025-03-01', to: '2025-03-31' },
    generatedAt: new Date('2025-04-02T15:00:00.000Z'),
    generatedBy: { id: 'E600', name: 'Teresa Padilla' },
    histories: [{ account, requests: [], approvals: [], records: [moderation, edit, preserved], grants: [grant], offboardingTasks: [task] }],
  });

  it('writes each file with the SHA-256 it has always had, and lists that in the manifest', () => {
    const listed = Object.fromEntries(built.manifest.files.map((f) => [f.name, f.sha256]));
    expect(listed).toEqual({
      // export.json gained the platform changes, the annual reviews and the departmental policies (empty here); the
      // other files are as they were, but requests.csv, which gained the columns of the new kinds (issue 12).
      'export.json': '7a3a37a15865281dd0332dbad1d399efe9d9e2eaac8eb504bcb34abf1a45ed02',
      // Header only (no request in this export); the same digest as `printf '\xEF\xBB\xBF<the columns>\r\n' | sha256sum`.
      'requests.csv': '0348db517b8a4d6f6b9b4f7b262f2deba2e087c64a9077792663d06f9cd4f89c',
      'decisions.csv': '00bb1d0a3f4cd2620592e79079a11860980d5e298b0f0abeeffa6780ce14ed20',
      'preserved-posts.csv': 'aa6b28058d5da50141bbbc0c046d15fbf4c865a2000b6acbcb9c7be86de2303c',
      'edits.csv': 'bd2704eda577a6bef9b7d2abb48fa5217f95e9e2eed4a275a867fc7511df545a',
      'moderation.csv': '2e5b88a984b81ef4a6771e617f77d7df2b9556dfa695bd4f9bff7f0839b4d7e3',
      'grants.csv': 'f89f0f2afe3caf9563c000bc1510669765dc018fa5ff0880938995ffb2076bac',
      'offboarding-tasks.csv': 'c763eb51a840b74b05cd76ebb919773a281cbf563eb09b639f4c3707097263a7',
      // Header only: no platform change and no review in this export.
      'platform-changes.csv': 'ebdded707073766cfa6a04231f51cd9854b7dc2d55c3778cac106b6c68736430',
      'reviews.csv': '7d87893dd070a4a8aa9f0f5b7654db3f0bc90d543ea1b68f437ff6419e2710a3',
      // Header only, checked the same way with sha256sum.
      'department-policies.csv': '069565ff3b9cfb527fdda6e5db0bf536bef0382b5677b76e973d56fcc4b92bbe',
    });
    for (const f of built.manifest.files)
      expect(
        createHash('sha256')
          .update(built.files[f.name] ?? '')
          .digest('hex'),
      ).toBe(f.sha256);
  });

  it('writes CSV bytes exactly as before: BOM, CRLF rows, RFC 4180 quoting, formula neutralising', () => {
    expect(
      toCsv(
        ['text', 'list', 'flag', 'count', 'none'],
        [
          { text: 'plain', list: ['one', 'two'], flag: true, count: 3, none: null },
          { text: 'a,b "q"', list: [], flag: false, count: 0, none: null },
          { text: '=1+1', list: ['-x'], flag: false, count: -1, none: null },
          { text: '\r=x', list: ['@a', 'b,c'], flag: true, count: 1.5, none: null },
          { text: 'line\r\nbreak', list: ['\tz'], flag: true, count: 0, none: null },
          { text: '', list: [''], flag: true, count: 0, none: null },
          { text: 'señor ¡qué!', list: ['a'], flag: true, count: 0, none: null },
        ],
      ),
    ).toBe(
      '\uFEFFtext,list,flag,count,none\r\n' +
        'plain,"one\ntwo",true,3,\r\n' +
        '"a,b ""q""",,false,0,\r\n' +
        "'=1+1,'-x,false,'-1,\r\n" +
        '"\'\r=x","\'@a\nb,c",true,1.5,\r\n' +
        '"line\r\nbreak",\'\tz,true,0,\r\n' +
        ',,true,0,\r\n' +
        'señor ¡qué!,a,true,0,\r\n',
    );
  });
});
