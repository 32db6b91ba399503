import { createHash } from 'node:crypto';
import type { Approval, Decision } from '#core/approval';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { type ApprovalStep, type Department, type Person, planApprovalSteps, policy, type RoleHolder } from '#core/policy';
import { sameLineBreaks } from '#core/records';
import { fieldErrors, type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor, submissionIdSchema } from '#core/request';
import type { OutcomeWrite } from '#core/request-kind';
import * as z from '#core/zod';

/**
 * Departmental social media policies (R): "departments can develop their own social media policy
 * with additional rules … [it] must be approved by the Communications Director." Someone of the
 * department submits its text, version and what it adds; the Communications Director (or designee)
 * decides by email link; the approved version is kept as a write-once record (RECORD#, with the
 * SHA-256 of the text) and becomes the department's current policy through a pointer item. A newer
 * approval supersedes the older, which stays on record.
 *
 * Items (single table):
 *   REQ#dp-… / META               the request; GSI1 DEPARTMENT_POLICIES#code / createdAt#requestId
 *   DEPARTMENT_POLICY#code / VERSION#version   which request holds a version (one pending or approved at a time)
 *   DEPARTMENT_POLICY#code / CURRENT           the current approved version (sequence, recordId)
 *   RECORD#rec-policy-… / RECORD  the approved version, written once; GSI1 DEPARTMENT_POLICIES#code / approvedAt#recordId
 */

export const departmentPolicyIdPrefix = 'dp';
export const maxPolicyTextLength = 50_000;

export interface DepartmentPolicyRequest {
  requestId: string;
  kind: 'DEPARTMENT_POLICY';
  status: RequestStatus;
  requester: NamedPerson;
  departmentCode: string;
  departmentName: string;
  /** A department's policy covers all its accounts, on every platform: no single platform. */
  platformId: '';
  platformName: 'All platforms';
  version: string;
  /** The policy's full text, as stored (LF line breaks, trimmed): what the SHA-256 covers. */
  text: string;
  /** The adopted document's address (https), when it has one. */
  documentUrl?: string;
  /** What the policy adds to the City's social media policy. */
  additions: string;
  /** SHA-256 (hex) of `text` as UTF-8 bytes. */
  sha256: string;
  /**
   * The department's approval count when this was submitted: where close() starts looking for the
   * current-version pointer (a conditional update on its `sequence`), so it needs no read.
   */
  approvedBefore: number;
  /** Set on approval: the write-once record of this version. */
  recordId?: string;
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
}

/** An approved version, kept on record (R, H): written once, never updated. */
export interface DepartmentPolicyRecord {
  recordId: string;
  kind: 'DEPARTMENT_POLICY';
  departmentCode: string;
  departmentName: string;
  version: string;
  text: string;
  documentUrl?: string;
  additions: string;
  /** SHA-256 (hex) of `text` as UTF-8 bytes. */
  sha256: string;
  requestId: string;
  submittedById: string;
  submittedByName: string;
  submittedAt: string;
  approvedById: string;
  approvedByName: string;
  approvedAt: string;
  recordedAt: string;
  /** The department's n-th approved version: the one with n + 1 supersedes it. */
  sequence: number;
}

/** The department's current approved version. */
export interface DepartmentPolicyPointer {
  departmentCode: string;
  sequence: number;
  recordId: string;
  requestId: string;
  version: string;
  sha256: string;
  approvedAt: string;
}

/** SHA-256 (hex) of a text's UTF-8 bytes. */
export const textSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const isHttpsAddress = (v: string) => {
  if (!URL.canParse(v)) return false;
  const url = new URL(v);
  return url.protocol === 'https:' && url.hostname !== '';
};

const versionMessage = 'give the version as 1 to 20 letters, digits, dots, dashes or underscores, e.g. 2027.1';
const textMessage = 'paste the policy’s full text (at least 20 characters)';
const additionsMessage = 'say what the policy adds to the City’s social media policy (at least 10 characters)';

