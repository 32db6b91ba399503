import type { SheetKey } from '#records/export-rows';

/** The records export's sheets: one CSV per record type, with its columns in order and what it holds. */

export interface Sheet {
  key: SheetKey;
  file: string;
  description: string;
  columns: readonly string[];
}

const accountColumns = ['accountId', 'account', 'departmentCode', 'departmentName'] as const;
const recordColumns = ['recordId', ...accountColumns, 'recordedAt', 'recordedById', 'recordedByName'] as const;
const recordTail = ['retentionSchedule', 'retainUntil', 'sha256', 'intact'] as const;

export const sheets: readonly Sheet[] = [
  {
    key: 'requests',
    file: 'requests.csv',
    description: 'Requests: new accounts (D), posting authority (B), post removals (M.c); by when they were made',
    columns: [
      'requestId',
      'kind',
      'status',
      ...accountColumns,
      'requesterId',
      'requesterName',
      'granteeId',
      'granteeName',
      'role',
      'receivesCredential',
      'purpose',
      'audience',
      'riskAssessment',
      'proposedAdmins',
      'postRef',
      'action',
      'reason',
      'preservedRecordId',
      'removedAt',
      'removedByName',
      'createdAt',
      'closedAt',
      'outcomeReason',
    ],
  },
  {
    key: 'decisions',
    file: 'decisions.csv',
    description: 'Each approval asked for: who was asked, reminders, escalation, who decided, outcome, reason, when; by when asked or decided',
    columns: [
      'requestId',
      'requestKind',
      'step',
      'stepTitle',
      'round',
      'approverId',
      'approverName',
      'askedAt',
      'emailedAt',
      'remindersSent',
      'lastRemindedAt',
      'escalatedAt',
      'escalatedTo',
      'outcome',
      'reason',
      'decidedAt',
      'decidedById',
      'decidedByName',
    ],
  },
  {
    key: 'preservedPosts',
    file: 'preserved-posts.csv',
    description: 'Post contents preserved before a removal (M.c, H); by when recorded',
    columns: [...recordColumns, 'requestId', 'postRef', 'action', 'mergeTargetRef', 'text', 'author', 'publishedAt', 'mediaLinks', ...recordTail],
  },
  {
    key: 'edits',
    file: 'edits.csv',
    description: 'Edits of earlier posts, the change identified (M.b); by when recorded',
    columns: [...recordColumns, 'postRef', 'before', 'after', 'why', ...recordTail],
  },
  {
    key: 'moderation',
    file: 'moderation.csv',
    description: 'Constituent posts and comments removed, with their K category (K); by when recorded',
    columns: [...recordColumns, 'category', 'categoryLabel', 'location', 'author', 'content', 'justification', ...recordTail],
  },
  {
    key: 'grants',
    file: 'grants.csv',
    description: 'Posting authority (B), active and revoked (C); by when authorized or revoked',
    columns: [
      ...accountColumns,
      'personId',
      'personName',
      'role',
      'receivesCredential',
      'authorizedById',
      'authorizedByName',
      'authorizedAt',
      'sourceRequestId',
      'status',
      'revokedAt',
      'revokedReason',
      'revokedBySourceId',
    ],
  },
  {
    key: 'offboardingTasks',
    file: 'offboarding-tasks.csv',
    description: 'Offboarding (C, O.b): shared password changes and admin appointments, who was asked and who did them; by when opened or done',
    columns: [
      'offboardingId',
      ...accountColumns,
      'kind',
      'employeeName',
      'status',
      'round',
      'remindersSent',
      'recipients',
      'escalatedTo',
      'createdAt',
      'escalatedAt',
      'expiredAt',
      'revealedTo',
      'doneAt',
      'doneById',
      'doneByName',
      'appointedId',
      'appointedName',
    ],
  },
];
