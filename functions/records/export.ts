import { strToU8, zipSync } from 'fflate';
import type { Approval } from '#core/approval';
import { ForbiddenError, GovernanceError, InvalidInputError } from '#core/errors';
import { separationStartsAt } from '#offboarding/hr-events';
import type { GovernanceRequest } from '#approval-chain/kinds';
import { fieldErrors } from '#core/request';
import type { OffboardingTask } from '#offboarding/offboarding';
import { type DirectoryRole, type Person, type Policy, policy, type RoleHolder } from '#core/policy';
import { type GovernanceRecord, recordIntact, sha256Hex } from '#core/records';
import { decisionRow, grantRow, label, recordRow, requestRow, type SheetKey, taskRow } from '#records/export-rows';
import { csvNote, type Row, toCsv } from '#records/export-writers';
import { type Account, accountIdPattern, type Grant } from '#core/registry';
import * as z from '#core/zod';

/**
 * Records export (H, I): everything the City holds about one account, or every account of one
 * department, over a date range, for a records request. Pure: the handler reads, this builds.
 * The rows are built in records-export-rows (from allow-lists: no secret reaches a file), the CSV
 * text in records-export-writers.
 */

// Who may export --------------------------------------------------------------------------------

const roleWords: Partial<Record<DirectoryRole, string>> = { CITY_CLERK_CONTACT: 'the City Clerk’s records contact' };
const roleName = (role: DirectoryRole, p: Policy) => roleWords[role] ?? p.roles[role]?.title ?? role.toLowerCase().replaceAll('_', ' ');

/** DTI, which keeps the registry (O.b), and the holders and designees of `policy.records.exportRoles` (H). */
export function canExportRecords(viewer: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[], p: Policy = policy): boolean {
  return (
    viewer.departmentCode === 'DTI' ||
    roleHolders.some((r) => p.records.exportRoles.includes(r.role) && (r.holderId === viewer.id || r.designeeId === viewer.id))
  );
}

export function assertMayExport(viewer: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[], p: Policy = policy): void {
  if (canExportRecords(viewer, roleHolders, p)) return;
  const who = ['DTI staff', ...p.records.exportRoles.map((r) => `${roleName(r, p)} or their designee`)].join(', ');
  throw new ForbiddenError(`Records exports (H) are made by ${who}. Ask them for the records a request needs.`);
}

// What is asked for -----------------------------------------------------------------------------

export type ExportScope = { kind: 'account'; accountId: string } | { kind: 'department'; departmentCode: string };

export interface ExportQuery {
  scope: ExportScope;
  /** Calendar days in Albuquerque, inclusive. */
  from: string;
  to: string;
}

export const maxRangeYears = 10;

/** Query parameters the export reads; when none is given the form is shown instead. */
export const exportParameterNames = ['accountId', 'department', 'from', 'to'] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const optionalText = z.pipe(z.transform(blankToUndefined), z.optional(z.string()));

