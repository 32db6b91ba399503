import { describe, expect, it } from 'vitest';
import { directStartSchema, formStartSchema, planStart, scheduledStartSchema, scheduledYear } from '#annual-review/start';
import { InvalidInputError } from '#core/errors';

const now = new Date('2027-02-01T15:00:00.000Z');
const samuel = { id: 'E400', name: 'Samuel Ortiz', email: 'sortiz@cabq.example' };

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('planStart', () => {
  it('plans the City-wide review as annual-review-<year>, waiting seven days between sweeps', () => {
    expect(planStart({ year: 2027, trigger: 'schedule', now, knownDepartment: false })).toEqual({
      reviewId: '2027',
      executionName: 'annual-review-2027',
      input: { reviewId: '2027', year: 2027, trigger: 'schedule', waitSeconds: 604800 },
    });
  });

  it('plans one department review as annual-review-<year>-<department>, with who started it', () => {
    expect(planStart({ year: 2027, departmentCode: 'PRD', trigger: 'page', startedBy: samuel, now, knownDepartment: true })).toEqual({
      reviewId: '2027-PRD',
      executionName: 'annual-review-2027-PRD',
      input: { reviewId: '2027-PRD', year: 2027, departmentCode: 'PRD', trigger: 'page', startedBy: samuel, waitSeconds: 604800 },
    });
  });

  it('plans next year, with the wait it is given', () => {
    expect(planStart({ year: 2028, trigger: 'cli', now, knownDepartment: false, waitSeconds: 60 }).input).toEqual({
      reviewId: '2028',
      year: 2028,
      trigger: 'cli',
      waitSeconds: 60,
    });
  });

  it('refuses a past year with an InvalidInputError on the year field', () => {
    const error = thrown(() => planStart({ year: 2026, trigger: 'page', startedBy: samuel, now, knownDepartment: false }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      message: '2026 is in the past: a review is of the accounts as they are now. Start 2027 instead.',
      fields: { year: '2026 is in the past: a review is of the accounts as they are now. Start 2027 instead.' },
    });
  });

  it('refuses a department not in the directory with an InvalidInputError on the departmentCode field', () => {
    const error = thrown(() => planStart({ year: 2027, departmentCode: 'XYZ', trigger: 'cli', now, knownDepartment: false }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ message: 'There is no department XYZ in the directory.', fields: { departmentCode: 'choose a department from the list' } });
  });
});

describe('scheduledYear', () => {
  it('is the year of the scheduled moment in Denver', () => {
    expect(scheduledYear('2027-02-01T15:00:00Z')).toBe(2027);
    expect(scheduledYear('2027-01-01T05:00:00Z')).toBe(2026);
  });
});

describe('scheduledStartSchema', () => {
  it('accepts the scheduler event', () => {
    expect(scheduledStartSchema.safeParse({ trigger: 'schedule', scheduledTime: '2027-02-01T15:00:00Z' })).toMatchObject({
      success: true,
      data: { trigger: 'schedule', scheduledTime: '2027-02-01T15:00:00Z' },
    });
  });

  it('refuses another trigger, a time that is not ISO, a missing time, or an extra field', () => {
    expect(scheduledStartSchema.safeParse({ trigger: 'cli', scheduledTime: '2027-02-01T15:00:00Z' }).success).toBe(false);
    expect(scheduledStartSchema.safeParse({ trigger: 'schedule', scheduledTime: 'Feb 1, 2027' }).success).toBe(false);
    expect(scheduledStartSchema.safeParse({ trigger: 'schedule' }).success).toBe(false);
    expect(scheduledStartSchema.safeParse({ trigger: 'schedule', scheduledTime: '2027-02-01T15:00:00Z', year: 2027 }).success).toBe(false);
  });
});

describe('directStartSchema', () => {
  it('accepts the CLI event with or without a year and a department', () => {
    expect(directStartSchema.safeParse({ trigger: 'cli' })).toMatchObject({ success: true, data: { trigger: 'cli' } });
    expect(directStartSchema.safeParse({ trigger: 'cli', year: 2027, departmentCode: 'PRD' })).toMatchObject({
      success: true,
      data: { trigger: 'cli', year: 2027, departmentCode: 'PRD' },
    });
  });

  it('refuses a fractional or string year, a lower-case department, another trigger, or an extra field', () => {
    expect(directStartSchema.safeParse({ trigger: 'cli', year: 2027.5 }).success).toBe(false);
    expect(directStartSchema.safeParse({ trigger: 'cli', year: '2027' }).success).toBe(false);
    expect(directStartSchema.safeParse({ trigger: 'cli', departmentCode: 'prd' }).success).toBe(false);
    expect(directStartSchema.safeParse({ trigger: 'schedule' }).success).toBe(false);
    expect(directStartSchema.safeParse({ trigger: 'cli', startedBy: 'E400' }).success).toBe(false);
  });
});

describe('formStartSchema', () => {
  it('accepts a four-digit year, trimmed, with a department or none', () => {
    expect(formStartSchema.safeParse({ year: ' 2027 ', departmentCode: ' PRD ' })).toMatchObject({
      success: true,
      data: { year: '2027', departmentCode: 'PRD' },
    });
    expect(formStartSchema.safeParse({ year: '2027', departmentCode: '' })).toMatchObject({ success: true, data: { year: '2027', departmentCode: '' } });
    expect(formStartSchema.safeParse({ year: '2027' })).toMatchObject({ success: true, data: { year: '2027' } });
  });

  it('refuses a year that is not four digits, or a department that is not a code', () => {
    expect(formStartSchema.safeParse({ year: '27' }).success).toBe(false);
    expect(formStartSchema.safeParse({ year: 'next' }).success).toBe(false);
    expect(formStartSchema.safeParse({}).success).toBe(false);
    expect(formStartSchema.safeParse({ year: '2027', departmentCode: 'Parks' }).success).toBe(false);
  });
});
