import { createHash } from 'node:crypto';
import { ConfigurationError, InvalidInputError } from '#domain/errors';
import type { PostRemovalRequest } from '#domain/post-removal';
import type { PostingAuthorityRequest } from '#domain/posting-authority';
import { type ApprovalStep, type Person, type Policy, policy } from '#domain/policy';
import * as z from '#domain/zod';

export const requestStatuses = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** A single string, a comma list or an array, as a list of trimmed, non-empty strings. */
const list = z.pipe(
  z.transform((v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : String(v).split(','))),
  z.pipe(
    z.array(z.string().check(z.trim())),
    z.transform((a: string[]) => a.filter((s) => s.length > 0)),
  ),
);

/** A form's one-time id (a hidden field), so a double submit finds the request it already made. */
export const submissionIdSchema = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'reload the form and submit again')));

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

export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  return fields;
}

export interface NamedPerson {
  id: string;
  name: string;
  email: string;
}

export interface PlannedStep extends ApprovalStep {
  approverName: string;
}

/** The planned steps with their approvers' names, read from the directory in the same order. */
export function namedSteps(steps: ApprovalStep[], approvers: (Person | undefined)[]): PlannedStep[] {
  return steps.map((step, i) => {
    const approver = approvers[i];
    if (!approver) throw new ConfigurationError(`${step.title} (${step.approverId}) is not in the directory.`);
    return { ...step, approverName: approver.name };
  });
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

/** Every kind of request that goes through the approval chain, as stored and shown. */
export type GovernanceRequest = AccountRequest | PostingAuthorityRequest | PostRemovalRequest;
export type RequestKind = GovernanceRequest['kind'];

/** Each kind's request id prefix: it tells a person, a log line or an execution name what the request is. */
const requestIdPrefixes: Record<RequestKind, string> = { NEW_ACCOUNT: 'na', POSTING_AUTHORITY: 'pa', POST_REMOVAL: 'pr' };

/**
 * A request id derived from who submitted and the form's one-time submission id, so a double
 * click or a client retry finds the request it already made instead of starting a second.
 * Also used as the execution name (letters, digits, dashes; ≤ 80).
 */
export function requestIdFor(requesterId: string, submissionId: string, now: Date, kind: RequestKind = 'NEW_ACCOUNT'): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const digest = createHash('sha256').update(`${requesterId}\u0000${submissionId}`).digest('hex').slice(0, 16);
  return `${requestIdPrefixes[kind]}-${day}-${digest}`;
}

/** Any request's id, of every kind: what each schema that takes a request id validates against. */
export const requestIdPattern = /^(?:na|pa|pr)-\d{8}-[0-9a-f]{16}$/;

/** The state machine's input: the request and the cursor of its first approval step. */
export function approvalExecutionInput(request: Pick<GovernanceRequest, 'requestId' | 'steps'>, waits: Policy['waits']) {
  return {
    requestId: request.requestId,
    stepCount: request.steps.length,
    maxReminders: waits.remindersBeforeEscalation,
    approval: {
      Payload: { requestId: request.requestId, step: 0, reminder: 0, escalated: false, waitSeconds: waits.decisionWaitSeconds },
    },
  };
}

export const normalizeHandle = (handle: string) => (handle.startsWith('@') ? handle : `@${handle}`);

/**
 * Who may read a request and its history: the requester, the person it asks posting authority
 * for, anyone sent a link for it, the department's director and designee, City-wide role holders,
 * and DTI (which keeps the registry).
 */
export function canViewRequest(input: {
  request: GovernanceRequest;
  approverIds: string[];
  viewer: { id: string; departmentCode: string };
  department?: { directorId: string; designeeId: string };
  roleHolders: { holderId: string; designeeId: string }[];
}): boolean {
  const { request, viewer } = input;
  return (
    viewer.id === request.requester.id ||
    (request.kind === 'POSTING_AUTHORITY' && viewer.id === request.grantee.id) ||
    input.approverIds.includes(viewer.id) ||
    request.steps.some((s) => s.approverId === viewer.id || s.escalateToId === viewer.id) ||
    viewer.id === input.department?.directorId ||
    viewer.id === input.department?.designeeId ||
    input.roleHolders.some((r) => r.holderId === viewer.id || r.designeeId === viewer.id) ||
    viewer.departmentCode === 'DTI'
  );
}
