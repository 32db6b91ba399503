import type { NamedPerson } from '#core/request';
import type { Department, Person, Policy, RoleHolder } from '#core/policy';
import { policy } from '#core/policy';
import { isRetired, missingDocuments, type Platform, platformDocumentKinds, platformDocumentTitles } from '#core/platform';
import type { Account, Grant, GrantRole } from '#core/registry';
import { yearIn } from '#core/yearly-schedule';
import { formatDate } from '#core/html';
import * as z from '#core/zod';

/**
 * The annual review (O.a, P, B, C, O.b): once a year DTI reviews every approved platform and each
 * department's director every account of the department, from one page each. Pure rules: the
 * findings shown beside each question, who is asked at each stage, what an answer changes, what
 * the report says. Nothing here revokes anything by itself; the answers do, and only on submit.
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

/** Which years may be started: this one (in the City's time zone) and the next. Earlier is history, later is a mistake. */
export function yearProblem(year: number, at: Date, p: Policy = policy): string | undefined {
  const current = yearIn(at, p.annualReview.timeZone);
  if (!Number.isInteger(year)) return 'Give the year as four digits, e.g. 2027.';
  if (year < current) return `${year} is in the past: a review is of the accounts as they are now. Start ${current} instead.`;
  if (year > current + 1) return `${year} is too far ahead: only ${current} or ${current + 1} can be started.`;
  return undefined;
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
}

const daysBetween = (from: string, to: Date) => Math.floor((to.getTime() - Date.parse(from)) / 86_400_000);

/**
 * What the system finds about one account, from what the department's task read in one batch:
 * its active grants, the people holding them, its platform, when its credential last changed and
 * its newest activity (a record, a request or a grant change).
 */
export function accountFindings(input: {
  account: Account & { credentialChangedAt?: string };
  grants: Grant[];
  people: Map<string, Person>;
  platform?: Platform;
  lastActivityAt?: string;
  now: Date;
  policy?: Policy;
}): AccountLine {
  const p = (input.policy ?? policy).annualReview;
  const { account, now } = input;
  const active = input.grants.filter((g) => g.status === 'ACTIVE');
  const findings: Finding[] = [];
  const admins = active.filter((g) => g.role === 'ADMIN');
  if (admins.length === 0) findings.push({ code: 'NO_ADMIN', text: 'No admin: name two (B).' });
  else if (admins.length === 1) findings.push({ code: 'SOLE_ADMIN', text: `${admins[0]?.personName} is its only admin: name a second (B).` });
  for (const g of active) {
    const person = input.people.get(g.personId);
    if (!person || person.separatedOn) {
      findings.push({
        code: 'SEPARATED',
        personId: g.personId,
        text: `${g.personName} has separated from the City${person?.separatedOn ? ` (${person.separatedOn})` : ''}.`,
      });
    } else if (person.departmentCode !== account.departmentCode) {
      findings.push({ code: 'MOVED', personId: g.personId, text: `${g.personName} now works in another department (${person.departmentCode}).` });
    }
  }
  if (active.some((g) => g.receivesCredential)) {
    if (!account.credentialChangedAt) {
      findings.push({ code: 'CREDENTIAL_UNKNOWN', text: 'No change of the shared password is on record (C, O.b): ask DTI to have it changed.' });
    } else if (daysBetween(account.credentialChangedAt, now) > p.credentialMaxAgeDays) {
      findings.push({
        code: 'CREDENTIAL_STALE',
        text: `The shared password was last changed ${account.credentialChangedAt.slice(0, 10)}, over ${p.credentialMaxAgeDays} days ago (C, O.b): ask DTI to have it changed.`,
      });
    }
  }
  if (isRetired(input.platform)) {
    findings.push({
      code: 'PLATFORM_RETIRED',
      text: `DTI retired ${account.platformName}${input.platform?.retiredReason ? `: ${input.platform.retiredReason}` : ''} (O.a).`,
    });
  } else if (input.platform && missingDocuments(input.platform).length) {
    findings.push({
      code: 'PLATFORM_INCOMPLETE',
      text: `${account.platformName} lacks some of its P documents (${missingDocuments(input.platform)
        .map((k) => platformDocumentTitles[k])
        .join(', ')}).`,
    });
  }
  if (!input.lastActivityAt || daysBetween(input.lastActivityAt, now) > p.inactiveAfterDays) {
    findings.push({
      code: 'NO_ACTIVITY',
      text: input.lastActivityAt
        ? `Nothing recorded since ${input.lastActivityAt.slice(0, 10)}: no removal, correction, moderation or grant change in ${p.inactiveAfterDays} days.`
        : 'Nothing recorded for it yet: no removal, correction, moderation or grant change.',
    });
  }
  return {
    accountId: account.accountId,
    label: `${account.platformName} ${account.handle}`,
    platformId: account.platformId,
    platformName: account.platformName,
    grants: active.map((g) => ({
      personId: g.personId,
      personName: g.personName,
      role: g.role,
      receivesCredential: g.receivesCredential,
      sourceRequestId: g.sourceRequestId,
    })),
    findings,
  };
}

