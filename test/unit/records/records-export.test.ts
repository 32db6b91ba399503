import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Approval } from '#core/approval';
import { ForbiddenError, InvalidInputError } from '#core/errors';
import { exportFormPage } from '#records/export-page';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { OffboardingTask } from '#offboarding/offboarding';
import { type GovernanceRecord, makeRecord } from '#core/records';
import {
  type AccountHistory,
  assertDownloadable,
  buildRecordsExport,
  type ExportInput,
  ExportTooLargeError,
  type Manifest,
  maxDownloadBase64Bytes,
  zipExport,
} from '#records/export';
import { csvCell, toCsv } from '#records/export-writers';
import type { Grant } from '#core/registry';
import type { PlatformChange } from '#core/platform';
import { account, accountId, accountRequest, approval, grant, paRequestId, person, postingAuthorityRequest, requestId, roleHolders } from '../fixtures.ts';
import { viewerFor } from '#site/navigation';
import { assertMayExport, canExportRecords } from '#records/export-access';
import { defaultRange, parseExportQuery, rangeInstants } from '#records/export-query';
import { sheets } from '#records/export-sheets';

/** RFC 4180, as a reader of the export would parse it (csv-parse, strict): quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  expect(text.endsWith('\r\n')).toBe(true);
  return parse(text, { bom: true, record_delimiter: '\r\n' }) as string[][];
}

/** Data rows as objects keyed by the header. */
const text = (bytes: Uint8Array | undefined) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

function csvObjects(bytes: Uint8Array | undefined): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text(bytes));
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Markers planted in stored-looking objects: none may reach any file.
const planted = {
  secretHash: 'PLANTED-secret-hash-5f1e',
  sealedToken: 'PLANTED-sealed-token-9a2c',
  approvalId: 'PLANTEDapprovalId0001',
  versionId: 'PLANTED-vault-version-77b0',
  password: 'PLANTED-Password-Tr0ub4dor',
  taskToken: 'PLANTED-task-token-3c4d',
};

const march = { from: '2025-03-01', to: '2025-03-31' };
// 2025-03-01 00:00 MST is 07:00Z; daylight time from 9 March, so 2025-03-31 ends at 2025-04-01T05:59:59.999Z.
const inRange = '2025-03-15T18:00:00.000Z';
const beforeRange = '2025-03-01T06:59:59.999Z';
const afterRange = '2025-04-01T06:00:00.000Z';

function record(kind: GovernanceRecord['kind'], recordedAt: string, extra: Record<string, unknown> = {}): GovernanceRecord {
  const base = {
    kind,
    accountId,
    accountLabel: 'Instagram @ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    recordedAt,
    recordedById: 'E102',
    recordedByName: 'Ana Gallegos',
  };
  const payload =
    kind === 'PRESERVED_POST'
      ? {
          preserved: {
            requestId: 'pr-20250315-0123456789abcdef',
            postRef: 'https://instagram.example/p/1',
            action: 'DELETE' as const,
            content: {
              text: '=HYPERLINK("http://evil.example","click")',
              author: 'ABQ Parks',
              publishedAt: '2025-03-14',
              mediaLinks: ['https://a.example/1.jpg'],
            },
          },
        }
      : kind === 'POST_EDIT'
        ? { edit: { postRef: 'https://instagram.example/p/2', before: 'Pool opens at 9, "sharp"', after: 'Pool opens at 10,\nnot 9', why: 'Wrong time' } }
        : {
            moderation: {
              category: 'c',
              categoryLabel: 'Profane language or content',
              location: 'https://instagram.example/p/3#c1',
              content: '@everyone +1 -2',
              author: 'Someone',
              justification: 'K.c',
            },
          };
  return { ...makeRecord({ ...base, ...payload }, new Date(recordedAt)), ...extra } as GovernanceRecord;
}

