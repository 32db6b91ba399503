import { describe, expect, it } from 'vitest';
import { ConfigurationError, ForbiddenError, InvalidInputError } from '#core/errors';
import { namedSteps } from '#core/request';
import {
  addDays,
  assertMayAskException,
  dayIn,
  type ExceptionRequest,
  exceptionRequest,
  exceptionStandingItem,
  exceptionSteps,
  exceptionTimeline,
  isCalendarDay,
  nextStep,
  parseExceptionForm,
  startOfDay,
} from '#exception/exception';
import { exceptionKind } from '#exception/kind';
import { account, department, grant, person, roleHolders } from '../fixtures.ts';

const today = '2025-03-01';
const valid = { submissionId: 'sub-12345678', standard: 'b', reason: 'The summer camp page shares partner posts.', endsOn: '2025-06-30' };

function fieldsOf(raw: Record<string, unknown>, day = today): Record<string, string> {
  try {
    parseExceptionForm(raw, day);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.fields;
    throw error;
  }
  throw new Error('the form was accepted');
}

function sample(overrides: Partial<ExceptionRequest> = {}): ExceptionRequest {
  const requester = person('E102');
  const steps = exceptionSteps({ requester, department: department('PRD'), roleHolders });
  return {
    ...exceptionRequest({
      requester,
      account: account(),
      department: department('PRD'),
      form: parseExceptionForm(valid, today),
      steps: namedSteps(
        steps,
        steps.map((s) => person(s.approverId)),
      ),
      submissionId: 'sub-12345678',
      now: new Date('2025-03-01T17:00:00.000Z'),
    }),
    ...overrides,
  };
}

describe('the exception form (F.d)', () => {
  it('accepts a standard, a reason and an end date, starting today when no start is given', () => {
    expect(parseExceptionForm(valid, today)).toEqual({
      submissionId: 'sub-12345678',
      standard: 'b',
      reason: 'The summer camp page shares partner posts.',
      startsOn: '2025-03-01',
      endsOn: '2025-06-30',
    });
  });

  it('gives one message per missing or malformed field', () => {
    expect(fieldsOf({ standard: 'd', reason: 'short', endsOn: 'June' })).toEqual({
      standard: 'choose the standard of F the exception is from: F.a, F.b or F.c',
      reason: 'say why the account needs this exception (at least 10 characters)',
      endsOn: 'give the end date as YYYY-MM-DD (a real day)',
    });
    expect(fieldsOf({})).toEqual({
      standard: 'choose the standard of F the exception is from: F.a, F.b or F.c',
      reason: 'say why the account needs this exception (at least 10 characters)',
      endsOn: 'give the end date as YYYY-MM-DD',
    });
  });

  it('refuses a start in the past and a day that does not exist', () => {
    expect(fieldsOf({ ...valid, startsOn: '2025-02-28' })).toEqual({
      startsOn: 'the exception cannot start in the past: choose today (2025-03-01) or a later day',
    });
    expect(fieldsOf({ ...valid, startsOn: '2025-02-30' })).toEqual({
      startsOn: 'give the start date as YYYY-MM-DD (a real day), or leave it empty for today',
    });
  });

  it('refuses an end on or before the start', () => {
    expect(fieldsOf({ ...valid, startsOn: '2025-04-01', endsOn: '2025-04-01' })).toEqual({ endsOn: 'the end date must be after the start date (2025-04-01)' });
    expect(fieldsOf({ ...valid, endsOn: '2025-02-15' })).toEqual({ endsOn: 'the end date must be after the start date (2025-03-01)' });
  });

  it('refuses an end more than maxDays (360) from today, and accepts the 360th day', () => {
    expect(fieldsOf({ ...valid, endsOn: '2026-02-25' })).toEqual({
      endsOn: 'choose an end date on or before 2026-02-24: an exception lasts at most 360 days, counted from today',
    });
    expect(parseExceptionForm({ ...valid, endsOn: '2026-02-24' }, today).endsOn).toBe('2026-02-24');
    expect(fieldsOf({ ...valid, startsOn: '2026-02-24', endsOn: '2026-02-25' })).toEqual({
      startsOn: 'choose a start date before 2026-02-24: an exception ends at most 360 days from today',
      endsOn: 'choose an end date on or before 2026-02-24: an exception lasts at most 360 days, counted from today',
    });
  });
});