export interface PlatformLine {
  platformId: string;
  name: string;
  accounts: number;
  findings: Finding[];
}

/** What DTI is shown about one approved platform (O.a, P). */
export function platformFindings(platform: Platform, accounts: number, now: Date, p: Policy = policy): PlatformLine {
  const limits = p.annualReview;
  const findings: Finding[] = [];
  const agreement = platform.usageAgreement;
  if (!agreement) findings.push({ code: 'AGREEMENT_STALE', text: 'No usage agreement or terms of service on record (O.a).' });
  else if (daysBetween(agreement.reviewedOn, now) > limits.usageAgreementMaxAgeDays) {
    findings.push({
      code: 'AGREEMENT_STALE',
      text: `Its usage agreement was last reviewed ${agreement.reviewedOn}, over ${limits.usageAgreementMaxAgeDays} days ago (O.a).`,
    });
  }
  for (const kind of platformDocumentKinds) {
    const doc = platform.documents?.[kind];
    if (!doc?.url) findings.push({ code: 'DOCUMENT_MISSING', text: `${platformDocumentTitles[kind]}: none adopted (P).` });
    else if (daysBetween(doc.adoptedOn, now) > limits.platformDocumentMaxAgeDays) {
      findings.push({
        code: 'DOCUMENT_STALE',
        text: `${platformDocumentTitles[kind]}: adopted ${doc.adoptedOn}, over ${limits.platformDocumentMaxAgeDays} days ago (P).`,
      });
    }
  }
  return { platformId: platform.id, name: platform.name, accounts, findings };
}

/**
 * A page as it reads now: an account whose platform DTI has retired since the page opened gets the
 * PLATFORM_RETIRED finding too, and keeps every question (the page itself is never rewritten).
 */
export function withRetiredPlatforms<P extends ReviewPage>(page: P, platforms: readonly Platform[]): P {
  if (page.kind !== 'DEPARTMENT') return page;
  const retired = new Map(platforms.filter((p) => isRetired(p)).map((p) => [p.id, p]));
  if (retired.size === 0) return page;
  const accounts = page.accounts.map((line) => {
    const platform = retired.get(line.platformId);
    if (!platform || line.findings.some((f) => f.code === 'PLATFORM_RETIRED')) return line;
    const text = `DTI retired ${line.platformName} during this review${platform.retiredReason ? `: ${platform.retiredReason}` : ''} (O.a).`;
    return { ...line, findings: [...line.findings.filter((f) => f.code !== 'PLATFORM_INCOMPLETE'), { code: 'PLATFORM_RETIRED' as const, text }] };
  });
  return { ...page, accounts };
}

// Who is asked ---------------------------------------------------------------------------------

/**
 * Who a review page goes to, stage by stage: the director (or, when there is none, the designee),
 * then the designee, then the Communications Director. A department with neither director nor
 * designee in the directory goes straight to the Communications Director, and the report says so.
 */
export function reviewChain(
  department: Pick<Department, 'directorId' | 'designeeId'>,
  people: Map<string, Person>,
  roleHolders: RoleHolder[],
): { chain: NamedPerson[]; noDirector: boolean } {
  const named = (id: string | undefined): NamedPerson | undefined => {
    const person = id ? people.get(id) : undefined;
    return person && !person.separatedOn ? { id: person.id, name: person.name, email: person.email } : undefined;
  };
  const comms = roleHolders.find((r) => r.role === 'COMMUNICATIONS_DIRECTOR');
  const director = named(department.directorId);
  const designee = named(department.designeeId);
  const communications = named(comms?.holderId) ?? named(comms?.designeeId);
  const chain = [director, designee, communications].filter((p): p is NamedPerson => Boolean(p));
  const unique = chain.filter((p, i) => chain.findIndex((q) => q.id === p.id) === i);
  return { chain: unique, noDirector: !director && !designee };
}