function task(overrides: Partial<OffboardingTask> = {}): OffboardingTask {
  return {
    offboardingId: 'off-E102-20250320',
    accountId,
    kind: 'ROTATE',
    accountLabel: 'Instagram @ABQParks',
    departmentName: 'Parks and Recreation',
    employeeName: 'Ana Gallegos',
    status: 'DONE',
    round: 0,
    remindersSent: 0,
    lastSweep: 0,
    recipients: [{ id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' }],
    escalateTo: { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example' },
    versionId: planted.versionId,
    createdAt: '2025-03-20T07:00:05.000Z',
    reveals: [{ personId: 'E103', name: 'Tom Sandoval', at: '2025-03-20T15:00:00.000Z' }],
    doneAt: '2025-03-20T15:05:00.000Z',
    doneById: 'E103',
    doneByName: 'Tom Sandoval',
    ...overrides,
  };
}

/** A March of history on the Parks account, each kind with something in the range and something outside it, every item carrying planted secrets. */
function history(): { history: AccountHistory; records: Record<string, GovernanceRecord> } {
  const secrets = { secretHash: planted.secretHash, sealedToken: planted.sealedToken, password: planted.password, taskToken: planted.taskToken };
  const decided = (at: string, by = 'E100', name = 'Dolores Baca') => ({
    outcome: 'APPROVED' as const,
    decidedAt: at,
    decidedById: by,
    decidedByName: name,
    approvalId: planted.approvalId,
  });
  const newAccount = {
    ...accountRequest({ status: 'APPROVED', closedAt: '2025-03-02T16:00:00.000Z', accountId }),
    ...secrets,
    'mail:outcome-dti': { claimedAt: 'x', attempts: 1, sentAt: 'x', messageId: 'ses-message-7f3a' },
  };
  const posting = { ...postingAuthorityRequest({ status: 'APPROVED', createdAt: inRange, closedAt: '2025-03-16T16:00:00.000Z' }), ...secrets };
  const oldPosting = postingAuthorityRequest({ requestId: 'pa-20250201-aaaaaaaaaaaaaaaa', createdAt: '2025-02-01T16:00:00.000Z' });
  const removal = {
    requestId: 'pr-20250315-0123456789abcdef',
    kind: 'POST_REMOVAL',
    status: 'PENDING',
    requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    postRef: 'https://instagram.example/p/1',
    action: 'DELETE',
    reason: 'Wrong date in the post',
    steps: [],
    createdAt: inRange,
    ...secrets,
  } as unknown as GovernanceRequest;
  const approvals: Approval[] = [
    {
      ...approval({
        decision: decided('2025-03-01T18:00:00.000Z'),
        approvalId: planted.approvalId,
        sealedToken: planted.sealedToken,
        secretHash: planted.secretHash,
      }),
    },
    approval({
      step: 1,
      role: 'Communications Director',
      approverId: 'E500',
      approverName: 'Elena Martinez',
      approvalId: `${planted.approvalId}2`,
      sealedToken: planted.sealedToken,
      remindersSent: 1,
      lastRemindedAt: '2025-03-01T20:00:00.000Z',
      supersededAt: '2025-03-01T22:00:00.000Z',
      supersededByName: 'Felipe Romero',
    }),
    approval({
      step: 1,
      round: 1,
      role: 'Communications Director',
      approverId: 'E501',
      approverName: 'Felipe Romero',
      approvalId: `${planted.approvalId}3`,
      createdAt: '2025-03-01T22:00:00.000Z',
      decision: decided('2025-03-02T16:00:00.000Z', 'E501', 'Felipe Romero'),
    }),
    approval({ requestId: paRequestId, approvalId: `${planted.approvalId}4`, createdAt: inRange, decision: decided('2025-03-16T16:00:00.000Z') }),
    // Asked in February, decided in February: outside.
    approval({
      requestId: 'pa-20250201-aaaaaaaaaaaaaaaa',
      approvalId: `${planted.approvalId}5`,
      createdAt: '2025-02-01T16:00:05.000Z',
      decision: decided('2025-02-02T16:00:00.000Z'),
    }),
  ];
  const records = {
    post: record('PRESERVED_POST', inRange, secrets),
    edit: record('POST_EDIT', '2025-03-01T07:00:00.000Z', secrets),
    mod: record('MODERATION', '2025-04-01T05:59:59.999Z', { ...secrets, retention: { schedule: 'PRESS_RELEASE', label: 'Press', retainUntil: '2035-03-31' } }),
    before: record('POST_EDIT', beforeRange),
    after: record('MODERATION', afterRange),
  };
  const grants: Grant[] = [
    {
      ...grant(),
      status: 'REVOKED',
      revokedAt: '2025-03-20T07:00:05.000Z',
      revokedReason: 'separated',
      revokedBySourceId: 'off-E102-20250320',
      ...secrets,
    } as Grant,
    grant({ personId: 'E103', personName: 'Tom Sandoval', sourceRequestId: paRequestId, authorizedAt: '2025-03-16T16:00:00.000Z' }),
    // Authorized and never revoked before the range: outside.
    grant({ personId: 'E101', personName: 'Marcus Chavez', authorizedAt: '2024-12-01T16:00:00.000Z', sourceRequestId: 'pa-20241201-bbbbbbbbbbbbbbbb' }),
  ];
  return {
    history: {
      account: account(),
      requests: [newAccount, posting, oldPosting, removal] as GovernanceRequest[],
      approvals,
      records: Object.values(records),
      grants,
      offboardingTasks: [
        { ...task(), ...secrets },
        task({ kind: 'APPOINT', offboardingId: 'off-E102-20240101', createdAt: '2024-01-01T07:00:00.000Z', doneAt: '2024-01-02T07:00:00.000Z' }),
      ],
    },
    records,
  };
}

/** DTI's platform changes around March: an edit and a retirement in it, an addition before it and an edit after it, carrying planted secrets. */
function platformChanges(): PlatformChange[] {
  const by = { byId: 'E400', byName: 'Samuel Ortiz' };
  return [
    {
      platformId: 'nextdoor',
      platformName: 'Nextdoor',
      version: 3,
      kind: 'RETIRED',
      at: '2025-03-20T16:00:00.000Z',
      ...by,
      changes: [{ field: 'status', label: 'Status', before: 'APPROVED', after: 'RETIRED' }],
      reason: 'The agency terms expired; no City use since 2024.',
      ...({ secretHash: planted.secretHash } as object),
    },
    {
      platformId: 'nextdoor',
      platformName: 'Nextdoor',
      version: 2,
      kind: 'EDITED',
      at: inRange,
      byId: 'E401',
      byName: 'Julia Vigil',
      changes: [
        { field: 'usageAgreement.reviewedOn', label: 'Usage agreement reviewed by DTI on', before: '2024-08-25', after: '2025-03-15' },
        { field: 'documents.brandingStandards.url', label: 'Branding standards address', before: null, after: 'https://dti.cabq.example/sm/nextdoor/branding' },
      ],
    },
    {
      platformId: 'threads',
      platformName: 'Threads',
      version: 1,
      kind: 'ADDED',
      at: beforeRange,
      ...by,
      changes: [{ field: 'name', label: 'Name', before: null, after: 'Threads' }],
    },
    {
      platformId: 'threads',
      platformName: 'Threads',
      version: 2,
      kind: 'EDITED',
      at: afterRange,
      ...by,
      changes: [{ field: 'name', label: 'Name', before: 'Threads', after: 'Threads (Meta)' }],
    },
  ];
}

const generatedAt = new Date('2025-04-02T15:00:00.000Z');
const input = (h: AccountHistory = history().history): ExportInput => ({
  query: { scope: { kind: 'account', accountId }, ...march },
  generatedAt,
  generatedBy: { id: 'E600', name: 'Teresa Padilla' },
  histories: [h],
  platformChanges: platformChanges(),
});

describe('csvCell and toCsv (RFC 4180)', () => {
  it('refuses to write a row with a field its sheet has no column for, so the CSVs never say less than export.json', () => {
    expect(() => toCsv(['a'], [{ a: 1, removedAt: '2026-01-01' }])).toThrow(/removedAt/);
  });

  it('quotes a field with a comma, quote or line break and doubles its quotes', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(['one', 'two'])).toBe('"one\ntwo"');
  });

  it('neutralises cells a spreadsheet would run as a formula with a leading apostrophe', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\r=x')).toBe('"\'\r=x"');
    expect(csvCell('=HYPERLINK("http://e.example","x")')).toBe('"\'=HYPERLINK(""http://e.example"",""x"")"');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('2025-03-01T07:00:00.000Z')).toBe('2025-03-01T07:00:00.000Z');
  });

  it('writes a BOM, a header and CRLF rows that an RFC 4180 reader reads back', () => {
    const values = ['x,y', 'q"q', 'multi\r\nline', '', '=cmd'];
    const text = toCsv(
      ['a', 'b'],
      values.map((v) => ({ a: v, b: 'z' })),
    );
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([['a', 'b'], ...values.map((v) => [v === '=cmd' ? "'=cmd" : v, 'z'])]);
  });
});

