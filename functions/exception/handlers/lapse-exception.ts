import { InvalidInputError } from '#core/errors';
import { fieldErrors } from '#core/request';
import { type ExceptionRequest, exceptionIdPrefix, type NextStep } from '#exception/exception';
import { actStage, type LapsePorts, planStage } from '#exception/lapse';
import * as z from '#core/zod';
import { now } from '#adapters/clock';
import { env } from '#adapters/env';
import { ExceptionStore } from '#adapters/exception-store';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { ledgerBeside, MailLedger, sendOnce } from '#adapters/mail-ledger';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';

const stage = z.enum(['NOTICE', 'LAPSE']);
const requestId = z.string().check(z.regex(new RegExp(`^${exceptionIdPrefix}-\\d{8}-[0-9a-f]{16}$`), 'an exception request id (ex-…)'));
const planSchema = z.strictObject({ requestId, stage });
const awaitSchema = z.strictObject({
  requestId,
  stage,
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
});
const actSchema = z.strictObject({ requestId, stage, act: z.literal(true) });

let ports: LapsePorts | undefined;

function adapters(): LapsePorts {
  const store = new GovernanceStore();
  const exceptions = new ExceptionStore();
  const ledger = new MailLedger();
  return {
    request: async (id) => (await store.request(id, true)) as ExceptionRequest | undefined,
    standing: (accountId, id) => exceptions.standing(accountId, id),
    lapse: (accountId, id, at) => exceptions.lapse(accountId, id, at),
    async coordinator() {
      const holder = (await store.roleHolders()).find((r) => r.role === 'COMMUNICATIONS_COORDINATOR');
      const person = holder ? await store.person(holder.holderId) : undefined;
      return person && { id: person.id, name: person.name, email: person.email };
    },
    sent: async (id, key) => Boolean((await ledger.state(ledgerBeside(`REQ#${id}`, key)))?.sentAt),
    send: async (id, key, to, email) => {
      await sendOnce(ledgerBeside(`REQ#${id}`, key), { to: [to], ...email });
    },
    now,
    baseUrl: env().PUBLIC_BASE_URL,
  };
}

/**
 * State machine task of an approved exception (F.d), three calls (exception/lapse.ts):
 * - `{ requestId, stage }`: what the stage owes now by the clock (ACT, WAIT with the seconds, SKIP, DONE);
 * - `{ requestId, stage, waitSeconds, taskToken }` (waitForTaskToken): settles the token at once when
 *   the stage is no longer waiting (the clock moved, or a restart re-ran the execution), otherwise
 *   leaves it to the wait's timeout, after which the state machine plans again; the token is
 *   neither stored nor logged;
 * - `{ requestId, stage, act: true }`: tells the ending, or lapses the standing and tells it.
 */
export async function lapseException(
  input: unknown,
): Promise<({ requestId: string; stage: string } & NextStep) | { requestId: string; stage: string; status: string }> {
  ports ??= adapters();
  const waiting = awaitSchema.safeParse(input);
  if (waiting.success) {
    const { requestId: id, stage: s, taskToken } = waiting.data;
    const planned = await planStage(ports, id, s);
    if (planned.next !== 'WAIT') await sfnCallbacks.succeed(taskToken, { next: planned.next });
    return { requestId: id, stage: s, ...planned };
  }
  const acting = actSchema.safeParse(input);
  if (acting.success) {
    const { requestId: id, stage: s } = acting.data;
    const done = await actStage(ports, id, s);
    logger.info('exception stage done', { requestId: id, stage: s, status: done.status });
    return { requestId: id, stage: s, ...done };
  }
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The exception lapse input is invalid.', fieldErrors(parsed.error));
  const planned = await planStage(ports, parsed.data.requestId, parsed.data.stage);
  logger.info('exception stage planned', { requestId: parsed.data.requestId, stage: parsed.data.stage, next: planned.next, waitSeconds: planned.waitSeconds });
  return { requestId: parsed.data.requestId, stage: parsed.data.stage, ...planned };
}

export const handler = taskHandler(lapseException);