// Pages and their stages ----------------------------------------------------------------------

export type PageStatus = 'OPEN' | 'SUBMITTED' | 'NOT_ATTESTED' | 'NOTHING_TO_REVIEW' | 'FAILED';

interface PageBase {
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

/** Sweeps from the first email to the due date: dueDays / reminderEveryDays (4 by default: a reminder, the designee, the Communications Director, not attested). */
export const sweepsToDue = (p: Policy = policy) => p.annualReview.dueDays / p.annualReview.reminderEveryDays;

export type PageAction = 'remind' | 'escalate' | 'not-attested' | 'none';

/**
 * What a follow-up sweep does to an open page whose wait ran out. The last sweep is the due date;
 * the two before it escalate (to the next in the chain, while there is one), and the ones before
 * those remind. A retried sweep finds `lastSweep` and does nothing twice.
 */
export function pageAction(page: Pick<PageBase, 'status' | 'lastSweep' | 'stage' | 'chain'>, sweep: number, p: Policy = policy): PageAction {
  if (page.status !== 'OPEN' || page.lastSweep >= sweep) return 'none';
  const total = sweepsToDue(p);
  if (sweep >= total) return 'not-attested';
  if (sweep >= total - 2 && page.stage < page.chain.length - 1) return 'escalate';
  return 'remind';
}

/** Why a person may not answer a page now, or undefined when they may. */
export function answerRefusal(page: ReviewPage, viewerId: string, at: Date): { status: number; message: string } | undefined {
  const reviewer = currentReviewer(page);
  // Someone the page was never with learns only whose it is, whatever its state.
  if (!page.chain.some((p) => p.id === viewerId)) return { status: 403, message: `This review is assigned to ${reviewer?.name ?? 'someone else'}.` };
  if (page.status === 'SUBMITTED') {
    return {
      status: 409,
      message: `This review was submitted by ${page.submittedBy?.name ?? 'its reviewer'} on ${formatDate(page.submittedAt)}; it cannot be changed.`,
    };
  }
  if (page.status === 'NOT_ATTESTED')
    return { status: 410, message: 'This review passed its due date without being submitted and is reported as not attested.' };
  if (page.status === 'NOTHING_TO_REVIEW') return { status: 409, message: 'This department has no accounts to review.' };
  if (page.status === 'FAILED') return { status: 410, message: 'This review page could not be prepared; DTI has been told and will follow it up.' };
  if (reviewer?.id !== viewerId) {
    const earlier = page.chain.slice(0, page.stage).some((p) => p.id === viewerId);
    return earlier
      ? {
          status: 403,
          message: `This review was reassigned to ${reviewer?.name ?? 'someone else'} because it was not answered in time. Your answers so far are kept.`,
        }
      : { status: 403, message: `This review is assigned to ${reviewer?.name ?? 'someone else'}.` };
  }
  if (at.getTime() > Date.parse(page.dueAt)) return { status: 410, message: `This review was due ${formatDate(page.dueAt)}; it can no longer be answered.` };
  return undefined;
}

// Answers ----------------------------------------------------------------------------------------

const yesNo = z.optional(z.enum(['yes', 'no']));

/** One form field per question, `a.<accountId>.<question>` (and `.keep.<personId>`), as the page posts them. */
export function parseDepartmentAnswers(
  page: DepartmentPage,
  body: Record<string, unknown>,
): { answers: Record<string, AccountAnswer>; errors: Record<string, string> } {
  const known = new Map(page.accounts.map((a) => [a.accountId, a]));
  const answers: Record<string, AccountAnswer> = {};
  const errors: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) {
    const match = /^a\.([^.]+)\.(inUse|officialSite|purposeNotice|newAdminEmail|keep)(?:\.([A-Za-z0-9-]{1,20}))?$/.exec(field);
    if (!match) continue;
    const [, accountId = '', question = '', personId] = match;
    const account = known.get(accountId);
    if (!account) {
      errors[field] = `${accountId} is not one of the accounts on this review.`;
      continue;
    }
    answers[accountId] ??= {};
    const answer = answers[accountId];
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) continue;
    if (question === 'keep') {
      if (!personId || !account.grants.some((g) => g.personId === personId)) {
        errors[field] = `That person holds no posting authority on ${account.label} on this review.`;
        continue;
      }
      const parsed = yesNo.safeParse(text);
      if (!parsed.success) errors[field] = 'Answer yes or no.';
      else answer.keep = { ...answer.keep, [personId]: parsed.data as 'yes' | 'no' };
    } else if (question === 'newAdminEmail') {
      if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(text)) errors[field] = 'Give the new admin\u2019s City email address, e.g. name@cabq.gov.';
      else answer.newAdminEmail = text.toLowerCase();
    } else {
      const parsed = yesNo.safeParse(text);
      if (!parsed.success) errors[field] = 'Answer yes or no.';
      else answer[question as 'inUse' | 'officialSite' | 'purposeNotice'] = parsed.data as 'yes' | 'no';
    }
  }
  return { answers, errors };
}