describe('who may ask, and who decides', () => {
  it('lets anyone with an active grant on the account ask, admin or poster', () => {
    expect(() => assertMayAskException({ requester: person('E103'), account: account(), grants: [grant({ personId: 'E103', role: 'POSTER' })] })).not.toThrow();
  });

  it('refuses someone without an active grant, naming who may ask', () => {
    const grants = [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', status: 'REVOKED' })];
    expect(() => assertMayAskException({ requester: person('E103'), account: account(), grants })).toThrow(
      new ForbiddenError(
        'Only someone with posting authority on Instagram @ABQParks (an admin or a poster) can ask for an exception for it. Ask one of its admins (Ana Gallegos), or ask for posting authority first.',
      ),
    );
  });

  it('sends it to the Communications Coordinator, who escalates to the designee', () => {
    expect(exceptionSteps({ requester: person('E102'), department: department('PRD'), roleHolders })).toEqual([
      { role: 'COMMUNICATIONS_COORDINATOR', title: 'Communications Coordinator', approverId: 'E502', escalateToId: 'E500', routedToDesignee: false },
    ]);
  });

  it('sends the Coordinator’s own request to the designee', () => {
    expect(exceptionSteps({ requester: person('E502'), department: department('CMO'), roleHolders })).toEqual([
      { role: 'COMMUNICATIONS_COORDINATOR', title: 'Communications Coordinator', approverId: 'E500', escalateToId: null, routedToDesignee: true },
    ]);
  });

  it('fails to plan when nobody holds the Coordinator role', () => {
    expect(() => exceptionSteps({ requester: person('E102'), department: department('PRD'), roleHolders: [] })).toThrow(ConfigurationError);
  });
});

describe('the lapse timeline (00:00 America/Denver)', () => {
  it('tells 14 days before the end date and lapses at its start, in daylight time', () => {
    expect(exceptionTimeline('2025-06-30')).toEqual({ noticeOn: '2025-06-16', noticeAt: '2025-06-16T06:00:00.000Z', lapseAt: '2025-06-30T06:00:00.000Z' });
  });

  it('follows the clock change between the notice and the lapse', () => {
    expect(exceptionTimeline('2025-11-10')).toEqual({ noticeOn: '2025-10-27', noticeAt: '2025-10-27T06:00:00.000Z', lapseAt: '2025-11-10T07:00:00.000Z' });
    expect(exceptionTimeline('2026-01-15')).toEqual({ noticeOn: '2026-01-01', noticeAt: '2026-01-01T07:00:00.000Z', lapseAt: '2026-01-15T07:00:00.000Z' });
  });

  it('counts days on the calendar and in the City', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(isCalendarDay('2024-02-29')).toBe(true);
    expect(isCalendarDay('2025-02-29')).toBe(false);
    expect(dayIn(new Date('2025-03-02T06:59:00.000Z'))).toBe('2025-03-01');
    expect(dayIn(new Date('2025-03-02T07:00:00.000Z'))).toBe('2025-03-02');
    expect(startOfDay('2025-03-09').toISOString()).toBe('2025-03-09T07:00:00.000Z');
  });

  const timeline = exceptionTimeline('2025-06-30');
  const at = (iso: string) => new Date(iso);

  it('waits for the notice day, at most 20 days a wait', () => {
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-15T06:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'WAIT', waitSeconds: 86400 });
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-03-01T17:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'WAIT', waitSeconds: 1728000 });
  });

  it('acts on the notice day, or at once when approved after it', () => {
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-16T06:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'ACT', waitSeconds: 1 });
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-20T12:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'ACT', waitSeconds: 1 });
  });

  it('skips a notice already sent, and one whose end has come', () => {
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-20T12:00:00.000Z'), status: 'ACTIVE', noticeSent: true })).toEqual({
      next: 'SKIP',
      waitSeconds: 1,
    });
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-30T06:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'SKIP', waitSeconds: 1 });
  });

  it('waits for the end date, lapses on it, and acts again on a lapsed standing (its emails may be owed)', () => {
    expect(nextStep({ stage: 'LAPSE', timeline, now: at('2025-06-29T06:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'WAIT', waitSeconds: 86400 });
    expect(nextStep({ stage: 'LAPSE', timeline, now: at('2025-06-30T06:00:00.000Z'), status: 'ACTIVE' })).toEqual({ next: 'ACT', waitSeconds: 1 });
    expect(nextStep({ stage: 'LAPSE', timeline, now: at('2025-03-01T00:00:00.000Z'), status: 'LAPSED' })).toEqual({ next: 'ACT', waitSeconds: 1 });
  });

  it('is done with a withdrawn or missing standing', () => {
    expect(nextStep({ stage: 'LAPSE', timeline, now: at('2025-06-30T06:00:00.000Z'), status: 'WITHDRAWN' })).toEqual({ next: 'DONE', waitSeconds: 1 });
    expect(nextStep({ stage: 'NOTICE', timeline, now: at('2025-06-16T06:00:00.000Z'), status: undefined })).toEqual({ next: 'DONE', waitSeconds: 1 });
  });
});

describe('the exception as a kind of request', () => {
  it('has its own id prefix, entity and state machine', () => {
    const request = sample();
    expect(request.requestId).toMatch(/^ex-20250301-[0-9a-f]{16}$/);
    expect([exceptionKind.idPrefix, exceptionKind.entity, exceptionKind.stateMachine]).toEqual(['ex', 'ExceptionRequest', 'exceptionApproval']);
    expect(exceptionKind.accountOf(request)).toBe('acct-20250301-0123456789abcdef');
  });

  it('reads with the standard, the dates and the Coordinator’s chain', () => {
    const described = exceptionKind.describe(sample(), {});
    expect(described.title).toBe('exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks');
    expect(described.subject).toBe('Exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks until Jun 30, 2025');
    expect(described.rules).toBe('F.d');
    expect(described.facts.slice(4, 8)).toEqual([
      ['Standard', 'F.b Purpose and Commitment to Quality'],
      ['Reason', 'The summer camp page shares partner posts.'],
      ['From', 'Mar 1, 2025'],
      ['Until', 'Jun 30, 2025 (it lapses that day; the last day it holds is Jun 29, 2025)'],
    ]);
    expect(described.facts.at(-1)).toEqual(['Approval chain', 'Communications Coordinator: Rosa Apodaca']);
    expect(described.approvedNote).toBe(
      "The exception to F.b Purpose and Commitment to Quality for Instagram @ABQParks holds from Mar 1, 2025 through Jun 29, 2025 and lapses by itself on Jun 30, 2025 (F.d). It is shown on the account's page; you and the Communications Coordinator are told on Jun 16, 2025 that it is ending.",
    );
  });

  it('fills the subject, reason and dates of its records export row', () => {
    expect(exceptionKind.exportCells(sample())).toEqual({
      subject: 'F.b Purpose and Commitment to Quality',
      reason: 'The summer camp page shares partner posts.',
      startsOn: '2025-03-01',
      endsOn: '2025-06-30',
    });
  });

  it('puts an active standing on the account when approved', () => {
    const request = sample();
    expect(exceptionStandingItem(request, { decidedAt: '2025-03-02T16:00:00.000Z', decidedByName: 'Rosa Apodaca' })).toEqual({
      PK: 'ACCOUNT#acct-20250301-0123456789abcdef',
      SK: `STANDING#EXCEPTION#${request.requestId}`,
      entity: 'Standing',
      accountId: 'acct-20250301-0123456789abcdef',
      kind: 'EXCEPTION',
      requestId: request.requestId,
      title: 'Exception to F.b (Purpose and Commitment to Quality)',
      facts: [
        ['Standard', 'F.b Purpose and Commitment to Quality'],
        ['Reason', 'The summer camp page shares partner posts.'],
        ['Asked by', 'Ana Gallegos'],
      ],
      approvedAt: '2025-03-02T16:00:00.000Z',
      approvedByName: 'Rosa Apodaca',
      startsOn: '2025-03-01',
      endsOn: '2025-06-30',
      status: 'ACTIVE',
    });
  });
});
