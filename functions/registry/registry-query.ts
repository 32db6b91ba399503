import type { GovernanceRequest } from '#approval-chain/kinds';
import { InvalidInputError } from '#core/errors';
import type { GovernanceRecord } from '#core/records';
import { type AccountStatus, accountStatuses } from '#core/registry';
import * as z from '#core/zod';

/**
 * The registry list's filters, as a query plan over the three ALL-projection indexes the account
 * PROFILE items carry (registry-store.ts's accountItem). Status is part of every partition, so a
 * status filter is free; every other filter is a sort-key prefix of one index. Never a Scan, and
 * every query has a Limit, so a page costs the same at 50 accounts and at 2,000.
 *
 *   GSI1 ACCOUNTS#status               / platformId#handle            (platform order)
 *   GSI2 ACCOUNTS_BY_DEPARTMENT#status / departmentCode#platformId#handle  (department order)
 *   GSI3 ACCOUNTS_BY_HANDLE#status     / handle#platformId            (handle order)
 *
 * Handles are keyed lowercased, with their leading "@" (as the registry stores them).
 */

export const pageSize = 25;
/** The CSV download reads every page the filters select, up to this many rows. */
export const csvRowCap = 5000;

export const sortOrders = ['platform', 'department', 'handle'] as const;
export type SortOrder = (typeof sortOrders)[number];

export type RegistryIndex = 'GSI1' | 'GSI2' | 'GSI3';

export interface RegistryFilters {
  /** Handle prefix, as typed (display); `handlePrefix` is its key form. */
  q?: string;
  platform?: string;
  department?: string;
  status: AccountStatus;
  sort: SortOrder;
}

export interface QueryPlan {
  index: RegistryIndex;
  pk: string;
  /** begins_with on the index's sort key; undefined reads the whole partition, in order. */
  skPrefix?: string;
  /**
   * Department + handle without a platform: the department's prefix is queried and the handle is
   * a FilterExpression on GSI3SK (handle#platform), so its reads are bounded by the department's
   * size, not the registry's.
   */
  handleFilter?: string;
  /** The order the results come in (the index's). */
  order: SortOrder;
}

/** A handle as the indexes key it: lowercased, with the "@" every registry handle starts with (new-account normalizeHandle). */
export const handleKey = (handle: string) => {
  const lower = handle.trim().toLowerCase();
  return lower.startsWith('@') ? lower : `@${lower}`;
};

/** The plan for one set of filters: which index, which partition, which sort-key prefix. */
export function planQuery(f: RegistryFilters): QueryPlan {
  const handle = f.q ? handleKey(f.q) : undefined;
  if (f.department) {
    const platformPart = f.platform ? `${f.platform}#${handle ?? ''}` : '';
    return {
      index: 'GSI2',
      pk: `ACCOUNTS_BY_DEPARTMENT#${f.status}`,
      skPrefix: `${f.department}#${platformPart}`,
      ...(handle && !f.platform ? { handleFilter: handle } : {}),
      order: 'department',
    };
  }
  if (f.platform) return { index: 'GSI1', pk: `ACCOUNTS#${f.status}`, skPrefix: `${f.platform}#${handle ?? ''}`, order: 'platform' };
  if (handle) return { index: 'GSI3', pk: `ACCOUNTS_BY_HANDLE#${f.status}`, skPrefix: handle, order: 'handle' };
  const index: RegistryIndex = f.sort === 'department' ? 'GSI2' : f.sort === 'handle' ? 'GSI3' : 'GSI1';
  const pk = { GSI1: 'ACCOUNTS', GSI2: 'ACCOUNTS_BY_DEPARTMENT', GSI3: 'ACCOUNTS_BY_HANDLE' }[index];
  return { index, pk: `${pk}#${f.status}`, order: f.sort };
}

/** What is filed under an account (GSI1 ACCOUNT_RECORDS#id): its records and the requests about it, newest first. */
export type FiledItem = { type: 'record'; record: GovernanceRecord } | { type: 'request'; request: GovernanceRequest };

// Query string -------------------------------------------------------------------------------

const empty = (v: unknown) => (v === '' || v === null ? undefined : v);

const querySchema = z.object({
  q: z.optional(
    z.pipe(
      z.transform(empty),
      z.optional(
        z.string().check(
          z.trim(),
          z.maxLength(100, 'keep the search to 100 characters or fewer'),
          z.refine((s) => ![...s].some((c) => c === '#' || c.charCodeAt(0) < 32), 'search for a handle: letters, digits, @ _ . -'),
        ),
      ),
    ),
  ),
  platform: z.optional(
    z.pipe(z.transform(empty), z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, 'choose a platform from the list, or All platforms')))),
  ),
  department: z.optional(
    z.pipe(z.transform(empty), z.optional(z.string().check(z.regex(/^(all|[A-Z0-9_-]{1,20})$/, 'choose a department from the list, or All departments')))),
  ),
  status: z.optional(
    z.pipe(z.transform(empty), z.optional(z.enum(accountStatuses as unknown as [AccountStatus, ...AccountStatus[]], { error: 'status is Active or Retired' }))),
  ),
  sort: z.optional(
    z.pipe(z.transform(empty), z.optional(z.enum(sortOrders as unknown as [SortOrder, ...SortOrder[]], { error: 'sort by platform, department or handle' }))),
  ),
  cursor: z.optional(z.pipe(z.transform(empty), z.optional(z.string().check(z.maxLength(2000, 'the page cursor is too long; go back to the first page'))))),
  format: z.optional(z.pipe(z.transform(empty), z.optional(z.enum(['html', 'csv', 'json'], { error: 'format is csv, or leave it out' })))),
});

