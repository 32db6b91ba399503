import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '#core/approval-link';
import {
  type AccountPlan,
  accountFailure,
  accountSummaries,
  canViewOffboarding,
  chaseAction,
  currentRecipients,
  departmentDeciders,
  type OffboardingTask,
  planAccount,
  type TaskLink,
  taskLinkState,
  unplannedAccount,
} from '#offboarding/offboarding';
import type { Person } from '#core/policy';
import type { Grant } from '#core/registry';
import { account, accountId, department, grant, named, offboardingId, paRequestId, people, roleHolders, rotationTask } from '../fixtures.ts';

const at = '2026-01-15T07:00:05.000Z';
const directory = (overrides: Record<string, Partial<Person>> = {}) => new Map(people.map((p) => [p.id, { ...p, ...overrides[p.id] }]));
const tom = (overrides: Partial<Grant> = {}) => grant({ personId: 'E103', personName: 'Tom Sandoval', ...overrides });

/** The plan for the Parks Instagram account when `employeeId` separates. */
function plan(employeeId: string, accountGrants: Grant[], people = directory()): AccountPlan {
  return planAccount({ offboardingId, employeeId, account: account(), accountGrants, department: department('PRD'), roleHolders, people, at });
}

describe('departmentDeciders', () => {
  it('lists the director, the designee, then the Communications Director and designee', () => {
    expect(departmentDeciders(department('PRD'), roleHolders, 'E102')).toEqual(['E100', 'E101', 'E500', 'E501']);
  });

  it('lists each person once', () => {
    expect(departmentDeciders(department('CMO'), roleHolders, 'E502')).toEqual(['E500', 'E501']);
  });

  it('never lists the separating employee', () => {
    expect(departmentDeciders(department('PRD'), roleHolders, 'E100')).toEqual(['E101', 'E500', 'E501']);
    expect(departmentDeciders(department('PRD'), roleHolders, 'E500')).toEqual(['E100', 'E101', 'E501']);
    expect(departmentDeciders(department('CMO'), roleHolders, 'E500')).toEqual(['E501']);
  });

  it('lists only the department when nobody holds the Communications Director role', () => {
    const others = roleHolders.filter((r) => r.role !== 'COMMUNICATIONS_DIRECTOR');
    expect(departmentDeciders(department('LIB'), others, 'E202')).toEqual(['E200', 'E201']);
  });
});

