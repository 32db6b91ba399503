import type { Approval, Decision } from '#core/approval';
import { ConflictError, ForbiddenError, InvalidInputError } from '#core/errors';
import { type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor, submissionIdSchema } from '#core/request';
import { type ApprovalStep, type Person, type Policy, policy } from '#core/policy';
import { type GovernanceRecord, makeRecord, type PostContent, type PreservedPost, sameLineBreaks } from '#core/records';
import { type Account, type Grant, isActive } from '#core/registry';
import * as z from '#core/zod';

/**
 * Supervisor-approved post removal (M.c, with H and I): someone with posting authority on an account
 * (B) asks to delete, merge or unpublish one of its posts. The post's content is preserved as a
 * write-once public record before anything else happens (H); the requester's supervisor, from the HR
 * directory, decides by email link; then the requester removes the post and confirms it.
 */
export type RemovalAction = PreservedPost['action'];

/** Post-removal requests' ids start "pr-". */
export const postRemovalIdPrefix = 'pr';

export interface PostRemovalRequest {
  requestId: string;
  kind: 'POST_REMOVAL';
  status: RequestStatus;
  requester: NamedPerson;
  accountId: string;
  /** "Instagram @ABQParks": how people name the account. */
  accountLabel: string;
  platformId: string;
  platformName: string;
  handle: string;
  /** The account's department. */
  departmentCode: string;
  departmentName: string;
  /** The post's URL or platform id. */
  postRef: string;
  action: RemovalAction;
  /** MERGE: the post it is merged into. */
  mergeTargetRef?: string;
  reason: string;
  /** The write-once record of the post's content as it stood (H), stored with the request. */
  recordId: string;
  /** Set when the request closes approved: who confirmed the post removed, and when (M.c). */
  removal?: { removedAt: string; removedById: string; removedByName: string };
  /** I: the schedule the preserved copy is kept under, when the post carried information that has one. */
  retention?: GovernanceRecord['retention'];
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
}

const isHttpUrl = (v: string) => {
  if (!URL.canParse(v)) return false;
  const url = new URL(v);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
};

/** A post's web address, or its id on the platform (letters, digits and _ : . -). */
export const isPostRef = (v: string) => isHttpUrl(v) || /^[A-Za-z0-9_:.-]{1,200}$/.test(v);

const postRefSchema = (message: string) =>
  z.string({ error: message }).check(z.trim(), z.maxLength(2000, 'keep the post reference under 2000 characters'), z.refine(isPostRef, message));

/** Media links as a list: a JSON array, or a textarea with one address per line. */
const mediaLinks = z.pipe(
  z.transform((v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : String(v).split(/\s+/))),
  z.pipe(
    z.array(z.string().check(z.trim())),
    z.transform((a: string[]) => a.filter((s) => s.length > 0)),
  ),
);

const contentSchema = z
  .object({
    // The text exactly as it stands: a public record is not tidied up (H).
    text: z._default(
      z.string({ error: 'give the post’s text as it stands' }).check(sameLineBreaks, z.maxLength(20000, 'the post’s text can be at most 20000 characters')),
      '',
    ),
    author: z
      .string({ error: 'say who the post shows as its author' })
      .check(z.trim(), z.minLength(1, 'say who the post shows as its author'), z.maxLength(200, 'keep the author under 200 characters')),
    publishedAt: z
      .string({ error: 'say when the post was published, as the platform shows it' })
      .check(
        z.trim(),
        z.minLength(1, 'say when the post was published, as the platform shows it'),
        z.maxLength(100, 'keep the published time under 100 characters'),
      ),
    mediaLinks: z.pipe(
      mediaLinks,
      z.array(z.string().check(z.refine(isHttpUrl, 'each media link must be a web address (https://…)'))).check(z.maxLength(20, 'give at most 20 media links')),
    ),
  })
  .check(
    z.superRefine((c, ctx) => {
      if (typeof c.text === 'string' && c.text.trim() === '' && Array.isArray(c.mediaLinks) && c.mediaLinks.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'give the post’s text, or its media links if it has no text' });
      }
    }),
  );

