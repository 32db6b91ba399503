import { approvalWorkflows } from '#catalogue-types';
import { InvalidInputError } from '#core/errors';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { GovernanceStore } from '#adapters/store';
import { startStoredRequest } from '#adapters/workflow-starts';
import { DirectoryWrites } from '#adapters/directory-writes';
import { handOverWork } from '#adapters/hand-over';
import * as z from '#core/zod';

const inputSchema = z.object({
  /** Only requests stored longer ago than this (a newer one may still be starting in its own handler). */
  olderThanSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400)), 60),
});

let store: GovernanceStore | undefined;
let writes: DirectoryWrites | undefined;

/**
 * Durable starts (see adapters/workflow-starts.ts): starts every stored request whose execution
 * is not known to have started, and clears its marker. Safe to run at any time and any number of
 * times at once: each start is named after its request. A request no longer pending (closed by a
 * run that started meanwhile) just leaves the list.
 */
export async function reconcileStarts(input: unknown): Promise<{ started: number; existing: number; cleared: number; handOvers: number }> {
  const parsed = inputSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidInputError('The reconciler input is invalid: { olderThanSeconds?: 0..86400 }.');
  store ??= new GovernanceStore();
  const s = store;
  const before = new Date(Date.now() - parsed.data.olderThanSeconds * 1000).toISOString();
  const counts = { started: 0, existing: 0, cleared: 0, handOvers: 0 };
  let failed = 0;
  // One pass over the index, page by page: a request whose start fails is logged and the rest go on;
  // the run then fails, so the schedule retries it and its dead-letter queue alarms.
  // Each approval workflow's stored requests, on the state machine each was stored to run on (the
  // retired shared chain too, for a request stored before the upgrade that split it).
  for (const workflow of approvalWorkflows) {
    let page: Awaited<ReturnType<GovernanceStore['pendingStarts']>> | undefined;
    do {
      page = await s.pendingStarts(workflow, before, page?.next);
      // Ten at a time: a restart after a crash may find many, and each start is independent.
      const ids = [...page.requestIds];
      const worker = async () => {
        for (let requestId = ids.shift(); requestId; requestId = ids.shift()) {
          try {
            const request = await s.request(requestId, true);
            if (request?.status !== 'PENDING') {
              await s.markStarted(requestId);
              counts.cleared += 1;
              continue;
            }
            counts[(await startStoredRequest(s, request, workflow)) === 'started' ? 'started' : 'existing'] += 1;
          } catch (error) {
            failed += 1;
            logger.error('could not start a stored request', { requestId, workflow, error: error as Error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(10, ids.length) }, worker));
    } while (page.next);
  }
  // Directory hand-overs a crash left undone (directory/hand-over.ts): each finishes, or fails and waits for the next run.
  writes ??= new DirectoryWrites();
  for (const pending of await writes.pendingHandOvers(before)) {
    try {
      const moved = await handOverWork(pending);
      counts.handOvers += 1;
      logger.warn('finished a directory hand-over left undone', { handOver: pending.PK, ...moved });
    } catch (error) {
      failed += 1;
      logger.error('could not finish a directory hand-over', { handOver: pending.PK, error: error as Error });
    }
  }
  if (counts.started) logger.warn('started stored requests that had no execution', counts);
  if (failed) throw new Error(`${failed} stored request(s) or hand-over(s) could not be finished; the next run tries again.`);
  return counts;
}

export const handler = taskHandler(reconcileStarts);
