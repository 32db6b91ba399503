import type { Approval, Decision } from '#core/approval';
import { ConflictError, InvalidInputError } from '#core/errors';
import { type Platform, type PlatformChange, platformChangeItem, platformIdPattern, platformItem } from '#core/platform';
import { type ApprovalStep, type Department, type Person, planApprovalSteps, type Policy, policy, type RoleHolder } from '#core/policy';
import { fieldErrors, type NamedPerson, type PlannedStep, type RequestStatus, requestIdFor, submissionIdSchema } from '#core/request';
import type { OutcomeWrite } from '#core/request-kind';
import * as z from '#core/zod';
import { addedByApproval, denverToday, isHttpsUrl, nameTakenBy } from '#platforms/platforms';

/**
 * A new platform (O.a): "DTI will maintain a list of social media sites which are approved for use
 * by City departments and staff." Any City employee proposes, for their own department, a platform
 * not on the list: its name and site, what it is, why the department wants it, and its usage
 * agreement. DTI's director (or designee) decides by email link. Approval adds it to the list in
 * the same transaction as the request's close, approved but incomplete: the New Social Media form
 * offers it only once DTI has recorded its three P documents (user guidelines, account-management
 * standards, branding standards) on its page.
 *
 * Items (single table): REQ#pp-… / META (the request; GSI1 DEPARTMENT_RECORDS#code); on approval
 * PLATFORM#id / PROFILE and PLATFORM#id / CHANGE#000001 (core/platform.ts), both write-once.
 */

export const platformProposalIdPrefix = 'pp';

export interface PlatformProposalRequest {
  requestId: string;
  kind: 'PLATFORM_PROPOSAL';
  status: RequestStatus;
  requester: NamedPerson;
  /** The requester's own department: the one that wants the platform. */
  departmentCode: string;
  departmentName: string;
  /** The id the platform gets on the list if approved (a slug of its name, free when proposed): its page is /platforms/<platformId>. */
  platformId: string;
  /** The proposed platform's name, as the department gives it. */
  platformName: string;
  siteUrl: string;
  /** What the platform is. */
  description: string;
  /** Why the department wants it. */
  reason: string;
  /** The platform's usage agreement or terms of service (O.a), and the day the department read it (YYYY-MM-DD), if given. */
  agreementUrl: string;
  agreementReadOn?: string;
  steps: PlannedStep[];
  createdAt: string;
  closedAt?: string;
  outcomeReason?: string;
}

/** The form's fields, in the order the page shows them (the error summary follows it). */
export const proposalFields = ['name', 'siteUrl', 'description', 'reason', 'agreementUrl', 'agreementReadOn'] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v);

const isCalendarDay = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
};

const nameMessage = 'give the platform’s name, as people know it (at most 80 characters)';
const siteMessage = 'give the platform’s site as an https:// address, for example https://www.threads.net';
const descriptionMessage = 'say what the platform is and what the City would post there (at least 10 characters)';
const reasonMessage = 'say why your department wants to use it (at least 10 characters)';
const agreementMessage = 'give the address of its usage agreement or terms of service, starting https://';

const httpsAddress = (message: string) =>
  z.pipe(z.transform(blankToUndefined), z.string({ error: message }).check(z.maxLength(500, message), z.refine(isHttpsUrl, message)));

const prose = (message: string, max: number, tooLong: string) =>
  z.pipe(z.transform(blankToUndefined), z.string({ error: message }).check(z.minLength(10, message), z.maxLength(max, tooLong)));

/** The proposal form. `today` (Albuquerque) bounds the day the agreement was read: not later than today. */
export function platformProposalFormSchema(today: string) {
  return z.object({
    submissionId: z.pipe(z.transform(blankToUndefined), submissionIdSchema),
    name: z.pipe(
      z.transform(blankToUndefined),
      z.string({ error: nameMessage }).check(
        z.maxLength(80, nameMessage),
        z.refine((n) => platformSlug(n) !== '', 'give a name with at least one letter or digit'),
      ),
    ),
    siteUrl: httpsAddress(siteMessage),
    description: prose(descriptionMessage, 2000, 'keep what the platform is under 2000 characters'),
    reason: prose(reasonMessage, 2000, 'keep the reason under 2000 characters'),
    agreementUrl: httpsAddress(agreementMessage),
    agreementReadOn: z.pipe(
      z.transform(blankToUndefined),
      z.optional(
        z.string({ error: 'give the day you read the usage agreement as YYYY-MM-DD, or leave it empty' }).check(
          z.regex(/^\d{4}-\d{2}-\d{2}$/, 'give the day you read the usage agreement as YYYY-MM-DD, or leave it empty'),
          z.refine(isCalendarDay, 'the day you read the usage agreement is not a calendar date'),
          z.refine((d) => !isCalendarDay(d) || d <= today, `the day you read the usage agreement is in the future; give ${today} or earlier`),
        ),
      ),
    ),
  });
}

export type PlatformProposalForm = z.infer<ReturnType<typeof platformProposalFormSchema>>;

/** Validates the form; throws InvalidInputError with one message per field, in the form's order. */
export function parsePlatformProposalForm(raw: Record<string, unknown>, today: string): PlatformProposalForm {
  const result = platformProposalFormSchema(today).safeParse(raw);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  const order = (k: string) => (proposalFields as readonly string[]).indexOf(k);
  throw new InvalidInputError('The form has fields to fix.', Object.fromEntries(Object.entries(fields).sort(([a], [b]) => order(a) - order(b))));
}

