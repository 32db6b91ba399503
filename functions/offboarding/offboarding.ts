import { secretMatches } from '#core/approval-link';
import type { NamedPerson } from '#core/request';
import type { Department, Person, RoleHolder } from '#core/policy';
import type { Account, Grant } from '#core/registry';

/**
 * Separation offboarding (C, O.b): what happens to each account a separating employee could use.
 * Pure rules; the handlers load the data and store the results.
 */

export type OffboardingStatus = 'SCHEDULED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface Offboarding {
  offboardingId: string;
  employee: NamedPerson & { departmentCode: string };
  separationDate: string;
  /** When access ends: 00:00 America/Denver on the separation date. */
  notBefore: string;
  status: OffboardingStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** How many accounts the employee held an active grant on when offboarding started (the list is kept beside the record). */
  accountCount?: number;
  /** The waiting execution's task token, sealed; never in clear. */
  sealedToken?: string;
  failure?: string;
}

/** CAPTURE: a new account's first login, recorded on its credential page (credentials/, O.b); its case id is `cap-…`, not an offboarding's. */
export type TaskKind = 'ROTATE' | 'APPOINT' | 'CAPTURE';
export type TaskStatus = 'OPEN' | 'DONE' | 'EXPIRED';

/** One account's offboarding plan, fixed when it is first made so a re-run repeats the same steps. */
export interface AccountPlan {
  offboardingId: string;
  accountId: string;
  accountLabel: string;
  departmentCode: string;
  departmentName: string;
  /** The employee's grants on this account, revoked by this offboarding (recorded, never deleted). */
  grants: Pick<Grant, 'personId' | 'role' | 'receivesCredential' | 'sourceRequestId' | 'authorizedByName'>[];
  /** The employee could know the shared password: a new one must be set on the platform. */
  rotate: boolean;
  /** The employee was the account's only admin: the director appoints another. */
  appoint: boolean;
  rotation?: { recipients: NamedPerson[]; escalateTo: NamedPerson | null };
  appointment?: { recipients: NamedPerson[]; escalateTo: NamedPerson | null };
  createdAt: string;
  revokedAt?: string;
  /** Set when the account could not be offboarded as planned: it is FAILED on the record and in DTI's summaries. */
  failure?: AccountFailure;
}

/** Why one account of an offboarding failed; the other accounts go on. */
export interface AccountFailure {
  /** The error's name (Step Functions' `Error`): AccountNotInRegistry, InvalidInputError, States.Timeout… */
  error: string;
  /** What went wrong, for a person. */
  reason: string;
  at: string;
}

/** A rotation or an appointment: open until someone confirms / appoints, or it expires. */
export interface OffboardingTask {
  offboardingId: string;
  accountId: string;
  kind: TaskKind;
  accountLabel: string;
  departmentName: string;
  employeeName: string;
  status: TaskStatus;
  /** 0: the first recipients; 1: escalated (their links stop working). */
  round: 0 | 1;
  remindersSent: number;
  /** The follow-up sweep that last moved this task (so a retried sweep moves it once). */
  lastSweep: number;
  recipients: NamedPerson[];
  escalateTo: NamedPerson | null;
  /** ROTATE: the vault version (AWSPENDING until confirmed) holding the new password. */
  versionId?: string;
  createdAt: string;
  escalatedAt?: string;
  expiredAt?: string;
  reveals: { personId: string; name: string; at: string }[];
  doneAt?: string;
  doneById?: string;
  doneByName?: string;
  appointed?: NamedPerson;
}

/** One recipient's link to one task in one round. Only the secret's hash is stored. */
export interface TaskLink {
  offboardingId: string;
  accountId: string;
  kind: TaskKind;
  round: 0 | 1;
  /** The opaque id in the URL (indexed like approval ids, so the same lookup serves both). */
  approvalId: string;
  recipient: NamedPerson;
  secretHash: string;
  createdAt: string;
  emailedAt?: string;
  remindersSent: number;
}

export const taskKindTitle: Record<TaskKind, string> = {
  ROTATE: 'Change the shared password',
  APPOINT: 'Appoint a new admin',
  CAPTURE: 'Record the account\u2019s login',
};

