import type { Decision } from '#core/approval';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { fieldErrors, type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor, submissionIdSchema } from '#core/request';
import { type ApprovalStep, type Department, type Person, planApprovalSteps, policy, type RoleHolder } from '#core/policy';
import { type Account, type Grant, type GrantRole, grantRoles, isActive } from '#core/registry';
import * as z from '#core/zod';

/**
 * Posting authority (B): "Department directors must authorize employees to post prior to them
 * receiving credentials." An employee asks for themselves, or an active admin of the account asks
 * for someone else; the account department's director decides by email link (the same approval
 * chain as new accounts); approval records a grant.
 */
export interface PostingAuthorityRequest {
  requestId: string;
  kind: 'POSTING_AUTHORITY';
  status: RequestStatus;
  requester: NamedPerson;
  /** Who is to post. The requester themselves, or someone an admin of the account asks for. */
  grantee: NamedPerson;
  accountId: string;
  platformId: string;
  platformName: string;
  handle: string;
  /** The account's department: its director decides. */
  departmentCode: string;
  departmentName: string;
  role: GrantRole;
  /** Whether the grantee is to receive the account's shared credential (DTI keeps it, O.b). */
  receivesCredential: boolean;
  reason: string;
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
}

const truthy = ['on', 'true', 'yes', '1'];

/** Whether a checkbox was ticked: a form sends "on" (or nothing), a JSON client a boolean. */
export const ticked = (v: unknown): boolean => v === true || (typeof v === 'string' && truthy.includes(v));

/** The posting-authority form, as a person fills it in. The requester is never part of it. */
export const postingAuthorityFormSchema = z.object({
  submissionId: submissionIdSchema,
  granteeId: z
    .string({ error: 'choose the person from the directory' })
    .check(z.trim(), z.regex(/^[A-Za-z0-9-]{1,20}$/, 'choose the person from the directory')),
  role: z.enum(grantRoles, { error: 'choose Admin or Poster' }),
  receivesCredential: z.pipe(
    z.optional(z.union([z.boolean(), z.enum([...truthy, 'false', 'no', '0', ''])], { error: 'tick the box or leave it empty' })),
    z.transform((v: string | boolean | undefined): boolean => ticked(v)),
  ),
  reason: z
    .string({ error: 'say why this person needs to post for the account (at least 10 characters)' })
    .check(
      z.trim(),
      z.minLength(10, 'say why this person needs to post for the account (at least 10 characters)'),
      z.maxLength(2000, 'keep the reason under 2000 characters'),
    ),
});

export type PostingAuthorityForm = z.infer<typeof postingAuthorityFormSchema>;

/** Who the form asks for: the named person, or the requester when nobody is named. */
export function granteeIdOf(raw: Record<string, unknown>, requester: Person): string {
  return typeof raw.granteeId === 'string' && raw.granteeId.trim() !== '' ? raw.granteeId.trim() : requester.id;
}

/** The account's people who may ask for someone else: its active admins. */
export const activeAdminIds = (grants: Grant[]) => grants.filter((g) => isActive(g) && g.role === 'ADMIN').map((g) => g.personId);

/** Only the employee themselves or an active admin of the account may ask (403 otherwise). */
export function assertMayAsk(input: { requester: Person; granteeId: string; account: Account; grants: Grant[] }): void {
  const { requester, granteeId, account } = input;
  if (requester.id === granteeId || activeAdminIds(input.grants.filter((g) => g.accountId === account.accountId)).includes(requester.id)) return;
  throw new ForbiddenError(
    `Only an active admin of ${account.platformName} ${account.handle} can ask for posting authority for someone else. You can ask for yourself, or ask one of its admins.`,
  );
}

/**
 * Validates the form, with the grantee as found in the directory (undefined when not found; a
 * separated employee cannot be authorized, C). Throws InvalidInputError with one message per field.
 */
