import type { Approval } from '#core/approval';
import { type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import type { RequestCells } from '#core/request-kind';
import type { OffboardingTask } from '#offboarding/offboarding';
import { type GovernanceRecord, recordIntact } from '#core/records';
import type { Row } from '#records/export-writers';
import type { Account, Grant } from '#core/registry';
import type { PlatformChange } from '#core/platform';
import { type DepartmentPolicyRecord, textSha256 } from '#department-policy/department-policy';
import { type AccountLine, changesOf, changeText, currentReviewer, type DepartmentPage, unansweredOf } from '#annual-review/review';

/**
 * The records export's rows, one builder per stored item. Every row is built field by field from an
 * allow-list, never by spreading a stored item, so a field that is (or one day becomes) secret — an
 * approval's `secretHash` and `sealedToken`, its link id, an offboarding task's vault `versionId` —
 * can never reach a file by accident.
 */

export type SheetKey =
  | 'requests'
  | 'decisions'
  | 'preservedPosts'
  | 'edits'
  | 'moderation'
  | 'grants'
  | 'offboardingTasks'
  | 'platformChanges'
  | 'reviews'
  | 'departmentPolicies';

export const label = (a: Account) => `${a.platformName} ${a.handle}`;
const accountCells = (a: Account) => ({ accountId: a.accountId, account: label(a), departmentCode: a.departmentCode, departmentName: a.departmentName });

/** A request's row; `account` undefined for a request not about an existing account (its department's). */
export function requestRow(request: GovernanceRequest, account: Account | undefined): Row {
  const common = {
    requestId: request.requestId,
    kind: request.kind,
    status: request.status,
    ...(account ? accountCells(account) : { accountId: null, account: null, departmentCode: request.departmentCode, departmentName: request.departmentName }),
    requesterId: request.requester.id,
    requesterName: request.requester.name,
    createdAt: request.createdAt,
    closedAt: request.closedAt ?? null,
    outcomeReason: request.outcomeReason ?? null,
  };
  const none: RequestCells = {
    granteeId: null,
    granteeName: null,
    role: null,
    receivesCredential: null,
    purpose: null,
    audience: null,
    riskAssessment: null,
    proposedAdmins: null,
    postRef: null,
    action: null,
    reason: null,
    preservedRecordId: null,
    removedAt: null,
    removedByName: null,
    subject: null,
    startsOn: null,
    endsOn: null,
    webPageUrl: null,
    documentSha256: null,
  };
  return { ...common, ...none, ...kindOf(request).exportCells(request) };
}

/** An approved departmental policy kept on record (R): its text, and whether it still matches the SHA-256 taken when it was approved. */
export function departmentPolicyRow(r: DepartmentPolicyRecord): Row {
  return {
    recordId: r.recordId,
    departmentCode: r.departmentCode,
    departmentName: r.departmentName,
    version: r.version,
    sequence: r.sequence,
    requestId: r.requestId,
    submittedByName: r.submittedByName,
    submittedAt: r.submittedAt,
    approvedByName: r.approvedByName,
    approvedAt: r.approvedAt,
    recordedAt: r.recordedAt,
    additions: r.additions,
    documentUrl: r.documentUrl ?? null,
    text: r.text,
    sha256: r.sha256,
    intact: textSha256(r.text) === r.sha256,
  };
}

export function decisionRow(a: Approval, request: GovernanceRequest | undefined): Row {
  // Never a.approvalId, a.secretHash, a.sealedToken or a.decision.approvalId: the link and its task token.
  return {
    requestId: a.requestId,
    requestKind: request?.kind ?? null,
    step: a.step,
    stepTitle: request?.steps[a.step]?.title ?? a.role,
    round: a.round === 1 ? 'escalation' : 'approver',
    approverId: a.approverId,
    approverName: a.approverName,
    askedAt: a.createdAt,
    emailedAt: a.emailedAt ?? null,
    remindersSent: a.remindersSent ?? 0,
    lastRemindedAt: a.lastRemindedAt ?? null,
    escalatedAt: a.supersededAt ?? null,
    escalatedTo: a.supersededByName ?? null,
    outcome: a.decision?.outcome ?? null,
    reason: a.decision?.reason ?? null,
    decidedAt: a.decision?.decidedAt ?? null,
    decidedById: a.decision?.decidedById ?? null,
    decidedByName: a.decision?.decidedByName ?? null,
  };
}

function recordHead(r: GovernanceRecord, account: Account) {
  return { recordId: r.recordId, ...accountCells(account), recordedAt: r.recordedAt, recordedById: r.recordedById, recordedByName: r.recordedByName };
}

function recordTailCells(r: GovernanceRecord) {
  return { retentionSchedule: r.retention?.schedule ?? null, retainUntil: r.retention?.retainUntil ?? null, sha256: r.sha256, intact: recordIntact(r) };
}

export function recordRow(r: GovernanceRecord, account: Account): { sheet: SheetKey; row: Row } | undefined {
  if (r.kind === 'PRESERVED_POST' && r.preserved) {
    const p = r.preserved;
    return {
      sheet: 'preservedPosts',
      row: {
        ...recordHead(r, account),
        requestId: p.requestId,
        postRef: p.postRef,
        action: p.action,
        mergeTargetRef: p.mergeTargetRef ?? null,
        text: p.content.text,
        author: p.content.author,
        publishedAt: p.content.publishedAt,
        mediaLinks: p.content.mediaLinks.map(String),
        ...recordTailCells(r),
      },
    };
  }
  if (r.kind === 'POST_EDIT' && r.edit) {
    const e = r.edit;
    return { sheet: 'edits', row: { ...recordHead(r, account), postRef: e.postRef, before: e.before, after: e.after, why: e.why, ...recordTailCells(r) } };
  }
  if (r.kind === 'MODERATION' && r.moderation) {
    const m = r.moderation;
    return {
      sheet: 'moderation',
      row: {
        ...recordHead(r, account),
        category: m.category,
        categoryLabel: m.categoryLabel,
        location: m.location,
        author: m.author ?? null,
        content: m.content,
        justification: m.justification,
        ...recordTailCells(r),
      },
    };
  }
  return undefined;
}

export function grantRow(g: Grant, account: Account): Row {
  return {
    ...accountCells(account),
    personId: g.personId,
    personName: g.personName,
    role: g.role,
    receivesCredential: g.receivesCredential,
    authorizedById: g.authorizedById,
    authorizedByName: g.authorizedByName,
    authorizedAt: g.authorizedAt,
    sourceRequestId: g.sourceRequestId,
    status: g.status,
    revokedAt: g.revokedAt ?? null,
    revokedReason: g.revokedReason ?? null,
    revokedBySourceId: g.revokedBySourceId ?? null,
  };
}

export function taskRow(t: OffboardingTask, account: Account): Row {
  // Never t.versionId (the vault version holding the new password).
  return {
    offboardingId: t.offboardingId,
    ...accountCells(account),
    kind: t.kind,
    employeeName: t.employeeName,
    status: t.status,
    round: t.round === 1 ? 'escalation' : 'first',
    remindersSent: t.remindersSent,
    recipients: t.recipients.map((p) => `${p.name} (${p.id})`),
    escalatedTo: t.escalateTo && t.round === 1 ? `${t.escalateTo.name} (${t.escalateTo.id})` : null,
    createdAt: t.createdAt,
    escalatedAt: t.escalatedAt ?? null,
    expiredAt: t.expiredAt ?? null,
    revealedTo: (t.reveals ?? []).map((r) => `${r.name} (${r.personId}) ${r.at}`),
    doneAt: t.doneAt ?? null,
    doneById: t.doneById ?? null,
    doneByName: t.doneByName ?? null,
    appointedId: t.appointed?.id ?? null,
    appointedName: t.appointed?.name ?? null,
  };
}

/** "Site: https://a → https://b": each field a change touched, one per line of the cell (export.json keeps the same lines). */
const changeLines = (c: PlatformChange) => c.changes.map((f) => `${f.label}: ${f.before ?? '(none)'} → ${f.after ?? '(none)'}`);

export function platformChangeRow(c: PlatformChange): Row {
  return {
    platformId: c.platformId,
    platformName: c.platformName,
    version: c.version,
    change: c.kind,
    changedFields: c.changes.map((f) => f.field),
    whatChanged: changeLines(c),
    changedAt: c.at,
    changedById: c.byId,
    changedByName: c.byName,
    retirementReason: c.reason ?? null,
  };
}

/** One account's line of a department's annual review page (B, C, O.b): found, answered, by whom, changed. */
export function reviewRow(page: DepartmentPage, line: AccountLine): Row {
  const answer = page.answers[line.accountId] ?? {};
  const names = (keep: 'yes' | 'no') => line.grants.filter((g) => answer.keep?.[g.personId] === keep).map((g) => `${g.personName} (${g.role.toLowerCase()})`);
  const reviewer = page.submittedBy ?? currentReviewer(page);
  return {
    reviewId: page.reviewId,
    year: Number(page.reviewId.slice(0, 4)),
    departmentCode: page.departmentCode,
    departmentName: page.departmentName,
    accountId: line.accountId,
    account: line.label,
    pageStatus: page.status,
    reviewerId: reviewer?.id ?? null,
    reviewerName: reviewer?.name ?? null,
    openedAt: page.createdAt,
    dueAt: page.dueAt,
    submittedAt: page.submittedAt ?? null,
    notAttestedAt: page.notAttestedAt ?? null,
    findings: line.findings.map((f) => f.text),
    inUse: answer.inUse ?? null,
    grantsKept: names('yes'),
    grantsRevoked: names('no'),
    newAdmin: answer.newAdminName ?? null,
    officialSite: answer.officialSite ?? null,
    purposeNotice: answer.purposeNotice ?? null,
    changes:
      page.status === 'SUBMITTED'
        ? changesOf(page)
            .filter((c) => c.accountId === line.accountId)
            .map(changeText)
        : [],
    unanswered: page.status === 'SUBMITTED' ? [] : unansweredOf(line, answer),
  };
}
