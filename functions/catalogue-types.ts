/**
 * The shapes of the catalogue (catalogue.ts): the table's key design, the state machines' names,
 * and what a function's entry says — its least-privilege access, its routes and its limits. Both
 * hosts read them through the catalogue, which re-exports them.
 */

/**
 * What a function does with the governance table. Each is an exact set of DynamoDB actions, the same
 * in both hosts (table-access.ts: the AWS roles' statements, and the local host's check of every call):
 * - 'read': GetItem, BatchGetItem, Query (the table and its indexes);
 * - 'write': PutItem, UpdateItem, ConditionCheckItem (also inside TransactWriteItems, where DynamoDB
 *   authorizes each item as its own action);
 * - 'delete': DeleteItem (open markers, parked directory events);
 * - 'batchWrite': BatchWriteItem (unconditional puts and deletes of a whole batch: the directory import).
 */
export type TableAction = 'read' | 'write' | 'delete' | 'batchWrite';
export type TableAccess = readonly TableAction[];

/**
 * The governance table's key design, created from here by both hosts (CDK TableV2 and the local
 * runtime's CreateTable), so the two cannot drift. GSI1 and GSI2 are the overloaded lookup indexes
 * (projection ALL). ByApprovalId finds an approval from its link: it is sparse (only approvals
 * carry `approvalId`) and KEYS_ONLY, so the updates an approval goes through afterwards (emailed,
 * reminded, decided) write nothing to it. ByPendingStart lists the stored requests whose execution
 * is not yet known to have started (durable starts, see reconcile-starts.ts): sparse, KEYS_ONLY,
 * and each request leaves it as soon as its execution is started. GSI3 is a third overloaded lookup
 * (projection ALL): the registry by handle, and the directory by email. ByAssignee is "My work": it
 * lists the open items assigned to a person (approval links, offboarding tasks) by when they were
 * assigned; sparse and KEYS_ONLY, and an item leaves it in the same write that decides, supersedes
 * or completes it.
 */
export interface IndexDesign {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: 'ALL' | 'KEYS_ONLY';
}

export const table: { partitionKey: string; sortKey: string; indexes: readonly IndexDesign[] } = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
    { name: 'ByApprovalId', partitionKey: 'approvalId', projection: 'KEYS_ONLY' },
    { name: 'ByPendingStart', partitionKey: 'pendingStart', sortKey: 'pendingSince', projection: 'KEYS_ONLY' },
    { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
    { name: 'ByAssignee', partitionKey: 'assigneeId', sortKey: 'assignedAt', projection: 'KEYS_ONLY' },
  ],
};

/**
 * State machine names, listed first so function access can refer to them. One per workflow;
 * `approvalChain` is the retired shared chain, kept deployed until its last execution ends.
 */
export const stateMachineKeys = [
  'newAccountApproval',
  'postingAuthorityApproval',
  'postRemovalApproval',
  'departmentPolicyApproval',
  'exceptionApproval',
  'websiteDisplayApproval',
  'platformProposalApproval',
  'accountRetirementApproval',
  'separationOffboarding',
  'credentialCapture',
  'annualReview',
  'approvalChain',
] as const;
export type StateMachineKey = (typeof stateMachineKeys)[number];

/**
 * The state machines a request kind can run on (an approval by email link): the kinds' own, and
 * the retired shared chain while executions started on it are still running. The functions of every
 * approval (emailing a link, taking a decision, recording the outcome, durable starts) serve them all.
 */
export const approvalWorkflows = [
  'newAccountApproval',
  'postingAuthorityApproval',
  'postRemovalApproval',
  'departmentPolicyApproval',
  'exceptionApproval',
  'websiteDisplayApproval',
  'platformProposalApproval',
  'accountRetirementApproval',
  'approvalChain',
] as const satisfies readonly StateMachineKey[];
export type ApprovalWorkflow = (typeof approvalWorkflows)[number];

/** `newAccountApproval` → `STATE_MACHINE_ARN_NEW_ACCOUNT_APPROVAL`: the env var a starter reads. */
export function stateMachineArnEnv(key: StateMachineKey): string {
  return `STATE_MACHINE_ARN_${key.replace(/[A-Z]/g, (c: string) => `_${c}`).toUpperCase()}`;
}

