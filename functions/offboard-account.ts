import { randomUUID } from 'node:crypto';
import { generatePassword } from '#domain/credential';
import { InvalidInputError } from '#domain/errors';
import { offboardingIdPattern } from '#domain/hr-events';
import { type AccountPlan, departmentDeciders, type OffboardingTask, planAccount, type TaskKind } from '#domain/offboarding';
import type { Person } from '#domain/policy';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { deliverTaskLinks } from '#adapters/offboarding-links';
import { OffboardingStore } from '#adapters/offboarding-store';
import { GovernanceStore } from '#adapters/store';
import { vault } from '#adapters/vault';
import * as z from '#domain/zod';

const inputSchema = z.strictObject({
  offboardingId: z.string().check(z.regex(offboardingIdPattern)),
  accountId: z.string().check(z.regex(/^acct-[A-Za-z0-9-]{1,60}$/)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
});

let directory: GovernanceStore | undefined;
let store: OffboardingStore | undefined;

/**
 * State machine task, one per account (a Map iteration): revoke the employee's grants (recorded,
 * not deleted); if they could know the shared password, stage a new one in the vault (AWSPENDING)
 * and email the rotation link; if they were the only admin, email the appointment link. Every step
 * is idempotent, so a retry or a redrive repeats nothing: the plan is fixed the first time, grants
 * are revoked conditionally, the vault version is created once, links and emails are marked.
 */
export async function offboardAccount(input: unknown): Promise<{ accountId: string; rotate: boolean; appoint: boolean }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The account offboarding input is invalid.');
  const { offboardingId, accountId, waitSeconds } = parsed.data;
  directory ??= new GovernanceStore();
  store ??= new OffboardingStore();
  const record = await store.offboarding(offboardingId);
  if (!record) throw new InvalidInputError(`No offboarding ${offboardingId} is recorded.`);
  const at = new Date().toISOString();

  const plan =
    (await store.plan(offboardingId, accountId)) ?? (await store.putPlan(await makePlan(directory, store, record.employee.id, offboardingId, accountId, at)));
  for (const g of plan.grants) {
    await store.revokeGrant({ accountId, ...g }, at, `separated ${record.separationDate}`, offboardingId);
  }
  await store.markRevoked(plan, at);

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
  logger.info('account offboarded', { offboardingId, accountId, grants: plan.grants.length, rotate: plan.rotate, appoint: plan.appoint });
  return { accountId, rotate: plan.rotate, appoint: plan.appoint };
}

async function makePlan(
  d: GovernanceStore,
  s: OffboardingStore,
  employeeId: string,
  offboardingId: string,
  accountId: string,
  at: string,
): Promise<AccountPlan> {
  const account = await d.account(accountId);
  if (!account) throw new InvalidInputError(`Account ${accountId} is not in the registry.`);
  const [accountGrants, department, roleHolders] = await Promise.all([s.grantsOn(accountId), d.department(account.departmentCode), d.roleHolders()]);
  if (!department) throw new InvalidInputError(`Department ${account.departmentCode} of ${accountId} is not in the directory.`);
  // Only the people the plan can name: the account's grantees and the department's deciders.
  const ids = new Set([...accountGrants.map((g) => g.personId), ...departmentDeciders(department, roleHolders, employeeId)]);
  const people = new Map<string, Person>();
  for (const person of await Promise.all([...ids].map((id) => d.person(id)))) if (person) people.set(person.id, person);
  return planAccount({ offboardingId, employeeId, account, accountGrants, department, roleHolders, people, at });
}

export const handler = taskHandler(offboardAccount);
