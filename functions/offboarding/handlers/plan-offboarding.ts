import { InvalidInputError } from '#core/errors';
import { offboardingIdPattern } from '#offboarding/hr-events';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { OffboardingStore } from '#adapters/offboarding-store';
import { DirectoryWrites } from '#adapters/directory-writes';
import { handOverWork } from '#adapters/hand-over';
import * as z from '#core/zod';

const inputSchema = z.strictObject({ offboardingId: z.string().check(z.regex(offboardingIdPattern)) });

let store: OffboardingStore | undefined;
let writes: DirectoryWrites | undefined;

/**
 * State machine task: the accounts on which the employee holds an active grant (B) now that the
 * separation has taken effect. Fixed once: a re-run returns the list recorded the first time, even
 * though some grants are revoked by then. The person is marked separated in the directory, and
 * the approvals waiting for them move to whoever holds each post now.
 */
export async function planOffboarding(input: unknown): Promise<{ accounts: string[] }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The offboarding input is invalid.');
  store ??= new OffboardingStore();
  const record = await store.offboarding(parsed.data.offboardingId);
  if (!record) throw new InvalidInputError(`No offboarding ${parsed.data.offboardingId} is recorded.`);
  // Their open approvals move to whoever holds each post now (directory/hand-over.ts): recorded
  // before the offboarding starts, so a re-run or the reconciler's sweep finishes it.
  const handOver = { PK: `HANDOVER#PERSON#${record.employee.id}#separated-${record.separationDate}`, SK: 'PENDING' };
  if (record.status !== 'SCHEDULED') {
    await handOverWork(handOver);
    return { accounts: (await store.accountIds(record.offboardingId)) ?? [] };
  }

  const grants = await store.grantsOf(record.employee.id);
  const accounts = [...new Set(grants.filter((g) => g.status === 'ACTIVE').map((g) => g.accountId))].sort();
  await store.markSeparated(record.employee.id, record.separationDate);
  writes ??= new DirectoryWrites();
  await writes.recordHandOver(handOver, {
    personIds: [record.employee.id],
    reason: `${record.employee.name} separated from the City on ${record.separationDate}`,
    createdAt: new Date().toISOString(),
  });
  const started = await store.start(record.offboardingId, accounts, new Date().toISOString());
  logger.info('offboarding started', { offboardingId: record.offboardingId, accounts: started.length });
  await handOverWork(handOver);
  return { accounts: started };
}

export const handler = taskHandler(planOffboarding);