describe('planAccount', () => {
  it('sends the rotation to the remaining admin and escalates it to the director when a co-admin leaves', () => {
    const result = plan('E102', [grant(), tom()]);
    expect(result).toMatchObject({ offboardingId, accountId, accountLabel: 'Instagram @ABQParks', departmentCode: 'PRD', rotate: true, appoint: false });
    expect(result.rotation).toEqual({ recipients: [named('E103')], escalateTo: named('E100') });
    expect(result.appointment).toBeUndefined();
  });

  it('sends the rotation to each remaining admin, once each', () => {
    const grace = grant({ personId: 'E200', personName: 'Grace Lucero' });
    const result = plan('E102', [grant(), tom(), grace, tom({ sourceRequestId: paRequestId })]);
    expect(result.rotation?.recipients).toEqual([named('E103'), named('E200')]);
    expect(result.rotation?.escalateTo).toEqual(named('E100'));
  });

  it('escalates to the next decider when the director is one of the remaining admins', () => {
    const result = plan('E102', [grant(), grant({ personId: 'E100', personName: 'Dolores Baca' })]);
    expect(result.rotation).toEqual({ recipients: [named('E100')], escalateTo: named('E101') });
  });

  it('rotates to the director and asks them to appoint an admin when the sole admin leaves', () => {
    const result = plan('E102', [grant(), tom({ role: 'POSTER' })]);
    expect(result).toMatchObject({ rotate: true, appoint: true });
    expect(result.rotation).toEqual({ recipients: [named('E100')], escalateTo: named('E101') });
    expect(result.appointment).toEqual({ recipients: [named('E100')], escalateTo: named('E101') });
  });

  it('routes to the designee when the director is the one leaving', () => {
    const result = plan('E100', [grant({ personId: 'E100', personName: 'Dolores Baca' })]);
    expect(result).toMatchObject({ rotate: true, appoint: true });
    expect(result.rotation).toEqual({ recipients: [named('E101')], escalateTo: named('E500') });
    expect(result.appointment).toEqual({ recipients: [named('E101')], escalateTo: named('E500') });
  });

  it('neither rotates nor appoints for a poster who never had the credential', () => {
    const result = plan('E103', [grant(), tom({ role: 'POSTER', receivesCredential: false, sourceRequestId: paRequestId })]);
    expect(result).toMatchObject({ rotate: false, appoint: false });
    expect(result.rotation).toBeUndefined();
    expect(result.appointment).toBeUndefined();
    expect(result.grants).toEqual([
      { personId: 'E103', role: 'POSTER', receivesCredential: false, sourceRequestId: paRequestId, authorizedByName: 'Dolores Baca' },
    ]);
  });

  it('rotates, without an appointment, for a poster who had the credential', () => {
    const result = plan('E103', [grant(), tom({ role: 'POSTER', receivesCredential: true })]);
    expect(result).toMatchObject({ rotate: true, appoint: false });
    expect(result.rotation?.recipients).toEqual([named('E102')]);
  });

  it('appoints without rotating when the sole admin never had the credential', () => {
    const result = plan('E102', [grant({ receivesCredential: false })]);
    expect(result).toMatchObject({ rotate: false, appoint: true });
    expect(result.rotation).toBeUndefined();
    expect(result.appointment?.recipients).toEqual([named('E100')]);
  });

  it('treats a separated co-admin as gone: the director rotates and appoints', () => {
    const result = plan('E102', [grant(), tom()], directory({ E103: { separatedOn: '2026-01-10' } }));
    expect(result).toMatchObject({ rotate: true, appoint: true });
    expect(result.rotation?.recipients).toEqual([named('E100')]);
  });

  it('never sends a link to, or escalates to, someone who has separated', () => {
    const gone = directory({ E100: { separatedOn: '2026-01-01' }, E101: { separatedOn: '2026-01-02' } });
    const result = plan('E102', [grant()], gone);
    expect(result.rotation).toEqual({ recipients: [named('E500')], escalateTo: named('E501') });
    expect(result.appointment).toEqual({ recipients: [named('E500')], escalateTo: named('E501') });
  });

  it('leaves out people the directory does not know', () => {
    const ghost = grant({ personId: 'E999', personName: 'Nobody Known' });
    expect(plan('E102', [grant(), ghost]).rotation?.recipients).toEqual([named('E100')]);
  });

  it("lists each of the employee's active grants on the account, and nobody else's", () => {
    const revokedEarlier = grant({ sourceRequestId: 'na-20240101-aaaaaaaaaaaaaaaa', status: 'REVOKED', revokedAt: '2025-01-01T00:00:00.000Z' });
    const result = plan('E102', [grant(), grant({ role: 'POSTER', sourceRequestId: paRequestId, authorizedByName: 'Marcus Chavez' }), revokedEarlier, tom()]);
    expect(result.grants).toEqual([
      { personId: 'E102', role: 'ADMIN', receivesCredential: true, sourceRequestId: grant().sourceRequestId, authorizedByName: 'Dolores Baca' },
      { personId: 'E102', role: 'POSTER', receivesCredential: true, sourceRequestId: paRequestId, authorizedByName: 'Marcus Chavez' },
    ]);
    expect(result.createdAt).toBe(at);
    expect(result.revokedAt).toBeUndefined();
  });

  it('ignores revoked grants when deciding on rotation and on remaining admins', () => {
    const result = plan('E102', [grant(), tom({ status: 'REVOKED' }), grant({ sourceRequestId: paRequestId, status: 'REVOKED', role: 'POSTER' })]);
    expect(result).toMatchObject({ rotate: true, appoint: true });
    expect(result.grants).toHaveLength(1);
  });
});

const task = (overrides: Partial<OffboardingTask> = {}) => rotationTask({ createdAt: at, ...overrides });

