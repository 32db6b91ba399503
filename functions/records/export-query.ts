import { InvalidInputError } from '#core/errors';
import { separationStartsAt } from '#offboarding/hr-events';
import { fieldErrors } from '#core/request';
import { accountIdPattern } from '#core/registry';
import * as z from '#core/zod';
import { sheets } from '#records/export-sheets';

/** What a records export asks for: one account or one department, over a range of calendar days in Albuquerque. */

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
