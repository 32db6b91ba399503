import { strToU8, zipSync } from 'fflate';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { Approval } from '#core/approval';
import { GovernanceError } from '#core/errors';
import type { Person } from '#core/policy';
import { type GovernanceRecord, recordIntact, sha256Hex } from '#core/records';
import type { Account, Grant } from '#core/registry';
import type { OffboardingTask } from '#offboarding/offboarding';
import { type ExportQuery, rangeInstants } from '#records/export-query';
import {
  decisionRow,
  departmentPolicyRow,
  grantRow,
  label,
  platformChangeRow,
  recordRow,
  requestRow,
  reviewRow,
  type SheetKey,
  taskRow,
} from '#records/export-rows';
import type { DepartmentPage } from '#annual-review/review';
import type { DepartmentPolicyRecord } from '#department-policy/department-policy';
import type { PlatformChange } from '#core/platform';
import { sheets } from '#records/export-sheets';
import { csvNote, type Row, toCsv } from '#records/export-writers';

/**
 * Records export (H, I): everything the City holds about one account, or every account of one
 * department, over a date range, for a records request. Pure: the handler reads, this builds.
 * Who may export is export-access.ts, what is asked export-query.ts, the sheets export-sheets.ts,
 * the rows export-rows.ts (from allow-lists: no secret reaches a file), the CSV text export-writers.ts.
 */

// What is exported ------------------------------------------------------------------------------

/** What was read about one account. Stored items may carry more than their types say: only named fields are copied. */
export interface AccountHistory {
  account: Account;
  /** The request that created the account and the requests filed under it (posting authority, post removal). */
  requests: GovernanceRequest[];
  /** Every approval of those requests. */
  approvals: Approval[];
  records: GovernanceRecord[];
  /** Every grant on the account, active and revoked. */
  grants: Grant[];
  offboardingTasks: OffboardingTask[];
}

export interface ExportInput {
  query: ExportQuery;
  /** The department's name, for a department export. */
  departmentName?: string;
  generatedAt: Date;
  generatedBy: Pick<Person, 'id' | 'name'>;
  histories: AccountHistory[];
  /**
   * Changes to DTI's platforms list (O.a, P) made in the range. The list is City-wide, so an
   * account's or a department's export carries every change of the range, not only its platform's.
   */
  platformChanges?: PlatformChange[];
  /** The annual review pages of the scope's department(s); an account export keeps only that account's lines. */
  reviewPages?: DepartmentPage[];
  /**
   * A department export: its requests not about an existing account (new accounts, platform
   * proposals, its own policies), approved or not, with their approvals; and its approved policies (R).
   */
  department?: { requests: GovernanceRequest[]; approvals: Approval[]; policies: DepartmentPolicyRecord[] };
}

// Files -----------------------------------------------------------------------------------------

export interface ManifestFile {
  name: string;
  description: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  title: string;
  scope: { kind: 'account'; accountId: string } | { kind: 'department'; departmentCode: string; departmentName: string | null };
  range: { from: string; to: string; timeZone: 'America/Denver'; fromInstant: string; toInstant: string };
  generatedAt: string;
  generatedBy: { id: string; name: string };
  accounts: { accountId: string; account: string; departmentName: string }[];
  counts: Record<SheetKey, number>;
  files: ManifestFile[];
  records: { recordId: string; kind: string; file: string; sha256: string; intact: boolean }[];
  notes: { checksums: string; csv: string; excluded: string };
}

export interface BuiltExport {
  fileName: string;
  files: Record<string, Uint8Array>;
  manifest: Manifest;
}

const byTime = (key: string) => (a: Row, b: Row) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''));