export interface RegistryQuery {
  filters: RegistryFilters;
  /** `department=all`: the viewer asked for every department (no default to their own). */
  allDepartments: boolean;
  /** Whether any filter, sort or cursor was given (so a default may apply). */
  given: boolean;
  cursor?: Cursor;
  format?: 'html' | 'csv' | 'json';
}

/** Parses the list's query string; a bad value is a 400 naming the field and what to fix. */
export function parseRegistryQuery(raw: Record<string, string | undefined>): RegistryQuery {
  const result = querySchema.safeParse(raw);
  if (!result.success) {
    const fields: Record<string, string> = {};
    for (const issue of result.error.issues) fields[String(issue.path[0] ?? 'query')] ??= issue.message;
    throw new InvalidInputError(`The registry search has values to fix: ${Object.values(fields).join('; ')}.`, fields);
  }
  const d = result.data;
  const filters: RegistryFilters = {
    ...(d.q ? { q: d.q } : {}),
    ...(d.platform ? { platform: d.platform } : {}),
    ...(d.department && d.department !== 'all' ? { department: d.department } : {}),
    status: d.status ?? 'ACTIVE',
    sort: d.sort ?? 'platform',
  };
  const cursor = d.cursor ? decodeCursor(d.cursor, planQuery(filters)) : undefined;
  return {
    filters,
    allDepartments: d.department === 'all',
    given: ['q', 'platform', 'department', 'status', 'sort', 'cursor'].some((k) => raw[k] !== undefined && raw[k] !== ''),
    ...(cursor ? { cursor } : {}),
    ...(d.format ? { format: d.format } : {}),
  };
}

// Cursor -------------------------------------------------------------------------------------

/** Where the next page starts: the query's LastEvaluatedKey, and the position of its first row (for "Showing 26–50"). */
export interface Cursor {
  key: Record<string, string>;
  start: number;
}

const keyPart = z.string().check(z.minLength(1), z.maxLength(400));

const cursorSchema = z.object({
  key: z.record(z.string(), keyPart),
  start: z.int().check(z.minimum(2), z.maximum(1_000_000)),
});

export const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

const badCursor = (why: string) =>
  new InvalidInputError(`The page cursor ${why}. Use the Next page link as the registry gave it, or go back to the first page (/accounts).`, {
    cursor: `the page cursor ${why}`,
  });

/**
 * Decodes a cursor and checks it belongs to this plan: the key names exactly the table's and the
 * plan's index keys, its index partition is the plan's, and its sort key is under the plan's prefix.
 * Anything else (a cursor edited, or carried over to other filters) is a 400.
 */
export function decodeCursor(text: string, plan: QueryPlan): Cursor {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw badCursor('is not base64url');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not valid JSON');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw badCursor('is not a registry cursor');
  const { key } = parsed.data;
  const pkName = `${plan.index}PK`;
  const skName = `${plan.index}SK`;
  const names = Object.keys(key).sort();
  if (names.join(',') !== ['PK', 'SK', pkName, skName].sort().join(',')) throw badCursor(`does not name the keys of index ${plan.index}`);
  if (!/^ACCOUNT#acct-[A-Za-z0-9-]{1,80}$/.test(key.PK ?? '') || key.SK !== 'PROFILE') throw badCursor('does not point at a registry account');
  if (key[pkName] !== plan.pk || !(key[skName] ?? '').startsWith(plan.skPrefix ?? '')) throw badCursor('belongs to other filters');
  return parsed.data;
}

/** The key a page ends at (what DynamoDB's LastEvaluatedKey would be), from the page's last item. */
export function keyOf(item: Record<string, unknown>, index: RegistryIndex): Record<string, string> {
  return {
    PK: String(item.PK),
    SK: String(item.SK),
    [`${index}PK`]: String(item[`${index}PK`]),
    [`${index}SK`]: String(item[`${index}SK`]),
  };
}

// Words ---------------------------------------------------------------------------------------

/** "platform and handle", for "Sorted by …". */
export const orderWords: Record<SortOrder, string> = {
  platform: 'platform, then handle',
  department: 'department, then platform and handle',
  handle: 'handle',
};

/** The query string of these filters (and a cursor), as the list's links carry them. */
export function queryString(f: Partial<RegistryFilters> & { allDepartments?: boolean }, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (f.q) params.set('q', f.q);
  if (f.platform) params.set('platform', f.platform);
  if (f.department) params.set('department', f.department);
  else if (f.allDepartments) params.set('department', 'all');
  if (f.status && f.status !== 'ACTIVE') params.set('status', f.status);
  if (f.sort && f.sort !== 'platform') params.set('sort', f.sort);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}