const isCalendarDay = (d: unknown) => {
  const t = typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00Z`) : undefined;
  return Boolean(t && !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d as string));
};

const calendarDate = (what: string) =>
  z
    .string({ error: `give the ${what} as YYYY-MM-DD` })
    .check(z.regex(/^\d{4}-\d{2}-\d{2}$/, `give the ${what} as YYYY-MM-DD`), z.refine(isCalendarDay, `the ${what} is not a calendar date`));

const yearsLater = (day: string, years: number) => `${String(Number(day.slice(0, 4)) + years).padStart(4, '0')}${day.slice(4)}`;

const exportQuerySchema = z
  .object({
    accountId: z.pipe(optionalText, z.optional(z.string().check(z.regex(accountIdPattern, 'choose an account from the registry')))),
    department: z.pipe(
      optionalText,
      z.optional(
        z.pipe(
          z.transform((v: string) => v.toUpperCase()),
          z.string().check(z.regex(/^[A-Z]{2,8}$/, 'choose a department from the list')),
        ),
      ),
    ),
    from: z.pipe(z.transform(blankToUndefined), calendarDate('first day')),
    to: z.pipe(z.transform(blankToUndefined), calendarDate('last day')),
  })
  .check(
    z.superRefine((q, ctx) => {
      if (q.accountId && q.department) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'choose one account or one department, not both' });
      if (!q.accountId && !q.department) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'choose an account or a department' });
      // Checks run even when a field failed: compare only two real days (ISO days compare as strings).
      if (!isCalendarDay(q.from) || !isCalendarDay(q.to)) return;
      if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `the last day (${q.to}) is before the first day (${q.from})` });
      else if (q.to > yearsLater(q.from, maxRangeYears))
        ctx.addIssue({ code: 'custom', path: ['to'], message: `an export covers at most ${maxRangeYears} years; make two exports for a longer period` });
    }),
  );

/** Validates the query; throws InvalidInputError with what to fix, one message per field. */
export function parseExportQuery(raw: Record<string, string | undefined>): ExportQuery {
  const result = exportQuerySchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError('The export has fields to fix.', fieldErrors(result.error));
  const { accountId, department, from, to } = result.data;
  const scope: ExportScope = accountId ? { kind: 'account', accountId } : { kind: 'department', departmentCode: department ?? '' };
  return { scope, from, to };
}

const denverDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' });

/** The form's default: the last 12 months, ending today in Albuquerque. */
export function defaultRange(now: Date): { from: string; to: string } {
  const to = denverDay.format(now);
  const from = new Date(Date.UTC(Number(to.slice(0, 4)) - 1, Number(to.slice(5, 7)) - 1, Number(to.slice(8, 10)))).toISOString().slice(0, 10);
  return { from, to };
}

/** The range's instants: from 00:00 America/Denver on `from` to the last millisecond of `to`. */
export function rangeInstants(from: string, to: string): { fromInstant: string; toInstant: string } {
  const dayAfter = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { fromInstant: separationStartsAt(from).toISOString(), toInstant: new Date(separationStartsAt(dayAfter).getTime() - 1).toISOString() };
}

/** What GET /records/export without a scope tells an API client. */
export function exportParameters(now: Date) {
  return {
    href: '/records/export',
    method: 'GET',
    parameters: {
      accountId: 'one account from the registry (GET /accounts); or',
      department: 'a department code: every account of that department',
      from: 'first day, YYYY-MM-DD (Albuquerque time)',
      to: `last day, YYYY-MM-DD, at most ${maxRangeYears} years after the first`,
    },
    defaults: defaultRange(now),
    returns: `application/zip: ${sheets.map((s) => s.file).join(', ')}, export.json and manifest.json`,
  };
}

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
}

interface Sheet {
  key: SheetKey;
  file: string;
  description: string;
  columns: readonly string[];
}

const accountColumns = ['accountId', 'account', 'departmentCode', 'departmentName'] as const;
const recordColumns = ['recordId', ...accountColumns, 'recordedAt', 'recordedById', 'recordedByName'] as const;
const recordTail = ['retentionSchedule', 'retainUntil', 'sha256', 'intact'] as const;

export const sheets: readonly Sheet[] = [
  {
    key: 'requests',
    file: 'requests.csv',
    description: 'Requests: new accounts (D), posting authority (B), post removals (M.c); by when they were made',
    columns: [
      'requestId',
      'kind',
      'status',
      ...accountColumns,
      'requesterId',
      'requesterName',
      'granteeId',
      'granteeName',
      'role',
      'receivesCredential',
      'purpose',
      'audience',
      'riskAssessment',
      'proposedAdmins',
      'postRef',
      'action',
      'reason',
      'preservedRecordId',
      'removedAt',
      'removedByName',
      'createdAt',
      'closedAt',
      'outcomeReason',
    ],
  },
  {
    key: 'decisions',
    file: 'decisions.csv',
    description: 'Each approval asked for: who was asked, reminders, escalation, who decided, outcome, reason, when; by when asked or decided',
    columns: [
      'requestId',
      'requestKind',
      'step',
      'stepTitle',
      'round',
      'approverId',
      'approverName',
      'askedAt',
      'emailedAt',
      'remindersSent',
      'lastRemindedAt',
      'escalatedAt',
      'escalatedTo',
      'outcome',
      'reason',
      'decidedAt',
      'decidedById',
      'decidedByName',
    ],
  },
  {
    key: 'preservedPosts',
    file: 'preserved-posts.csv',
    description: 'Post contents preserved before a removal (M.c, H); by when recorded',
    columns: [...recordColumns, 'requestId', 'postRef', 'action', 'mergeTargetRef', 'text', 'author', 'publishedAt', 'mediaLinks', ...recordTail],
  },
  {
    key: 'edits',
    file: 'edits.csv',
    description: 'Edits of earlier posts, the change identified (M.b); by when recorded',
    columns: [...recordColumns, 'postRef', 'before', 'after', 'why', ...recordTail],
  },
  {
    key: 'moderation',
    file: 'moderation.csv',
    description: 'Constituent posts and comments removed, with their K category (K); by when recorded',
    columns: [...recordColumns, 'category', 'categoryLabel', 'location', 'author', 'content', 'justification', ...recordTail],
  },
  {
    key: 'grants',
    file: 'grants.csv',
    description: 'Posting authority (B), active and revoked (C); by when authorized or revoked',
    columns: [
      ...accountColumns,
      'personId',
      'personName',
      'role',
      'receivesCredential',
      'authorizedById',
      'authorizedByName',
      'authorizedAt',
      'sourceRequestId',
      'status',
      'revokedAt',
      'revokedReason',
      'revokedBySourceId',
    ],
  },
  {
    key: 'offboardingTasks',
    file: 'offboarding-tasks.csv',
    description: 'Offboarding (C, O.b): shared password changes and admin appointments, who was asked and who did them; by when opened or done',
    columns: [
      'offboardingId',
      ...accountColumns,
      'kind',
      'employeeName',
      'status',
      'round',
      'remindersSent',
      'recipients',
      'escalatedTo',
      'createdAt',
      'escalatedAt',
      'expiredAt',
      'revealedTo',
      'doneAt',
      'doneById',
      'doneByName',
      'appointedId',
      'appointedName',
    ],
  },
];

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

  const rows: Record<SheetKey, Row[]> = { requests: [], decisions: [], preservedPosts: [], edits: [], moderation: [], grants: [], offboardingTasks: [] };
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
  rows.requests.sort(byTime('createdAt'));
  rows.decisions.sort((a, b) => String(a.requestId).localeCompare(String(b.requestId)) || Number(a.step) - Number(b.step) || byTime('askedAt')(a, b));
  for (const key of ['preservedPosts', 'edits', 'moderation'] as const) rows[key].sort(byTime('recordedAt'));
  rows.grants.sort(byTime('authorizedAt'));
  rows.offboardingTasks.sort(byTime('createdAt'));
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
        'Each file’s sha256 is the SHA-256 of its exact bytes. Each record’s sha256 is the SHA-256 of the canonical JSON (keys sorted) of its content (the preserved post, the edit or the moderation removal), taken when it was recorded; intact says whether the stored content still matches it. manifest.json lists every other file; it cannot hold its own checksum.',
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
