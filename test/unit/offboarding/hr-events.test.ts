import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#core/errors';
import {
  hrDetailTypes,
  maxDateWaitSeconds,
  offboardingIdFor,
  offboardingIdPattern,
  parseHrEvent,
  separationSchedule,
  separationStartsAt,
} from '#offboarding/hr-events';

const source = 'cabq.hr';

/** An EventBridge event as the HR rule delivers it, with every envelope field EventBridge sets. */
function hrEvent(detailType: string, detail: unknown, overrides: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2026-01-10T15:00:00Z',
    region: 'us-west-2',
    resources: [],
    detail,
    ...overrides,
  };
}

const separated = (detail: unknown) => hrEvent(hrDetailTypes.separated, detail);
const updated = (detail: unknown) => hrEvent(hrDetailTypes.employee, detail);

/** A full "Employee Updated" snapshot (HR sends the whole record, with its place in the person's order). */
const snapshot = {
  employeeId: 'E103',
  name: 'Tom Sandoval',
  email: 'tsandoval@cabq.example',
  departmentCode: 'PRD',
  title: 'Aquatics Manager',
  supervisorId: 'E101',
  status: 'ACTIVE',
  effectiveAt: '2026-01-10T08:00:00-07:00',
  sequence: 3,
};
/** The snapshot with some fields changed (a key set to undefined is left out). */
const snapshotWith = (change: Record<string, unknown>) => Object.fromEntries(Object.entries({ ...snapshot, ...change }).filter(([, v]) => v !== undefined));
const ordering = { effectiveAt: '2026-01-10T15:00:00Z', sequence: 0 };

