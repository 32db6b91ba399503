/**
 * A once-a-year moment ("the first weekday of February at 08:00 in America/Denver") as both hosts
 * run it: the AWS stack turns it into an EventBridge Scheduler cron expression with a time zone,
 * the local host into the instants it fires at on the local clock. One definition, so the two
 * cannot disagree about when the annual review starts.
 */

export interface YearlyMoment {
  month: number;
  /** A day of the month, or FIRST_WEEKDAY: the first Monday-to-Friday day of the month. */
  day: number | 'FIRST_WEEKDAY';
  hour: number;
  minute: number;
}

/**
 * EventBridge Scheduler's cron (minutes hours day-of-month month day-of-week year). `1W` is the
 * weekday nearest the 1st without leaving the month: a Saturday 1st fires on Monday the 3rd, a
 * Sunday 1st on Monday the 2nd — the first weekday, as `nextOccurrence` computes it.
 */
export function cronExpression(m: YearlyMoment): string {
  const day = m.day === 'FIRST_WEEKDAY' ? '1W' : String(m.day);
  return `cron(${m.minute} ${m.hour} ${day} ${m.month} ? *)`;
}

/** The offset of `zone` from UTC at `at`, in minutes (Denver in February: -420). */
function offsetMinutes(at: Date, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The instant a wall-clock time in `zone` stands for (twice corrected, for a moment near a DST change). */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, zone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let at = new Date(wall - offsetMinutes(new Date(wall), zone) * 60_000);
  at = new Date(wall - offsetMinutes(at, zone) * 60_000);
  return at;
}

/** The day of the month the moment falls on in `year`. */
export function dayIn(m: YearlyMoment, year: number): number {
  if (m.day !== 'FIRST_WEEKDAY') return m.day;
  const weekday = new Date(Date.UTC(year, m.month - 1, 1)).getUTCDay();
  return weekday === 6 ? 3 : weekday === 0 ? 2 : 1;
}

export function occurrenceIn(m: YearlyMoment, year: number, zone: string): Date {
  return zonedInstant(year, m.month, dayIn(m, year), m.hour, m.minute, zone);
}

/** The instants the moment occurs at in (after, until]: what a schedule owes when the clock moves from one to the other. */
export function occurrencesBetween(m: YearlyMoment, zone: string, after: Date, until: Date): Date[] {
  const found: Date[] = [];
  for (let year = after.getUTCFullYear() - 1; year <= until.getUTCFullYear() + 1; year += 1) {
    const at = occurrenceIn(m, year, zone);
    if (at > after && at <= until) found.push(at);
  }
  return found;
}

/** The calendar year of an instant in `zone` (a review started on Jan 31 at 23:30 in Denver is still that year's). */
export function yearIn(at: Date, zone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric' }).format(at));
}
