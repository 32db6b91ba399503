import { InvalidInputError } from '#core/errors';
import { offboardingIdPattern } from '#offboarding/hr-events';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { OffboardingStore } from '#adapters/offboarding-store';
import * as z from '#core/zod';

const inputSchema = z.strictObject({ offboardingId: z.string().check(z.regex(offboardingIdPattern)) });

let store: OffboardingStore | undefined;

/**
 * State machine task: the accounts on which the employee holds an active grant (B) now that the
 * separation has taken effect. Fixed once: a re-run returns the list recorded the first time, even
 * though some grants are revoked by then. The person is marked separated in the directory.
 */
export async function planOffboarding(input: unknown): Promise<{ accounts: string[] }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The offboarding input is invalid.');
  store ??= new OffboardingStore();
  const record = await store.offboarding(parsed.data.offboardingId);
  if (!record) throw new InvalidInputError(`No offboarding ${parsed.data.offboardingId} is recorded.`);
  if (record.status !== 'SCHEDULED') return { accounts: (await store.accountIds(record.offboardingId)) ?? [] };

  const grants = await store.grantsOf(record.employee.id);
  const accounts = [...new Set(grants.filter((g) => g.status === 'ACTIVE').map((g) => g.accountId))].sort();
  await store.markSeparated(record.employee.id, record.separationDate);
  const started = await store.start(record.offboardingId, accounts, new Date().toISOString());
  logger.info('offboarding started', { offboardingId: record.offboardingId, accounts: started.length });
  return { accounts: started };
}

export const handler = taskHandler(planOffboarding);
