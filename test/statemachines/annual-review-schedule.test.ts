import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { schedules } from '../../functions/catalogue.ts';
import { occurrencesBetween } from '../../functions/core/yearly-schedule.ts';
import { startTestStack, waitUntilWaiting } from '../support/harness.ts';
import { reviewReport } from '../support/reviews.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

// Its own file: moving the local clock moves it for the whole process.
describe('the annual review schedule on the local clock', () => {
  it('starts the review once when the clock passes the first weekday of February at 08:00 in Denver, and not before', async () => {
    const spec = schedules.annualReview;
    const now = new Date();
    const [next] = occurrencesBetween(spec.yearly, spec.timeZone, now, new Date(now.getTime() + 400 * 86_400_000));
    if (!next) throw new Error('no occurrence within 400 days');
    const daysUntil = Math.floor((next.getTime() - now.getTime()) / 86_400_000);

    // The day before: nothing is due.
    const before = await fetch(`${stack.baseUrl}/dev/clock/advance?days=${daysUntil}`, { method: 'POST' });
    expect(((await before.json()) as { schedules: unknown[] }).schedules).toEqual([]);

    // The day it passes: the schedule runs once, for that moment, and starts that year's review.
    const passed = await fetch(`${stack.baseUrl}/dev/clock/advance?days=1`, { method: 'POST' });
    const runs = ((await passed.json()) as { schedules: { key: string; at: string; result: { reviewId: string; outcome: string } }[] }).schedules;
    const year = String(next.getUTCFullYear());
    expect(runs).toEqual([
      { key: 'annualReview', at: next.toISOString(), result: { reviewId: year, executionName: `annual-review-${year}`, outcome: 'started' } },
    ]);
    await waitUntilWaiting(stack, `annual-review-${year}`);
    expect((await reviewReport(stack, year)).review).toMatchObject({ reviewId: year, trigger: 'schedule', status: 'RUNNING' });

    // Moving on runs nothing again until the next year.
    const later = await fetch(`${stack.baseUrl}/dev/clock/advance?days=30`, { method: 'POST' });
    expect(((await later.json()) as { schedules: unknown[] }).schedules).toEqual([]);
  });
});