describe('buildRecordsExport', () => {
  it('exports exactly the rows of the range, each type in its own CSV and in export.json', () => {
    const { history: h, records } = history();
    const { files, manifest } = buildRecordsExport(input(h));
    const ids = (name: string, key: string) => csvObjects(files[name]).map((r) => r[key]);
    // By when made; the February request is outside.
    expect(ids('requests.csv', 'requestId')).toEqual([requestId, paRequestId, 'pr-20250315-0123456789abcdef']);
    expect(csvObjects(files['decisions.csv']).map((r) => `${r.requestId}/${r.step}/${r.round}`)).toEqual([
      `${requestId}/0/approver`,
      `${requestId}/1/approver`,
      `${requestId}/1/escalation`,
      `${paRequestId}/0/approver`,
    ]);
    expect(ids('preserved-posts.csv', 'recordId')).toEqual([records.post?.recordId]);
    expect(ids('edits.csv', 'recordId')).toEqual([records.edit?.recordId]);
    expect(ids('moderation.csv', 'recordId')).toEqual([records.mod?.recordId]);
    expect(csvObjects(files['grants.csv']).map((r) => `${r.personId}/${r.status}`)).toEqual(['E102/REVOKED', 'E103/ACTIVE']);
    expect(csvObjects(files['offboarding-tasks.csv']).map((r) => `${r.offboardingId}/${r.kind}`)).toEqual(['off-E102-20250320/ROTATE']);
    expect(csvObjects(files['platform-changes.csv']).map((r) => `${r.platformId}/${r.version}/${r.change}`)).toEqual([
      'nextdoor/2/EDITED',
      'nextdoor/3/RETIRED',
    ]);
    expect(manifest.counts).toEqual({
      requests: 3,
      decisions: 4,
      preservedPosts: 1,
      edits: 1,
      moderation: 1,
      grants: 2,
      offboardingTasks: 1,
      platformChanges: 2,
      reviews: 0,
      departmentPolicies: 0,
    });

    const doc = JSON.parse(strFromU8(files['export.json'] ?? new Uint8Array())) as Record<string, unknown>;
    expect(doc).toMatchObject({
      scope: { kind: 'account', accountId },
      range: { ...march, timeZone: 'America/Denver' },
      generatedBy: { id: 'E600', name: 'Teresa Padilla' },
    });
    expect(doc.generatedAt).toBe(generatedAt.toISOString());
    for (const s of sheets) expect((doc[s.key] as unknown[]).length, s.key).toBe(manifest.counts[s.key]);
  });

  it('records who decided, when and after what reminders and escalation, and the decision’s reason', () => {
    const decisions = csvObjects(buildRecordsExport(input()).files['decisions.csv']);
    expect(decisions[1]).toMatchObject({
      stepTitle: 'Communications Director',
      approverName: 'Elena Martinez',
      remindersSent: '1',
      escalatedAt: '2025-03-01T22:00:00.000Z',
      escalatedTo: 'Felipe Romero',
      outcome: '',
    });
    expect(decisions[2]).toMatchObject({
      approverId: 'E501',
      outcome: 'APPROVED',
      decidedById: 'E501',
      decidedByName: 'Felipe Romero',
      decidedAt: '2025-03-02T16:00:00.000Z',
    });
  });

  it('lists each platform change of the range with what changed before → after, who, when and the retirement reason', () => {
    const { files, manifest } = buildRecordsExport(input());
    const [edited, retired] = csvObjects(files['platform-changes.csv']);
    expect(edited).toEqual({
      platformId: 'nextdoor',
      platformName: 'Nextdoor',
      version: '2',
      change: 'EDITED',
      changedFields: 'usageAgreement.reviewedOn\ndocuments.brandingStandards.url',
      whatChanged:
        'Usage agreement reviewed by DTI on: 2024-08-25 → 2025-03-15\nBranding standards address: (none) → https://dti.cabq.example/sm/nextdoor/branding',
      changedAt: inRange,
      changedById: 'E401',
      changedByName: 'Julia Vigil',
      retirementReason: '',
    });
    expect(retired).toMatchObject({
      change: 'RETIRED',
      whatChanged: 'Status: APPROVED → RETIRED',
      retirementReason: 'The agency terms expired; no City use since 2024.',
    });
    expect(manifest.files.find((f) => f.name === 'platform-changes.csv')).toMatchObject({
      rows: 2,
      description: expect.stringMatching(/^DTI’s approved-platforms list \(O.a, P\)/),
    });
    const doc = JSON.parse(strFromU8(files['export.json'] ?? new Uint8Array())) as { platformChanges: { whatChanged: string[] }[] };
    expect(doc.platformChanges[0]?.whatChanged).toEqual([
      'Usage agreement reviewed by DTI on: 2024-08-25 → 2025-03-15',
      'Branding standards address: (none) → https://dti.cabq.example/sm/nextdoor/branding',
    ]);
    // City-wide: a department's export carries the same changes.
    const department = buildRecordsExport({
      ...input(),
      query: { scope: { kind: 'department', departmentCode: 'PRD' }, ...march },
      departmentName: 'Parks and Recreation',
    });
    expect(department.manifest.counts.platformChanges).toBe(2);
    expect(buildRecordsExport({ ...input(), platformChanges: undefined }).manifest.counts.platformChanges).toBe(0);
  });

  it('keeps a grant authorized before the range but revoked in it, with its revocation', () => {
    const [revoked] = csvObjects(buildRecordsExport(input()).files['grants.csv']);
    expect(revoked).toMatchObject({
      authorizedAt: '2025-03-02T16:00:00.000Z',
      revokedAt: '2025-03-20T07:00:05.000Z',
      revokedReason: 'separated',
      revokedBySourceId: 'off-E102-20250320',
    });
  });

  it('lists every file in the manifest with its row count, size and SHA-256 as recomputed from the bytes', () => {
    const { files, manifest } = buildRecordsExport(input());
    expect(Object.keys(files).sort()).toEqual(['export.json', 'manifest.json', ...sheets.map((s) => s.file)].sort());
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      Object.keys(files)
        .filter((n) => n !== 'manifest.json')
        .sort(),
    );
    for (const f of manifest.files) {
      const bytes = files[f.name] ?? new Uint8Array();
      expect(f.sha256, f.name).toBe(sha256(bytes));
      expect(f.bytes, f.name).toBe(bytes.byteLength);
      if (f.name !== 'export.json') expect(f.rows, f.name).toBe(csvObjects(bytes).length);
    }
    expect(manifest.files.find((f) => f.name === 'export.json')?.rows).toBe(Object.values(manifest.counts).reduce((a, b) => a + b, 0));
    const written = JSON.parse(strFromU8(files['manifest.json'] ?? new Uint8Array())) as Manifest;
    expect(written).toEqual(manifest);
    expect(written.notes.csv).toMatch(/apostrophe/);
  });

  it('gives each record its content checksum and whether it is still intact', () => {
    const { history: h, records } = history();
    const tampered = { ...records.edit, edit: { ...records.edit?.edit, after: 'changed later' } } as GovernanceRecord;
    const { manifest, files } = buildRecordsExport(
      input({ ...h, records: [records.post, tampered, records.mod].filter((r): r is GovernanceRecord => Boolean(r)) }),
    );
    expect(manifest.records).toEqual(
      expect.arrayContaining([
        { recordId: records.post?.recordId, kind: 'PRESERVED_POST', file: 'preserved-posts.csv', sha256: records.post?.sha256, intact: true },
        { recordId: tampered.recordId, kind: 'POST_EDIT', file: 'edits.csv', sha256: tampered.sha256, intact: false },
        { recordId: records.mod?.recordId, kind: 'MODERATION', file: 'moderation.csv', sha256: records.mod?.sha256, intact: true },
      ]),
    );
    expect(csvObjects(files['edits.csv'])[0]).toMatchObject({ sha256: tampered.sha256, intact: 'false' });
  });

  it('neutralises formulas in the CSV and keeps the value unchanged in export.json', () => {
    const { files } = buildRecordsExport(input());
    expect(csvObjects(files['preserved-posts.csv'])[0]?.text).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(csvObjects(files['moderation.csv'])[0]?.content).toBe("'@everyone +1 -2");
    expect(csvObjects(files['edits.csv'])[0]).toMatchObject({ before: 'Pool opens at 9, "sharp"', after: 'Pool opens at 10,\nnot 9' });
    const doc = JSON.parse(strFromU8(files['export.json'] ?? new Uint8Array())) as { preservedPosts: { text: string }[] };
    expect(doc.preservedPosts[0]?.text).toBe('=HYPERLINK("http://evil.example","click")');
  });

  it('copies no stored secret into any file, even when the items read carry them', () => {
    const { files } = buildRecordsExport(input());
    const all = Object.entries(files).map(([name, bytes]) => [name, text(bytes)] as const);
    for (const [name, text] of all) {
      for (const [field, marker] of Object.entries(planted)) expect(text.includes(marker), `${field} in ${name}`).toBe(false);
      for (const field of ['secretHash', 'sealedToken', 'approvalId', 'versionId', 'password', 'taskToken', 'mail:', 'ses-message-7f3a']) {
        const named = name.endsWith('.csv') ? (parseCsv(text)[0] ?? []).includes(field) : text.includes(`"${field}"`);
        expect(named, `field ${field} in ${name}`).toBe(false);
      }
    }
  });

  it('exports only the plain fields of a request kind it does not know', () => {
    const [, , removal] = csvObjects(buildRecordsExport(input()).files['requests.csv']);
    expect(removal).toMatchObject({ kind: 'POST_REMOVAL', postRef: 'https://instagram.example/p/1', action: 'DELETE', reason: 'Wrong date in the post' });
  });

  it('names a department export after the department and lists each of its accounts', () => {
    const other = {
      ...history().history,
      account: account({ accountId: 'acct-other', handle: '@ABQPools' }),
      requests: [],
      approvals: [],
      records: [],
      grants: [],
      offboardingTasks: [],
    };
    const built = buildRecordsExport({
      ...input(),
      query: { scope: { kind: 'department', departmentCode: 'PRD' }, ...march },
      departmentName: 'Parks and Recreation',
      histories: [history().history, other],
    });
    expect(built.fileName).toBe('records-PRD-2025-03-01-2025-03-31.zip');
    expect(built.manifest.scope).toEqual({ kind: 'department', departmentCode: 'PRD', departmentName: 'Parks and Recreation' });
    expect(built.manifest.accounts.map((a) => a.account)).toEqual(['Instagram @ABQParks', 'Instagram @ABQPools']);
  });

  it('zips the files into one archive that unzips to the same bytes', () => {
    const built = buildRecordsExport(input());
    expect(built.fileName).toBe(`records-${accountId}-2025-03-01-2025-03-31.zip`);
    const unzipped = unzipSync(zipExport(built, generatedAt));
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(built.files).sort());
    for (const [name, bytes] of Object.entries(built.files)) expect(sha256(unzipped[name] ?? new Uint8Array()), name).toBe(sha256(bytes));
  });
});