export interface FunctionAccess {
  /** DynamoDB governance table: the actions it may use. */
  table?: TableAccess;
  /**
   * The partition-key prefixes (`REQ#`, `ACCOUNT#`…) whose items it may write or delete; absent, any
   * (the records guard aside). In AWS an IAM condition on `dynamodb:LeadingKeys`. The anonymous link
   * handler names only the approval and task items an approver's decision changes.
   */
  writeKeys?: readonly string[];
  /** ses:SendEmail from the configured identity. */
  sendEmail?: boolean;
  /** states:StartExecution on these state machines (catalogue keys). */
  startExecution?: StateMachineKey[];
  /** states:SendTaskSuccess / SendTaskFailure on these state machines' tasks. */
  sendTaskResult?: StateMachineKey[];
  /**
   * Approval-link keys. 'issue': kms:Encrypt on the token key (seal task tokens) and
   * kms:GenerateMac on the link key (derive link secrets, so a reminder can resend the same link
   * without the secret ever being stored). 'redeem': kms:Decrypt on the token key only. 'derive':
   * kms:GenerateMac on the link key only ("My work" rebuilds a signed-in person's own open link).
   */
  linkKeys?: 'issue' | 'redeem' | 'derive';
  /**
   * Reads the Cognito user pool's ids and sign-in domain (USER_POOL_ID, USER_POOL_CLIENT_ID,
   * AUTH_DOMAIN_URL). No IAM permission: the OAuth endpoints and the JWKS are public HTTPS.
   */
  userPool?: boolean;
  /**
   * The accounts' shared credentials (Secrets Manager in AWS, one secret per account under
   * `social-media/`, encrypted with the credentials key; the local host speaks the same API).
   * 'stage': create the secret and put a new AWSPENDING version; 'reveal': read a version;
   * 'promote': move AWSCURRENT to a version. Nothing else may touch them.
   */
  vault?: readonly ('stage' | 'reveal' | 'promote')[];
  /**
   * Public records (H): 'write' may put new RECORD# items (preserved posts, edits, moderation) —
   * never update or delete one. In AWS every other function with table access is denied any write
   * to RECORD# partitions (IAM dynamodb:LeadingKeys), and no function may update or delete them.
   */
  records?: 'write';
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  auth: 'jwt' | 'link' | 'public';
}

export interface FunctionSpec {
  /** Entry file, relative to the repository root. */
  entry: string;
  description: string;
  access: FunctionAccess;
  routes?: RouteSpec[];
  /** The HTTP API Lambda authorizer of the `jwt` routes (AWS host only). */
  authorizer?: boolean;
  /**
   * The HTTP API's `$default` route: every request no route matches (an unknown address, a method
   * the address does not answer, OPTIONS) goes to this function, in AWS and in the local host. It is
   * public, so its access must be empty.
   */
  defaultRoute?: boolean;
  /**
   * Serves the site's static assets (the U.S. Web Design System's stylesheet, fonts and icons, and
   * the app's own stylesheet and script): the AWS bundle carries a copy of those files beside the code.
   */
  staticAssets?: boolean;
  /**
   * HR events this function consumes (EventBridge `detail-type`s on the HR bus, source from
   * configuration). AWS: bus → rule → SQS queue (with a dead-letter queue and an alarm) → this
   * function. Local: `npm run hr` and `POST /dev/hr/events` put the same event through the same rule.
   */
  hrEvents?: readonly string[];
  /**
   * Consumes SES's bounce and complaint events for the emails the workflows send. AWS: the
   * configuration set's event destination → a KMS-encrypted SNS topic only SES may publish to → this
   * function (asynchronous: its failed invocations, after Lambda's retries, and what SNS cannot
   * deliver wait in a dead-letter queue, which alarms). Local: `stack.mailEvents.publish()` hands it
   * the same SNS event (the SES emulator bounces nothing).
   */
  mailEvents?: boolean;
  /**
   * A Cognito user pool trigger (AWS host: attached to the pool, which alone may invoke it; it serves
   * no route). 'preTokenGeneration' runs before tokens are issued for every sign-in, federated ones
   * included. The local host runs the same function from its development sign-in. Its environment
   * never names the pool (`access.userPool` would make the pool and the function depend on each other).
   */
  cognitoTrigger?: 'preTokenGeneration';
  /** MB; Lambda default is 128 (the records export builds a zip in memory). */
  memoryMb?: number;
  /** Seconds; Lambda default is 3, which SES plus DynamoDB can exceed on a cold start. */
  timeoutSeconds?: number;
}