/**
 * Who may act for a department, in order: its director, the director's designee, then the City's
 * Communications Director and designee (C names all three). Never the separating employee.
 */
export function departmentDeciders(department: Department, roleHolders: RoleHolder[], employeeId: string): string[] {
  const comms = roleHolders.find((r) => r.role === 'COMMUNICATIONS_DIRECTOR');
  const ids = [department.directorId, department.designeeId, comms?.holderId, comms?.designeeId].filter((id): id is string => Boolean(id));
  return [...new Set(ids)].filter((id) => id !== employeeId);
}

/**
 * The plan for one account. Rotation when any of the employee's grants gave them the shared
 * credential; its link goes to each remaining admin, or to the department's first decider when
 * none remains, and escalates to the next decider. Appointment when they were the only admin.
 */
export function planAccount(input: {
  offboardingId: string;
  employeeId: string;
  account: Account;
  accountGrants: Grant[];
  department: Department;
  roleHolders: RoleHolder[];
  people: Map<string, Person>;
  at: string;
}): AccountPlan {
  const { account, employeeId } = input;
  const active = input.accountGrants.filter((g) => g.status === 'ACTIVE');
  const held = active.filter((g) => g.personId === employeeId);
  const named = (id: string): NamedPerson | undefined => {
    const p = input.people.get(id);
    return p && !p.separatedOn ? { id: p.id, name: p.name, email: p.email } : undefined;
  };
  const remainingAdmins = [...new Set(active.filter((g) => g.role === 'ADMIN' && g.personId !== employeeId).map((g) => g.personId))]
    .map(named)
    .filter((p): p is NamedPerson => Boolean(p));
  const deciders = departmentDeciders(input.department, input.roleHolders, employeeId)
    .map(named)
    .filter((p): p is NamedPerson => Boolean(p));
  const rotate = held.some((g) => g.receivesCredential);
  const appoint = held.some((g) => g.role === 'ADMIN') && remainingAdmins.length === 0;
  const firstNotIn = (list: NamedPerson[], from = deciders) => from.find((d) => !list.some((r) => r.id === d.id)) ?? null;
  const rotationRecipients = remainingAdmins.length ? remainingAdmins : deciders.slice(0, 1);
  const appointmentRecipients = deciders.slice(0, 1);
  return {
    offboardingId: input.offboardingId,
    accountId: account.accountId,
    accountLabel: `${account.platformName} ${account.handle}`,
    departmentCode: account.departmentCode,
    departmentName: account.departmentName,
    grants: held.map(planLine),
    rotate,
    appoint,
    ...(rotate ? { rotation: { recipients: rotationRecipients, escalateTo: firstNotIn(rotationRecipients) } } : {}),
    ...(appoint ? { appointment: { recipients: appointmentRecipients, escalateTo: firstNotIn(appointmentRecipients) } } : {}),
    createdAt: input.at,
  };
}

/** A grant as the plan records it: what is revoked, and what it gave. */
const planLine = (g: Grant): AccountPlan['grants'][number] => ({
  personId: g.personId,
  role: g.role,
  receivesCredential: g.receivesCredential,
  sourceRequestId: g.sourceRequestId,
  authorizedByName: g.authorizedByName,
});

/**
 * The plan for an account that cannot be planned: it is missing from the registry, or its
 * department from the directory, or its offboarding failed for another reason. Its lines are
 * the employee's active grants on it, which are revoked all the same (that is what cuts access
 * off); nobody can be routed a rotation or an appointment, so what is owed — a password the
 * employee could know, an account left without an admin — is recorded for DTI to do by hand.
 */
export function unplannedAccount(input: {
  offboardingId: string;
  employeeId: string;
  accountId: string;
  account?: Account;
  accountGrants: Grant[];
  failure: AccountFailure;
}): AccountPlan {
  const active = input.accountGrants.filter((g) => g.status === 'ACTIVE');
  const held = active.filter((g) => g.personId === input.employeeId);
  const othersAdmin = active.some((g) => g.role === 'ADMIN' && g.personId !== input.employeeId);
  return {
    offboardingId: input.offboardingId,
    accountId: input.accountId,
    accountLabel: input.account ? `${input.account.platformName} ${input.account.handle}` : input.accountId,
    departmentCode: input.account?.departmentCode ?? '',
    departmentName: input.account?.departmentName ?? 'not in the registry',
    grants: held.map(planLine),
    rotate: held.some((g) => g.receivesCredential),
    appoint: held.some((g) => g.role === 'ADMIN') && !othersAdmin,
    createdAt: input.failure.at,
    failure: input.failure,
  };
}

