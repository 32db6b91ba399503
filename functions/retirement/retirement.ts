import { ForbiddenError, InvalidInputError } from '#core/errors';
import { type ApprovalStep, type ChainRole, type Department, type Person, planApprovalSteps, type Policy, policy, type RoleHolder } from '#core/policy';
import { type Account, type Grant, isActive } from '#core/registry';
import { fieldErrors, type PlannedStep, submissionIdSchema } from '#core/request';
import { type AccountRequestBase, accountRequestHead, type OutcomeWrite } from '#core/request-kind';
import * as z from '#core/zod';

/**
 * Retiring an account (issue 14; B, H, O.b, O.c): an admin of the account or its department's
 * director (or designee) asks, saying why and what becomes of its content (archived first, then
 * deleted on the platform or left there read-only); the department director decides by email link.
 * Approval, in one transaction with the request's close: the account is RETIRED (kept in the
 * registry, its records exportable, H), every active grant is revoked (kept on record, B), and its
 * credential on file is retired: kept for the records retention period, then due for deletion,
 * never deleted at once (O.b). The annual review's "retire it" answer makes the same writes.
 */

/** What becomes of the account's content on the platform; the City keeps an archive first either way (H). */
export const contentPlans = ['ARCHIVE_THEN_DELETE', 'ARCHIVE_THEN_READ_ONLY'] as const;
export type ContentPlan = (typeof contentPlans)[number];

export const contentPlanWords: Record<ContentPlan, string> = {
  ARCHIVE_THEN_DELETE: 'Archive its content, then delete the account on the platform',
  ARCHIVE_THEN_READ_ONLY: 'Archive its content, then leave the account on the platform, read-only (no new posts)',
};

/** A request to retire one registry account: what every request about an account has, and why, and what becomes of its content. */
export interface RetirementRequest extends AccountRequestBase {
  kind: 'RETIRE_ACCOUNT';
  reason: string;
  contentPlan: ContentPlan;
}

/** Retirement requests' ids start "ra-". */
export const retirementIdPrefix = 'ra';

/** Who decides: the account department's director (their designee when the director asks). */
export const retirementChain: readonly ChainRole[] = ['DEPARTMENT_DIRECTOR'];

const reasonMessage = 'say why the account is to be retired (at least 10 characters)';

export const retirementFormSchema = z.object({
  submissionId: submissionIdSchema,
  reason: z.string({ error: reasonMessage }).check(z.trim(), z.minLength(10, reasonMessage), z.maxLength(2000, 'keep the reason under 2000 characters')),
  contentPlan: z.enum(contentPlans, { error: 'choose what becomes of its content: deleted or left read-only, after it is archived' }),
});

export type RetirementForm = z.infer<typeof retirementFormSchema>;

/** Validates the form; throws InvalidInputError with one message per field. */
export function parseRetirementForm(raw: Record<string, unknown>): RetirementForm {
  const result = retirementFormSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError('The form has fields to fix.', fieldErrors(result.error));
  return result.data;
}

const accountLabel = (a: Pick<Account, 'platformName' | 'handle'>) => `${a.platformName} ${a.handle}`;

/** Whether this person may ask: an active admin of the account, or its department's director or designee. */
export function mayAskRetirement(input: { requester: Pick<Person, 'id'>; account: Account; grants: Grant[]; department?: Department }): boolean {
  const { requester, account, department } = input;
  if (department && (requester.id === department.directorId || requester.id === department.designeeId)) return true;
  return input.grants.some((g) => isActive(g) && g.accountId === account.accountId && g.role === 'ADMIN' && g.personId === requester.id);
}

/** Refuses (403) anyone else, naming who may ask. */
export function assertMayAskRetirement(input: {
  requester: Pick<Person, 'id'>;
  account: Account;
  grants: Grant[];
  department?: Department;
  directorName?: string;
}): void {
  if (mayAskRetirement(input)) return;
  const admins = input.grants.filter((g) => isActive(g) && g.accountId === input.account.accountId && g.role === 'ADMIN').map((g) => g.personName);
  const director = input.directorName ? `the director of ${input.account.departmentName} (${input.directorName}) or their designee` : 'the department director';
  throw new ForbiddenError(
    `Only an admin of ${accountLabel(input.account)}${admins.length ? ` (${admins.join(', ')})` : ''} or ${director} can ask to retire it. Ask one of them.`,
  );
}

