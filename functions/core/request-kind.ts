import type { Approval, Decision } from '#core/approval';
import type { DescribeContext, RequestDescription } from '#core/description';
import type { EmailContent } from '#core/email-layout';
import type { SafeHtml } from '#core/html';
import type { ApprovalStep, Department, Person } from '#core/policy';
import type { Account, Grant } from '#core/registry';
import { type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor } from '#core/request';
import type { ApprovalWorkflow } from '#catalogue';

/*
 * What a kind of request declares, in one module per kind (new-account/kind.ts, …): everything the
 * approval chain, the pages and emails, the store, the records export and the outcome need to know
 * about it. The core dispatches through the registry of kinds (#approval-chain/kinds); no other module
 * dispatches on kind. This module imports no kind, so every kind can build on it.
 */

/** What every request has, of every kind. */
export interface RequestBase {
  requestId: string;
  kind: string;
  status: RequestStatus;
  requester: NamedPerson;
  departmentCode: string;
  departmentName: string;
  platformId: string;
  platformName: string;
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
}

/** A request about one registry account (an exception, a display): the account and its handle besides what every request has. */
export interface AccountRequestBase extends RequestBase {
  accountId: string;
  handle: string;
}

/**
 * The head every request about a registry account starts with (an exception, a display): its id
 * (the kind's prefix, the day, a digest of requester and submission), PENDING, who asks, the account
 * and its department, the planned steps. The kind's own fields follow it.
 */
export function accountRequestHead<K extends string>(input: {
  kind: K;
  idPrefix: string;
  requester: Person;
  account: Pick<Account, 'accountId' | 'platformId' | 'platformName' | 'handle'>;
  department: Pick<Department, 'code' | 'name'>;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}) {
  const { requester, account } = input;
  return {
    requestId: requestIdFor(requester.id, input.submissionId, input.now, input.idPrefix),
    kind: input.kind,
    status: 'PENDING' as const,
    requester: { id: requester.id, name: requester.name, email: requester.email },
    accountId: account.accountId,
    platformId: account.platformId,
    platformName: account.platformName,
    handle: account.handle,
    departmentCode: input.department.code,
    departmentName: input.department.name,
    steps: input.steps,
    createdAt: input.now.toISOString(),
  };
}

/** Someone told of the outcome, once per audience (the audience names the email's idempotency key). */
export interface Told {
  audience: string;
  person: NamedPerson;
}

/** The kind-specific cells of a request's row in the records export (H); every kind fills what it has, null elsewhere. */
export interface RequestCells {
  granteeId: string | null;
  granteeName: string | null;
  role: string | null;
  receivesCredential: boolean | null;
  purpose: string | null;
  audience: string | null;
  riskAssessment: string | null;
  proposedAdmins: string[] | null;
  postRef: string | null;
  action: string | null;
  reason: string | null;
  preservedRecordId: string | null;
  removedAt: string | null;
  removedByName: string | null;
  /** What the request is about, in a few words: a policy's version, the standard an exception is from, a page shown, a platform proposed. */
  subject: string | null;
  /** The day (YYYY-MM-DD) an exception or a display takes effect, when it has one. */
  startsOn: string | null;
  /** The day (YYYY-MM-DD) an exception lapses. */
  endsOn: string | null;
  /** The City web page a display is for (Q). */
  webPageUrl: string | null;
  /** The SHA-256 (hex) of a submitted document: a departmental policy's text (R). */
  documentSha256: string | null;
}

export type OutcomeKind = 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'FAILED';

export interface OutcomeResult {
  status: string;
  accountId: string | null;
}

/**
 * One write an approval makes besides closing its request (committed together, see
 * adapters/outcome-writes.ts): a new item (`mustBeNew`: refused if its key exists, as for a
 * write-once record), an update of named attributes (only if the item exists and/or holds the
 * given values), or a check that an item holds the given values.
 */
export type OutcomeWrite =
  | { put: Record<string, unknown>; mustBeNew?: boolean }
  | { update: { key: { PK: string; SK: string }; set: Record<string, unknown>; ifEquals?: Record<string, unknown>; ifExists?: boolean } }
  | { check: { key: { PK: string; SK: string }; equals: Record<string, unknown> } };

