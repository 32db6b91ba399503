import type { Decision } from '#core/approval';
import { InvalidInputError } from '#core/errors';
import {
  type ApprovalStep,
  chainFor,
  type Department,
  type Person,
  type Platform,
  type Policy,
  planApprovalSteps,
  policy,
  type RoleHolder,
} from '#core/policy';
import { type Account, accountIdFor, type Grant } from '#core/registry';
import { fieldErrors, type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor, submissionIdSchema } from '#core/request';
import * as z from '#core/zod';

/** New account requests' ids start "na-". */
export const newAccountIdPrefix = 'na';

/** A single string, a comma list or an array, as a list of trimmed, non-empty strings. */
const list = z.pipe(
  z.transform((v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : String(v).split(','))),
  z.pipe(
    z.array(z.string().check(z.trim())),
    z.transform((a: string[]) => a.filter((s) => s.length > 0)),
  ),
);

/** The New Social Media form (D.c), as a person fills it in. The requester is never part of it. */
export function newAccountFormSchema(p: Policy = policy) {
  const checklistIds = p.newAccountApproval.officialSiteChecklist.map((c) => c.id);
  return z.object({
    submissionId: submissionIdSchema,
    departmentCode: z.string().check(z.trim(), z.regex(/^[A-Z]{2,8}$/, 'choose your department')),
    platformId: z.string().check(z.trim(), z.regex(/^[a-z0-9-]{1,40}$/, 'choose a platform from the approved list')),
    purpose: z.string().check(z.trim(), z.minLength(20, 'describe the purpose and strategy in at least 20 characters'), z.maxLength(4000)),
    audience: z.string().check(z.trim(), z.minLength(5, 'say who the account is for (at least 5 characters)'), z.maxLength(2000)),
    riskAssessment: z.string().check(z.trim(), z.minLength(20, 'assess the risks in at least 20 characters (D.a)'), z.maxLength(4000)),
    proposedHandle: z
      .string()
      .check(z.trim(), z.regex(/^@?[A-Za-z0-9_.-]{2,50}$/, 'use 2–50 letters, digits, dots, dashes or underscores, optionally after @')),
    adminIds: z.pipe(
      list,
      z.array(z.string().check(z.regex(/^[A-Za-z0-9-]{1,20}$/, 'pick admins from the directory'))).check(
        z.minLength(1, 'name at least one proposed admin'),
        z.maxLength(10, 'name at most 10 admins'),
        z.refine((a) => new Set(a).size === a.length, 'each admin only once'),
      ),
    ),
    checklist: z.pipe(
      list,
      z.array(z.string()).check(
        z.refine((a) => checklistIds.every((id) => a.includes(id)), {
          message: 'confirm every item of the official-site checklist (E)',
        }),
      ),
    ),
  });
}

export type NewAccountForm = z.infer<ReturnType<typeof newAccountFormSchema>>;

/** Validates the form; throws InvalidInputError with one message per field. */
export function parseNewAccountForm(raw: unknown, p: Policy = policy): NewAccountForm {
  const result = newAccountFormSchema(p).safeParse(raw ?? {});
  if (result.success) return result.data;
  throw new InvalidInputError('The form has fields to fix.', fieldErrors(result.error));
}

export interface AccountRequest {
  requestId: string;
  kind: 'NEW_ACCOUNT';
  status: RequestStatus;
  requester: NamedPerson;
  departmentCode: string;
  departmentName: string;
  platformId: string;
  platformName: string;
  purpose: string;
  audience: string;
  riskAssessment: string;
  proposedHandle: string;
  admins: NamedPerson[];
  checklist: string[];
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
  accountId?: string;
}

/**
 * Who approves a new account (D, S.a): the department's director, then the Communications Director
 * (APD: the APD Director of Communications), a designee deciding any step the requester holds.
 */
export function newAccountSteps(input: { requester: Person; department: Department; roleHolders: RoleHolder[] }): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: chainFor(input.department.code),
    department: input.department,
    roleHolders: input.roleHolders,
  });
}

/** The stored request, routed along the planned steps. */
export function accountRequest(input: {
  requester: Person;
  department: Department;
  platform: Platform;
  admins: Person[];
  form: NewAccountForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): AccountRequest {
  const { requester, department, platform, form, now } = input;
  return {
    requestId: requestIdFor(requester.id, input.submissionId, now, newAccountIdPrefix),
    kind: 'NEW_ACCOUNT',
    status: 'PENDING',
    requester: { id: requester.id, name: requester.name, email: requester.email },
    departmentCode: department.code,
    departmentName: department.name,
    platformId: platform.id,
    platformName: platform.name,
    purpose: form.purpose,
    audience: form.audience,
    riskAssessment: form.riskAssessment,
    proposedHandle: form.proposedHandle,
    admins: input.admins.map((a) => ({ id: a.id, name: a.name, email: a.email })),
    checklist: form.checklist,
    steps: input.steps,
    createdAt: now.toISOString(),
  };
}

export const normalizeHandle = (handle: string) => (handle.startsWith('@') ? handle : `@${handle}`);

/**
 * The registry entry and admin grants an approved New Social Media request creates. Posting
 * authority comes from the Department Director's decision (B); the chain's first step is that
 * director or designee.
 */
export function registryEntriesFor(request: AccountRequest, directorDecision: Decision, at: string): { account: Account; grants: Grant[] } {
  const account: Account = {
    accountId: accountIdFor(request.requestId),
    platformId: request.platformId,
    platformName: request.platformName,
    handle: normalizeHandle(request.proposedHandle),
    departmentCode: request.departmentCode,
    departmentName: request.departmentName,
    status: 'ACTIVE',
    admins: request.admins,
    sourceRequestId: request.requestId,
    createdAt: at,
  };
  const grants: Grant[] = request.admins.map((admin) => ({
    accountId: account.accountId,
    personId: admin.id,
    personName: admin.name,
    role: 'ADMIN',
    receivesCredential: true,
    authorizedById: directorDecision.decidedById,
    authorizedByName: directorDecision.decidedByName,
    authorizedAt: directorDecision.decidedAt,
    sourceRequestId: request.requestId,
    status: 'ACTIVE',
  }));
  return { account, grants };
}