describe('chaseAction', () => {
  it('reminds while reminders remain', () => {
    expect(chaseAction(task({ remindersSent: 0 }), 1, 2)).toBe('remind');
    expect(chaseAction(task({ remindersSent: 1, lastSweep: 1 }), 2, 2)).toBe('remind');
  });

  it('escalates a first-round task once the reminders are used up', () => {
    expect(chaseAction(task({ remindersSent: 2, lastSweep: 2 }), 3, 2)).toBe('escalate');
    expect(chaseAction(task({ remindersSent: 0 }), 1, 0)).toBe('escalate');
  });

  it('expires a first-round task that has nobody to escalate to', () => {
    expect(chaseAction(task({ remindersSent: 1, escalateTo: null }), 2, 1)).toBe('expire');
  });

  it('reminds the escalated recipient, then expires the task', () => {
    expect(chaseAction(task({ round: 1, remindersSent: 0, lastSweep: 2 }), 3, 1)).toBe('remind');
    expect(chaseAction(task({ round: 1, remindersSent: 1, lastSweep: 3 }), 4, 1)).toBe('expire');
  });

  it('does nothing for a sweep already applied, or an older one', () => {
    expect(chaseAction(task({ lastSweep: 2 }), 2, 1)).toBe('none');
    expect(chaseAction(task({ lastSweep: 3 }), 2, 1)).toBe('none');
  });

  it.each(['DONE', 'EXPIRED'] as const)('does nothing for a %s task', (status) => {
    expect(chaseAction(task({ status }), 5, 1)).toBe('none');
    expect(chaseAction(task({ status, remindersSent: 1 }), 5, 1)).toBe('none');
  });
});

describe('currentRecipients', () => {
  it('is the first recipients in round 0', () => {
    expect(currentRecipients(task({ recipients: [named('E103'), named('E200')] }))).toEqual([named('E103'), named('E200')]);
  });

  it('is only the escalation target once escalated', () => {
    expect(currentRecipients(task({ round: 1 }))).toEqual([named('E100')]);
  });

  it('stays with the first recipients when an escalated task has no target', () => {
    expect(currentRecipients(task({ round: 1, escalateTo: null }))).toEqual([named('E103')]);
  });
});

describe('taskLinkState', () => {
  const secret = randomBytes(32).toString('base64url');
  const link: TaskLink = {
    offboardingId,
    accountId,
    kind: 'ROTATE',
    round: 0,
    approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
    recipient: named('E103'),
    secretHash: hashSecret(secret),
    createdAt: at,
    remindersSent: 0,
  };

  it('is open for its recipient with the right secret on an open task of the same round', () => {
    expect(taskLinkState(link, task(), secret, 'E103')).toEqual({ kind: 'open' });
  });

  it.each([
    ['a wrong secret', randomBytes(32).toString('base64url')],
    ['no secret', undefined],
    ['an empty secret', ''],
    ['the stored hash itself', hashSecret(secret)],
  ])('is forbidden with %s, even for the recipient', (_what, given) => {
    expect(taskLinkState(link, task(), given, 'E103')).toEqual({ kind: 'forbidden' });
  });

  it('is forbidden with a wrong secret whatever the task state, so it reveals nothing', () => {
    expect(taskLinkState(link, task({ status: 'DONE', doneByName: 'Tom Sandoval' }), 'x'.repeat(43), 'E100')).toEqual({ kind: 'forbidden' });
  });

  it('names the recipient to anyone else who opens it with the right secret', () => {
    expect(taskLinkState(link, task(), secret, 'E100')).toEqual({ kind: 'wrong-person', recipientName: 'Tom Sandoval' });
  });

  it('says who finished a done task, and when', () => {
    const done = task({ status: 'DONE', doneById: 'E103', doneByName: 'Tom Sandoval', doneAt: '2026-01-16T17:00:00.000Z' });
    expect(taskLinkState(link, done, secret, 'E103')).toEqual({ kind: 'done', byName: 'Tom Sandoval', at: '2026-01-16T17:00:00.000Z' });
  });

  it('is expired for an expired task', () => {
    expect(taskLinkState(link, task({ status: 'EXPIRED', expiredAt: '2026-01-30T00:00:00.000Z' }), secret, 'E103')).toEqual({ kind: 'expired' });
  });

  it('sends a first-round link on to the escalation target once the task is escalated', () => {
    expect(taskLinkState(link, task({ round: 1 }), secret, 'E103')).toEqual({ kind: 'superseded', to: 'Dolores Baca' });
  });

  it('opens an escalated link for its recipient', () => {
    const escalated = { ...link, round: 1 as const, recipient: named('E100') };
    expect(taskLinkState(escalated, task({ round: 1 }), secret, 'E100')).toEqual({ kind: 'open' });
  });
});

