import { InvalidInputError, UnknownEmployeeError } from '#core/errors';
import { employeeIdPattern, isoDate, offboardingIdFor, offboardingIdPattern, separationSchedule } from '#offboarding/hr-events';
import { fieldErrors } from '#core/request';
import { now } from '#adapters/clock';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { OffboardingStore } from '#adapters/offboarding-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';
import * as z from '#core/zod';

const openSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  employeeId: z.string().check(z.regex(employeeIdPattern)),
  separationDate: isoDate,
});
const awaitSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
});

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;

/**
 * State machine task, two calls:
 * - `{ offboardingId, employeeId, separationDate }`: the employee must be in the directory
 *   (UnknownEmployeeError otherwise, with nothing written); the offboarding is recorded once
 *   (a duplicate event finds it); answers whether the separation date has come and how long to wait.
 * - `{ offboardingId, taskToken }` (waitForTaskToken): settles the token at once when the date has
 *   come (the local clock may have moved), otherwise leaves it for the wait's timeout.
 */
export async function openOffboarding(input: unknown): Promise<{ offboardingId: string; due: boolean; waitSeconds: number }> {
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const waiting = awaitSchema.safeParse(input);
  if (waiting.success) {
    const record = await store.offboarding(waiting.data.offboardingId);
    if (!record) throw new InvalidInputError(`No offboarding ${waiting.data.offboardingId} is recorded.`);
    const schedule = separationSchedule(record.separationDate, now());
    if (schedule.due) await sfnCallbacks.succeed(waiting.data.taskToken, { due: true });
    return { offboardingId: record.offboardingId, due: schedule.due, waitSeconds: schedule.waitSeconds };
  }
  const parsed = openSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The offboarding input is invalid.', fieldErrors(parsed.error));
  const { offboardingId, employeeId, separationDate } = parsed.data;
  if (offboardingId !== offboardingIdFor(employeeId, separationDate)) {
    throw new InvalidInputError(`Offboarding id ${offboardingId} does not match employee ${employeeId} and date ${separationDate}.`);
  }
  const person = await directory.person(employeeId);
  if (!person) throw new UnknownEmployeeError(`Employee ${employeeId} is not in the directory.`);
  const schedule = separationSchedule(separationDate, now());
  const created = await store.createOffboarding({
    offboardingId,
    employee: { id: person.id, name: person.name, email: person.email, departmentCode: person.departmentCode },
    separationDate,
    notBefore: schedule.notBefore,
    status: 'SCHEDULED',
    createdAt: new Date().toISOString(),
  });
  logger.info('offboarding opened', { offboardingId, created, due: schedule.due });
  return { offboardingId, due: schedule.due, waitSeconds: schedule.waitSeconds };
}

export const handler = taskHandler(openOffboarding);