/**
 * An account's failure as a Step Functions Catch hands it over (`{ Error, Cause }`). Lambda's
 * Cause is a JSON string with `errorMessage` (and a stack trace, which is not kept); the local
 * engine's is the message itself.
 */
export function accountFailure(caught: { Error?: string; Cause?: string }, at: string): AccountFailure {
  const error = caught.Error || 'UnknownError';
  let reason = caught.Cause ?? '';
  try {
    const parsed = JSON.parse(reason) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') reason = parsed.errorMessage;
  } catch {
    // Not JSON: the message itself.
  }
  reason = reason.trim() || `the step failed with ${error}`;
  return { error, reason: reason.length > 300 ? `${reason.slice(0, 299)}…` : reason, at };
}

/** What a follow-up sweep does to an open task whose wait ran out (as the approval chain does for a step). */
export type ChaseAction = 'remind' | 'escalate' | 'expire' | 'none';

export function chaseAction(
  task: Pick<OffboardingTask, 'status' | 'round' | 'remindersSent' | 'escalateTo' | 'lastSweep'>,
  sweep: number,
  maxReminders: number,
): ChaseAction {
  if (task.status !== 'OPEN' || task.lastSweep >= sweep) return 'none';
  if (task.remindersSent < maxReminders) return 'remind';
  if (task.round === 0 && task.escalateTo) return 'escalate';
  return 'expire';
}

/** The people a task's current round is addressed to. */
export function currentRecipients(task: Pick<OffboardingTask, 'round' | 'recipients' | 'escalateTo'>): NamedPerson[] {
  return task.round === 1 && task.escalateTo ? [task.escalateTo] : task.recipients;
}

export type TaskLinkState =
  | { kind: 'forbidden' }
  | { kind: 'wrong-person'; recipientName: string }
  | { kind: 'done'; byName: string; at: string }
  | { kind: 'superseded'; to: string }
  | { kind: 'expired' }
  | { kind: 'open' };

/**
 * What a task link leads to. The link alone is not enough: the signed-in person must be the one it
 * was sent to, because a rotation link shows a password.
 */
export function taskLinkState(link: TaskLink, task: OffboardingTask, secret: string | undefined, viewerId: string): TaskLinkState {
  if (!secretMatches(secret, link.secretHash)) return { kind: 'forbidden' };
  if (viewerId !== link.recipient.id) return { kind: 'wrong-person', recipientName: link.recipient.name };
  if (task.status === 'DONE') return { kind: 'done', byName: task.doneByName ?? 'someone', at: task.doneAt ?? '' };
  if (task.status === 'EXPIRED') return { kind: 'expired' };
  if (link.round !== task.round) return { kind: 'superseded', to: task.escalateTo?.name ?? 'a designee' };
  return { kind: 'open' };
}

/** Who may read an offboarding record: DTI, City-wide role holders, the deciders of the departments involved, and each task's recipients. */
export function canViewOffboarding(input: {
  viewer: { id: string; departmentCode: string };
  roleHolders: RoleHolder[];
  departments: Department[];
  tasks: Pick<OffboardingTask, 'recipients' | 'escalateTo'>[];
}): boolean {
  const { viewer } = input;
  return (
    viewer.departmentCode === 'DTI' ||
    input.roleHolders.some((r) => r.holderId === viewer.id || r.designeeId === viewer.id) ||
    input.departments.some((d) => d.directorId === viewer.id || d.designeeId === viewer.id) ||
    input.tasks.some((t) => t.recipients.some((r) => r.id === viewer.id) || t.escalateTo?.id === viewer.id)
  );
}

