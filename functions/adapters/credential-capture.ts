import { captureCaseId } from '#credentials/credential';
import type { Account } from '#core/registry';
import type { NamedPerson } from '#core/request';
import { CredentialStore } from '#adapters/credential-store';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { OffboardingStore } from '#adapters/offboarding-store';
import { sfnCallbacks, startWorkflow } from '#adapters/step-functions';
import { waits } from '#adapters/env';

/*
 * A new account's first login, captured by a task (O.b). The task is one of the offboarding store's
 * tasks (kind CAPTURE) under its own case, `cap-<account>`, so the same links, reminders,
 * escalation and expiry serve it (adapters/offboarding-links.ts, trackOffboardingTasks), run by
 * the credentialCapture state machine (execution name = the case id). The login itself is recorded
 * and confirmed on the account's credential page; confirming it settles the task.
 */

let tasks: OffboardingStore | undefined;
let credentials: CredentialStore | undefined;

/** Opens the capture once: the NOT_ON_FILE record, the case, its task and its execution. Every step is idempotent, so a retried outcome repeats nothing. */
export async function openCredentialCapture(input: { account: Account; recipients: NamedPerson[]; at: string }): Promise<'started' | 'exists'> {
  tasks ??= new OffboardingStore();
  credentials ??= new CredentialStore();
  const { account, at } = input;
  const caseId = captureCaseId(account.accountId);
  const existing = await tasks.task(caseId, account.accountId, 'CAPTURE');
  // Escalation goes to whoever decides for the department now (its director, then designee), never an admin already asked.
  const escalateTo = existing ? existing.escalateTo : await escalationFor(account, input.recipients);
  await credentials.createRecord(account.accountId, at);
  await tasks.putCase({ offboardingId: caseId, accountId: account.accountId, kind: 'CAPTURE', status: 'IN_PROGRESS', createdAt: at });
  const task = await tasks.putTask({
    offboardingId: caseId,
    accountId: account.accountId,
    kind: 'CAPTURE',
    accountLabel: `${account.platformName} ${account.handle}`,
    departmentName: account.departmentName,
    employeeName: '',
    status: 'OPEN',
    round: 0,
    remindersSent: 0,
    lastSweep: 0,
    recipients: input.recipients,
    escalateTo,
    createdAt: at,
    reveals: [],
  });
  if (task.status === 'OPEN') await tasks.markOpen(task);
  const w = waits();
  const result = await startWorkflow('credentialCapture', caseId, {
    offboardingId: caseId,
    waitSeconds: w.decisionWaitSeconds,
    maxReminders: w.remindersBeforeEscalation,
  });
  logger.info('credential capture opened', { accountId: account.accountId, caseId, result });
  return result;
}

/** The login is confirmed: the capture task is done (by whoever confirmed it) and its execution resumes. Nothing when there is no open capture. */
export async function settleCredentialCapture(accountId: string, by: NamedPerson, at: string): Promise<void> {
  tasks ??= new OffboardingStore();
  const caseId = captureCaseId(accountId);
  const task = await tasks.task(caseId, accountId, 'CAPTURE');
  if (task?.status !== 'OPEN') return;
  // Done by this confirmation, or settled meanwhile (expired, confirmed by another): either way no longer open.
  await tasks.complete(task, by, at);
  await tasks.clearOpen(task);
  if (await tasks.anyOpen(caseId)) return;
  await tasks.releaseAssignments(caseId);
  const sealed = (await tasks.offboarding(caseId))?.sealedToken;
  if (!sealed) return;
  try {
    await sfnCallbacks.succeed(await linkKeys().openToken(sealed, caseId), { open: 0 });
  } catch (error) {
    logger.warn('capture settled; its execution will see it on its next follow-up', { caseId, error: (error as Error).name });
  }
}

async function escalationFor(account: Account, admins: NamedPerson[]): Promise<NamedPerson | null> {
  const c = credentials as CredentialStore;
  const department = await c.department(account.departmentCode);
  if (!department) return null;
  // Only who may record the login (mayManageCredential): the department's director, then designee.
  for (const id of [department.directorId, department.designeeId].filter((x): x is string => Boolean(x))) {
    if (admins.some((a) => a.id === id)) continue;
    const person = await c.person(id);
    if (person && !person.separatedOn) return { id: person.id, name: person.name, email: person.email };
  }
  return null;
}