/** The export's files: export.json, one CSV per record type, and manifest.json listing each with its rows and SHA-256. */
export function buildRecordsExport(input: ExportInput): BuiltExport {
  const { query } = input;
  const { fromInstant, toInstant } = rangeInstants(query.from, query.to);
  const [start, end] = [Date.parse(fromInstant), Date.parse(toInstant)];
  const within = (iso: string | null | undefined) => {
    const t = iso ? Date.parse(iso) : Number.NaN;
    return t >= start && t <= end;
  };

  const rows: Record<SheetKey, Row[]> = {
    requests: [],
    decisions: [],
    preservedPosts: [],
    edits: [],
    moderation: [],
    grants: [],
    offboardingTasks: [],
    platformChanges: [],
    reviews: [],
    departmentPolicies: [],
  };
  const recordEntries: Manifest['records'] = [];
  const seen = new Set<string>();
  // A department's accounts are read one by one: an item read twice is exported once.
  const once = (id: string) => {
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };

  for (const { account, ...h } of input.histories) {
    const requests = new Map(h.requests.map((r) => [r.requestId, r]));
    for (const r of requests.values()) if (within(r.createdAt) && once(`req#${r.requestId}`)) rows.requests.push(requestRow(r, account));
    for (const a of h.approvals) {
      if ((within(a.createdAt) || within(a.decision?.decidedAt)) && once(`appr#${a.requestId}#${a.step}#${a.round}`)) {
        rows.decisions.push(decisionRow(a, requests.get(a.requestId)));
      }
    }
    for (const r of h.records) {
      const made = within(r.recordedAt) && once(`rec#${r.recordId}`) ? recordRow(r, account) : undefined;
      if (!made) continue;
      rows[made.sheet].push(made.row);
      const file = sheets.find((s) => s.key === made.sheet)?.file ?? '';
      recordEntries.push({ recordId: r.recordId, kind: r.kind, file, sha256: r.sha256, intact: recordIntact(r) });
    }
    for (const g of h.grants) {
      if ((within(g.authorizedAt) || within(g.revokedAt)) && once(`grant#${g.accountId}#${g.personId}#${g.sourceRequestId}`))
        rows.grants.push(grantRow(g, account));
    }
    for (const t of h.offboardingTasks) {
      if ((within(t.createdAt) || within(t.doneAt)) && once(`task#${t.offboardingId}#${t.accountId}#${t.kind}`))
        rows.offboardingTasks.push(taskRow(t, account));
    }
  }
  if (input.department) {
    const requests = new Map(input.department.requests.map((r) => [r.requestId, r]));
    for (const r of requests.values()) if (within(r.createdAt) && once(`req#${r.requestId}`)) rows.requests.push(requestRow(r, undefined));
    for (const a of input.department.approvals) {
      if ((within(a.createdAt) || within(a.decision?.decidedAt)) && once(`appr#${a.requestId}#${a.step}#${a.round}`)) {
        rows.decisions.push(decisionRow(a, requests.get(a.requestId)));
      }
    }
    for (const p of input.department.policies) {
      if (!within(p.recordedAt) || !once(`rec#${p.recordId}`)) continue;
      const row = departmentPolicyRow(p);
      rows.departmentPolicies.push(row);
      recordEntries.push({ recordId: p.recordId, kind: 'DEPARTMENT_POLICY', file: 'department-policies.csv', sha256: p.sha256, intact: row.intact === true });
    }
  }
  for (const c of input.platformChanges ?? [])
    if (within(c.at) && once(`platform#${c.platformId}#${c.version}`)) rows.platformChanges.push(platformChangeRow(c));
  const inScope = new Set(input.histories.map((h) => h.account.accountId));
  for (const page of input.reviewPages ?? []) {
    if (!within(page.createdAt) && !within(page.submittedAt) && !within(page.notAttestedAt)) continue;
    for (const line of page.accounts)
      if (inScope.has(line.accountId) && once(`review#${page.reviewId}#${line.accountId}`)) rows.reviews.push(reviewRow(page, line));
  }
  rows.requests.sort(byTime('createdAt'));
  rows.decisions.sort((a, b) => String(a.requestId).localeCompare(String(b.requestId)) || Number(a.step) - Number(b.step) || byTime('askedAt')(a, b));
  for (const key of ['preservedPosts', 'edits', 'moderation', 'departmentPolicies'] as const) rows[key].sort(byTime('recordedAt'));
  rows.grants.sort(byTime('authorizedAt'));
  rows.offboardingTasks.sort(byTime('createdAt'));
  rows.platformChanges.sort(
    (a, b) => byTime('changedAt')(a, b) || String(a.platformId).localeCompare(String(b.platformId)) || Number(a.version) - Number(b.version),
  );
  recordEntries.sort((a, b) => a.recordId.localeCompare(b.recordId));

  const scope: Manifest['scope'] =
    query.scope.kind === 'account'
      ? { kind: 'account', accountId: query.scope.accountId }
      : { kind: 'department', departmentCode: query.scope.departmentCode, departmentName: input.departmentName ?? null };
  const head = {
    title: 'City of Albuquerque social media records export (AI 1-19, rules H and I)',
    scope,
    range: { from: query.from, to: query.to, timeZone: 'America/Denver' as const, fromInstant, toInstant },
    generatedAt: input.generatedAt.toISOString(),
    generatedBy: { id: input.generatedBy.id, name: input.generatedBy.name },
    accounts: input.histories.map(({ account }) => ({ accountId: account.accountId, account: label(account), departmentName: account.departmentName })),
  };
  const counts = Object.fromEntries(sheets.map((s) => [s.key, rows[s.key].length])) as Record<SheetKey, number>;

  const files: Record<string, Uint8Array> = {};
  const listed: ManifestFile[] = [];
  const add = (name: string, description: string, rowCount: number, text: string) => {
    const bytes = strToU8(text);
    files[name] = bytes;
    listed.push({ name, description, rows: rowCount, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  };
  add(
    'export.json',
    'Everything below in one JSON document, values unchanged',
    sheets.reduce((n, s) => n + counts[s.key], 0),
    `${JSON.stringify({ ...head, ...Object.fromEntries(sheets.map((s) => [s.key, rows[s.key]])) }, null, 2)}\n`,
  );
  for (const s of sheets) add(s.file, s.description, counts[s.key], toCsv(s.columns, rows[s.key]));

  const manifest: Manifest = {
    ...head,
    counts,
    files: listed,
    records: recordEntries,
    notes: {
      checksums:
        'Each file’s sha256 is the SHA-256 of its exact bytes. Each record’s sha256 is the SHA-256 of the canonical JSON (keys sorted) of its content (the preserved post, the edit or the moderation removal), taken when it was recorded — a departmental policy’s is the SHA-256 of its text’s UTF-8 bytes; intact says whether the stored content still matches it. manifest.json lists every other file; it cannot hold its own checksum.',
      csv: csvNote,
      excluded: 'No password, approval or task link (id or secret), Step Functions task token or credential vault version is ever part of an export.',
    },
  };
  files['manifest.json'] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);

  const scopeId = query.scope.kind === 'account' ? query.scope.accountId : query.scope.departmentCode;
  return { fileName: `records-${scopeId}-${query.from}-${query.to}.zip`, files, manifest };
}

/** One archive of the files, dated when the export was made. */
export function zipExport(built: BuiltExport, generatedAt: Date): Uint8Array {
  return zipSync(built.files, { level: 6, mtime: generatedAt });
}

// Size ------------------------------------------------------------------------------------------

/** A Lambda response carries at most 6 MB; the base64 body plus headers must stay under it. */
export const maxDownloadBase64Bytes = 5.5 * 1024 * 1024;

export class ExportTooLargeError extends GovernanceError {
  readonly status = 413;
}

/**
 * Refuses (413) an export too large for one response. A larger one would need the archive put in
 * S3 and a short-lived presigned URL returned instead (a bucket, s3:PutObject for this function);
 * until records requests need that, a narrower range does it.
 */
export function assertDownloadable(base64Length: number, query: ExportQuery): void {
  if (base64Length <= maxDownloadBase64Bytes) return;
  const mb = (base64Length / 1024 / 1024).toFixed(1);
  throw new ExportTooLargeError(
    `The export from ${query.from} to ${query.to} is ${mb} MB, more than the 5.5 MB one download can carry. Narrow the date range${query.scope.kind === 'department' ? ', or export one account at a time' : ''}, and make several exports.`,
  );
}
