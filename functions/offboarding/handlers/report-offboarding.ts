import { InvalidInputError } from '#core/errors';
import type { EmailContent } from '#core/email-layout';
import { metricNames } from '#core/metrics';
import { employeeIdPattern, offboardingIdPattern } from '#offboarding/hr-events';
import { formatWhen } from '#core/html';
import { accountSummaries } from '#offboarding/offboarding';
import { offboardingAlertEmail, offboardingSummaryEmail } from '#offboarding/emails';
import { env } from '#adapters/env';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { ledgerBeside, sendOnce } from '#adapters/mail-ledger';
import { sesMailer } from '#adapters/mailer';
import { countMetric } from '#adapters/metrics';
import { OffboardingStore } from '#adapters/offboarding-store';
import { GovernanceStore } from '#adapters/store';
import { summaryAudience } from '#adapters/summary-audience';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  stage: z.enum(['STARTED', 'FINISHED', 'UNKNOWN_EMPLOYEE', 'FAILED']),
  employeeId: z.optional(z.string().check(z.regex(employeeIdPattern))),
  separationDate: z.optional(z.string()),
  error: z.optional(z.string().check(z.maxLength(300))),
});

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;

/**
 * State machine task: tells DTI and the Communications Coordinator (O.b). STARTED: what was revoked
 * and what is pending; FINISHED: closes the record and sends the final account-by-account summary;
 * UNKNOWN_EMPLOYEE / FAILED: the alert, so a separation is never dropped silently (FAILED lists
 * where each account had got to). An account that failed on its own is FAILED on its line of the
 * STARTED and FINISHED summaries, with the reason; the offboarding still completes. Each email is
 * sent once per offboarding (marked on the record) where a record exists.
 */
export async function reportOffboarding(input: unknown): Promise<{ status: string }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The offboarding report input is invalid.');
  const { offboardingId, stage } = parsed.data;
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const recordUrl = `${env().PUBLIC_BASE_URL.replace(/\/+$/, '')}/offboardings/${offboardingId}`;
  const recipients = await summaryAudience(directory);
  // One message per recipient: each is told directly (and the SES emulator keeps only the first
  // ToAddress of a v1 SendEmail, so a shared message would hide the second recipient in the tests).
  const send = (email: EmailContent) => Promise.all(recipients.map((to) => sesMailer.send({ to: [to], ...email })));
  // Each recipient's copy has its own idempotency key on the record (mail-ledger.ts).
  const once = (what: string, email: EmailContent) =>
    Promise.all(recipients.map((to) => sendOnce(ledgerBeside(`OFFBOARD#${offboardingId}`, `${what}-${to}`), { to: [to], ...email })));

  if (stage === 'UNKNOWN_EMPLOYEE') {
    // Nothing is recorded for an unknown employee (bad input changes nothing), so there is no item
    // to key this alert on: the execution's name makes it one per employee and date, and only a
    // retry of this very task could send it again.
    await send(
      offboardingAlertEmail({ employeeId: parsed.data.employeeId ?? '?', separationDate: parsed.data.separationDate ?? '?', problem: 'UNKNOWN_EMPLOYEE' }),
    );
    logger.warn('separation for an unknown employee', { offboardingId });
    return { status: 'UNKNOWN_EMPLOYEE' };
  }
  const { offboarding, plans, tasks } = await store.everything(offboardingId);
  if (stage === 'FAILED') {
    // Where each account had got to (the ones no step reached as well), so DTI knows what to check.
    const reached = offboarding ? accountSummaries(plans, tasks, formatWhen, (await store.accountIds(offboardingId)) ?? []) : [];
    const email = offboardingAlertEmail({
      employeeId: parsed.data.employeeId ?? offboarding?.employee.id ?? '?',
      separationDate: parsed.data.separationDate ?? offboarding?.separationDate ?? '?',
      problem: 'FAILED',
      error: parsed.data.error,
      recordUrl: offboarding ? recordUrl : undefined,
      summaries: reached,
    });
    if (offboarding) {
      await store.finish(offboardingId, 'FAILED', new Date().toISOString(), parsed.data.error ?? 'a step failed');
      await store.releaseAssignments(offboardingId);
      await once('failed', email);
    } else await send(email);
    logger.warn('offboarding failed', { offboardingId, error: parsed.data.error });
    return { status: 'FAILED' };
  }
  if (!offboarding) throw new InvalidInputError(`No offboarding ${offboardingId} is recorded.`);
  if (stage === 'FINISHED') {
    // Finished once: a re-run finds it closed (the conditional write refuses it).
    if (await store.finish(offboardingId, 'COMPLETED', new Date().toISOString())) countMetric(metricNames.offboardingFinished, 'separationOffboarding');
    // Its task links leave their recipients' My work (the list already hides settled tasks).
    await store.releaseAssignments(offboardingId);
  }
  const summaries = accountSummaries(plans, tasks, formatWhen);
  await once(stage === 'STARTED' ? 'started' : 'finished', offboardingSummaryEmail({ offboarding, summaries, stage, recordUrl }));
  logger.info('offboarding reported', {
    offboardingId,
    stage,
    accounts: summaries.length,
    attention: summaries.filter((s) => s.attention).length,
    failed: summaries.filter((s) => s.failed).length,
  });
  return { status: stage === 'FINISHED' ? 'COMPLETED' : offboarding.status };
}

export const handler = taskHandler(reportOffboarding);