/** Saved answers with the newly posted ones over them (a partial save keeps what was there). */
export function mergeDepartmentAnswers(saved: Record<string, AccountAnswer>, posted: Record<string, AccountAnswer>): Record<string, AccountAnswer> {
  const merged: Record<string, AccountAnswer> = structuredClone(saved);
  for (const [accountId, answer] of Object.entries(posted)) {
    merged[accountId] ??= {};
    const into = merged[accountId];
    const keep = { ...(into.keep ?? {}), ...(answer.keep ?? {}) };
    // A new email replaces the person it named before; the handler resolves it again.
    if (answer.newAdminEmail && answer.newAdminEmail !== into.newAdminEmail) {
      delete into.newAdminId;
      delete into.newAdminName;
    }
    Object.assign(into, { ...answer, keep });
  }
  return merged;
}

const adminsKept = (account: AccountLine, answer: AccountAnswer) =>
  account.grants.filter((g) => g.role === 'ADMIN' && answer.keep?.[g.personId] !== 'no').length;

/** An unanswered question: the form field that answers it, and what it asks. */
export interface Unanswered {
  field: string;
  text: string;
}

/** The questions of one account still unanswered (an account going to retirement needs nothing else). */
export function missingAnswers(account: AccountLine, answer: AccountAnswer = {}): Unanswered[] {
  const f = (q: string) => `a.${account.accountId}.${q}`;
  if (!answer.inUse) return [{ field: f('inUse'), text: `${account.label}: say whether it is still in use and needed` }];
  if (answer.inUse === 'no') return [];
  const missing: Unanswered[] = [];
  for (const g of account.grants) {
    if (!answer.keep?.[g.personId])
      missing.push({ field: `${f('keep')}.${g.personId}`, text: `${account.label}: say whether ${g.personName} still needs posting authority` });
  }
  if (adminsKept(account, answer) < 2 && !answer.newAdminId) {
    missing.push({ field: f('newAdminEmail'), text: `${account.label}: it would have fewer than two admins; name a second admin by email` });
  }
  if (!answer.officialSite)
    missing.push({ field: f('officialSite'), text: `${account.label}: say whether it still shows the official-site characteristics (E)` });
  if (!answer.purposeNotice) missing.push({ field: f('purposeNotice'), text: `${account.label}: say whether it still shows the purpose notice (J)` });
  return missing;
}

export const unansweredOf = (account: AccountLine, answer?: AccountAnswer) => missingAnswers(account, answer).map((m) => m.text);

export function missingPlatformAnswers(page: PlatformPage, answers: Record<string, PlatformAnswer> = page.answers): Unanswered[] {
  return page.platforms.flatMap((pl) => {
    const a = answers[pl.platformId];
    if (!a?.decision) return [{ field: `p.${pl.platformId}.decision`, text: `${pl.name}: choose keep, keep with changes, or retire` }];
    if (a.decision !== 'KEEP' && !a.note) {
      return [{ field: `p.${pl.platformId}.note`, text: `${pl.name}: say ${a.decision === 'RETIRE' ? 'why it is retired' : 'what changed'}` }];
    }
    return [];
  });
}

export const unansweredPlatforms = (page: PlatformPage, answers?: Record<string, PlatformAnswer>) => missingPlatformAnswers(page, answers).map((m) => m.text);

/** Every unanswered question of a page, with the answers given so far. */
export function missingOnPage(page: ReviewPage, answers: ReviewPage['answers'] = page.answers): Unanswered[] {
  return page.kind === 'PLATFORMS'
    ? missingPlatformAnswers(page, answers as Record<string, PlatformAnswer>)
    : page.accounts.flatMap((a) => missingAnswers(a, (answers as Record<string, AccountAnswer>)[a.accountId]));
}