/**
 * A browser form sends the content as flat fields (`content.text`, …) and leaves unused fields
 * empty; a JSON client sends `content` as an object. Both become one shape.
 */
function formShape(raw: unknown): Record<string, unknown> {
  const input = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {};
  if (input.content === undefined) {
    const content: Record<string, unknown> = {};
    for (const key of ['text', 'author', 'publishedAt', 'mediaLinks']) {
      if (input[`content.${key}`] !== undefined) content[key] = input[`content.${key}`];
    }
    input.content = content;
  }
  for (const key of ['mergeTargetRef', 'retentionSchedule', 'submissionId']) if (input[key] === '') delete input[key];
  return input;
}

/** The removal form, as a person fills it in. The requester and their supervisor are never part of it. */
export function postRemovalFormSchema(p: Policy = policy) {
  const actions = Object.keys(p.postRemoval.actions) as RemovalAction[];
  const schedules = Object.keys(p.records.retentionSchedules);
  const postRefMessage = 'give the post’s web address (https://…) or its id on the platform';
  return z.pipe(
    z.transform(formShape),
    z
      .object({
        submissionId: submissionIdSchema,
        postRef: postRefSchema(postRefMessage),
        action: z.enum(actions as [RemovalAction, ...RemovalAction[]], { error: 'choose Delete, Merge or Unpublish' }),
        mergeTargetRef: z.optional(postRefSchema('give the web address (https://…) or id of the post it is merged into')),
        reason: z
          .string({ error: 'say why the post is to be removed (at least 10 characters)' })
          .check(
            sameLineBreaks,
            z.trim(),
            z.minLength(10, 'say why the post is to be removed (at least 10 characters)'),
            z.maxLength(2000, 'keep the reason under 2000 characters'),
          ),
        content: contentSchema,
        retentionSchedule: z.optional(z.string().check(z.refine((s) => schedules.includes(s), 'choose a retention schedule from the list, or none (I)'))),
      })
      .check(
        z.superRefine((f, ctx) => {
          if (f.action === 'MERGE' && !f.mergeTargetRef) {
            ctx.addIssue({ code: 'custom', path: ['mergeTargetRef'], message: 'give the post it is merged into' });
          }
          if (f.action === 'MERGE' && f.mergeTargetRef && f.mergeTargetRef === f.postRef) {
            ctx.addIssue({ code: 'custom', path: ['mergeTargetRef'], message: 'a post cannot be merged into itself' });
          }
        }),
      ),
  );
}

export type PostRemovalForm = z.infer<ReturnType<typeof postRemovalFormSchema>>;

/** One message per field; a content field is named as the form names it (`content.text`). */
function removalFieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const [first, second] = issue.path;
    const key = first === 'content' && typeof second === 'string' ? `content.${second}` : String(first ?? 'form');
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Validates the form; throws InvalidInputError with one message per field. */
export function parsePostRemovalForm(raw: unknown, p: Policy = policy): PostRemovalForm {
  const result = postRemovalFormSchema(p).safeParse(raw ?? {});
  if (result.success) {
    // Only a merge has a target: anything else typed there is not part of the request.
    const { mergeTargetRef, ...form } = result.data;
    return form.action === 'MERGE' ? { ...form, mergeTargetRef } : form;
  }
  throw new InvalidInputError('The form has fields to fix.', removalFieldErrors(result.error));
}

/** The requester's active grant on the account (B), as admin or poster: what lets them ask; undefined when they hold none. */
export function removalGrant(input: { requester: Pick<Person, 'id'>; account: Pick<Account, 'accountId'>; grants: Grant[] }): Grant | undefined {
  const { requester, account } = input;
  return input.grants.find((g) => isActive(g) && g.accountId === account.accountId && g.personId === requester.id);
}