/** The refusal parseHrEvent throws, for assertions on its message. */
function refusal(raw: unknown, expectedSource = source): InvalidInputError {
  try {
    parseHrEvent(raw, expectedSource);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('parseHrEvent accepted the event');
}

describe('parseHrEvent', () => {
  it('reads an "Employee Separated" event with its full EventBridge envelope', () => {
    expect(parseHrEvent(separated({ employeeId: 'E102', separationDate: '2026-01-15' }), source)).toEqual({
      kind: 'separated',
      detail: { employeeId: 'E102', separationDate: '2026-01-15' },
    });
  });

  it('reads an "Employee Updated" snapshot with every field', () => {
    const detail = { ...snapshot, status: 'SEPARATED', separationDate: '2026-01-15' };
    expect(parseHrEvent(updated(detail), source)).toEqual({ kind: 'directory', event: { type: 'Employee Updated', detail } });
  });

  it('reads an "Employee Updated" snapshot without the optional title, supervisor and separation date', () => {
    const detail = snapshotWith({ title: undefined, supervisorId: undefined });
    expect(parseHrEvent(updated(detail), source)).toEqual({
      kind: 'directory',
      event: {
        type: 'Employee Updated',
        detail: {
          employeeId: 'E103',
          name: 'Tom Sandoval',
          email: 'tsandoval@cabq.example',
          departmentCode: 'PRD',
          status: 'ACTIVE',
          effectiveAt: '2026-01-10T08:00:00-07:00',
          sequence: 3,
        },
      },
    });
  });

  it('refuses an "Employee Updated" that carries only the employee id and one change, naming every missing field', () => {
    const message = refusal(updated({ employeeId: 'E103', title: 'Aquatics Manager' })).message;
    expect(message).toContain(hrDetailTypes.employee);
    for (const field of ['name', 'email', 'departmentCode', 'status', 'effectiveAt', 'sequence']) expect(message).toContain(`${field}:`);
    expect(message).not.toContain('employeeId:');
    expect(message).not.toContain('title:');
  });

  it('trims the name and title HR sends', () => {
    const parsed = parseHrEvent(updated(snapshotWith({ name: '  Tom Sandoval ', title: ' Aquatics Manager  ' })), source);
    expect(parsed).toEqual({ kind: 'directory', event: { type: 'Employee Updated', detail: snapshot } });
  });

  it.each(['2026-01-10T08:00:00', '2026-01-10T08:00', '2026-01-10', '2026-01-10 08:00:00-07:00'])(
    'refuses the effectiveAt %s, without its offset',
    (effectiveAt) => {
      expect(refusal(updated(snapshotWith({ effectiveAt }))).message).toContain(
        'effectiveAt: effectiveAt must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:30:00-07:00',
      );
    },
  );

  it.each(['2026-01-10T08:00:00Z', '2026-01-10T08:00:00.123-07:00', '2026-01-10T08:00+05:30'])('accepts the effectiveAt %s', (effectiveAt) => {
    expect(parseHrEvent(updated(snapshotWith({ effectiveAt })), source)).toMatchObject({ event: { detail: { effectiveAt } } });
  });

  it.each([
    [-1, 'sequence: sequence must be 0 or more'],
    [1.5, 'sequence: sequence must be a whole number'],
    ['3', 'sequence: sequence is required (a whole number, the sender’s counter for this entity)'],
  ])('refuses the sequence %j', (sequence, message) => {
    expect(refusal(updated(snapshotWith({ sequence }))).message).toContain(message);
  });

  it('accepts the sequence 0', () => {
    expect(parseHrEvent(updated(snapshotWith({ sequence: 0 })), source)).toMatchObject({ event: { detail: { sequence: 0 } } });
  });

  it('reads a "Department Updated" event', () => {
    const detail = { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101', ...ordering };
    expect(parseHrEvent(hrEvent(hrDetailTypes.department, detail), source)).toEqual({ kind: 'directory', event: { type: 'Department Updated', detail } });
  });

  it('reads a "Role Assigned" event', () => {
    const detail = { role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501', ...ordering };
    expect(parseHrEvent(hrEvent(hrDetailTypes.roleAssigned, detail), source)).toEqual({ kind: 'directory', event: { type: 'Role Assigned', detail } });
  });

  it('reads a "Role Removed" event', () => {
    const detail = { role: 'CITY_CLERK_CONTACT', ...ordering };
    expect(parseHrEvent(hrEvent(hrDetailTypes.roleRemoved, detail), source)).toEqual({ kind: 'directory', event: { type: 'Role Removed', detail } });
  });

  it('refuses a department or role event without its ordering, naming the event and the fields', () => {
    const message = refusal(hrEvent(hrDetailTypes.department, { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101' })).message;
    expect(message).toContain(hrDetailTypes.department);
    expect(message).toContain('effectiveAt:');
    expect(message).toContain('sequence:');
    expect(refusal(hrEvent(hrDetailTypes.roleRemoved, { role: 'MAYOR', ...ordering })).message).toContain('role: role is one of:');
  });

  it('refuses an event from another source, naming both sources', () => {
    const error = refusal(hrEvent(hrDetailTypes.separated, { employeeId: 'E102', separationDate: '2026-01-15' }, { source: 'someone.else' }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('"someone.else"');
    expect(error.message).toContain(`"${source}"`);
  });

  it('checks the source against the configured one', () => {
    const event = hrEvent(hrDetailTypes.separated, { employeeId: 'E102', separationDate: '2026-01-15' }, { source: 'workday.prod' });
    expect(parseHrEvent(event, 'workday.prod').kind).toBe('separated');
    expect(() => parseHrEvent(event, source)).toThrow(InvalidInputError);
  });

  it('refuses an unknown detail-type, listing the ones it reads', () => {
    const error = refusal(hrEvent('Employee Hired', { employeeId: 'E102' }));
    expect(error.message).toContain('"Employee Hired"');
    expect(error.message).toBe(
      'The HR event\'s detail-type "Employee Hired" is not one of: Employee Separated, Employee Updated, Department Updated, Role Assigned, Role Removed.',
    );
    for (const type of Object.values(hrDetailTypes)) expect(error.message).toContain(type);
  });

  it.each([
    ['null', null],
    ['a string', 'Employee Separated'],
    ['an event without a source', { 'detail-type': hrDetailTypes.separated, detail: { employeeId: 'E102', separationDate: '2026-01-15' } }],
    ['an event without a detail-type', { source, detail: { employeeId: 'E102', separationDate: '2026-01-15' } }],
  ])('refuses %s as not an EventBridge event', (_what, raw) => {
    expect(refusal(raw).message).toMatch(/not an EventBridge event/);
  });

  it('refuses a separation detail with an unexpected field, naming it', () => {
    const error = refusal(separated({ employeeId: 'E102', separationDate: '2026-01-15', reason: 'retired' }));
    expect(error.message).toContain(hrDetailTypes.separated);
    expect(error.message).toContain('reason');
  });

  it('refuses an update detail with an unexpected field, naming it', () => {
    const message = refusal(updated(snapshotWith({ salary: 1 }))).message;
    expect(message).toContain(hrDetailTypes.employee);
    expect(message).toContain('salary');
  });

  it('refuses a separation without a date or without an employee', () => {
    expect(refusal(separated({ employeeId: 'E102' })).message).toContain('separationDate');
    expect(refusal(separated({ separationDate: '2026-01-15' })).message).toContain('employeeId');
    expect(refusal(separated(undefined)).message).toContain(hrDetailTypes.separated);
  });

  it('names every problem of a detail at once', () => {
    const message = refusal(separated({ employeeId: 'E 102', separationDate: '15/01/2026' })).message;
    expect(message).toContain('employeeId');
    expect(message).toContain('separationDate');
  });

  it.each(['2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00'])('refuses the impossible date %s', (date) => {
    expect(refusal(separated({ employeeId: 'E102', separationDate: date })).message).toMatch(/separationDate/);
  });

  it('accepts the leap day of a leap year', () => {
    expect(parseHrEvent(separated({ employeeId: 'E102', separationDate: '2028-02-29' }), source)).toMatchObject({ detail: { separationDate: '2028-02-29' } });
  });

  it.each(['2026-1-15', '01/15/2026', '2026-01-15T00:00:00Z', '20260115'])('refuses the date %s written other than YYYY-MM-DD', (date) => {
    expect(refusal(separated({ employeeId: 'E102', separationDate: date })).message).toContain('YYYY-MM-DD');
  });

  it.each(['E102', 'EMP-0042', 'a'.repeat(20), '7'])('accepts the employee id %s', (employeeId) => {
    expect(parseHrEvent(separated({ employeeId, separationDate: '2026-01-15' }), source)).toEqual({
      kind: 'separated',
      detail: { employeeId, separationDate: '2026-01-15' },
    });
  });

  it.each(['', 'a'.repeat(21), 'E 102', 'E102/..', 'E_102', 'É102'])('refuses the employee id %j', (employeeId) => {
    expect(refusal(separated({ employeeId, separationDate: '2026-01-15' })).message).toContain('employeeId');
  });

  it('applies the employee id rule to the supervisor too', () => {
    expect(refusal(updated(snapshotWith({ supervisorId: 'E 101' }))).message).toContain('supervisorId');
  });

  it('refuses an update with a malformed email or department code', () => {
    expect(refusal(updated(snapshotWith({ email: 'not-an-email' }))).message).toContain('email');
    expect(refusal(updated(snapshotWith({ departmentCode: 'prd' }))).message).toContain('departmentCode');
  });
});

describe('offboardingIdFor', () => {
  it('names one offboarding per employee and separation date', () => {
    expect(offboardingIdFor('E102', '2026-01-15')).toBe('off-E102-20260115');
    expect(offboardingIdFor('E102', '2026-01-16')).not.toBe(offboardingIdFor('E102', '2026-01-15'));
    expect(offboardingIdFor('E103', '2026-01-15')).not.toBe(offboardingIdFor('E102', '2026-01-15'));
  });

  it('makes ids that the pattern accepts and that are valid execution names, even for the longest employee id', () => {
    for (const employeeId of ['7', 'E102', 'EMP-0042', 'Z'.repeat(20)]) {
      const id = offboardingIdFor(employeeId, '2026-11-01');
      expect(id).toMatch(offboardingIdPattern);
      expect(id.length).toBeLessThanOrEqual(80);
      expect(id).toMatch(/^[A-Za-z0-9-]+$/);
    }
  });

  it.each(['off-E102-2026-01-15', 'off-E102-2026011', 'OFF-E102-20260115', 'off-E 102-20260115', `off-${'a'.repeat(21)}-20260115`, 'E102-20260115'])(
    'the pattern refuses %s',
    (id) => {
      expect(id).not.toMatch(offboardingIdPattern);
    },
  );
});

/** The wall-clock time in Albuquerque, as `YYYY-MM-DD HH:MM:SS`. */
const denver = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Denver',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
function denverWallClock(at: Date): string {
  const part = Object.fromEntries(denver.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}
const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('separationStartsAt', () => {
  it('is 07:00 UTC on a winter date (MST)', () => {
    expect(separationStartsAt('2026-01-15').toISOString()).toBe('2026-01-15T07:00:00.000Z');
  });

  it('is 06:00 UTC on a summer date (MDT)', () => {
    expect(separationStartsAt('2026-07-15').toISOString()).toBe('2026-07-15T06:00:00.000Z');
  });

  it.each(['2026-03-08', '2026-11-01', '2025-03-09', '2025-11-02', '2026-03-09', '2026-11-02'])(
    'is local midnight in Albuquerque on %s, around a daylight-saving switch',
    (date) => {
      const start = separationStartsAt(date);
      expect(denverWallClock(start)).toBe(`${date} 00:00:00`);
      expect(denverWallClock(new Date(start.getTime() - 1000))).toBe(`${dayBefore(date)} 23:59:59`);
    },
  );

  it('spans a 23-hour day on 2026-03-08 and a 25-hour day on 2026-11-01 (the switch days)', () => {
    const hours = (date: string) => (separationStartsAt(dayAfter(date)).getTime() - separationStartsAt(date).getTime()) / 3_600_000;
    expect(hours('2026-03-08')).toBe(23);
    expect(hours('2026-11-01')).toBe(25);
    expect(hours('2026-03-07')).toBe(24);
  });

  it('is local midnight on every day of 2025 to 2027', () => {
    const wrong: string[] = [];
    for (let t = Date.parse('2025-01-01T00:00:00Z'); t < Date.parse('2028-01-01T00:00:00Z'); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      if (denverWallClock(separationStartsAt(date)) !== `${date} 00:00:00`) wrong.push(date);
    }
    expect(wrong).toEqual([]);
  });
});

describe('separationSchedule', () => {
  const date = '2026-07-15';
  const start = separationStartsAt(date);
  const at = (ms: number) => new Date(start.getTime() + ms);

  it('is due from local midnight of the separation date on', () => {
    expect(separationSchedule(date, at(0))).toMatchObject({ due: true, notBefore: start.toISOString() });
    expect(separationSchedule(date, at(3_600_000)).due).toBe(true);
  });

  it('is due for a date long past, with the shortest wait', () => {
    expect(separationSchedule('2020-02-03', at(0))).toEqual({ due: true, notBefore: separationStartsAt('2020-02-03').toISOString(), waitSeconds: 1 });
  });

  it('is not due a moment before local midnight, and waits at least one second', () => {
    expect(separationSchedule(date, at(-1))).toEqual({ due: false, notBefore: start.toISOString(), waitSeconds: 1 });
  });

  it('waits until local midnight when the date is near', () => {
    const twoDays = 2 * 24 * 3600;
    expect(separationSchedule(date, at(-twoDays * 1000))).toMatchObject({ due: false, waitSeconds: twoDays });
    expect(separationSchedule(date, at(-90_500))).toMatchObject({ due: false, waitSeconds: 91 });
  });

  it('caps the wait for a date far ahead, so a long wait is split into several', () => {
    const ahead = separationSchedule(date, at(-(maxDateWaitSeconds + 3600) * 1000));
    expect(ahead).toMatchObject({ due: false, waitSeconds: maxDateWaitSeconds });
    expect(separationSchedule('2099-12-31', at(0)).waitSeconds).toBe(maxDateWaitSeconds);
    // The local engine's timers overflow past 2^31 ms.
    expect(maxDateWaitSeconds * 1000).toBeLessThan(2 ** 31);
  });
});