describe('canViewOffboarding', () => {
  const tasks = [task({ recipients: [named('E103')], escalateTo: named('E100') })];
  const view = (id: string, departmentCode: string) =>
    canViewOffboarding({ viewer: { id, departmentCode }, roleHolders, departments: [department('PRD')], tasks });

  it('lets anyone in DTI see it', () => {
    expect(view('E401', 'DTI')).toBe(true);
  });

  it('lets City-wide role holders and their designees see it', () => {
    expect(view('E500', 'CMO')).toBe(true);
    expect(view('E311', 'APD')).toBe(true);
    expect(view('E502', 'CMO')).toBe(true);
  });

  it("lets the involved department's director and designee see it", () => {
    expect(view('E100', 'PRD')).toBe(true);
    expect(view('E101', 'PRD')).toBe(true);
  });

  it("lets a task's recipient and its escalation target see it", () => {
    expect(view('E103', 'PRD')).toBe(true);
    expect(canViewOffboarding({ viewer: { id: 'E100', departmentCode: 'PRD' }, roleHolders: [], departments: [], tasks })).toBe(true);
  });

  it('keeps it from everyone else, including the directors of other departments', () => {
    expect(view('E202', 'LIB')).toBe(false);
    expect(view('E200', 'LIB')).toBe(false);
    expect(view('E312', 'APD')).toBe(false);
  });
});

describe('unplannedAccount', () => {
  const failure = { error: 'AccountNotInRegistry', reason: `${accountId} is not in the registry`, at };
  const unplanned = (accountGrants: Grant[], withAccount = false) =>
    unplannedAccount({ offboardingId, employeeId: 'E102', accountId, account: withAccount ? account() : undefined, accountGrants, failure });

  it("keeps the employee's active grants to revoke, and only theirs, with the failure", () => {
    const result = unplanned([grant(), grant({ role: 'POSTER', sourceRequestId: paRequestId, status: 'REVOKED' }), tom()]);
    expect(result.grants).toEqual([expect.objectContaining({ personId: 'E102', role: 'ADMIN', sourceRequestId: grant().sourceRequestId })]);
    expect(result).toMatchObject({ accountId, accountLabel: accountId, departmentName: 'not in the registry', failure });
    expect(result.rotation).toBeUndefined();
    expect(result.appointment).toBeUndefined();
  });

  it('says a rotation is owed when they held the credential, and an appointment when no other admin remains', () => {
    expect(unplanned([grant(), tom()])).toMatchObject({ rotate: true, appoint: false });
    expect(unplanned([grant(), tom({ role: 'POSTER', receivesCredential: false })])).toMatchObject({ rotate: true, appoint: true });
    expect(unplanned([grant({ role: 'POSTER', receivesCredential: false }), tom()])).toMatchObject({ rotate: false, appoint: false });
  });

  it('names the account from the registry when the registry has it', () => {
    expect(unplanned([grant()], true)).toMatchObject({ accountLabel: 'Instagram @ABQParks', departmentCode: 'PRD', departmentName: 'Parks and Recreation' });
  });
});