/** The department director decides; nobody decides their own request (the designee does when the director asks). */
export function retirementSteps(input: { requester: Person; department: Department; roleHolders: RoleHolder[] }, p: Policy = policy): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: retirementChain,
    department: input.department,
    roleHolders: input.roleHolders,
    policy: p,
  });
}

/** The stored request, routed along the planned steps. */
export function retirementRequest(input: {
  requester: Person;
  account: Account;
  department: Department;
  form: RetirementForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): RetirementRequest {
  return {
    ...accountRequestHead({ ...input, kind: 'RETIRE_ACCOUNT', idPrefix: retirementIdPrefix }),
    reason: input.form.reason,
    contentPlan: input.form.contentPlan,
  };
}

// The retirement's writes ------------------------------------------------------------------------

/** What a retired account's item carries besides the account: when, why, and which request or review retired it. */
export interface RetiredFacts {
  retiredAt?: string;
  retiredReason?: string;
  retiredBySourceId?: string;
}

/** When a retired account's credential is due for deletion: `retainRetiredDays` after the retirement (O.b, records retention). */
export function deleteAfterFor(retiredAt: string, p: Policy = policy): string {
  return new Date(Date.parse(retiredAt) + p.credentials.retainRetiredDays * 86_400_000).toISOString();
}

/**
 * The index partitions of a RETIRED account (adapters/registry-store.ts `accountItem` keys an
 * account by its status; the sort keys do not change). test/unit/retirement checks they agree.
 */
export const retiredIndexKeys = { GSI1PK: 'ACCOUNTS#RETIRED', GSI2PK: 'ACCOUNTS_BY_DEPARTMENT#RETIRED', GSI3PK: 'ACCOUNTS_BY_HANDLE#RETIRED' } as const;

/** At most this many grants are revoked in the transaction that retires (≤100 items: the close, the account, the credential, the grants). */
export const grantsPerRetirement = 97;

/** Index of the account's write in `retirementWrites` (a conflict there: the account is no longer active). */
export const accountWriteIndex = 0;

/**
 * Every write that retires an account, each conditional where a retry or a race could repeat it:
 * the account PROFILE from ACTIVE to RETIRED (its index keys moved, so the registry lists it under
 * Retired), every active grant REVOKED only while still active (recorded, never deleted), and the
 * credential item set to RETIRED with its deletion date, created if there is none and keeping what
 * it holds if there is. The same writes for a retirement request and for the annual review.
 */
export function retirementWrites(
  input: { accountId: string; activeGrants: readonly Grant[]; at: string; reason: string; bySourceId: string },
  p: Policy = policy,
): OutcomeWrite[] {
  const { accountId, at, reason, bySourceId } = input;
  const key = (SK: string) => ({ PK: `ACCOUNT#${accountId}`, SK });
  return [
    {
      update: {
        key: key('PROFILE'),
        set: { status: 'RETIRED', ...retiredIndexKeys, retiredAt: at, retiredReason: reason, retiredBySourceId: bySourceId },
        ifEquals: { status: 'ACTIVE' },
      },
    },
    {
      update: {
        key: key('CREDENTIAL'),
        set: {
          entity: 'Credential',
          accountId,
          status: 'RETIRED',
          retiredAt: at,
          deleteAfter: deleteAfterFor(at, p),
          retiredBySourceId: bySourceId,
          updatedAt: at,
        },
      },
    },
    ...input.activeGrants.map(
      (g): OutcomeWrite => ({
        update: {
          key: key(`GRANT#${g.personId}#${g.sourceRequestId}`),
          set: { status: 'REVOKED', revokedAt: at, revokedReason: `Account retired: ${reason}`, revokedBySourceId: bySourceId },
          ifEquals: { status: 'ACTIVE' },
        },
      }),
    ),
  ];
}

/** The account's grants a retirement revokes: those still active. */
export const grantsToRevoke = (accountId: string, grants: readonly Grant[]) => grants.filter((g) => isActive(g) && g.accountId === accountId);
