import type { NamedPerson } from '#core/request';
import type { Department, Person, Policy, RoleHolder } from '#core/policy';
import { policy } from '#core/policy';
import { yearIn } from '#core/yearly-schedule';
import { formatDate } from '#core/html';
import { changesOf, unansweredOf } from '#annual-review/answers';
import type { DepartmentPage, PageAction, PageBase, ReviewPage, ReviewProgress } from '#annual-review/model';
import { currentReviewer } from '#annual-review/model';

/**
 * The annual review (O.a, P, B, C, O.b): once a year DTI reviews every approved platform and each
 * department's director every account of the department, from one page each. The rules: which
 * years may start, who is asked at each stage, what a follow-up sweep does to an open page, who may
 * answer it now, and what the report counts. Nothing here revokes anything by itself; the answers
 * do, and only on submit. The records are model.ts, the findings findings.ts, the answers
 * answers.ts; this module is also the one import for all of them.
 */

export * from '#annual-review/model';
export * from '#annual-review/findings';
export * from '#annual-review/answers';
export { canReadReport, canStartReview } from '#annual-review/access';

/** Which years may be started: this one (in the City's time zone) and the next. Earlier is history, later is a mistake. */
export function yearProblem(year: number, at: Date, p: Policy = policy): string | undefined {
  const current = yearIn(at, p.annualReview.timeZone);
  if (!Number.isInteger(year)) return 'Give the year as four digits, e.g. 2027.';
  if (year < current) return `${year} is in the past: a review is of the accounts as they are now. Start ${current} instead.`;
  if (year > current + 1) return `${year} is too far ahead: only ${current} or ${current + 1} can be started.`;
  return undefined;
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

/** Sweeps from the first email to the due date: dueDays / reminderEveryDays (4 by default: a reminder, the designee, the Communications Director, not attested). */
export const sweepsToDue = (p: Policy = policy) => p.annualReview.dueDays / p.annualReview.reminderEveryDays;

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

/** The source id of what the review changes (a grant's sourceRequestId / revokedBySourceId): `rev-2027-PRD`. */
export const reviewSourceId = (page: Pick<DepartmentPage, 'reviewId' | 'departmentCode'>) => `rev-${page.reviewId.slice(0, 4)}-${page.departmentCode}`;

// The report ---------------------------------------------------------------------------------------

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
