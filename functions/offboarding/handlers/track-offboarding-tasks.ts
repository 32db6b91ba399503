import { InvalidInputError } from '#core/errors';
import { metricNames } from '#core/metrics';
import { offboardingIdPattern } from '#offboarding/hr-events';
import { type ChaseAction, chaseAction, type OffboardingTask } from '#offboarding/offboarding';
import { captureCaseIdPattern } from '#credentials/credential';
import { checkpoint } from '#adapters/checkpoints';
import { taskHandler } from '#adapters/handler';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { countMetric } from '#adapters/metrics';
import { deliverTaskLinks } from '#adapters/offboarding-links';
import { OffboardingStore } from '#adapters/offboarding-store';
import { sfnCallbacks } from '#adapters/step-functions';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  // An offboarding's tasks, or a new account's credential capture (one task, the same follow-up).
  offboardingId: z.string().check(z.refine((id) => offboardingIdPattern.test(id) || captureCaseIdPattern.test(id), 'not an offboarding or capture id')),
  sweep: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  maxReminders: z.number().check(z.int(), z.minimum(0), z.maximum(5)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  taskToken: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
});

let store: OffboardingStore | undefined;

/**
 * State machine task, two calls:
 * - with a task token (AwaitTasks): parks the token, sealed, on the offboarding record, so the link
 *   that settles the last open task can resume the execution; settles it at once when nothing is open.
 * - without (ChaseTasks, after a wait ran out): moves each open task one stage, once per sweep —
 *   reminder (same links), then escalation (new links; the old ones stop working), then expiry —
 *   and sends whatever emails that owes.
 */
export async function trackOffboardingTasks(input: unknown): Promise<{ open: number }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The offboarding follow-up input is invalid.');
  const { offboardingId, sweep, maxReminders, waitSeconds, taskToken } = parsed.data;
  store ??= new OffboardingStore();
  if (taskToken) {
    await checkpoint('trackTasks:before-rearm', { offboardingId });
    await store.storeToken(offboardingId, await linkKeys().sealToken(taskToken, offboardingId));
    // Checked after the token is stored: a task settled in between finds this token, or is seen here.
    const open = await store.anyOpen(offboardingId);
    if (!open) await sfnCallbacks.succeed(taskToken, { open: 0 });
    logger.info('following up offboarding tasks', { offboardingId, open });
    return { open: open ? 1 : 0 };
  }

  const at = new Date().toISOString();
  let open = 0;
  for (const task of await store.tasks(offboardingId)) {
    const action = chaseAction(task, sweep, maxReminders);
    if (action !== 'none' && (await store.chase(task, action, sweep, at))) {
      countChase(offboardingId, task, action);
      if (action === 'expire') await store.clearOpen(task);
    }
    const current = await store.task(offboardingId, task.accountId, task.kind);
    if (current?.status === 'OPEN') {
      open += 1;
      await deliverTaskLinks(store, current, waitSeconds);
    }
  }
  logger.info('offboarding tasks chased', { offboardingId, sweep, open });
  return { open };
}

/**
 * What a sweep's move of a task counts, once: only the sweep whose conditional write moved it gets
 * here (a retried sweep finds `lastSweep`). A rotation that expires leaves a password a departed
 * person knows: that is its own alarm (RotationOverdue).
 */
function countChase(offboardingId: string, task: Pick<OffboardingTask, 'kind'>, action: Exclude<ChaseAction, 'none'>): void {
  const workflow = offboardingIdPattern.test(offboardingId) ? 'separationOffboarding' : 'credentialCapture';
  if (action === 'remind') countMetric(metricNames.reminderSent, workflow);
  else if (action === 'escalate') countMetric(metricNames.escalated, workflow);
  else {
    countMetric(metricNames.expired, workflow);
    if (task.kind === 'ROTATE') countMetric(metricNames.rotationOverdue, workflow);
  }
}

export const handler = taskHandler(trackOffboardingTasks);