/** Only someone holding posting authority on the account (B), as admin or poster, may ask (403 otherwise). */
export function mayRequestRemoval(input: { requester: Person; account: Account; grants: Grant[] }): Grant {
  const { requester, account } = input;
  const held = removalGrant(input);
  if (held) return held;
  throw new ForbiddenError(
    `Only someone with posting authority on ${account.platformName} ${account.handle} can ask to remove one of its posts (B, M.c), and ${requester.name} holds none on it. Ask one of its admins, or ask for posting authority first.`,
  );
}

const askHr = 'Ask HR to record your current supervisor in the directory, then ask again.';

/**
 * The removal's two steps, from the HR directory (never from the request): the requester's
 * supervisor decides (M.c), escalating to the supervisor's own supervisor unless that is the
 * requester or nobody; then the requester confirms the removal (no escalation: reminders, then
 * expiry). Refuses (409) a requester the directory gives no usable supervisor.
 */
export async function removalSteps(requester: Person, personById: (id: string) => Promise<Person | undefined>): Promise<ApprovalStep[]> {
  if (!requester.supervisorId) {
    throw new ConflictError(
      `The HR directory names no supervisor for ${requester.name}, and a post is removed only with a supervisor’s prior approval (M.c). ${askHr}`,
    );
  }
  if (requester.supervisorId === requester.id) {
    throw new ConflictError(`The HR directory names ${requester.name} as their own supervisor, and nobody approves their own request. ${askHr}`);
  }
  const supervisor = await personById(requester.supervisorId);
  if (!supervisor) throw new ConflictError(`Your supervisor in the HR directory (${requester.supervisorId}) is not in the directory. ${askHr}`);
  if (supervisor.separatedOn) {
    throw new ConflictError(`Your supervisor in the HR directory, ${supervisor.name}, separated from the City on ${supervisor.separatedOn}. ${askHr}`);
  }
  const secondLine = supervisor.supervisorId ? await personById(supervisor.supervisorId) : undefined;
  // The requester never decides their own removal, even as their supervisor's supervisor.
  const escalateToId = secondLine && !secondLine.separatedOn && secondLine.id !== requester.id && secondLine.id !== supervisor.id ? secondLine.id : null;
  return [
    { role: 'SUPERVISOR', title: 'Supervisor', approverId: supervisor.id, escalateToId, routedToDesignee: false },
    { role: 'REQUESTER', title: 'Removal, confirmed by the requester', approverId: requester.id, escalateToId: null, routedToDesignee: false },
  ];
}

export const accountLabelOf = (account: Pick<Account, 'platformName' | 'handle'>) => `${account.platformName} ${account.handle}`;

