import policyJson from '#config/policy.json' with { type: 'json' };
import { ConfigurationError } from '#core/errors';
import * as z from '#core/zod';

/**
 * City-wide roles held in the directory: those that decide approvals (D.b, S.a, F.d), and the City
 * Clerk's records contact (H). The Communications Coordinator is also told of offboardings (O.b).
 */
export const directoryRoles = ['COMMUNICATIONS_DIRECTOR', 'APD_DIRECTOR_OF_COMMUNICATIONS', 'COMMUNICATIONS_COORDINATOR', 'CITY_CLERK_CONTACT'] as const;
export type DirectoryRole = (typeof directoryRoles)[number];

/**
 * Who can stand in an approval chain. DEPARTMENT_DIRECTOR is resolved per request from its
 * department, DTI_DIRECTOR from the DTI department (O.a, Q: DTI decides); the others are City-wide
 * roles in the directory.
 */
export const chainRoles = [
  'DEPARTMENT_DIRECTOR',
  'DTI_DIRECTOR',
  'COMMUNICATIONS_DIRECTOR',
  'APD_DIRECTOR_OF_COMMUNICATIONS',
  'COMMUNICATIONS_COORDINATOR',
] as const satisfies readonly (DirectoryRole | 'DEPARTMENT_DIRECTOR' | 'DTI_DIRECTOR')[];
export type ChainRole = (typeof chainRoles)[number];

const chainSchema = z.array(z.enum(chainRoles)).check(z.minLength(1, 'an approval chain needs at least one step'));