/** The form, as someone of the department fills it in. The requester and the department come from the sign-in and the address. */
export const departmentPolicyFormSchema = z.object({
  submissionId: submissionIdSchema,
  version: z.string({ error: versionMessage }).check(z.trim(), z.regex(/^[A-Za-z0-9._-]{1,20}$/, versionMessage)),
  text: z
    .string({ error: textMessage })
    .check(sameLineBreaks, z.trim(), z.minLength(20, textMessage), z.maxLength(maxPolicyTextLength, 'the policy’s text can be at most 50000 characters')),
  documentUrl: z.optional(
    z
      .string({ error: 'give the adopted document’s address (https://…), or leave it empty' })
      .check(
        z.trim(),
        z.maxLength(2000, 'keep the document’s address under 2000 characters'),
        z.refine(isHttpsAddress, 'give the adopted document’s address as https://…, or leave it empty'),
      ),
  ),
  additions: z
    .string({ error: additionsMessage })
    .check(sameLineBreaks, z.trim(), z.minLength(10, additionsMessage), z.maxLength(4000, 'keep what it adds under 4000 characters')),
});

export type DepartmentPolicyForm = z.infer<typeof departmentPolicyFormSchema>;

/** Validates the form; throws InvalidInputError with one message per field. An empty document address is no address. */
export function parseDepartmentPolicyForm(raw: Record<string, unknown>): DepartmentPolicyForm {
  const input = { ...raw };
  for (const key of ['documentUrl', 'submissionId']) if (typeof input[key] === 'string' && (input[key] as string).trim() === '') delete input[key];
  const result = departmentPolicyFormSchema.safeParse(input);
  if (!result.success) throw new InvalidInputError('The form has fields to fix.', fieldErrors(result.error));
  return result.data;
}

/** Only the department's own staff (their directory department) submit its policy (403 otherwise). */
export function assertMaySubmit(person: Person, department: Department): void {
  if (person.departmentCode === department.code) return;
  throw new ForbiddenError(
    `Only staff of ${department.name} can submit its social media policy (R). You are in the directory under ${person.departmentCode}; ask someone in ${department.name} to submit it.`,
  );
}

/** Refuses (409) a version the department already has approved, or waiting for a decision. */
export function assertVersionFree(version: string, department: Department, holder: Pick<DepartmentPolicyRequest, 'requestId' | 'status'> | undefined): void {
  if (!holder) return;
  const policyName = `the ${department.name} social media policy`;
  if (holder.status === 'APPROVED')
    throw new ConflictError(`Version ${version} of ${policyName} is already approved (request ${holder.requestId}). Give the new version its own number.`);
  if (holder.status === 'PENDING')
    throw new ConflictError(
      `Version ${version} of ${policyName} is already waiting for the Communications Director’s decision (request ${holder.requestId}). Wait for that decision, or give this one its own number.`,
    );
}

/** Who decides (R): the Communications Director; their designee when the Director submits. */
export function departmentPolicySteps(input: { requester: Person; department: Department; roleHolders: RoleHolder[] }): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: policy.departmentPolicy.chain,
    department: input.department,
    roleHolders: input.roleHolders,
  });
}

/** The stored request, routed along the planned steps. */
export function departmentPolicyRequest(input: {
  requester: Person;
  department: Department;
  form: DepartmentPolicyForm;
  steps: PlannedStep[];
  approvedBefore: number;
  submissionId: string;
  now: Date;
}): DepartmentPolicyRequest {
  const { requester, department, form } = input;
  return {
    requestId: requestIdFor(requester.id, input.submissionId, input.now, departmentPolicyIdPrefix),
    kind: 'DEPARTMENT_POLICY',
    status: 'PENDING',
    requester: { id: requester.id, name: requester.name, email: requester.email },
    departmentCode: department.code,
    departmentName: department.name,
    platformId: '',
    platformName: 'All platforms',
    version: form.version,
    text: form.text,
    ...(form.documentUrl ? { documentUrl: form.documentUrl } : {}),
    additions: form.additions,
    sha256: textSha256(form.text),
    approvedBefore: input.approvedBefore,
    steps: input.steps,
    createdAt: input.now.toISOString(),
  };
}

/** The department's policies page. */
export const policiesPath = (code: string) => `/departments/${encodeURIComponent(code)}/policies`;

/** "Parks and Recreation social media policy 2027.1" */
export const policyName = (r: Pick<DepartmentPolicyRequest, 'departmentName' | 'version'>) => `${r.departmentName} social media policy ${r.version}`;

/** The record of an approved request: its id follows from the request's ("dp-20270105-…" → "rec-policy-20270105-…"). */
export const policyRecordId = (requestId: string) => `rec-policy-${requestId.slice(departmentPolicyIdPrefix.length + 1)}`;

/** The Communications Director's (or designee's) approval of the request's step. */
export function approvedDecision(request: Pick<DepartmentPolicyRequest, 'steps'>, approvals: Approval[]): Decision | undefined {
  const step = request.steps.findIndex((s) => s.role === 'COMMUNICATIONS_DIRECTOR');
  return approvals.find((a) => a.step === step && a.decision?.outcome === 'APPROVED')?.decision;
}