/** The writes closing a request makes, as the store offers them (a port: the handler passes the adapter in). */
export interface OutcomeStore {
  request(requestId: string, consistent?: boolean): Promise<RequestBase | undefined>;
  closeRequest(
    requestId: string,
    status: Exclude<RequestStatus, 'PENDING'>,
    at: string,
    reason?: string,
    removal?: { removedAt: string; removedById: string; removedByName: string },
  ): Promise<boolean>;
  approveIntoRegistry(requestId: string, account: Account, grants: Grant[], at: string): Promise<'ok' | 'handle-taken' | 'closed'>;
  grantsOn(accountId: string, personId: string): Promise<Grant[]>;
  approvePostingAuthority(requestId: string, grant: Grant, replaced: Grant[], at: string): Promise<'ok' | 'closed' | 'account-gone' | 'grants-changed'>;
  /**
   * Closes the request as APPROVED and makes its kind's writes in one transaction: 'closed' when it
   * was not pending; 'conflict' (with the failed write's index) when a write's condition failed.
   */
  approveWith(
    requestId: string,
    at: string,
    writes: readonly OutcomeWrite[],
    extra?: Record<string, string>,
  ): Promise<{ result: 'ok' | 'closed' } | { result: 'conflict'; failed: number }>;
}

/** What a kind's `close` works with: the request, its decisions, the store, and who to tell. */
export interface Closing<R extends RequestBase> {
  request: R;
  approvals: Approval[];
  /** The chain's outcome (never FAILED here: a failure closes the same way for every kind). */
  decision: { outcome: 'APPROVED' | 'REJECTED' | 'EXPIRED'; reason?: string; decidedByName?: string };
  /** The approval that authorizes posting (B): the chain's Department Director step, approved. Throws InvalidInputError when there is none. */
  director(): Decision;
  store: OutcomeStore;
  now: string;
  /** The registry page's address, for DTI's notices. */
  registryUrl: string;
  /** Tells the requester and the kind's interested people (or `to`, when given) the outcome, each once. */
  tell(outcome: OutcomeKind, options?: { reason?: string; to?: Told[] }): Promise<void>;
  /** Tells DTI once (O.b), under an audience key of the kind's choosing. */
  tellDti(audience: string, email: EmailContent): Promise<void>;
  /** Closes the request as FAILED with the reason, and tells the requester and DTI. */
  fail(reason: string): Promise<OutcomeResult>;
  /** A retry after the request was closed: what that outcome owes, or undefined when it was closed APPROVED. */
  alreadyClosed(): Promise<OutcomeResult | undefined>;
  /** Closes as decided (rejected or expired) with the decision's reason and tells who must hear. */
  closeAsDecided(): Promise<OutcomeResult>;
  log(message: string, attributes: Record<string, unknown>): void;
  /** Opens the capture of a new account's first login (O.b): a task for its admins, once, however often this is called. */
  openCredentialCapture(account: Account, admins: NamedPerson[]): Promise<void>;
}

/** A kind's form parser and chain planner take what that kind needs; each kind names their exact types. */
type AnyParse = (raw: Record<string, unknown>, ...rest: never[]) => unknown;
type AnyPlan = (...input: never[]) => ApprovalStep[] | Promise<ApprovalStep[]>;

export interface RequestKindModule<R extends RequestBase, Parse extends AnyParse = AnyParse, Plan extends AnyPlan = AnyPlan> {
  kind: R['kind'];
  /** Two letters that start its request ids ("na-…"): they tell a person, a log line or an execution name what it is. */
  idPrefix: string;
  /** The stored item's `entity`. */
  entity: string;
  /** What one is called in a list of an account's history: "Posting authority request (B)". */
  label: string;
  /** The state machine its requests run on (the catalogue's; one per workflow, so each has its own executions, logs and alarms). */
  stateMachine: Exclude<ApprovalWorkflow, 'approvalChain'>;
  /** The form a person fills in: it validates at the boundary (HTTP 400 with a message per field). Its handler parses through it. */
  parseForm: Parse;
  /** How its approval chain is planned, from the directory (never from the form). Its handler plans through it. */
  planSteps: Plan;
  /** How it reads, on pages and in emails. */
  describe(request: R, context: DescribeContext): RequestDescription;
  /** What describing it needs besides the request: its preserved record (by id) and its decisions. */
  contextNeeds(request: R): { recordId?: string; approvals: boolean };
  /** Who besides the requester may see it and hears its outcome (the person posting authority is for). */
  interested(request: R): Told[];
  /** What tells it apart in a list of requests (JSON). */
  listed(request: R): Record<string, unknown>;
  /** What its page adds: below the summary (where it is in the registry), and a card of its own (a removal's public record, H). */
  pageExtras(request: R, context: DescribeContext): { summary?: SafeHtml; card?: SafeHtml };
  /** What its JSON shows besides the request and its history. */
  details(request: R, context: DescribeContext): Record<string, unknown>;
  /** Its cells in the records export's requests sheet. */
  exportCells(request: R): Partial<RequestCells>;
  /** The account whose records it is filed under (GSI1 ACCOUNT_RECORDS#…), if it is about an existing account. */
  accountOf(request: R): string | undefined;
  /** What its outcome does (an approval's effect in the registry) and who hears of it. */
  close(c: Closing<R>): Promise<OutcomeResult>;
}
