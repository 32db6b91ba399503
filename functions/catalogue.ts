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

export type TableAccess = 'read' | 'readWrite';

/**
 * The governance table's key design, created from here by both hosts (CDK TableV2 and the local
 * runtime's CreateTable), so the two cannot drift. GSI1 and GSI2 are the overloaded lookup indexes
 * (projection ALL). ByApprovalId finds an approval from its link: it is sparse (only approvals
 * carry `approvalId`) and KEYS_ONLY, so the updates an approval goes through afterwards (emailed,
 * reminded, decided) write nothing to it.
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
  ],
};

/** State machine names, listed first so function access can refer to them. */
export const stateMachineKeys = ['newAccountApproval'] as const;
export type StateMachineKey = (typeof stateMachineKeys)[number];

export interface FunctionAccess {
  /** DynamoDB governance table. */
  table?: TableAccess;
  /** ses:SendEmail from the configured identity. */
  sendEmail?: boolean;
  /** states:StartExecution on these state machines (catalogue keys). */
  startExecution?: StateMachineKey[];
  /** states:SendTaskSuccess / SendTaskFailure on these state machines' tasks. */
  sendTaskResult?: StateMachineKey[];
  /**
   * Approval-link keys. 'issue': kms:Encrypt on the token key (seal task tokens) and
   * kms:GenerateMac on the link key (derive link secrets, so a reminder can resend the same link
   * without the secret ever being stored). 'redeem': kms:Decrypt on the token key only.
   */
  linkKeys?: 'issue' | 'redeem';
  /**
   * Reads the Cognito user pool's ids and sign-in domain (USER_POOL_ID, USER_POOL_CLIENT_ID,
   * AUTH_DOMAIN_URL). No IAM permission: the OAuth endpoints and the JWKS are public HTTPS.
   */
  userPool?: boolean;
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
  /** Seconds; Lambda default is 3, which SES plus DynamoDB can exceed on a cold start. */
  timeoutSeconds?: number;
}

export const functions = {
  submitRequest: {
    entry: 'functions/submit-request.ts',
    description: 'New Social Media form (D, E): shows it, validates it, stores the request, starts its approval',
    access: { table: 'readWrite', startExecution: ['newAccountApproval'] },
    routes: [
      { method: 'GET', path: '/requests/new', auth: 'jwt' },
      { method: 'POST', path: '/requests', auth: 'jwt' },
    ],
  },
  showRequest: {
    entry: 'functions/show-request.ts',
    description: 'Status and full history of one request (the audit trail), and the signed-in person\u2019s own requests, HTML or JSON',
    access: { table: 'read' },
    routes: [
      { method: 'GET', path: '/requests', auth: 'jwt' },
      { method: 'GET', path: '/requests/{requestId}', auth: 'jwt' },
    ],
  },
  showRegistry: {
    entry: 'functions/show-registry.ts',
    description: 'The registry of City social media accounts and their admins (O.b), HTML or JSON',
    access: { table: 'read' },
    routes: [{ method: 'GET', path: '/accounts', auth: 'jwt' }],
  },
  decideApproval: {
    entry: 'functions/decide-approval.ts',
    description: 'Approval link: GET shows the request and the form, POST records the decision once',
    access: { table: 'readWrite', sendTaskResult: ['newAccountApproval'], linkKeys: 'redeem' },
    routes: [
      { method: 'GET', path: '/approvals/{approvalId}', auth: 'link' },
      { method: 'POST', path: '/approvals/{approvalId}', auth: 'link' },
    ],
  },
  signIn: {
    entry: 'functions/sign-in.ts',
    description: 'Browser sign-in: OAuth 2.0 code flow with PKCE against Cognito managed login; sets and clears the session cookie',
    access: { userPool: true },
    routes: [
      { method: 'GET', path: '/auth/sign-in', auth: 'public' },
      { method: 'GET', path: '/auth/callback', auth: 'public' },
      { method: 'POST', path: '/auth/sign-out', auth: 'public' },
      { method: 'GET', path: '/auth/signed-out', auth: 'public' },
    ],
  },
  authorizeRequest: {
    entry: 'functions/authorize-request.ts',
    description: 'HTTP API Lambda authorizer: verifies a Cognito ID token (bearer or session cookie) and passes the identity on',
    access: { userPool: true },
    authorizer: true,
  },
  requestApproval: {
    entry: 'functions/request-approval.ts',
    description: 'State machine task: emails an approver a decision link (or a reminder, or the designee on escalation) and parks the task token',
    access: { table: 'readWrite', sendEmail: true, sendTaskResult: ['newAccountApproval'], linkKeys: 'issue' },
    timeoutSeconds: 20,
  },
  recordOutcome: {
    entry: 'functions/record-outcome.ts',
    description: 'State machine task: records the final outcome; on approval creates the registry entry and the admins\u2019 posting grants',
    access: { table: 'readWrite', sendEmail: true },
    timeoutSeconds: 20,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof functions;

export interface StateMachineSpec {
  /** ASL file, relative to the repository root. */
  definition: string;
  description: string;
  /** Functions the definition invokes, each through a `${<Key>FunctionArn}` placeholder. */
  invokes: readonly FunctionKey[];
}

export const stateMachines = {
  newAccountApproval: {
    definition: 'statemachines/new-account-approval.asl.json',
    description: 'New account approval: Department Director, then Communications Director (APD: APD Director of Communications)',
    invokes: ['requestApproval', 'recordOutcome'],
  },
} as const satisfies Record<StateMachineKey, StateMachineSpec>;

/** `requestApproval` → `RequestApprovalFunctionArn`: the ASL placeholder for a function. */
export function functionArnPlaceholder(key: FunctionKey): string {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}FunctionArn`;
}

/** `newAccountApproval` → `STATE_MACHINE_ARN_NEW_ACCOUNT_APPROVAL`: the env var a starter reads. */
export function stateMachineArnEnv(key: StateMachineKey): string {
  return `STATE_MACHINE_ARN_${key.replace(/[A-Z]/g, (c: string) => `_${c}`).toUpperCase()}`;
}
