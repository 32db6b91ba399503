/**
 * The one list of every function and state machine. The CDK stack (infra/aws), the local runtime
 * (infra/local), the benchmark and the tests all read it, so nothing can exist in one host only.
 *
 * `access` is the least privilege each function needs; the CDK stack turns it into one IAM role per
 * function, and the local runtime has nothing to grant. `routes` are the HTTP API routes the
 * function serves; `auth: 'jwt'` routes need a signed-in City user (Cognito in AWS, the marked
 * development sign-in locally), `auth: 'link'` routes are authenticated by the approval link secret,
 * `auth: 'public'` routes (the OAuth sign-in endpoints) are reachable before anyone signs in.
 * `authorizer: true` marks the function the AWS host puts in front of every `jwt` route (an HTTP API
 * Lambda authorizer); it serves no route and the local host, which signs people in itself, skips it.
 */

import { policy } from '#core/policy';
import type { YearlyMoment } from '#core/yearly-schedule';
import { approvalKindFunctions } from './catalogue-approvals.ts';
import { credentialFunctions } from './catalogue-credentials.ts';
import { identityFunctions } from './catalogue-identity.ts';
import { mailFunctions } from './catalogue-mail.ts';
import { approvalWorkflows, type FunctionSpec, type StateMachineKey } from './catalogue-types.ts';

export {
  type ApprovalWorkflow,
  approvalWorkflows,
  type FunctionAccess,
  type FunctionSpec,
  type IndexDesign,
  type RouteSpec,
  type StateMachineKey,
  stateMachineArnEnv,
  stateMachineKeys,
  type TableAccess,
  table,
} from './catalogue-types.ts';