/** One line per account for the record page and the DTI summary. */
export interface AccountSummary {
  accountId: string;
  accountLabel: string;
  departmentName: string;
  revoked: string;
  rotation: string;
  appointment: string;
  /** True when something is still owed (a password not yet confirmed, an admin not yet appointed, a failed account). */
  attention: boolean;
  /** The account could not be offboarded as planned; `failure` says why. */
  failed: boolean;
  failure?: string;
}

/** What is owed by hand when a failed account's task could not be sent. */
const notStarted: Record<TaskKind, string> = {
  ROTATE: 'NOT STARTED — the former employee could know the shared password: DTI must have it changed by hand',
  APPOINT: 'NOT STARTED — the former employee was its only admin: DTI must have one appointed by hand',
  CAPTURE: 'NOT STARTED — the account\u2019s login is not on file: DTI must have it recorded',
};

function taskLine(
  kind: TaskKind,
  task: OffboardingTask | undefined,
  needed: boolean,
  failed: boolean,
  when: (iso: string) => string,
): { text: string; attention: boolean } {
  if (!needed) return { text: 'not needed', attention: false };
  if (!task) return { text: failed ? notStarted[kind] : 'being prepared', attention: true };
  const to = currentRecipients(task)
    .map((p) => p.name)
    .join(', ');
  if (task.status === 'DONE') {
    const what = task.kind === 'ROTATE' ? 'rotated' : `appointed ${task.appointed?.name ?? ''}`.trim();
    return { text: `${what} — confirmed by ${task.doneByName ?? '?'}, ${when(task.doneAt ?? '')}`, attention: false };
  }
  if (task.status === 'EXPIRED') {
    return {
      text:
        task.kind === 'ROTATE'
          ? `EXPIRED — nobody confirmed a new password; the former employee may still know it (last sent to ${to})`
          : `EXPIRED — no admin appointed (last sent to ${to})`,
      attention: true,
    };
  }
  const revealed = task.reveals.length ? `; revealed to ${[...new Set(task.reveals.map((r) => r.name))].join(', ')}` : '';
  return {
    text: `${task.round === 1 ? 'escalated — ' : ''}pending with ${to}${task.remindersSent ? ` (${task.remindersSent} reminder(s))` : ''}${revealed}`,
    attention: true,
  };
}

/**
 * One line per account, in plan order. `accountIds` (the accounts found when the offboarding
 * started) adds a line for each account no step has recorded anything for yet.
 */
export function accountSummaries(plans: AccountPlan[], tasks: OffboardingTask[], when: (iso: string) => string, accountIds: string[] = []): AccountSummary[] {
  const planned = plans.map((plan): AccountSummary => {
    const find = (kind: TaskKind) => tasks.find((t) => t.accountId === plan.accountId && t.kind === kind);
    const failed = Boolean(plan.failure);
    const rotation = taskLine('ROTATE', find('ROTATE'), plan.rotate, failed, when);
    const appointment = taskLine('APPOINT', find('APPOINT'), plan.appoint, failed, when);
    return {
      accountId: plan.accountId,
      accountLabel: plan.accountLabel,
      departmentName: plan.departmentName,
      revoked: !plan.revokedAt
        ? 'not yet revoked'
        : plan.grants.length === 0
          ? `no active grant left to revoke (${when(plan.revokedAt)})`
          : `${plan.grants.map((g) => g.role.toLowerCase()).join(', ')} grant${plan.grants.length === 1 ? '' : 's'} revoked ${when(plan.revokedAt)}`,
      rotation: rotation.text,
      appointment: appointment.text,
      attention: failed || !plan.revokedAt || rotation.attention || appointment.attention,
      failed,
      ...(plan.failure ? { failure: `FAILED — ${plan.failure.reason} (${plan.failure.error}, ${when(plan.failure.at)})` } : {}),
    };
  });
  const unrecorded = accountIds
    .filter((id) => !plans.some((p) => p.accountId === id))
    .map(
      (accountId): AccountSummary => ({
        accountId,
        accountLabel: accountId,
        departmentName: 'not reached',
        revoked: 'not yet revoked',
        rotation: 'not yet known',
        appointment: 'not yet known',
        attention: true,
        failed: false,
      }),
    );
  return [...planned, ...unrecorded];
}
