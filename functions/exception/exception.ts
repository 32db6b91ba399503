import type { Decision } from '#core/approval';
import { ForbiddenError, InvalidInputError } from '#core/errors';
import { type ApprovalStep, type Department, type Person, planApprovalSteps, type Policy, policy, type RoleHolder } from '#core/policy';
import { type Account, type Grant, isActive } from '#core/registry';
import { fieldErrors, type PlannedStep, submissionIdSchema } from '#core/request';
import { type AccountRequestBase, accountRequestHead } from '#core/request-kind';
import { type Standing, standingItem } from '#core/standing';
import { zonedInstant } from '#core/yearly-schedule';
import * as z from '#core/zod';

/**
 * Exceptions (F.d): "All exceptions will be approved by the Communications Coordinator." Someone
 * who holds posting authority on an account asks for an exception to one of F.a–c for that account,
 * for a bounded time; the Coordinator (or designee) decides by email link. An approved exception is
 * a standing of the account (core/standing.ts): shown on its page and in the annual review, told
 * `noticeDaysBeforeEnd` days before its end, and lapsed by itself at its end date.
 */
export type ExceptionStandard = 'a' | 'b' | 'c';
export const exceptionStandards = ['a', 'b', 'c'] as const satisfies readonly ExceptionStandard[];

/** An exception to F.a–c for one account (F.d): what every request about an account has (core/request-kind.ts), and the standard, why, from when until when. The Coordinator decides for every department. */
export interface ExceptionRequest extends AccountRequestBase {
  kind: 'EXCEPTION';
  /** Which standard of F the account is excepted from. */
  standard: ExceptionStandard;
  reason: string;
  /** The first day the exception holds (YYYY-MM-DD, America/Denver). */
  startsOn: string;
  /** The day it lapses, at 00:00 America/Denver: it holds through the day before. */
  endsOn: string;
}

/** Exception requests' ids start "ex-". */
export const exceptionIdPrefix = 'ex';

/** "F.b Purpose and Commitment to Quality". */
export const standardTitle = (standard: ExceptionStandard, p: Policy = policy) => `F.${standard} ${p.exceptions.standards[standard]}`;

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a YYYY-MM-DD string is a real calendar day (not 2025-02-30). */
export function isCalendarDay(value: string): boolean {
  if (!dayPattern.test(value)) return false;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}

/** The day `days` after a YYYY-MM-DD day (negative: before). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The last day an exception holds: the day before its end date, when it lapses at 00:00. */
export const lastDayOf = (r: { endsOn: string }) => addDays(r.endsOn, -1);

/** Whole days from one YYYY-MM-DD day to another. */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The calendar day an instant falls on in the City's time zone (policy.annualReview.timeZone). */
export function dayIn(at: Date, zone: string = policy.annualReview.timeZone): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** 00:00 of a day in the City's time zone, as an instant. */
export function startOfDay(day: string, zone: string = policy.annualReview.timeZone): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return zonedInstant(year, month, date, 0, 0, zone);
}

const standardMessage = 'choose the standard of F the exception is from: F.a, F.b or F.c';
const reasonMessage = 'say why the account needs this exception (at least 10 characters)';

/** The exception form, as a person fills it in. The dates are checked against today afterwards (`parseExceptionForm`). */
export const exceptionFormSchema = z.object({
  submissionId: submissionIdSchema,
  standard: z.enum(exceptionStandards, { error: standardMessage }),
  reason: z.string({ error: reasonMessage }).check(z.trim(), z.minLength(10, reasonMessage), z.maxLength(2000, 'keep the reason under 2000 characters')),
  startsOn: z.optional(z.string({ error: 'give the start date as YYYY-MM-DD, or leave it empty for today' }).check(z.trim())),
  endsOn: z.string({ error: 'give the end date as YYYY-MM-DD' }).check(z.trim()),
});

export type ExceptionForm = Omit<z.infer<typeof exceptionFormSchema>, 'startsOn'> & { startsOn: string };

/**
 * Validates the form, with today's date in the City (from the clock): the start is today or later
 * (empty: today); the end is after the start and at most `maxDays` from today, so the whole
 * workflow, from the request to the lapse, fits inside the year a Standard execution may live.
 * Throws InvalidInputError with one message per field.
 */
export function parseExceptionForm(raw: Record<string, unknown>, today: string, p: Policy = policy): ExceptionForm {
  const result = exceptionFormSchema.safeParse(raw);
  const fields = result.success ? {} : fieldErrors(result.error);
  // The dates are checked even when another field failed, so every field's message shows at once.
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const startsOn = text(raw.startsOn) || today;
  const endsOn = text(raw.endsOn);
  const latest = addDays(today, p.exceptions.maxDays);
  if (!fields.startsOn) {
    if (!isCalendarDay(startsOn)) fields.startsOn = 'give the start date as YYYY-MM-DD (a real day), or leave it empty for today';
    else if (startsOn < today) fields.startsOn = `the exception cannot start in the past: choose today (${today}) or a later day`;
    else if (startsOn >= latest) fields.startsOn = `choose a start date before ${latest}: an exception ends at most ${p.exceptions.maxDays} days from today`;
  }
  if (!fields.endsOn) {
    if (!isCalendarDay(endsOn)) fields.endsOn = 'give the end date as YYYY-MM-DD (a real day)';
    else if (!fields.startsOn && endsOn <= startsOn) fields.endsOn = `the end date must be after the start date (${startsOn})`;
    else if (endsOn > latest)
      fields.endsOn = `choose an end date on or before ${latest}: an exception lasts at most ${p.exceptions.maxDays} days, counted from today`;
  }
  if (!result.success || Object.keys(fields).length > 0) throw new InvalidInputError('The form has fields to fix.', fields);
  return { ...result.data, startsOn, endsOn };
}