describe('parseExportQuery', () => {
  const fields = (raw: Record<string, string | undefined>) => {
    try {
      parseExportQuery(raw);
    } catch (error) {
      if (error instanceof InvalidInputError) return error.fields;
      throw error;
    }
    throw new Error('expected an InvalidInputError');
  };

  it('reads one account or one department and a range', () => {
    expect(parseExportQuery({ accountId, from: '2025-01-01', to: '2025-12-31', department: '' })).toEqual({
      scope: { kind: 'account', accountId },
      from: '2025-01-01',
      to: '2025-12-31',
    });
    expect(parseExportQuery({ department: ' prd ', from: '2025-01-01', to: '2025-01-01' }).scope).toEqual({ kind: 'department', departmentCode: 'PRD' });
  });

  it('asks for exactly one scope', () => {
    expect(fields({ accountId, department: 'PRD', from: '2025-01-01', to: '2025-01-02' })).toEqual({ scope: 'choose one account or one department, not both' });
    expect(fields({ accountId: ' ', from: '2025-01-01', to: '2025-01-02' })).toEqual({ scope: 'choose an account or a department' });
    expect(fields({ accountId: 'not an account', from: '2025-01-01', to: '2025-01-02' })).toEqual({ accountId: 'choose an account from the registry' });
  });

  it('refuses dates that are missing, malformed or not on the calendar', () => {
    expect(fields({ accountId, to: '2025-01-02' })).toEqual({ from: 'give the first day as YYYY-MM-DD' });
    expect(fields({ accountId, from: '01/02/2025', to: '2025-01-02' })).toEqual({ from: 'give the first day as YYYY-MM-DD' });
    expect(fields({ accountId, from: '2025-01-01', to: '2025-02-30' })).toEqual({ to: 'the last day is not a calendar date' });
  });

  it('refuses a range that ends before it starts or spans more than 10 years', () => {
    expect(fields({ accountId, from: '2025-03-02', to: '2025-03-01' })).toEqual({ to: 'the last day (2025-03-01) is before the first day (2025-03-02)' });
    expect(fields({ accountId, from: '2015-03-01', to: '2025-03-02' })).toEqual({
      to: 'an export covers at most 10 years; make two exports for a longer period',
    });
    expect(parseExportQuery({ accountId, from: '2015-03-01', to: '2025-03-01' }).to).toBe('2025-03-01');
  });
});

