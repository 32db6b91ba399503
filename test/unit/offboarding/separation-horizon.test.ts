import { describe, expect, it } from 'vitest';
import { SeparationTooFarAheadError } from '#core/errors';
import { policy } from '#core/policy';
import { assertSeparationWithinHorizon, executionLifetimeDays, followUpSeconds, separationHorizonDays, separationStartsAt } from '#offboarding/hr-events';
import { chaseAction, type OffboardingTask } from '#offboarding/offboarding';

const day = 86_400;
/** 10:00 in Albuquerque (MST) on 2026-03-01. */
const receivedAt = new Date('2026-03-01T17:00:00Z');

function refusal(separationDate: string, at: Date, horizonDays: number): SeparationTooFarAheadError {
  try {
    assertSeparationWithinHorizon(separationDate, at, horizonDays);
  } catch (error) {
    if (error instanceof SeparationTooFarAheadError) return error;
    throw error;
  }
  throw new Error(`${separationDate} was accepted`);
}

describe('assertSeparationWithinHorizon', () => {
  it('accepts a separation dated exactly the bound after the day the event arrived, and refuses one a day later', () => {
    // 2026-03-01 + 350 days = 2027-02-14.
    expect(() => assertSeparationWithinHorizon('2027-02-14', receivedAt, 350)).not.toThrow();
    const refused = refusal('2027-02-15', receivedAt, 350);
    expect(refused).toMatchObject({ name: 'SeparationTooFarAheadError', status: 422 });
    expect(refused.message).toBe(
      'The separation date 2027-02-15 is 351 days after this event arrived (2026-03-01); an offboarding can be scheduled at most 350 days ahead (through 2027-02-14), because its workflow lives at most a year and follows up for weeks after the date. Nothing was started: send the event again on or after 2026-03-02.',
    );
  });

  it('counts from the date in Albuquerque, not in UTC', () => {
    // 22:30 MST on 2026-03-01 is already 2026-03-02 in UTC.
    const lateEvening = new Date('2026-03-02T05:30:00Z');
    expect(() => assertSeparationWithinHorizon('2027-02-14', lateEvening, 350)).not.toThrow();
    expect(refusal('2027-02-15', lateEvening, 350).message).toContain('arrived (2026-03-01)');
    // A minute after local midnight on 2026-03-02: one day more.
    expect(() => assertSeparationWithinHorizon('2027-02-15', new Date('2026-03-02T07:01:00Z'), 350)).not.toThrow();
  });

  it('counts across a leap day by the calendar', () => {
    // 2027-03-01 + 350 days crosses 2028-02-29: 2028-02-14.
    expect(() => assertSeparationWithinHorizon('2028-02-14', new Date('2027-03-01T17:00:00Z'), 350)).not.toThrow();
    expect(refusal('2028-02-15', new Date('2027-03-01T17:00:00Z'), 350).message).toContain('351 days');
  });

  it('accepts a separation dated today or in the past', () => {
    expect(() => assertSeparationWithinHorizon('2026-03-01', receivedAt, 350)).not.toThrow();
    expect(() => assertSeparationWithinHorizon('2025-12-31', receivedAt, 350)).not.toThrow();
  });
});

describe('followUpSeconds', () => {
  const open = (): Pick<OffboardingTask, 'status' | 'round' | 'remindersSent' | 'escalateTo' | 'lastSweep'> => ({
    status: 'OPEN',
    round: 0,
    remindersSent: 0,
    escalateTo: { id: 'E101', name: 'Marcus Chavez', email: 'mchavez@cabq.example' },
    lastSweep: 0,
  });

  it.each([0, 1, 2, 5])('is the waits an unanswered task takes to expire with %i reminder(s) per round', (reminders) => {
    // The follow-up as the state machine runs it: a wait, then one sweep (chaseAction), until expiry.
    const task = open();
    let sweeps = 0;
    for (let action = chaseAction(task, 1, reminders); ; action = chaseAction(task, sweeps + 1, reminders)) {
      sweeps += 1;
      if (action === 'expire') break;
      if (action === 'remind') task.remindersSent += 1;
      if (action === 'escalate') Object.assign(task, { round: 1, remindersSent: 0 });
      task.lastSweep = sweeps;
    }
    expect(followUpSeconds({ decisionWaitSeconds: 3 * day, remindersBeforeEscalation: reminders })).toBe(sweeps * 3 * day);
  });
});

describe('separationHorizonDays', () => {
  it('is the configured bound while the waits leave room for it', () => {
    // 3-day waits, 1 reminder: 4 waits = 12 days after the date; 365 - 12 - 1 = 352.
    expect(separationHorizonDays(350, { decisionWaitSeconds: 3 * day, remindersBeforeEscalation: 1 })).toBe(350);
    expect(separationHorizonDays(364, { decisionWaitSeconds: 3 * day, remindersBeforeEscalation: 1 })).toBe(352);
  });

  it('shrinks when longer waits would run the execution past its year', () => {
    // 24-day waits, 5 reminders: 12 waits = 288 days after the date.
    expect(separationHorizonDays(350, { decisionWaitSeconds: 24 * day, remindersBeforeEscalation: 5 })).toBe(365 - 288 - 1);
  });

  it("applies policy.json's own bound with policy.json's waits", () => {
    expect(separationHorizonDays(policy.offboarding.maxSeparationDaysAhead, policy.waits)).toBe(policy.offboarding.maxSeparationDaysAhead);
  });

  it('leaves the longest offboarding at least 23 hours inside its year, whatever day the event arrives', () => {
    const horizon = separationHorizonDays(364, policy.waits);
    const tight: string[] = [];
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2028-01-01T00:00:00Z'); t += day * 1000) {
      const receivedOn = new Date(t).toISOString().slice(0, 10);
      // The earliest arrival on that day (local midnight), the latest date it accepts, and the whole follow-up after it.
      const arrival = separationStartsAt(receivedOn).getTime();
      const latest = new Date(t + horizon * day * 1000).toISOString().slice(0, 10);
      expect(() => assertSeparationWithinHorizon(latest, new Date(arrival), horizon)).not.toThrow();
      const ends = separationStartsAt(latest).getTime() + followUpSeconds(policy.waits) * 1000;
      if (arrival + executionLifetimeDays * day * 1000 - ends < 23 * 3600 * 1000) tight.push(receivedOn);
    }
    expect(tight).toEqual([]);
  });
});