describe('accountFailure', () => {
  it("takes Lambda's errorMessage out of a JSON Cause, and leaves the stack trace behind", () => {
    const Cause = JSON.stringify({
      errorType: 'InvalidInputError',
      errorMessage: 'The account offboarding input is invalid.',
      trace: ['at x (/var/task/index.js:1:1)'],
    });
    expect(accountFailure({ Error: 'InvalidInputError', Cause }, at)).toEqual({
      error: 'InvalidInputError',
      reason: 'The account offboarding input is invalid.',
      at,
    });
  });

  it("keeps a plain Cause (the local engine's) as it is, and says which error when there is none", () => {
    expect(accountFailure({ Error: 'VaultError', Cause: 'vault unreachable' }, at).reason).toBe('vault unreachable');
    expect(accountFailure({ Error: 'States.Timeout' }, at)).toEqual({ error: 'States.Timeout', reason: 'the step failed with States.Timeout', at });
  });

  it('bounds a long reason', () => {
    expect(accountFailure({ Error: 'X', Cause: 'y'.repeat(1000) }, at).reason).toHaveLength(300);
  });
});

describe('accountSummaries', () => {
  const when = (iso: string) => `<${iso}>`;
  const revokedAt = '2026-01-15T07:00:10.000Z';
  const basePlan = (overrides: Partial<AccountPlan> = {}): AccountPlan => ({ ...plan('E102', [grant(), tom()]), revokedAt, ...overrides });

  it('says a step is not needed and asks for no attention when nothing is owed', () => {
    const [summary] = accountSummaries([basePlan({ rotate: false, appoint: false })], [], when);
    expect(summary).toEqual({
      accountId,
      accountLabel: 'Instagram @ABQParks',
      departmentName: 'Parks and Recreation',
      revoked: `admin grant revoked <${revokedAt}>`,
      rotation: 'not needed',
      appointment: 'not needed',
      attention: false,
      failed: false,
    });
  });

  it('needs attention while the grants are not yet revoked', () => {
    const [summary] = accountSummaries([basePlan({ rotate: false, appoint: false, revokedAt: undefined })], [], when);
    expect(summary).toMatchObject({ revoked: 'not yet revoked', attention: true });
  });

  it('counts several revoked grants', () => {
    const grants = plan('E102', [grant(), grant({ role: 'POSTER', sourceRequestId: paRequestId })]).grants;
    const [summary] = accountSummaries([basePlan({ grants, rotate: false, appoint: false })], [], when);
    expect(summary?.revoked).toBe(`admin, poster grants revoked <${revokedAt}>`);
  });

  it('says so when a plan found no active grant left to revoke', () => {
    const [summary] = accountSummaries([basePlan({ grants: [], rotate: false, appoint: false })], [], when);
    expect(summary?.revoked).toBe(`no active grant left to revoke (<${revokedAt}>)`);
  });

  it('says a needed step with no task yet is being prepared', () => {
    const [summary] = accountSummaries([basePlan()], [], when);
    expect(summary).toMatchObject({ rotation: 'being prepared', appointment: 'not needed', attention: true });
  });

  it('shows who a pending rotation waits for, its reminders and who has seen the password', () => {
    const pending = task({
      remindersSent: 1,
      reveals: [
        { personId: 'E103', name: 'Tom Sandoval', at: '2026-01-16T10:00:00.000Z' },
        { personId: 'E103', name: 'Tom Sandoval', at: '2026-01-16T10:05:00.000Z' },
      ],
    });
    const [summary] = accountSummaries([basePlan()], [pending], when);
    expect(summary?.rotation).toBe('pending with Tom Sandoval (1 reminder(s)); revealed to Tom Sandoval');
    expect(summary?.attention).toBe(true);
  });

  it('shows a pending task with no reminder and no reveal plainly', () => {
    const [summary] = accountSummaries([basePlan()], [task({ recipients: [named('E103'), named('E200')] })], when);
    expect(summary?.rotation).toBe('pending with Tom Sandoval, Grace Lucero');
  });

  it('marks an escalated task and names only the person it went to', () => {
    const [summary] = accountSummaries([basePlan()], [task({ round: 1, escalatedAt: '2026-01-20T00:00:00.000Z' })], when);
    expect(summary?.rotation).toBe('escalated — pending with Dolores Baca');
    expect(summary?.attention).toBe(true);
  });

  it('shows a confirmed rotation and a done appointment, with who and when, and then needs no attention', () => {
    const doneAt = '2026-01-16T17:00:00.000Z';
    const rotated = task({ status: 'DONE', doneById: 'E103', doneByName: 'Tom Sandoval', doneAt });
    const appointed = task({ kind: 'APPOINT', status: 'DONE', doneById: 'E100', doneByName: 'Dolores Baca', doneAt, appointed: named('E101') });
    const [summary] = accountSummaries([basePlan({ appoint: true })], [rotated, appointed], when);
    expect(summary).toMatchObject({
      rotation: `rotated — confirmed by Tom Sandoval, <${doneAt}>`,
      appointment: `appointed Marcus Chavez — confirmed by Dolores Baca, <${doneAt}>`,
      attention: false,
    });
  });

  it('warns that the former employee may still know the password of an expired rotation', () => {
    const [summary] = accountSummaries([basePlan()], [task({ status: 'EXPIRED', round: 1 })], when);
    expect(summary?.rotation).toMatch(/^EXPIRED — /);
    expect(summary?.rotation).toContain('may still know it');
    expect(summary?.rotation).toContain('last sent to Dolores Baca');
    expect(summary?.attention).toBe(true);
  });

  it('says no admin was appointed for an expired appointment', () => {
    const [summary] = accountSummaries([basePlan({ rotate: false, appoint: true })], [task({ kind: 'APPOINT', status: 'EXPIRED' })], when);
    expect(summary).toMatchObject({ rotation: 'not needed', appointment: 'EXPIRED — no admin appointed (last sent to Tom Sandoval)', attention: true });
  });

  it('marks a failed account FAILED with its reason, what was revoked, and what is owed by hand', () => {
    const failure = { error: 'AccountNotInRegistry', reason: `${accountId} is not in the registry`, at };
    const [summary] = accountSummaries([basePlan({ rotation: undefined, appoint: true, failure })], [], when);
    expect(summary).toMatchObject({
      failed: true,
      failure: `FAILED — ${accountId} is not in the registry (AccountNotInRegistry, <${at}>)`,
      revoked: `admin grant revoked <${revokedAt}>`,
      attention: true,
    });
    expect(summary?.rotation).toMatch(/^NOT STARTED — the former employee could know the shared password/);
    expect(summary?.appointment).toMatch(/^NOT STARTED — the former employee was its only admin/);
  });

  it('keeps showing the tasks a failed account did get, and needs attention even when nothing else is owed', () => {
    const failure = { error: 'States.Timeout', reason: 'the step failed with States.Timeout', at };
    const [pending] = accountSummaries([basePlan({ failure })], [task()], when);
    expect(pending).toMatchObject({ rotation: 'pending with Tom Sandoval', failed: true });
    const [nothingOwed] = accountSummaries([basePlan({ rotate: false, appoint: false, failure })], [], when);
    expect(nothingOwed).toMatchObject({ rotation: 'not needed', appointment: 'not needed', attention: true, failed: true });
  });

  it('adds a line for each account of the offboarding that no step has recorded anything for', () => {
    const other = 'acct-20250401-00000000000000ff';
    const summaries = accountSummaries([basePlan()], [], when, [accountId, other]);
    expect(summaries.map((s) => s.accountId)).toEqual([accountId, other]);
    expect(summaries[1]).toMatchObject({ accountLabel: other, revoked: 'not yet revoked', attention: true, failed: false });
  });

  it("matches each plan with its own account's tasks", () => {
    const other = 'acct-20250401-00000000000000ff';
    const plans = [basePlan(), basePlan({ accountId: other, accountLabel: 'Facebook @ABQLibrary' })];
    const tasks = [task({ accountId: other, status: 'DONE', doneByName: 'Grace Lucero', doneAt: at }), task()];
    const summaries = accountSummaries(plans, tasks, when);
    expect(summaries.map((s) => [s.accountId, s.rotation])).toEqual([
      [accountId, 'pending with Tom Sandoval'],
      [other, `rotated — confirmed by Grace Lucero, <${at}>`],
    ]);
    expect(summaries.map((s) => s.attention)).toEqual([true, false]);
  });
});