export function parsePostingAuthorityForm(raw: Record<string, unknown>, grantee: Person | undefined): PostingAuthorityForm & { grantee: Person } {
  const result = postingAuthorityFormSchema.safeParse(raw);
  const fields = result.success ? {} : fieldErrors(result.error);
  if (!grantee && !fields.granteeId) fields.granteeId = 'this person is not in the directory; choose someone from the list';
  if (grantee?.separatedOn && !fields.granteeId)
    fields.granteeId = `${grantee.name} separated from the City on ${grantee.separatedOn}; choose someone who works here`;
  if (!result.success || !grantee || Object.keys(fields).length > 0) throw new InvalidInputError('The form has fields to fix.', fields);
  return { ...result.data, grantee };
}

const roleWord = (role: GrantRole) => role.toLowerCase();
export const credentialWords = (receives: boolean) => (receives ? 'receives the shared credential' : 'without the shared credential');

/** Refuses (409) what the grantee already holds: an active grant with the same role and credential. */
export function assertNotAlreadyAuthorized(input: {
  form: Pick<PostingAuthorityForm, 'role' | 'receivesCredential'>;
  grantee: Person;
  account: Account;
  grants: Grant[];
}) {
  const { form, grantee, account } = input;
  const same = input.grants.find(
    (g) =>
      isActive(g) && g.accountId === account.accountId && g.personId === grantee.id && g.role === form.role && g.receivesCredential === form.receivesCredential,
  );
  if (!same) return;
  throw new ConflictError(
    `${grantee.name} is already authorized on ${account.platformName} ${account.handle} as ${roleWord(same.role)} (${credentialWords(same.receivesCredential)}), by ${same.authorizedByName}. Ask for a different role or credential to change it.`,
  );
}

/** Posting-authority requests' ids start "pa-". */
export const postingAuthorityIdPrefix = 'pa';

/**
 * Who decides (B): the director of the account's department, a designee deciding when the director
 * is the requester or the person the authority is for.
 */
export function postingAuthoritySteps(input: { requester: Person; grantee: Person; department: Department; roleHolders: RoleHolder[] }): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    forIds: [input.grantee.id],
    chain: policy.postingAuthority.chain,
    department: input.department,
    roleHolders: input.roleHolders,
  });
}

/** The stored request, routed along the planned steps. */
export function postingAuthorityRequest(input: {
  requester: Person;
  grantee: Person;
  account: Account;
  department: Department;
  form: PostingAuthorityForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): PostingAuthorityRequest {
  const { requester, grantee, account, form } = input;
  return {
    requestId: requestIdFor(requester.id, input.submissionId, input.now, postingAuthorityIdPrefix),
    kind: 'POSTING_AUTHORITY',
    status: 'PENDING',
    requester: { id: requester.id, name: requester.name, email: requester.email },
    grantee: { id: grantee.id, name: grantee.name, email: grantee.email },
    accountId: account.accountId,
    platformId: account.platformId,
    platformName: account.platformName,
    handle: account.handle,
    departmentCode: input.department.code,
    departmentName: input.department.name,
    role: form.role,
    receivesCredential: form.receivesCredential,
    reason: form.reason,
    steps: input.steps,
    createdAt: input.now.toISOString(),
  };
}

/** The grant an approved request makes: authorized by the director's decision (B). */
export function postingGrantFor(request: PostingAuthorityRequest, directorDecision: Decision): Grant {
  return {
    accountId: request.accountId,
    personId: request.grantee.id,
    personName: request.grantee.name,
    role: request.role,
    receivesCredential: request.receivesCredential,
    authorizedById: directorDecision.decidedById,
    authorizedByName: directorDecision.decidedByName,
    authorizedAt: directorDecision.decidedAt,
    sourceRequestId: request.requestId,
    status: 'ACTIVE',
  };
}

/**
 * The grantee's active grants on the account that the new grant replaces, as they are to be stored
 * (REVOKED, kept on record): a person holds at most one active grant per account.
 */
export function replacedGrants(request: PostingAuthorityRequest, held: Grant[], at: string): Grant[] {
  return held
    .filter((g) => isActive(g) && g.accountId === request.accountId && g.personId === request.grantee.id && g.sourceRequestId !== request.requestId)
    .map((g) => ({ ...g, status: 'REVOKED', revokedAt: at, revokedReason: `replaced by ${request.requestId}`, revokedBySourceId: request.requestId }));
}