/** The stored request and the record of the post's content that is written with it (H). */
export function postRemovalRequest(input: {
  requester: Person;
  account: Account;
  form: PostRemovalForm;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): { request: PostRemovalRequest; record: GovernanceRecord } {
  const { requester, account, form, now } = input;
  const requestId = requestIdFor(requester.id, input.submissionId, now, postRemovalIdPrefix);
  const accountLabel = accountLabelOf(account);
  const content: PostContent = {
    text: form.content.text,
    author: form.content.author,
    publishedAt: form.content.publishedAt,
    mediaLinks: form.content.mediaLinks,
  };
  const record = makeRecord(
    {
      kind: 'PRESERVED_POST',
      accountId: account.accountId,
      accountLabel,
      departmentCode: account.departmentCode,
      departmentName: account.departmentName,
      recordedAt: now.toISOString(),
      recordedById: requester.id,
      recordedByName: requester.name,
      preserved: {
        requestId,
        postRef: form.postRef,
        action: form.action,
        content,
        ...(form.mergeTargetRef ? { mergeTargetRef: form.mergeTargetRef } : {}),
      },
      ...(form.retentionSchedule ? { retentionSchedule: form.retentionSchedule } : {}),
    },
    now,
  );
  const request: PostRemovalRequest = {
    requestId,
    kind: 'POST_REMOVAL',
    status: 'PENDING',
    requester: { id: requester.id, name: requester.name, email: requester.email },
    accountId: account.accountId,
    accountLabel,
    platformId: account.platformId,
    platformName: account.platformName,
    handle: account.handle,
    departmentCode: account.departmentCode,
    departmentName: account.departmentName,
    postRef: form.postRef,
    action: form.action,
    ...(form.mergeTargetRef ? { mergeTargetRef: form.mergeTargetRef } : {}),
    reason: form.reason,
    recordId: record.recordId,
    ...(record.retention ? { retention: record.retention } : {}),
    steps: input.steps,
    createdAt: now.toISOString(),
  };
  return { request, record };
}

const stepOf = (request: Pick<PostRemovalRequest, 'steps'>, role: ApprovalStep['role']) => request.steps.findIndex((s) => s.role === role);

const approvedAt = (approvals: Approval[], step: number) =>
  approvals.find((a) => a.step === step && a.decision?.outcome === 'APPROVED') as (Approval & { decision: Decision }) | undefined;

/** The supervisor's approval (M.c): by the supervisor, or by their supervisor after escalation. */
export const supervisorApproval = (request: Pick<PostRemovalRequest, 'steps'>, approvals: Approval[]) => approvedAt(approvals, stepOf(request, 'SUPERVISOR'));

export interface RemovalConfirmation {
  removedAt: string;
  removedById: string;
  removedByName: string;
}

/** When the post was confirmed removed, and by whom: the requester's decision on the confirm step. */
export function removalConfirmation(request: Pick<PostRemovalRequest, 'steps'>, approvals: Approval[]): RemovalConfirmation | undefined {
  const decision = approvedAt(approvals, stepOf(request, 'REQUESTER'))?.decision;
  return decision && { removedAt: decision.decidedAt, removedById: decision.decidedById, removedByName: decision.decidedByName };
}

export interface RemovalClosing {
  status: 'APPROVED' | 'REJECTED' | 'EXPIRED';
  /** Kept on the request as its outcome reason. */
  reason?: string;
  removal?: RemovalConfirmation;
  /** Who is told, each once (the audience names the notification). */
  tell: { audience: string; person: NamedPerson }[];
}

/**
 * How a removal request closes. Approved (the supervisor approved and the requester confirmed) →
 * the requester and the supervisor who approved are told it is done. Rejected → the requester gets
 * the supervisor's reason. Expired → the requester is told whether it was never decided or never
 * confirmed removed.
 */
export function removalClosing(request: PostRemovalRequest, approvals: Approval[], outcome: RemovalClosing['status'], reason?: string): RemovalClosing {
  const requester = { audience: 'requester', person: request.requester };
  const approved = supervisorApproval(request, approvals);
  if (outcome === 'APPROVED') {
    const removal = removalConfirmation(request, approvals);
    if (!approved || !removal)
      throw new InvalidInputError(`Request ${request.requestId} has no supervisor approval and removal confirmation to close it with (M.c).`);
    const supervisor = { id: approved.approverId, name: approved.approverName, email: approved.approverEmail };
    return {
      status: 'APPROVED',
      reason: `Removal confirmed by ${removal.removedByName}`,
      removal,
      tell: [requester, ...(supervisor.id === request.requester.id ? [] : [{ audience: 'supervisor', person: supervisor }])],
    };
  }
  if (outcome === 'REJECTED') return { status: 'REJECTED', reason, tell: [requester] };
  return {
    status: 'EXPIRED',
    reason: approved
      ? `Approved by ${approved.decision.decidedByName}, but never confirmed removed`
      : `Not decided in time by the supervisor${request.steps[0]?.escalateToId ? ' or their supervisor' : ''}`,
    tell: [requester],
  };
}
