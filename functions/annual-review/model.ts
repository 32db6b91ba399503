import type { NamedPerson } from '#core/request';
import type { GrantRole } from '#core/registry';

/**
 * The annual review's records, as the table keeps them and the pages show them: the review, its
 * findings, its pages (a department's accounts, DTI's platforms), their answers, and the names and
 * addresses the workflow gives them. Types and small lookups only: the rules are in review.ts,
 * findings.ts and answers.ts.
 */

export type ReviewStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';
export type ReviewTrigger = 'schedule' | 'page' | 'cli';

export interface Review {
  /** `2027` (the City-wide review) or `2027-PRD` (one department's). */
  reviewId: string;
  year: number;
  departmentCode?: string;
  status: ReviewStatus;
  trigger: ReviewTrigger;
  startedBy?: NamedPerson;
  startedAt: string;
  dueAt: string;
  finishedAt?: string;
  /** The departments whose pages were opened (fixed when it starts, so a re-run opens the same ones). */
  departmentCodes?: string[];
  /** The waiting execution's task token, sealed; never in clear. */
  sealedToken?: string;
  failure?: string;
}

export const reviewIdPattern = /^(20\d\d)(?:-([A-Z]{2,8}))?$/;
export const executionNameFor = (reviewId: string) => `annual-review-${reviewId}`;

export function reviewIdFor(year: number, departmentCode?: string): string {
  return departmentCode ? `${year}-${departmentCode}` : String(year);
}

// Findings -----------------------------------------------------------------------------------

export const findingCodes = [
  'SOLE_ADMIN',
  'NO_ADMIN',
  'SEPARATED',
  'MOVED',
  'CREDENTIAL_STALE',
  'CREDENTIAL_UNKNOWN',
  'PLATFORM_RETIRED',
  'PLATFORM_INCOMPLETE',
  'NO_ACTIVITY',
  'AGREEMENT_STALE',
  'DOCUMENT_MISSING',
  'DOCUMENT_STALE',
] as const;
export type FindingCode = (typeof findingCodes)[number];

/** A decision helper shown beside a question. It never changes anything by itself. */
export interface Finding {
  code: FindingCode;
  text: string;
  /** The grant it is about, when it is about one person. */
  personId?: string;
}

export interface ReviewedGrant {
  personId: string;
  personName: string;
  role: GrantRole;
  receivesCredential: boolean;
  sourceRequestId: string;
}

export interface AccountLine {
  accountId: string;
  label: string;
  platformId: string;
  platformName: string;
  grants: ReviewedGrant[];
  findings: Finding[];
  /** What is in force on it (core/standing.ts), one line each: "Exception to F.b (…) until 2027-03-01", "Shown on https://…". Absent on pages opened before standings existed. */
  standings?: string[];
}

export interface PlatformLine {
  platformId: string;
  name: string;
  accounts: number;
  findings: Finding[];
}

// Pages and their stages ----------------------------------------------------------------------

export type PageStatus = 'OPEN' | 'SUBMITTED' | 'NOT_ATTESTED' | 'NOTHING_TO_REVIEW' | 'FAILED';

export interface PageBase {
  reviewId: string;
  status: PageStatus;
  /** Everyone this page may go to, in order; `stage` indexes the one it is with now. */
  chain: NamedPerson[];
  stage: number;
  remindersSent: number;
  /** The follow-up sweep that last moved this page (a retried sweep moves it once), and how. */
  lastSweep: number;
  lastAction?: Exclude<PageAction, 'none'>;
  createdAt: string;
  dueAt: string;
  escalatedAt?: string;
  savedAt?: string;
  submittedAt?: string;
  submittedBy?: NamedPerson;
  /** Set once every change an answer asked for has been made (the submit, or a later sweep after a crash). */
  appliedAt?: string;
  notAttestedAt?: string;
  /** Questions left unanswered when it was marked not attested. */
  unanswered?: string[];
  noDirector?: boolean;
  /** FAILED: why the page could not be prepared (the other departments went on). */
  failure?: string;
}

export interface AccountAnswer {
  inUse?: 'yes' | 'no';
  /** personId → still needs posting authority? */
  keep?: Record<string, 'yes' | 'no'>;
  /** A second admin named where there are fewer than two: typed as an email, resolved to a directory person. */
  newAdminEmail?: string;
  newAdminId?: string;
  newAdminName?: string;
  officialSite?: 'yes' | 'no';
  purposeNotice?: 'yes' | 'no';
}

export interface DepartmentPage extends PageBase {
  kind: 'DEPARTMENT';
  departmentCode: string;
  departmentName: string;
  accounts: AccountLine[];
  answers: Record<string, AccountAnswer>;
}

export interface PlatformAnswer {
  decision?: 'KEEP' | 'CHANGE' | 'RETIRE';
  /** What changed (CHANGE) or why it is retired (RETIRE). */
  note?: string;
}

export interface PlatformPage extends PageBase {
  kind: 'PLATFORMS';
  platforms: PlatformLine[];
  answers: Record<string, PlatformAnswer>;
}

export type ReviewPage = DepartmentPage | PlatformPage;

export const pageKey = (page: Pick<DepartmentPage, 'kind' | 'departmentCode'> | Pick<PlatformPage, 'kind'>) =>
  page.kind === 'PLATFORMS' ? 'PLATFORMS' : `DEPT#${(page as DepartmentPage).departmentCode}`;

export const pageTitle = (page: ReviewPage) => (page.kind === 'PLATFORMS' ? 'Approved platforms (O.a, P)' : page.departmentName);

export const pagePath = (page: ReviewPage) =>
  page.kind === 'PLATFORMS' ? `/reviews/${page.reviewId}/platforms` : `/reviews/${page.reviewId}/departments/${page.departmentCode}`;

export const currentReviewer = (page: Pick<PageBase, 'chain' | 'stage'>): NamedPerson | undefined => page.chain[page.stage];

export type PageAction = 'remind' | 'escalate' | 'not-attested' | 'none';

/** An unanswered question: the form field that answers it, and what it asks. */
export interface Unanswered {
  field: string;
  text: string;
}

// What a submitted department page changes ----------------------------------------------------

export type Change =
  | { kind: 'retire-account'; accountId: string; label: string }
  | { kind: 'revoke'; accountId: string; label: string; personId: string; personName: string; role: GrantRole }
  | { kind: 'appoint'; accountId: string; label: string; personId: string; personName: string };

export interface ReviewProgress {
  departments: number;
  done: number;
  submitted: number;
  notAttested: number;
  nothingToReview: number;
  failed: number;
  accounts: number;
  answered: number;
  findings: number;
  changesApplied: number;
}
