import type { NamedPerson } from '#core/request';

/** An entry in the registry of City social media sites (O.b, S). Never holds a password. */
export interface Account {
  accountId: string;
  platformId: string;
  platformName: string;
  handle: string;
  departmentCode: string;
  departmentName: string;
  /** RETIRED: kept in the registry, on record, but no longer in use (retiring is a later issue). */
  status: AccountStatus;
  admins: NamedPerson[];
  sourceRequestId: string;
  createdAt: string;
}

/** An account's statuses; each is its own partition of the registry's indexes (registry-store.ts). */
export const accountStatuses = ['ACTIVE', 'RETIRED'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

export const grantRoles = ['ADMIN', 'POSTER'] as const;
export type GrantRole = (typeof grantRoles)[number];

/** Account ids as the registry makes them (`acct-` + the creating request's id without its prefix). */
export const accountIdPattern = /^acct-[A-Za-z0-9-]{1,80}$/;

/** A director's authorization for one employee to post for one account (B). */
export interface Grant {
  accountId: string;
  personId: string;
  personName: string;
  role: GrantRole;
  /** Whether the employee receives the account's shared credential (what offboarding must rotate, C). */
  receivesCredential: boolean;
  authorizedById: string;
  authorizedByName: string;
  authorizedAt: string;
  /** What created the grant: a new-account request (na-…), a posting-authority request (pa-…) or an offboarding's appointment (off-…). */
  sourceRequestId: string;
  status: 'ACTIVE' | 'REVOKED';
  /** Set when revoked (recorded, never deleted): when, why, and by which offboarding or request. */
  revokedAt?: string;
  revokedReason?: string;
  revokedBySourceId?: string;
}

export const accountIdFor = (requestId: string) => `acct-${requestId.slice(3)}`;

export const isActive = (g: Grant) => g.status === 'ACTIVE';