/** "Threads", "Bluesky Social!" → "threads", "bluesky-social": letters and digits, accents dropped, dashes between words. */
export function platformSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 36)
    .replace(/-+$/, '');
}

/**
 * The id the platform gets if approved: its name's slug, or with "-2", "-3", … when a platform on
 * the list or a pending proposal has it already (or it is "new", the add form's address).
 */
export function platformIdFor(name: string, takenIds: readonly string[]): string {
  const base = platformSlug(name);
  const taken = new Set([...takenIds, 'new']);
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  if (!platformIdPattern.test(id)) throw new InvalidInputError('The form has fields to fix.', { name: 'give a shorter name' });
  return id;
}

/** The proposed name is on the list or proposed already (409): the form shows it on the name field. */
export class PlatformNameTakenError extends ConflictError {
  readonly field = 'name';
}

/**
 * Refuses (409) a name already on DTI's list, whatever its status, or already proposed and waiting
 * for DTI's decision, case and spaces aside. `ownRequestId`: a repeated submission is not its own duplicate.
 */
export function assertNotListedOrProposed(input: {
  name: string;
  platforms: readonly Platform[];
  pending: readonly PlatformProposalRequest[];
  ownRequestId?: string;
}): void {
  const listed = nameTakenBy(input.name, input.platforms);
  if (listed) {
    const status = input.platforms.find((p) => p.id === listed.id)?.status === 'RETIRED' ? 'retired' : 'approved';
    throw new PlatformNameTakenError(
      `${listed.name} is already on DTI’s list of platforms (${status}): see /platforms/${listed.id}. Ask DTI about it instead of proposing it again.`,
    );
  }
  const wanted = input.name.trim().toLowerCase();
  const proposed = input.pending.find((r) => r.status === 'PENDING' && r.requestId !== input.ownRequestId && r.platformName.trim().toLowerCase() === wanted);
  if (proposed) {
    throw new PlatformNameTakenError(
      `${proposed.platformName} is already proposed by ${proposed.requester.name} for ${proposed.departmentName} (request ${proposed.requestId}) and is waiting for DTI’s decision.`,
    );
  }
}

/** Who decides (O.a): DTI's director, the DTI designee when the director is the one proposing. */
export function platformProposalSteps(
  input: { requester: Pick<Person, 'id'>; department: Department; roleHolders: RoleHolder[]; dti: Department | undefined },
  p: Policy = policy,
): ApprovalStep[] {
  return planApprovalSteps({
    requesterId: input.requester.id,
    chain: p.platformProposal.chain,
    department: input.department,
    roleHolders: input.roleHolders,
    ...(input.dti ? { dti: input.dti } : {}),
    policy: p,
  });
}

/** The stored request, routed along the planned steps. */
export function platformProposalRequest(input: {
  requester: Person;
  department: Department;
  form: PlatformProposalForm;
  platformId: string;
  steps: PlannedStep[];
  submissionId: string;
  now: Date;
}): PlatformProposalRequest {
  const { requester, form } = input;
  return {
    requestId: requestIdFor(requester.id, input.submissionId, input.now, platformProposalIdPrefix),
    kind: 'PLATFORM_PROPOSAL',
    status: 'PENDING',
    requester: { id: requester.id, name: requester.name, email: requester.email },
    departmentCode: input.department.code,
    departmentName: input.department.name,
    platformId: input.platformId,
    platformName: form.name,
    siteUrl: form.siteUrl,
    description: form.description,
    reason: form.reason,
    agreementUrl: form.agreementUrl,
    ...(form.agreementReadOn ? { agreementReadOn: form.agreementReadOn } : {}),
    steps: input.steps,
    createdAt: input.now.toISOString(),
  };
}

/** The platform's page on DTI's list. */
export const platformPath = (platformId: string) => `/platforms/${encodeURIComponent(platformId)}`;

/** DTI's decision that approved the request: the last approving decision (the designee's, after an escalation). */
export function approvingDecision(approvals: readonly Approval[]): Decision | undefined {
  return [...approvals].reverse().find((a) => a.decision?.outcome === 'APPROVED')?.decision;
}

/**
 * What approving writes besides closing the request: the platform (approved, no P documents yet,
 * so incomplete) and its first change, citing the request. Both are new items: a platform that took
 * the id meanwhile refuses the transaction (write 0), and nothing is written.
 */
export function approvalWrites(
  request: PlatformProposalRequest,
  decision: Pick<Decision, 'decidedAt' | 'decidedById' | 'decidedByName'>,
  at: string,
): { platform: Platform; change: PlatformChange; writes: OutcomeWrite[] } {
  const { platform, change } = addedByApproval({
    platform: {
      id: request.platformId,
      name: request.platformName,
      siteUrl: request.siteUrl,
      // DTI reviewed the agreement in deciding (O.a): the day of the decision in Albuquerque.
      usageAgreement: { title: `${request.platformName} usage agreement`, url: request.agreementUrl, reviewedOn: denverToday(new Date(decision.decidedAt)) },
    },
    requestId: request.requestId,
    by: { id: decision.decidedById, name: decision.decidedByName },
    at,
  });
  return {
    platform,
    change,
    writes: [
      { put: platformItem(platform), mustBeNew: true },
      { put: platformChangeItem(change), mustBeNew: true },
    ],
  };
}