/** Who may ask (403 otherwise): someone holding an active grant (admin or poster) on the account. */
export function assertMayAskException(input: { requester: Person; account: Account; grants: Grant[] }): void {
  const { requester, account } = input;
  if (input.grants.some((g) => isActive(g) && g.accountId === account.accountId && g.personId === requester.id)) return;
  const admins = input.grants.filter((g) => isActive(g) && g.accountId === account.accountId && g.role === 'ADMIN').map((g) => g.personName);
  throw new ForbiddenError(
    `Only someone with posting authority on ${account.platformName} ${account.handle} (an admin or a poster) can ask for an exception for it.${
      admins.length ? ` Ask one of its admins (${admins.join(', ')}), or ask for posting authority first.` : ' Ask for posting authority first.'
    }`,
  );
}

/**
 * Who decides (F.d): the Communications Coordinator (`policy.exceptions.chain`), the designee
 * deciding when the Coordinator is the requester.
 */
export function exceptionSteps(input: { requester: Person; department: Department; roleHolders: RoleHolder[] }, p: Policy = policy): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: p.exceptions.chain,
    department: input.department,
    roleHolders: input.roleHolders,
    policy: p,
  });
}

/** The stored request, routed along the planned steps. */
export function exceptionRequest(input: {
  requester: Person;
  account: Account;
  department: Department;
  form: ExceptionForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): ExceptionRequest {
  const { form } = input;
  return {
    ...accountRequestHead({ ...input, kind: 'EXCEPTION', idPrefix: exceptionIdPrefix }),
    standard: form.standard,
    reason: form.reason,
    startsOn: form.startsOn,
    endsOn: form.endsOn,
  };
}

/** The standing an approved exception puts on its account: active from its start until it lapses at its end date. */
export function exceptionStanding(request: ExceptionRequest, decision: Pick<Decision, 'decidedAt' | 'decidedByName'>): Standing {
  return {
    accountId: request.accountId,
    kind: 'EXCEPTION',
    requestId: request.requestId,
    title: `Exception to F.${request.standard} (${policy.exceptions.standards[request.standard]})`,
    facts: [
      ['Standard', standardTitle(request.standard)],
      ['Reason', request.reason],
      ['Asked by', request.requester.name],
    ],
    approvedAt: decision.decidedAt,
    approvedByName: decision.decidedByName,
    startsOn: request.startsOn,
    endsOn: request.endsOn,
    status: 'ACTIVE',
  };
}

/** The standing's item (core/standing.ts keys it under the account). */
export const exceptionStandingItem = (request: ExceptionRequest, decision: Pick<Decision, 'decidedAt' | 'decidedByName'>) =>
  standingItem(exceptionStanding(request, decision));

/** When an exception's life moves on: the notice day (its end less `noticeDaysBeforeEnd`) and the lapse, both at 00:00 in the City. */
export interface ExceptionTimeline {
  noticeOn: string;
  noticeAt: string;
  lapseAt: string;
}

export function exceptionTimeline(endsOn: string, p: Policy = policy): ExceptionTimeline {
  const noticeOn = addDays(endsOn, -p.exceptions.noticeDaysBeforeEnd);
  return {
    noticeOn,
    noticeAt: startOfDay(noticeOn, p.annualReview.timeZone).toISOString(),
    lapseAt: startOfDay(endsOn, p.annualReview.timeZone).toISOString(),
  };
}

/**
 * The longest single wait: the local engine times a wait with setTimeout, which fires at once past
 * 2^31 ms (24.8 days). A longer wait is made of several, each re-checking the clock.
 */
export const maxWaitSeconds = 20 * 24 * 3600;

/** What an exception's workflow does next at one of its two moments: act now, wait (seconds, re-checked after), or nothing (it is over). */
export type LapseStage = 'NOTICE' | 'LAPSE';
export type NextStep = { next: 'ACT' | 'SKIP' | 'DONE'; waitSeconds: number } | { next: 'WAIT'; waitSeconds: number };

/**
 * At `now`, what a stage owes. NOTICE: due from the notice day (at once when approved later than
 * that), skipped once it was sent or once the end itself has come (the lapse tells it then). LAPSE:
 * due at the end date; a standing already lapsed is acted on again (its emails may be owed), a
 * withdrawn one is done.
 */
export function nextStep(input: {
  stage: LapseStage;
  timeline: ExceptionTimeline;
  now: Date;
  status: Standing['status'] | undefined;
  noticeSent?: boolean;
}): NextStep {
  const { stage, timeline, now, status } = input;
  const lapseIn = Math.ceil((Date.parse(timeline.lapseAt) - now.getTime()) / 1000);
  const waiting = (seconds: number): NextStep => ({ next: 'WAIT', waitSeconds: Math.min(Math.max(seconds, 1), maxWaitSeconds) });
  if (!status || status === 'WITHDRAWN') return { next: 'DONE', waitSeconds: 1 };
  if (stage === 'LAPSE') return status === 'LAPSED' || lapseIn <= 0 ? { next: 'ACT', waitSeconds: 1 } : waiting(lapseIn);
  if (status === 'LAPSED' || input.noticeSent || lapseIn <= 0) return { next: 'SKIP', waitSeconds: 1 };
  const noticeIn = Math.ceil((Date.parse(timeline.noticeAt) - now.getTime()) / 1000);
  return noticeIn <= 0 ? { next: 'ACT', waitSeconds: 1 } : waiting(noticeIn);
}