describe('range and defaults', () => {
  it('runs from 00:00 to the end of the last day in Albuquerque, across daylight saving', () => {
    expect(rangeInstants('2025-03-01', '2025-03-31')).toEqual({ fromInstant: '2025-03-01T07:00:00.000Z', toInstant: '2025-04-01T05:59:59.999Z' });
    expect(rangeInstants('2025-07-04', '2025-07-04')).toEqual({ fromInstant: '2025-07-04T06:00:00.000Z', toInstant: '2025-07-05T05:59:59.999Z' });
  });

  it('defaults the form to the last 12 months ending today in Albuquerque', () => {
    // 03:00 UTC on 2 March is still 1 March in Albuquerque.
    expect(defaultRange(new Date('2025-03-02T03:00:00.000Z'))).toEqual({ from: '2024-03-01', to: '2025-03-01' });
  });
});

describe('who may export', () => {
  it('allows DTI, the City Clerk’s records contact and designee', () => {
    for (const id of ['E400', 'E401', 'E600', 'E601']) expect(canExportRecords(person(id), roleHolders), id).toBe(true);
  });

  it('refuses anyone else with 403 saying who may', () => {
    expect(canExportRecords(person('E102'), roleHolders)).toBe(false);
    expect(canExportRecords(person('E500'), roleHolders)).toBe(false);
    expect(() => assertMayExport(person('E102'), roleHolders)).toThrow(ForbiddenError);
    expect(() => assertMayExport(person('E102'), roleHolders)).toThrow(/DTI staff, the City Clerk’s records contact or their designee/);
  });
});