export const functions = {
  // The approvals of R, F.d, Q and O.a: their own file, so this one stays readable.
  ...approvalKindFunctions,
  // Sign-in, the people picker and DTI's directory administration.
  ...identityFunctions,
  // The accounts' credentials on file (O.b, O.c) and retiring an account.
  ...credentialFunctions,
  // What SES reports back about the workflows' emails: bounces and complaints.
  ...mailFunctions,
  showMyWork: {
    entry: 'functions/my-work/handlers/show-my-work.ts',
    description:
      'Home page, \u201cMy work\u201d: the approvals and offboarding tasks waiting for the signed-in person (ByAssignee index), and their own requests with their progress',
    access: { table: ['read'], linkKeys: 'derive' },
    routes: [
      { method: 'GET', path: '/', auth: 'jwt' },
      { method: 'GET', path: '/my-work/approvals/{approvalId}', auth: 'jwt' },
      { method: 'GET', path: '/my-work/tasks/{taskId}', auth: 'jwt' },
    ],
  },
  serveAsset: {
    entry: 'functions/site/handlers/serve-asset.ts',
    description:
      'Static assets: the U.S. Web Design System stylesheet, fonts and icons, and the app\u2019s own stylesheet and script, cached for a year by version',
    access: {},
    routes: [{ method: 'GET', path: '/assets/{version}/{name}', auth: 'public' }],
    staticAssets: true,
  },
  submitRequest: {
    entry: 'functions/new-account/handlers/submit-request.ts',
    description: 'New Social Media form (D, E): shows it, validates it, stores the request, starts its approval',
    access: { table: ['read', 'write'], startExecution: ['newAccountApproval'] },
    routes: [
      { method: 'GET', path: '/requests/new', auth: 'jwt' },
      { method: 'POST', path: '/requests', auth: 'jwt' },
    ],
  },
  showRequest: {
    entry: 'functions/approval-chain/handlers/show-request.ts',
    description: 'Status and full history of one request (the audit trail), and the signed-in person\u2019s own requests, HTML or JSON',
    access: { table: ['read'] },
    routes: [
      { method: 'GET', path: '/requests', auth: 'jwt' },
      { method: 'GET', path: '/requests/{requestId}', auth: 'jwt' },
    ],
  },
  showRegistry: {
    entry: 'functions/registry/handlers/show-registry.ts',
    description:
      'The registry of City social media accounts (O.b): a searchable, filtered, paged list (HTML, JSON or CSV) and a page per account with its admins, posters, records and actions',
    access: { table: ['read'] },
    routes: [
      { method: 'GET', path: '/accounts', auth: 'jwt' },
      { method: 'GET', path: '/accounts/{accountId}', auth: 'jwt' },
    ],
  },
  decideApproval: {
    entry: 'functions/approval-chain/handlers/decide-approval.ts',
    description: 'Approval link: GET shows the request and the form, POST records the decision once',
    access: { table: ['read', 'write'], writeKeys: ['REQ#'], sendTaskResult: [...approvalWorkflows], linkKeys: 'redeem' },
    routes: [
      { method: 'GET', path: '/approvals/{approvalId}', auth: 'link' },
      { method: 'POST', path: '/approvals/{approvalId}', auth: 'link' },
    ],
  },
  requestApproval: {
    entry: 'functions/approval-chain/handlers/request-approval.ts',
    description: 'State machine task: emails an approver a decision link (or a reminder, or the designee on escalation) and parks the task token',
    access: { table: ['read', 'write'], sendEmail: true, sendTaskResult: [...approvalWorkflows], linkKeys: 'issue' },
    timeoutSeconds: 20,
  },
  recordOutcome: {
    entry: 'functions/approval-chain/handlers/record-outcome.ts',
    description:
      'State machine task: records the final outcome and does what its kind\u2019s approval does (a registry entry and posting grants, an approved departmental policy kept write-once, an exception, a display, a platform); a new account\u2019s approval opens the capture of its first credential',
    access: { table: ['read', 'write'], sendEmail: true, records: 'write', startExecution: ['credentialCapture'] },
    timeoutSeconds: 20,
  },
  reconcileStarts: {
    entry: 'functions/approval-chain/handlers/reconcile-starts.ts',
    description:
      'Durable starts: starts the execution of every stored request that has none yet (a crash, timeout or throttle between storing a request and starting it), and finishes every directory hand-over a crash left undone; runs at local start-up and on a schedule',
    access: { table: ['read', 'write'], startExecution: [...approvalWorkflows], sendEmail: true, linkKeys: 'derive' },
    timeoutSeconds: 60,
  },
  requestPostingAuthority: {
    entry: 'functions/posting-authority/handlers/request-posting-authority.ts',
    description: 'Posting authority (B): an employee or an account admin asks for person X to post for account Y; starts the director\u2019s approval',
    access: { table: ['read', 'write'], startExecution: ['postingAuthorityApproval'] },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/authority/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/authority', auth: 'jwt' },
    ],
  },
  receiveHrEvent: {
    entry: 'functions/offboarding/handlers/receive-hr-event.ts',
    description:
      'HR events (C): a separation starts its offboarding once (deterministic execution name); the directory\u2019s events (people, departments, City-wide roles) apply in order per entity, and a change that takes a post from someone moves their open approvals at once',
    access: { table: ['read', 'write', 'delete'], startExecution: ['separationOffboarding'], sendEmail: true, linkKeys: 'derive' },
    hrEvents: ['Employee Separated', 'Employee Updated', 'Department Updated', 'Role Assigned', 'Role Removed'],
    timeoutSeconds: 20,
  },
  openOffboarding: {
    entry: 'functions/offboarding/handlers/open-offboarding.ts',
    description: 'State machine task: checks the separated employee is in the directory, records the offboarding, and says whether its date has come',
    access: { table: ['read', 'write'], sendTaskResult: ['separationOffboarding'] },
    timeoutSeconds: 20,
  },
  planOffboarding: {
    entry: 'functions/offboarding/handlers/plan-offboarding.ts',
    description:
      'State machine task: lists every account on which the separated employee holds a grant, marks them separated, and moves the approvals waiting for them to whoever holds each post now',
    access: { table: ['read', 'write'], sendEmail: true, linkKeys: 'derive' },
    timeoutSeconds: 20,
  },
  offboardAccount: {
    entry: 'functions/offboarding/handlers/offboard-account.ts',
    description:
      'State machine task (one per account): revokes the employee\u2019s grants, stages a new shared password, emails the rotation and appointment links',
    access: { table: ['read', 'write'], sendEmail: true, linkKeys: 'issue', vault: ['stage'] },
    timeoutSeconds: 30,
  },
  trackOffboardingTasks: {
    entry: 'functions/offboarding/handlers/track-offboarding-tasks.ts',
    description:
      'State machine task: waits for the offboarding\u2019s rotation and appointment links, or a new account\u2019s credential capture; on each timeout sends reminders, escalates, expires',
    access: { table: ['read', 'write', 'delete'], sendEmail: true, linkKeys: 'issue', sendTaskResult: ['separationOffboarding', 'credentialCapture'] },
    timeoutSeconds: 60,
  },
  reportOffboarding: {
    entry: 'functions/offboarding/handlers/report-offboarding.ts',
    description: 'State machine task: the summary to DTI and the Communications Coordinator (O.b), and the alert when a separation cannot be processed',
    access: { table: ['read', 'write'], sendEmail: true },
    timeoutSeconds: 30,
  },
  completeOffboardingTask: {
    entry: 'functions/offboarding/handlers/complete-offboarding-task.ts',
    description: 'Offboarding task link (signed-in recipient only): reveal the new password by POST, confirm it is set (promotes it), or appoint a new admin',
    access: { table: ['read', 'write', 'delete'], vault: ['reveal', 'promote'], linkKeys: 'redeem', sendTaskResult: ['separationOffboarding'] },
    routes: [
      { method: 'GET', path: '/tasks/{taskId}', auth: 'jwt' },
      { method: 'POST', path: '/tasks/{taskId}', auth: 'jwt' },
    ],
  },
  showOffboarding: {
    entry: 'functions/offboarding/handlers/show-offboarding.ts',
    description: 'The offboarding record: every account, revoked, rotated (when, confirmed by whom), pending, escalated; HTML or JSON',
    access: { table: ['read'] },
    routes: [
      { method: 'GET', path: '/offboardings', auth: 'jwt' },
      { method: 'GET', path: '/offboardings/{offboardingId}', auth: 'jwt' },
    ],
  },
  requestPostRemoval: {
    entry: 'functions/post-removal/handlers/request-post-removal.ts',
    description:
      'Post removal (M.c, H): someone with posting authority asks to delete, merge or unpublish a post; its content is preserved first, then the supervisor decides',
    access: { table: ['read', 'write'], startExecution: ['postRemovalApproval'], records: 'write' },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/removals/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/removals', auth: 'jwt' },
    ],
  },
  recordPostEdit: {
    entry: 'functions/records/handlers/record-post-edit.ts',
    description: 'Corrections (M.b): someone with posting authority records an edit of an earlier post, the change identified (before, after, why)',
    access: { table: ['read', 'write'], records: 'write' },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/edits/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/edits', auth: 'jwt' },
    ],
  },
  recordModeration: {
    entry: 'functions/records/handlers/record-moderation.ts',
    description: 'Moderation (K): the Communications Director or designee records a constituent post or comment removed, with its K category',
    access: { table: ['read', 'write'], records: 'write' },
    routes: [
      { method: 'GET', path: '/accounts/{accountId}/moderation/new', auth: 'jwt' },
      { method: 'POST', path: '/accounts/{accountId}/moderation', auth: 'jwt' },
    ],
  },
  showGuidelines: {
    entry: 'functions/records/handlers/show-guidelines.ts',
    description: 'The comment guidelines of rule K, for display to users (L), from the same configuration that moderation enforces',
    access: {},
    routes: [{ method: 'GET', path: '/guidelines', auth: 'public' }],
  },
  answerUnknownRoute: {
    entry: 'functions/site/handlers/answer-unknown-route.ts',
    description:
      'The HTTP API $default route: a page (JSON for API clients) for an unknown address, 405 with Allow for a wrong method, 204 with Allow for OPTIONS',
    access: {},
    defaultRoute: true,
  },
  exportRecords: {
    entry: 'functions/records/handlers/export-records.ts',
    description:
      'Records export (H, I) for DTI and the City Clerk: everything about an account or a department over a date range, as one zip (JSON, a CSV per record type, a manifest with counts and checksums)',
    access: { table: ['read'] },
    routes: [{ method: 'GET', path: '/records/export', auth: 'jwt' }],
    // Under the HTTP API's 30 s integration limit: a slower export would leave the caller a 503.
    timeoutSeconds: 29,
    memoryMb: 1024,
  },
  managePlatforms: {
    entry: 'functions/platforms/handlers/manage-platforms.ts',
    description:
      'DTI\u2019s approved-platforms list (O.a, P): everyone may read it; DTI adds a platform, edits it or retires it with a reason, each change recorded',
    access: { table: ['read', 'write'] },
    routes: [
      { method: 'GET', path: '/platforms', auth: 'jwt' },
      { method: 'GET', path: '/platforms/new', auth: 'jwt' },
      { method: 'POST', path: '/platforms', auth: 'jwt' },
      { method: 'GET', path: '/platforms/{platformId}', auth: 'jwt' },
      { method: 'POST', path: '/platforms/{platformId}', auth: 'jwt' },
      { method: 'POST', path: '/platforms/{platformId}/retire', auth: 'jwt' },
    ],
  },
  startReview: {
    entry: 'functions/annual-review/handlers/start-review.ts',
    description:
      'Annual review (O.a, P, B, C, O.b): starts the year\u2019s review once (execution annual-review-<year>), from its schedule, from DTI\u2019s page or from npm run review; lists the reviews',
    access: { table: ['read'], startExecution: ['annualReview'] },
    routes: [
      { method: 'GET', path: '/reviews', auth: 'jwt' },
      { method: 'POST', path: '/reviews', auth: 'jwt' },
    ],
    timeoutSeconds: 20,
  },
  showReview: {
    entry: 'functions/annual-review/handlers/show-review.ts',
    description:
      'An annual review\u2019s progress while it runs and its report when done: per platform and per account what was found, decided, by whom, and changed',
    access: { table: ['read'] },
    routes: [{ method: 'GET', path: '/reviews/{reviewId}', auth: 'jwt' }],
  },
  answerReview: {
    entry: 'functions/annual-review/handlers/answer-review.ts',
    description:
      'Review pages (signed-in reviewer only): DTI\u2019s review of each platform, a director\u2019s review of their department\u2019s accounts; saves answers, applies them on submit',
    access: { table: ['read', 'write', 'delete'], sendEmail: true, linkKeys: 'redeem', sendTaskResult: ['annualReview'] },
    routes: [
      { method: 'GET', path: '/reviews/{reviewId}/platforms', auth: 'jwt' },
      { method: 'POST', path: '/reviews/{reviewId}/platforms', auth: 'jwt' },
      { method: 'GET', path: '/reviews/{reviewId}/departments/{departmentCode}', auth: 'jwt' },
      { method: 'POST', path: '/reviews/{reviewId}/departments/{departmentCode}', auth: 'jwt' },
    ],
    timeoutSeconds: 20,
  },
  openReview: {
    entry: 'functions/annual-review/handlers/open-review.ts',
    description: 'State machine task: records the review once, lists the departments to review and opens DTI\u2019s platform review with its findings',
    access: { table: ['read', 'write'], sendEmail: true },
    timeoutSeconds: 30,
  },
  prepareDepartmentReview: {
    entry: 'functions/annual-review/handlers/prepare-department-review.ts',
    description:
      'State machine task (one per department): computes each account\u2019s findings in batches, opens the department\u2019s review page and emails its reviewer once',
    access: { table: ['read', 'write'], sendEmail: true },
    timeoutSeconds: 60,
  },
  trackReview: {
    entry: 'functions/annual-review/handlers/track-review.ts',
    description:
      'State machine task: waits for every review page; on each timeout sends reminders, escalates to the designee and then the Communications Director, and at the due date marks a department not attested',
    access: { table: ['read', 'write', 'delete'], sendEmail: true, linkKeys: 'issue', sendTaskResult: ['annualReview'] },
    timeoutSeconds: 120,
  },
  reportReview: {
    entry: 'functions/annual-review/handlers/report-review.ts',
    description:
      'State machine task: the summary to DTI and the Communications Coordinator when the review starts and when it ends, and the alert when it fails',
    access: { table: ['read', 'write'], sendEmail: true },
    timeoutSeconds: 30,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof functions;

export interface StateMachineSpec {
  /** ASL file, relative to the repository root. */
  definition: string;
  description: string;
  /** Functions the definition invokes, each through a `${<Key>FunctionArn}` placeholder. */
  invokes: readonly FunctionKey[];
  /**
   * Kept deployed, with its definition unchanged, only so that the executions already running on it
   * finish (a deploy must not strand a request waiting on a link); no request kind starts it.
   */
  retired?: boolean;
}

export const stateMachines = {
  newAccountApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description:
      'New social media accounts (D, E, S.a): the Department Director, then the Communications Director (APD: the APD Director of Communications), each by email link; approval creates the registry entry',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  postingAuthorityApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description: 'Posting authority (B): the account department\u2019s Department Director decides by email link; approval records the grant and tells DTI',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  postRemovalApproval: {
    definition: 'statemachines/post-removal-approval.asl.json',
    description:
      'Supervisor-approved deletions (M.c, H): the post is preserved first, the requester\u2019s supervisor decides by email link, then the requester removes the post and confirms it removed',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  departmentPolicyApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description:
      'Departmental social media policies (R): the Communications Director (or designee) approves or rejects by email link; the approved version is kept write-once with its SHA-256',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  exceptionApproval: {
    definition: 'statemachines/exception-approval.asl.json',
    description:
      'Exceptions to F.a\u2013c (F.d): the Communications Coordinator (or designee) decides by email link; an approved exception is told its coming end and lapses by itself at its end date',
    invokes: ['requestApproval', 'recordOutcome', 'lapseException'],
  },
  websiteDisplayApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description:
      'Social media content shown on a City website (Q): DTI reviews the monitoring protocol and decides by email link; no automatic feed of uncensored content',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  platformProposalApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description:
      'A platform not on the approved list (O.a): DTI decides by email link; an approved platform joins the list incomplete until its three P documents are recorded',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  accountRetirementApproval: {
    definition: 'statemachines/approval-by-link.asl.json',
    description:
      'Retiring an account (O.b, O.c): an admin or the director asks (why, what becomes of its content); the department director decides by email link; approval revokes every grant and retires the account and its credential',
    invokes: ['requestApproval', 'recordOutcome'],
  },
  separationOffboarding: {
    definition: 'statemachines/separation-offboarding.asl.json',
    description:
      'Separation offboarding (C, O.b): waits for the separation date, revokes every grant, rotates each shared credential the employee could know, has a new admin appointed where they were the only one, tells DTI',
    invokes: ['openOffboarding', 'planOffboarding', 'offboardAccount', 'trackOffboardingTasks', 'reportOffboarding'],
  },
  credentialCapture: {
    definition: 'statemachines/credential-capture.asl.json',
    description:
      'A new account\u2019s first credential (O.b): its first admin records the login by a signed-in task link and confirms it; reminders, escalation to the director, expiry',
    invokes: ['trackOffboardingTasks'],
  },
  annualReview: {
    definition: 'statemachines/annual-review.asl.json',
    description:
      'Annual review (O.a, P, B, C, O.b): once a year (execution annual-review-<year>), DTI reviews every approved platform and each department director their accounts, from one page each; answers are applied, reminders, escalation and not-attested at the due date, and a report to DTI',
    invokes: ['openReview', 'prepareDepartmentReview', 'trackReview', 'reportReview'],
  },
  approvalChain: {
    definition: 'statemachines/approval-chain.asl.json',
    description:
      'Retired: the one approval chain every request kind ran on before each got its own state machine. Nothing new starts on it (only the reconciler, for a request stored for it before the upgrade); it stays deployed, unchanged, until its last execution ends',
    invokes: ['requestApproval', 'recordOutcome'],
    retired: true,
  },
} as const satisfies Record<StateMachineKey, StateMachineSpec>;

interface ScheduleBase {
  /** The function the schedule invokes, with `input` as its event. */
  target: FunctionKey;
  /**
   * The event. `<aws.scheduler.scheduled-time>` (scheduledTimeAttribute) is replaced with the
   * instant the run was due: by EventBridge Scheduler in AWS, by the local host's clock locally.
   */
  input: Record<string, unknown>;
  description: string;
}

/**
 * Minutes between runs (AWS: an EventBridge Scheduler rate schedule; local: a timer in the host),
 * or once a year at a moment of the policy (AWS: a cron expression in its time zone; local: the
 * local clock, moved by POST /dev/clock/advance, is checked every minute and after each move).
 */
export type ScheduleSpec = ScheduleBase & ({ everyMinutes: number; yearly?: never } | { yearly: YearlyMoment; timeZone: string; everyMinutes?: never });

export const scheduledTimeAttribute = '<aws.scheduler.scheduled-time>';

/** Recurring invocations, run by both hosts. */
export const schedules = {
  reconcileStarts: {
    target: 'reconcileStarts',
    everyMinutes: 5,
    // A request stored in the last minute may still be starting in the handler that stored it.
    input: { olderThanSeconds: 60 },
    description: 'Starts every stored request whose execution was never started (durable starts)',
  },
  annualReview: {
    target: 'startReview',
    yearly: policy.annualReview.startsOn,
    timeZone: policy.annualReview.timeZone,
    input: { trigger: 'schedule', scheduledTime: scheduledTimeAttribute },
    description: 'Starts the year\u2019s annual review (O.a, P) of every approved platform and every account, once (execution annual-review-<year>)',
  },
} as const satisfies Record<string, ScheduleSpec>;

export type ScheduleKey = keyof typeof schedules;

/** `requestApproval` → `RequestApprovalFunctionArn`: the ASL placeholder for a function. */
export function functionArnPlaceholder(key: FunctionKey): string {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}FunctionArn`;
}