export function parsePlatformAnswers(
  page: PlatformPage,
  body: Record<string, unknown>,
): { answers: Record<string, PlatformAnswer>; errors: Record<string, string> } {
  const known = new Set(page.platforms.map((p) => p.platformId));
  const answers: Record<string, PlatformAnswer> = {};
  const errors: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) {
    const match = /^p\.([^.]+)\.(decision|note)$/.exec(field);
    if (!match) continue;
    const [, platformId = '', question] = match;
    if (!known.has(platformId)) {
      errors[field] = `${platformId} is not one of the platforms on this review.`;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    answers[platformId] ??= {};
    const answer = answers[platformId];
    if (question === 'decision' && text) {
      if (text === 'KEEP' || text === 'CHANGE' || text === 'RETIRE') answer.decision = text;
      else errors[field] = 'Choose keep, keep with changes, or retire.';
    } else if (question === 'note' && text) {
      if (text.length > 1000) errors[field] = 'Keep it under 1,000 characters.';
      else answer.note = text;
    }
  }
  return { answers, errors };
}

// What a submitted department page changes ----------------------------------------------------

export type Change =
  | { kind: 'retire-account'; accountId: string; label: string }
  | { kind: 'revoke'; accountId: string; label: string; personId: string; personName: string; role: GrantRole }
  | { kind: 'appoint'; accountId: string; label: string; personId: string; personName: string };

/** Every change the answers ask for, in the order they are made. An account going to retirement has all its grants revoked with it. */
export function changesOf(page: DepartmentPage): Change[] {
  return page.accounts.flatMap((account): Change[] => {
    const answer = page.answers[account.accountId] ?? {};
    if (answer.inUse === 'no') return [{ kind: 'retire-account', accountId: account.accountId, label: account.label }];
    const revokes = account.grants
      .filter((g) => answer.keep?.[g.personId] === 'no')
      .map(
        (g): Change => ({ kind: 'revoke', accountId: account.accountId, label: account.label, personId: g.personId, personName: g.personName, role: g.role }),
      );
    const appoint: Change[] =
      answer.newAdminId && adminsKept(account, answer) < 2
        ? [
            {
              kind: 'appoint',
              accountId: account.accountId,
              label: account.label,
              personId: answer.newAdminId,
              personName: answer.newAdminName ?? answer.newAdminId,
            },
          ]
        : [];
    return [...revokes, ...appoint];
  });
}

export function changeText(change: Change): string {
  if (change.kind === 'retire-account') return `${change.label}: retired, every grant revoked (its records are kept)`;
  if (change.kind === 'revoke') return `${change.label}: ${change.personName}'s posting authority (${change.role.toLowerCase()}) revoked`;
  return `${change.label}: ${change.personName} made an admin`;
}

/** The source id of what the review changes (a grant's sourceRequestId / revokedBySourceId): `rev-2027-PRD`. */
export const reviewSourceId = (page: Pick<DepartmentPage, 'reviewId' | 'departmentCode'>) => `rev-${page.reviewId.slice(0, 4)}-${page.departmentCode}`;

// The report ---------------------------------------------------------------------------------------

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

export function progressOf(pages: ReviewPage[]): ReviewProgress {
  const departments = pages.filter((p): p is DepartmentPage => p.kind === 'DEPARTMENT');
  const accounts = departments.flatMap((d) => d.accounts.map((a) => ({ a, answer: d.answers[a.accountId] })));
  return {
    departments: departments.length,
    done: departments.filter((d) => d.status !== 'OPEN').length,
    submitted: departments.filter((d) => d.status === 'SUBMITTED').length,
    notAttested: departments.filter((d) => d.status === 'NOT_ATTESTED').length,
    nothingToReview: departments.filter((d) => d.status === 'NOTHING_TO_REVIEW').length,
    failed: departments.filter((d) => d.status === 'FAILED').length,
    accounts: accounts.length,
    answered: accounts.filter(({ a, answer }) => unansweredOf(a, answer).length === 0).length,
    findings: accounts.reduce((n, { a }) => n + a.findings.length, 0),
    changesApplied: departments.filter((d) => d.appliedAt).reduce((n, d) => n + changesOf(d).length, 0),
  };
}

export { canReadReport, canStartReview } from '#annual-review/access';