describe('assertDownloadable', () => {
  const query = { scope: { kind: 'department' as const, departmentCode: 'PRD' }, ...march };
  it('answers 413 with what to narrow when the download is larger than one response carries', () => {
    expect(() => assertDownloadable(maxDownloadBase64Bytes, query)).not.toThrow();
    const error = (() => {
      try {
        assertDownloadable(maxDownloadBase64Bytes + 1, query);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ExportTooLargeError);
    expect(error).toMatchObject({ status: 413, message: expect.stringMatching(/Narrow the date range, or export one account at a time/) });
  });
});

describe('exportFormPage', () => {
  it('offers the registry’s accounts and the departments, with the values and the errors given', () => {
    const page = exportFormPage({
      viewer: viewerFor(person('E600'), roleHolders),
      accounts: [account({ handle: '@ABQ<Parks>' })],
      departments: [{ code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101' }],
      values: { accountId, from: '2025-03-01', to: '2025-02-01' },
      errors: { to: 'the last day (2025-02-01) is before the first day (2025-03-01)' },
    });
    expect(page).toContain(`<option value="${accountId}" selected>Instagram @ABQ&lt;Parks&gt; (Parks and Recreation)</option>`);
    expect(page).toContain('<option value="PRD" >Parks and Recreation</option>');
    expect(page).toContain('value="2025-03-01"');
    expect(page).toContain('aria-invalid="true" aria-describedby="to-error to-hint"');
    expect(page).toContain('<a href="#to">the last day (2025-02-01) is before the first day (2025-03-01)</a>');
    expect(page).not.toContain('style=');
    expect(page).toContain('the last day (2025-02-01) is before the first day (2025-03-01)');
  });
});