export const policySchema = z.object({
  roles: z.record(z.string(), z.object({ title: z.string().check(z.minLength(1)), rule: z.string().check(z.minLength(1)) })),
  newAccountApproval: z.object({
    chain: chainSchema,
    chainByDepartment: z.record(z.string().check(z.regex(/^[A-Z]{2,8}$/)), chainSchema),
    officialSiteChecklist: z.array(z.object({ id: z.string().check(z.regex(/^[a-zA-Z]+$/)), label: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
  }),
  postingAuthority: z.object({
    /** Who approves a posting-authority request (B): the account department's director. */
    chain: chainSchema,
  }),
  offboarding: z.object({
    /** Roles sent the offboarding summary along with DTI (O.b): the Communications Coordinator. */
    notify: z.array(z.enum(directoryRoles)).check(z.minLength(1, 'someone besides DTI must be told of offboardings')),
    /**
     * The furthest ahead (days after the HR event arrives) a separation may be dated; a later one is
     * refused (SeparationTooFarAheadError). Bounded again by the execution's year (offboarding/hr-events.ts).
     */
    maxSeparationDaysAhead: z.number().check(z.int(), z.minimum(1), z.maximum(364)),
  }),
  credentials: z.object({
    /** Besides DTI, the City-wide roles (holder and designee) who may view an account's login (O.b: "accessible to the Communications Coordinator"). */
    viewRoles: z.array(z.enum(directoryRoles)).check(z.minLength(1)),
    /** O.c: the City can act at once on an account only when at least this many current employees hold its credential. */
    minPeopleWithAccess: z.number().check(z.int(), z.minimum(1), z.maximum(10)),
    /** How long a retired account's credential is kept (records retention) before it is scheduled for deletion. */
    retainRetiredDays: z.number().check(z.int(), z.minimum(30), z.maximum(36500)),
  }),
  postRemoval: z.object({
    actions: z.record(z.enum(['DELETE', 'MERGE', 'UNPUBLISH']), z.string().check(z.minLength(1))),
  }),
  departmentPolicy: z.object({
    /** Who approves a department's own social media policy (R): the Communications Director. */
    chain: chainSchema,
  }),
  exceptions: z
    .object({
      /** Who approves an exception (F.d): the Communications Coordinator. */
      chain: chainSchema,
      /** The standards of F an exception may be asked from, by letter. */
      standards: z.record(z.enum(['a', 'b', 'c']), z.string().check(z.minLength(1))),
      /** The longest an exception may last, in days (under the year a Standard execution may live). */
      maxDays: z.number().check(z.int(), z.minimum(1), z.maximum(360)),
      /** Days before its end date that the requester and the Coordinator are told it will lapse. */
      noticeDaysBeforeEnd: z.number().check(z.int(), z.minimum(1), z.maximum(90)),
    })
    .check(z.refine((e) => e.noticeDaysBeforeEnd < e.maxDays, 'exceptions.noticeDaysBeforeEnd must be less than maxDays')),
  websiteDisplay: z.object({
    /** Who approves showing social media content on a City website (Q): DTI. */
    chain: chainSchema,
    /** The City's web domains: a display is for a page on one of them or a subdomain. */
    citySites: z.array(z.string().check(z.regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a City site is a lower-case domain, e.g. cabq.gov'))).check(z.minLength(1)),
    /** Rule Q's text, quoted where the form refuses an automatic feed of uncensored content. */
    rule: z.string().check(z.minLength(1)),
  }),
  platformProposal: z.object({
    /** Who approves a platform not on the approved list (O.a): DTI. */
    chain: chainSchema,
  }),
  moderation: z.object({
    /** Rule K's categories, a–l: the same list is enforced on records and shown to users (L). */
    categories: z.array(z.object({ id: z.string().check(z.regex(/^[a-z]$/)), label: z.string().check(z.minLength(1)) })).check(
      z.minLength(1),
      z.refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'moderation category ids must be unique'),
    ),
  }),
  records: z.object({
    /** Besides DTI, the roles that may export records for a records request (H). */
    exportRoles: z.array(z.enum(directoryRoles)),
    /** Schedules a preserved copy can be flagged with (I): kept at least this many days. */
    retentionSchedules: z.record(
      z.string().check(z.regex(/^[A-Z_]{2,40}$/)),
      z.object({ label: z.string().check(z.minLength(1)), retainDays: z.number().check(z.int(), z.minimum(1), z.maximum(36500)) }),
    ),
  }),
  annualReview: z
    .object({
      /** When the yearly review starts: a month, a day of it (or its first weekday, Monday to Friday), a time of day. */
      startsOn: z.object({
        month: z.number().check(z.int(), z.minimum(1), z.maximum(12)),
        day: z.union([z.literal('FIRST_WEEKDAY'), z.number().check(z.int(), z.minimum(1), z.maximum(28))]),
        hour: z.number().check(z.int(), z.minimum(0), z.maximum(23)),
        minute: z.number().check(z.int(), z.minimum(0), z.maximum(59)),
      }),
      /** An IANA zone: the schedule fires at startsOn's local time there, and dates on pages are shown in it. */
      timeZone: z.string().check(
        z.refine((zone) => {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: zone });
            return true;
          } catch {
            return false;
          }
        }, 'not a time zone Intl knows (e.g. America/Denver)'),
      ),
      dueDays: z.number().check(z.int(), z.minimum(3), z.maximum(90)),
      /** At most 20: the local engine times a wait with setTimeout, which overflows past 24.8 days. */
      reminderEveryDays: z.number().check(z.int(), z.minimum(1), z.maximum(20)),
      credentialMaxAgeDays: z.number().check(z.int(), z.minimum(1), z.maximum(3650)),
      usageAgreementMaxAgeDays: z.number().check(z.int(), z.minimum(1), z.maximum(3650)),
      platformDocumentMaxAgeDays: z.number().check(z.int(), z.minimum(1), z.maximum(3650)),
      inactiveAfterDays: z.number().check(z.int(), z.minimum(1), z.maximum(3650)),
      /** Off by default: a department that does not answer is reported "not attested", and nothing is revoked for it. */
      noAnswerRevokesGrants: z.boolean(),
    })
    .check(
      z.refine(
        (r) => r.dueDays % r.reminderEveryDays === 0 && r.dueDays / r.reminderEveryDays >= 3,
        'annualReview.dueDays must be a whole number (at least 3) of reminderEveryDays periods: a reminder, the designee, the Communications Director, then the due date',
      ),
    ),
  directory: z.object({
    /**
     * The largest share of the directory's current people one import may separate (people missing
     * from its file, or marked SEPARATED) before it stops and asks for --force: a truncated file
     * must not offboard the City.
     */
    maxSeparatedShare: z.number().check(z.minimum(0), z.maximum(1)),
    /** Who decides a step nobody in its department or role can (vacant, separated, or the requester): the Communications Director (D.b). */
    fallbackRole: z.enum(['COMMUNICATIONS_DIRECTOR']),
  }),
  waits: z.object({
    /**
     * How long each approver has before a reminder (then escalation, then expiry). At most 24 days:
     * the local engine times a wait with setTimeout, which fires at once past 2^31 ms (24.8 days).
     */
    decisionWaitSeconds: z.number().check(z.int(), z.minimum(1), z.maximum(24 * 24 * 3600)),
    remindersBeforeEscalation: z.number().check(z.int(), z.minimum(0), z.maximum(5)),
  }),
});

export type Policy = z.infer<typeof policySchema>;

export function parsePolicy(raw: unknown): Policy {
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigurationError(`functions/config/policy.json is invalid: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** The validated policy bundled with every function; a bad edit fails at load, in the tests first. */
export const policy: Policy = parsePolicy(policyJson);

/** The titles of City-wide roles that approve nothing, so the policy's `roles` does not name them. */
const otherRoleTitles: Partial<Record<DirectoryRole, string>> = { CITY_CLERK_CONTACT: 'City Clerk’s records contact' };

/** A City-wide role's title, for pages, emails and the history: the policy's, or the one above. */
export const directoryRoleTitle = (role: DirectoryRole, p: Policy = policy): string => p.roles[role]?.title ?? otherRoleTitles[role] ?? role;

export interface Person {
  id: string;
  name: string;
  email: string;
  departmentCode: string;
  title?: string;
  supervisorId?: string;
  /** Set by offboarding when the separation takes effect: no longer offered as an admin or approver. */
  separatedOn?: string;
}

/** A platform on DTI's list (O.a, P); only an approved one can have a new account. Defined in core/platform.ts. */
export type { Platform } from '#core/platform';

export interface Department {
  code: string;
  name: string;
  directorId: string;
  designeeId: string;
}

/** A City-wide role (Communications Director, APD Director of Communications) and its designee. */
export interface RoleHolder {
  role: DirectoryRole;
  holderId: string;
  designeeId: string;
}

/**
 * Who a step asks: a chain role (B, D, S.a), or a person found for the request itself — the
 * requester's supervisor (M.c), or the requester, who confirms they did what was approved.
 */
export type StepRole = ChainRole | 'SUPERVISOR' | 'REQUESTER';

export interface ApprovalStep {
  role: StepRole;
  /** Human title, e.g. "Department Director (Parks and Recreation)". */
  title: string;
  approverId: string;
  /** Who an unanswered step escalates to; null when nobody else may decide it. */
  escalateToId: string | null;
  /** True when the role holder is the requester, so the designee decides instead. */
  routedToDesignee: boolean;
}

export function roleTitle(role: ChainRole, department: Department, p: Policy = policy, dti?: Department): string {
  if (role === 'DEPARTMENT_DIRECTOR') return `Department Director (${department.name})`;
  if (role === 'DTI_DIRECTOR') return `DTI Director (${dti?.name ?? 'Department of Technology and Innovation'})`;
  return p.roles[role]?.title ?? role;
}

export function chainFor(departmentCode: string, p: Policy = policy): ChainRole[] {
  return p.newAccountApproval.chainByDepartment[departmentCode] ?? p.newAccountApproval.chain;
}

/**
 * The approval steps of one request along the chain its workflow uses (new accounts: `chainFor`,
 * D, S.a; posting authority: `policy.postingAuthority.chain`, B). Nobody approves their own
 * request: where the requester (or the person the request is for, `forIds`) holds a step's role,
 * the designee decides it, and that step has no one left to escalate to.
 */
export function planApprovalSteps(input: {
  requesterId: string;
  /** People the request benefits besides the requester (a posting-authority grantee): they may not decide it either. */
  forIds?: string[];
  chain: readonly ChainRole[];
  department: Department;
  roleHolders: RoleHolder[];
  /** The DTI department, for a chain with a DTI_DIRECTOR step (its director and designee decide). */
  dti?: Department;
  policy?: Policy;
}): ApprovalStep[] {
  const p = input.policy ?? policy;
  const interested = new Set([input.requesterId, ...(input.forIds ?? [])]);
  return input.chain.map((role) => {
    const title = roleTitle(role, input.department, p, input.dti);
    const holder =
      role === 'DEPARTMENT_DIRECTOR'
        ? { holderId: input.department.directorId, designeeId: input.department.designeeId }
        : role === 'DTI_DIRECTOR'
          ? input.dti && { holderId: input.dti.directorId, designeeId: input.dti.designeeId }
          : input.roleHolders.find((r) => r.role === role);
    if (!holder) throw new ConfigurationError(`Nobody holds the role ${title}; add it to the directory.`);
    if (!interested.has(holder.holderId)) {
      const escalateToId = !interested.has(holder.designeeId) && holder.designeeId !== holder.holderId ? holder.designeeId : null;
      return { role, title, approverId: holder.holderId, escalateToId, routedToDesignee: false };
    }
    if (!holder.designeeId || interested.has(holder.designeeId)) {
      throw new ConfigurationError(`${title} is the requester (or the person the request is for) and has no other designee to decide this request.`);
    }
    return { role, title, approverId: holder.designeeId, escalateToId: null, routedToDesignee: true };
  });
}
