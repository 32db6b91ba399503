import { InvalidInputError, SeparationTooFarAheadError } from '#core/errors';
import type { Policy } from '#core/policy';
import * as z from '#core/zod';
import { type DirectoryEvent, directoryDetailTypes, employeeIdPattern, isDirectoryDetailType, issuesOf, parseDirectoryDetail } from '#directory/events';

/**
 * HR events (C). An HR system puts them on the HR EventBridge bus; the rule matches `source` (from
 * configuration, "cabq.hr" by default) and these detail types. The detail schemas are documented in
 * the README and are the contract with HR: anything else is refused with what is wrong. A
 * separation starts an offboarding; the directory's events (directory/events.ts) keep the people,
 * departments and City-wide roles current.
 */
export const hrDetailTypes = { separated: 'Employee Separated', ...directoryDetailTypes } as const;

export { employeeIdPattern };
const employeeId = z.string({ error: 'employeeId is required' }).check(z.regex(employeeIdPattern, 'employeeId is 1–20 letters, digits or dashes'));

/** A calendar date that exists (2026-02-30 is refused), as HR sends it. */
export const isoDate = z.string({ error: 'separationDate is required (YYYY-MM-DD)' }).check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'separationDate must be a date as YYYY-MM-DD'),
  z.refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'separationDate is not a calendar date'),
);

export const separatedDetailSchema = z.strictObject({ employeeId, separationDate: isoDate });

const envelopeSchema = z.object({
  id: z.optional(z.string()),
  source: z.string({ error: 'source is required' }),
  'detail-type': z.string({ error: 'detail-type is required' }),
  time: z.optional(z.string()),
  detail: z.unknown(),
});

export type SeparatedDetail = z.infer<typeof separatedDetailSchema>;
export type HrEvent = { kind: 'separated'; detail: SeparatedDetail } | { kind: 'directory'; event: DirectoryEvent };

/**
 * Reads one EventBridge event (the envelope, as the rule delivers it). Refuses, with every problem
 * named, an event from another source, of another type, or whose detail does not match its schema.
 */
export function parseHrEvent(raw: unknown, expectedSource: string): HrEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) throw new InvalidInputError(`The HR event is not an EventBridge event: ${issuesOf(envelope.error)}`);
  const { source, 'detail-type': detailType, detail } = envelope.data;
  if (source !== expectedSource) throw new InvalidInputError(`The HR event's source is "${source}"; HR events come from "${expectedSource}".`);
  if (detailType === hrDetailTypes.separated) {
    const parsed = separatedDetailSchema.safeParse(detail);
    if (!parsed.success) throw new InvalidInputError(`The "${detailType}" event's detail is invalid: ${issuesOf(parsed.error)}`);
    return { kind: 'separated', detail: parsed.data };
  }
  if (isDirectoryDetailType(detailType)) return { kind: 'directory', event: parseDirectoryDetail(detailType, detail) };
  throw new InvalidInputError(`The HR event's detail-type "${detailType}" is not one of: ${Object.values(hrDetailTypes).join(', ')}.`);
}

/** One offboarding per employee and separation date: also the execution name (≤ 80, [A-Za-z0-9-]). */
export function offboardingIdFor(employeeId: string, separationDate: string): string {
  return `off-${employeeId}-${separationDate.replaceAll('-', '')}`;
}

export const offboardingIdPattern = /^off-[A-Za-z0-9-]{1,20}-\d{8}$/;

const denverOffset = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', timeZoneName: 'longOffset' });

/**
 * Access ends at the start of the separation date in Albuquerque (00:00 America/Denver). The
 * offset is read at 07:00 UTC that day, before the 02:00 local daylight-saving switch.
 */
export function separationStartsAt(separationDate: string): Date {
  const utcMidnight = new Date(`${separationDate}T00:00:00Z`);
  const probe = new Date(utcMidnight.getTime() + 7 * 3600_000);
  const name = denverOffset.formatToParts(probe).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT-07:00';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const offsetMinutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : -420;
  return new Date(utcMidnight.getTime() - offsetMinutes * 60_000);
}

/** The longest single wait for a future date: the local engine's timers overflow past 24.8 days. */
export const maxDateWaitSeconds = 20 * 24 * 3600;

/** Whether the separation has taken effect at `now`, and if not how long to wait before checking again. */
export function separationSchedule(separationDate: string, now: Date): { due: boolean; notBefore: string; waitSeconds: number } {
  const start = separationStartsAt(separationDate);
  const remaining = Math.ceil((start.getTime() - now.getTime()) / 1000);
  return { due: remaining <= 0, notBefore: start.toISOString(), waitSeconds: Math.min(Math.max(remaining, 1), maxDateWaitSeconds) };
}

/** A Standard execution lives at most a year (Step Functions quotas): counted as 365 days, the shorter year. */
export const executionLifetimeDays = 365;

/**
 * The longest the offboarding runs after its separation date: its follow-up (AwaitTasks ⇄
 * ChaseTasks in statemachines/separation-offboarding.asl.json) waits `decisionWaitSeconds` per
 * sweep, and an open task takes at most 2R + 2 sweeps to settle (chaseAction): R reminders, the
 * escalation, R reminders to whoever it went to, then expiry. Every task is made before the first
 * wait, so they move in step and the longest is that many waits.
 */
export function followUpSeconds(waits: Policy['waits']): number {
  return (2 * waits.remindersBeforeEscalation + 2) * waits.decisionWaitSeconds;
}

/**
 * How many days after the event's arrival a separation may be dated: the configured bound, and never
 * more than the execution's year leaves once its follow-up has run, less one day (the event may
 * arrive at any time of its day, a daylight-saving hour, the steps between the waits).
 */
export function separationHorizonDays(maxSeparationDaysAhead: number, waits: Policy['waits']): number {
  return Math.min(maxSeparationDaysAhead, executionLifetimeDays - Math.ceil(followUpSeconds(waits) / 86_400) - 1);
}

const denverCalendar = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver', year: 'numeric', month: '2-digit', day: '2-digit' });
const dayMs = 86_400_000;
const utcDay = (date: string) => Date.parse(`${date}T00:00:00Z`);
const addDays = (date: string, days: number) => new Date(utcDay(date) + days * dayMs).toISOString().slice(0, 10);

/**
 * Refuses (SeparationTooFarAheadError) a separation dated more than `horizonDays` calendar days
 * after `receivedAt`'s date in Albuquerque, saying when HR can send it again. The day of arrival
 * plus `horizonDays` is accepted; the day after is not.
 */
export function assertSeparationWithinHorizon(separationDate: string, receivedAt: Date, horizonDays: number): void {
  const receivedOn = denverCalendar.format(receivedAt);
  const daysAhead = Math.round((utcDay(separationDate) - utcDay(receivedOn)) / dayMs);
  if (daysAhead <= horizonDays) return;
  throw new SeparationTooFarAheadError(
    `The separation date ${separationDate} is ${daysAhead} days after this event arrived (${receivedOn}); an offboarding can be scheduled at most ${horizonDays} days ahead (through ${addDays(receivedOn, horizonDays)}), because its workflow lives at most a year and follows up for weeks after the date. Nothing was started: send the event again on or after ${addDays(separationDate, -horizonDays)}.`,
  );
}
