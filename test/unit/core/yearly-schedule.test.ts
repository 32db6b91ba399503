import { describe, expect, it } from 'vitest';
import { cronExpression, dayIn, occurrenceIn, occurrencesBetween, type YearlyMoment, yearIn, zonedInstant } from '#core/yearly-schedule';

const denver = 'America/Denver';
const firstWeekdayOfFebruary: YearlyMoment = { month: 2, day: 'FIRST_WEEKDAY', hour: 8, minute: 0 };

describe('cronExpression', () => {
  it('uses 1W for the first weekday of the month', () => {
    expect(cronExpression(firstWeekdayOfFebruary)).toBe('cron(0 8 1W 2 ? *)');
  });

  it('uses the day itself for a numbered day', () => {
    expect(cronExpression({ month: 11, day: 15, hour: 17, minute: 30 })).toBe('cron(30 17 15 11 ? *)');
  });
});

describe('dayIn', () => {
  it('moves a Saturday 1st to Monday the 3rd', () => {
    expect(dayIn(firstWeekdayOfFebruary, 2025)).toBe(3);
  });

  it('moves a Sunday 1st to Monday the 2nd', () => {
    expect(dayIn(firstWeekdayOfFebruary, 2026)).toBe(2);
  });

  it('keeps a weekday 1st', () => {
    expect(dayIn(firstWeekdayOfFebruary, 2027)).toBe(1);
    expect(dayIn(firstWeekdayOfFebruary, 2028)).toBe(1);
  });

  it('returns a numbered day whatever the weekday', () => {
    expect(dayIn({ month: 2, day: 1, hour: 8, minute: 0 }, 2025)).toBe(1);
  });
});

describe('zonedInstant and occurrenceIn', () => {
  it('reads a February wall-clock time in Denver as MST (UTC-7)', () => {
    expect(zonedInstant(2027, 2, 1, 8, 0, denver).toISOString()).toBe('2027-02-01T15:00:00.000Z');
    expect(occurrenceIn(firstWeekdayOfFebruary, 2027, denver).toISOString()).toBe('2027-02-01T15:00:00.000Z');
  });

  it('fires on the first weekday in a year whose 1st is a weekend day', () => {
    expect(occurrenceIn(firstWeekdayOfFebruary, 2025, denver).toISOString()).toBe('2025-02-03T15:00:00.000Z');
    expect(occurrenceIn(firstWeekdayOfFebruary, 2026, denver).toISOString()).toBe('2026-02-02T15:00:00.000Z');
  });

  it('reads a summer wall-clock time in Denver as MDT (UTC-6)', () => {
    expect(zonedInstant(2027, 7, 1, 8, 0, denver).toISOString()).toBe('2027-07-01T14:00:00.000Z');
    expect(occurrenceIn({ month: 7, day: 15, hour: 8, minute: 0 }, 2027, denver).toISOString()).toBe('2027-07-15T14:00:00.000Z');
  });

  it('reads the times either side of the spring change on the right offset', () => {
    // 14 March 2027: 02:00 MST becomes 03:00 MDT.
    expect(zonedInstant(2027, 3, 14, 1, 30, denver).toISOString()).toBe('2027-03-14T08:30:00.000Z');
    expect(zonedInstant(2027, 3, 14, 3, 30, denver).toISOString()).toBe('2027-03-14T09:30:00.000Z');
  });

  it('reads a wall-clock time in UTC as itself', () => {
    expect(zonedInstant(2027, 2, 1, 8, 0, 'UTC').toISOString()).toBe('2027-02-01T08:00:00.000Z');
  });
});

describe('occurrencesBetween', () => {
  const between = (after: string, until: string) =>
    occurrencesBetween(firstWeekdayOfFebruary, denver, new Date(after), new Date(until)).map((d) => d.toISOString());

  it('finds none when the clock moves within a year past its occurrence', () => {
    expect(between('2027-02-02T00:00:00.000Z', '2027-12-31T23:00:00.000Z')).toEqual([]);
  });

  it('finds the one occurrence the clock moved past', () => {
    expect(between('2027-01-15T00:00:00.000Z', '2027-03-01T00:00:00.000Z')).toEqual(['2027-02-01T15:00:00.000Z']);
  });

  it('finds one per year across two years', () => {
    expect(between('2026-01-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z')).toEqual(['2026-02-02T15:00:00.000Z', '2027-02-01T15:00:00.000Z']);
  });

  it('includes an occurrence exactly at until', () => {
    expect(between('2027-01-15T00:00:00.000Z', '2027-02-01T15:00:00.000Z')).toEqual(['2027-02-01T15:00:00.000Z']);
  });

  it('excludes an occurrence exactly at after', () => {
    expect(between('2027-02-01T15:00:00.000Z', '2027-03-01T00:00:00.000Z')).toEqual([]);
  });

  it('excludes an occurrence a millisecond after until', () => {
    expect(between('2027-01-15T00:00:00.000Z', '2027-02-01T14:59:59.999Z')).toEqual([]);
  });
});

describe('yearIn', () => {
  it('counts the evening of 31 December in Denver as the old year although it is already January in UTC', () => {
    expect(yearIn(new Date('2027-01-01T05:00:00Z'), denver)).toBe(2026);
  });

  it('counts midnight of 1 January in Denver as the new year', () => {
    expect(yearIn(new Date('2027-01-01T07:00:00Z'), denver)).toBe(2027);
  });
});
