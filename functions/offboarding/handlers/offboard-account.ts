import { randomUUID } from 'node:crypto';
import { generatePassword } from '#offboarding/credential';
import { InvalidInputError } from '#core/errors';
import { offboardingIdPattern } from '#offboarding/hr-events';
import {
  type AccountPlan,
  accountFailure,
  departmentDeciders,
  type OffboardingTask,
  planAccount,
  type TaskKind,
  unplannedAccount,
} from '#offboarding/offboarding';
import type { Person } from '#core/policy';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { deliverTaskLinks } from '#adapters/offboarding-links';
import { OffboardingStore } from '#adapters/offboarding-store';
import { GovernanceStore } from '#adapters/store';
import { vault } from '#adapters/vault';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  accountId: z.string().check(z.regex(/^acct-[A-Za-z0-9-]{1,60}$/)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
});
/** The Map's Catch: this account's iteration failed (`failure` is what Step Functions caught). */
const failedSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  accountId: z.string().check(z.minLength(1), z.maxLength(100)),
  failure: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
});

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;

/**
 * State machine task, one per account (a Map iteration): revoke the employee's grants (recorded,
 * not deleted); if they could know the shared password, stage a new one in the vault (AWSPENDING)
 * and email the rotation link; if they were the only admin, email the appointment link. Every step
 * is idempotent, so a retry or a redrive repeats nothing: the plan is fixed the first time, grants
 * are revoked conditionally, the vault version is created once, links and emails are marked.
 * An account missing from the registry (or its department from the directory) cannot be routed:
 * its grants are revoked all the same and it is recorded FAILED. Called with `failure` (the Map's
 * Catch), it records why the account's iteration failed, after revoking what it still can.
 */
export async function offboardAccount(input: unknown): Promise<{ accountId: string; rotate: boolean; appoint: boolean; failed: boolean }> {
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const failed = failedSchema.safeParse(input);
  if (failed.success) return recordAccountFailure(directory, store, failed.data);
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The account offboarding input is invalid.');
  const { offboardingId, accountId, waitSeconds } = parsed.data;
  const record = await store.offboarding(offboardingId);
  if (!record) throw new InvalidInputError(`No offboarding ${offboardingId} is recorded.`);
  const at = new Date().toISOString();

  const plan =
    (await store.plan(offboardingId, accountId)) ?? (await store.putPlan(await makePlan(directory, store, record.employee.id, offboardingId, accountId, at)));
  await revoke(store, plan, `separated ${record.separationDate}`, at);

  const open = async (kind: TaskKind, route: NonNullable<AccountPlan['rotation']>) => {
    const task = await (store as OffboardingStore).putTask({
      offboardingId,
      accountId,
      kind,
      accountLabel: plan.accountLabel,
      departmentName: plan.departmentName,
      employeeName: record.employee.name,
      status: 'OPEN',
      round: 0,
      remindersSent: 0,
      lastSweep: 0,
      recipients: route.recipients,
      escalateTo: route.escalateTo,
      ...(kind === 'ROTATE' ? { versionId: randomUUID() } : {}),
      createdAt: at,
      reveals: [],
    } satisfies OffboardingTask);
    if (task.status !== 'OPEN') return;
    await (store as OffboardingStore).markOpen(task);
    if (task.versionId) await vault.stagePending(accountId, task.versionId, generatePassword());
    await deliverTaskLinks(store as OffboardingStore, task, waitSeconds);
  };
  if (plan.rotation) await open('ROTATE', plan.rotation);
  if (plan.appointment) await open('APPOINT', plan.appointment);
  const outcome = { offboardingId, accountId, grants: plan.grants.length, rotate: plan.rotate, appoint: plan.appoint };
  if (plan.failure) logger.warn('account offboarded without a plan', { ...outcome, error: plan.failure.error, reason: plan.failure.reason });
  else logger.info('account offboarded', outcome);
  return { accountId, rotate: plan.rotate, appoint: plan.appoint, failed: Boolean(plan.failure) };
}

/** Revoking is what cuts access off; each revocation is conditional, so a repeat changes nothing. */
async function revoke(s: OffboardingStore, plan: AccountPlan, reason: string, at: string): Promise<void> {
  for (const g of plan.grants) await s.revokeGrant({ accountId: plan.accountId, ...g }, at, reason, plan.offboardingId);
  await s.markRevoked(plan, at);
}

async function recordAccountFailure(
  d: GovernanceStore,
  s: OffboardingStore,
  input: z.infer<typeof failedSchema>,
): Promise<{ accountId: string; rotate: boolean; appoint: boolean; failed: boolean }> {
  const { offboardingId, accountId } = input;
  const record = await s.offboarding(offboardingId);
  if (!record) throw new InvalidInputError(`No offboarding ${offboardingId} is recorded.`);
  const at = new Date().toISOString();
  const [account, accountGrants] = await Promise.all([d.account(accountId), s.grantsOn(accountId)]);
  const failure = accountFailure(input.failure, at);
  const plan = await s.markAccountFailed({
    ...unplannedAccount({ offboardingId, employeeId: record.employee.id, accountId, account, accountGrants, failure }),
    failure,
  });
  await revoke(s, plan, `separated ${record.separationDate}`, at);
  logger.warn('account offboarding failed', { offboardingId, accountId, error: failure.error, reason: failure.reason, grants: plan.grants.length });
  return { accountId, rotate: plan.rotate, appoint: plan.appoint, failed: true };
}

async function makePlan(
  d: GovernanceStore,
  s: OffboardingStore,
  employeeId: string,
  offboardingId: string,
  accountId: string,
  at: string,
): Promise<AccountPlan> {
  const [account, accountGrants] = await Promise.all([d.account(accountId), s.grantsOn(accountId)]);
  // Known gaps in the records: the grants are revoked all the same, and DTI is told what is owed.
  const unplanned = (error: string, reason: string) =>
    unplannedAccount({ offboardingId, employeeId, accountId, account, accountGrants, failure: { error, reason, at } });
  if (!account) return unplanned('AccountNotInRegistry', `${accountId} is not in the registry, though grants on it are`);
  const [department, roleHolders] = await Promise.all([d.department(account.departmentCode), d.roleHolders()]);
  if (!department) return unplanned('DepartmentNotInDirectory', `its department ${account.departmentCode} is not in the directory`);
  // Only the people the plan can name: the account's grantees and the department's deciders.
  const ids = new Set([...accountGrants.map((g) => g.personId), ...departmentDeciders(department, roleHolders, employeeId)]);
  const people = new Map<string, Person>();
  for (const person of await Promise.all([...ids].map((id) => d.person(id)))) if (person) people.set(person.id, person);
  return planAccount({ offboardingId, employeeId, account, accountGrants, department, roleHolders, people, at });
}

export const handler = taskHandler(offboardAccount);