// Items -------------------------------------------------------------------------------------------

export const departmentPoliciesIndexKey = (code: string) => `DEPARTMENT_POLICIES#${code}`;
export const pointerKey = (code: string) => ({ PK: `DEPARTMENT_POLICY#${code}`, SK: 'CURRENT' });
/** Versions differ by more than case: "V1" and "v1" are one version. */
export const versionKey = (code: string, version: string) => ({ PK: `DEPARTMENT_POLICY#${code}`, SK: `VERSION#${version.toLowerCase()}` });

export function recordItem(record: DepartmentPolicyRecord): Record<string, unknown> {
  return {
    PK: `RECORD#${record.recordId}`,
    SK: 'RECORD',
    GSI1PK: departmentPoliciesIndexKey(record.departmentCode),
    GSI1SK: `${record.recordedAt}#${record.recordId}`,
    entity: 'DEPARTMENT_POLICY',
    ...record,
  };
}

const pointerOf = (record: DepartmentPolicyRecord): DepartmentPolicyPointer => ({
  departmentCode: record.departmentCode,
  sequence: record.sequence,
  recordId: record.recordId,
  requestId: record.requestId,
  version: record.version,
  sha256: record.sha256,
  approvedAt: record.approvedAt,
});

/** The version's claim, written with the request (which request holds the version). */
export function versionClaimItem(request: DepartmentPolicyRequest): Record<string, unknown> {
  return {
    ...versionKey(request.departmentCode, request.version),
    entity: 'DepartmentPolicyVersion',
    departmentCode: request.departmentCode,
    version: request.version,
    requestId: request.requestId,
    claimedAt: request.createdAt,
  };
}

/** The approved version's record, as the department's approval number `sequence`. */
export function policyRecord(request: DepartmentPolicyRequest, decision: Decision, sequence: number, at: string): DepartmentPolicyRecord {
  return {
    recordId: policyRecordId(request.requestId),
    kind: 'DEPARTMENT_POLICY',
    departmentCode: request.departmentCode,
    departmentName: request.departmentName,
    version: request.version,
    text: request.text,
    ...(request.documentUrl ? { documentUrl: request.documentUrl } : {}),
    additions: request.additions,
    sha256: textSha256(request.text),
    requestId: request.requestId,
    submittedById: request.requester.id,
    submittedByName: request.requester.name,
    submittedAt: request.createdAt,
    approvedById: decision.decidedById,
    approvedByName: decision.decidedByName,
    approvedAt: decision.decidedAt,
    recordedAt: at,
    sequence,
  };
}

/** Index of the pointer write among approvalWrites': a conflict there means another version was approved first. */
export const pointerWriteIndex = 1;

/**
 * What approving writes beside closing the request, assuming `before` versions were approved: the
 * record (new, never overwritten), the pointer (new for the first version; else only if it still
 * says `before`), and a check that the request still holds its version.
 */
export function approvalWrites(
  request: DepartmentPolicyRequest,
  decision: Decision,
  before: number,
  at: string,
): { record: DepartmentPolicyRecord; writes: OutcomeWrite[] } {
  const record = policyRecord(request, decision, before + 1, at);
  const pointer = { ...pointerKey(request.departmentCode), entity: 'DepartmentPolicyCurrent', ...pointerOf(record) };
  const writes: OutcomeWrite[] = [
    { put: recordItem(record), mustBeNew: true },
    before === 0
      ? { put: pointer, mustBeNew: true }
      : { update: { key: pointerKey(request.departmentCode), set: { ...pointerOf(record) }, ifEquals: { sequence: before } } },
    { check: { key: versionKey(request.departmentCode, request.version), equals: { requestId: request.requestId } } },
  ];
  return { record, writes };
}

/**
 * A department's approved versions as its page shows them: the pointer's record is current; every
 * other is superseded, by the one approved next (its sequence + 1), newest first.
 */
export function policyVersions(records: DepartmentPolicyRecord[], pointer: Pick<DepartmentPolicyPointer, 'recordId'> | undefined) {
  const current = records.find((r) => r.recordId === pointer?.recordId);
  const superseded = records
    .filter((r) => r.recordId !== current?.recordId)
    .sort((a, b) => b.sequence - a.sequence)
    .map((record) => ({ record, supersededBy: records.find((r) => r.sequence === record.sequence + 1) }));
  return { current, superseded };
}
