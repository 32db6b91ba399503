import type { NamedPerson } from '#core/request';

/*
 * An account's shared credential on file with DTI (O.b) and whether the City can act on the account
 * at once (O.c). The password itself lives only in the vault (adapters/vault.ts), one version per
 * password; this record is the truth about which version is confirmed: Secrets Manager makes a
 * secret's first version AWSCURRENT at once, so a vault label never says "confirmed" here.
 * Stored as PK ACCOUNT#<accountId>, SK CREDENTIAL (entity Credential).
 */

/**
 * NOT_ON_FILE: nothing recorded yet (a new account whose first admin has not recorded its login).
 * RECORDED: a first login recorded in the vault, not yet confirmed by a sign-in with it.
 * CONFIRMED: `currentVersionId` is the confirmed password.
 * RETIRED: the account is retired; the credential is kept until `deleteAfter`, then scheduled for deletion.
 */
export const credentialStatuses = ['NOT_ON_FILE', 'RECORDED', 'CONFIRMED', 'RETIRED'] as const;
export type CredentialStatus = (typeof credentialStatuses)[number];

/** The non-secret part of a login: who signs in, how it is recovered, and who holds the second factor. */
export interface LoginDetails {
  /** The username or email address the account signs in with. */
  username: string;
  /** The recovery email address or phone number set on the platform. */
  recoveryContact: string;
  twoFactor: boolean;
  /** Who holds the second factor (a person, or a shared device or mailbox described in words). */
  twoFactorHolder?: string;
}

export interface CredentialRecord {
  accountId: string;
  status: CredentialStatus;
  login?: LoginDetails;
  /** The confirmed version (what a view by DTI or the Communications Coordinator reads). */
  currentVersionId?: string;
  confirmedAt?: string;
  confirmedBy?: NamedPerson;
  /** A version recorded or staged and not yet confirmed, and what it came from. */
  pendingVersionId?: string;
  pendingSince?: string;
  pendingBy?: NamedPerson;
  /** Set when the account is retired: kept until deleteAfter (policy.credentials.retainRetiredDays). */
  retiredAt?: string;
  deleteAfter?: string;
  retiredBySourceId?: string;
  updatedAt: string;
}

/** A view of the login by DTI or the Communications Coordinator (O.b): who, when, why. Append-only. */
export interface CredentialView {
  accountId: string;
  viewId: string;
  by: NamedPerson;
  at: string;
  reason: string;
}

/** An admin's report that someone was added or removed as an admin on the platform itself (O.b: "inform DTI"). */
export interface AdminChangeReport {
  accountId: string;
  reportId: string;
  change: 'ADDED' | 'REMOVED';
  person: NamedPerson;
  reportedBy: NamedPerson;
  at: string;
  /** What the grants said when it was reported: an added admin without an ADMIN grant needs one (B). */
  reconciliation: string;
}

/** The capture of a new account's first login runs as a task case: `cap-` + the account id's tail (execution name and offboarding-store partition). */
export const captureCaseId = (accountId: string) => `cap-${accountId.replace(/^acct-/, '')}`;
export const captureCaseIdPattern = /^cap-[A-Za-z0-9-]{1,76}$/;

/** Whether a viewer may view an account's login: DTI (O.b keeps the list) and the holders and designees of policy.credentials.viewRoles. */
export function mayViewCredential(
  viewer: { id: string; departmentCode: string; separatedOn?: string },
  roleHolders: { role: string; holderId?: string; designeeId?: string }[],
  viewRoles: readonly string[],
): boolean {
  if (viewer.separatedOn) return false;
  if (viewer.departmentCode === 'DTI') return true;
  return roleHolders.some((r) => viewRoles.includes(r.role) && (r.holderId === viewer.id || r.designeeId === viewer.id));
}

/** Whether a viewer may record the account's login or a change of it: a current admin of the account, or its department's director or designee. */
export function mayManageCredential(
  viewer: { id: string; separatedOn?: string },
  grants: { personId: string; role: string; status: string }[],
  department: { directorId?: string; designeeId?: string } | undefined,
): boolean {
  if (viewer.separatedOn) return false;
  if (grants.some((g) => g.personId === viewer.id && g.role === 'ADMIN' && g.status === 'ACTIVE')) return true;
  return Boolean(department && (department.directorId === viewer.id || department.designeeId === viewer.id));
}

/** O.c for one account: can the City act on it at once? Each failed check is a sentence in `problems`. */
export interface CredentialHealth {
  onFile: boolean;
  confirmed: boolean;
  /** Whole days since the confirmed password was set; undefined when none is confirmed. */
  ageDays?: number;
  twoFactor: string;
  peopleWithAccess: number;
  problems: string[];
}

export function credentialHealth(input: {
  credential: CredentialRecord | undefined;
  grants: { personId: string; status: string; receivesCredential: boolean }[];
  /** The directory's people among the grantees (a grantee missing or separated does not count). */
  people: Map<string, { separatedOn?: string }>;
  now: string;
  maxAgeDays: number;
  minPeopleWithAccess: number;
}): CredentialHealth {
  const c = input.credential;
  const status = c?.status ?? 'NOT_ON_FILE';
  const holders = new Set(
    input.grants
      .filter((g) => g.status === 'ACTIVE' && g.receivesCredential)
      .map((g) => g.personId)
      .filter((id) => {
        const p = input.people.get(id);
        return Boolean(p && !p.separatedOn);
      }),
  );
  const confirmed = status === 'CONFIRMED' && Boolean(c?.currentVersionId);
  const ageDays = confirmed && c?.confirmedAt ? Math.floor((Date.parse(input.now) - Date.parse(c.confirmedAt)) / 86_400_000) : undefined;
  const problems: string[] = [];
  if (status === 'RETIRED') return { onFile: true, confirmed: false, twoFactor: 'retired', peopleWithAccess: holders.size, problems };
  if (status === 'NOT_ON_FILE') problems.push('No credential is on file with DTI (O.b).');
  if (status === 'RECORDED') problems.push('A login is recorded but nobody has confirmed it works yet.');
  if (ageDays !== undefined && ageDays > input.maxAgeDays) problems.push(`The password is ${ageDays} days old, over the ${input.maxAgeDays} days allowed.`);
  if (holders.size < input.minPeopleWithAccess) {
    problems.push(`Only ${holders.size} current City employee${holders.size === 1 ? '' : 's'} can sign in; at least ${input.minPeopleWithAccess} must (O.c).`);
  }
  const login = c?.login;
  const twoFactor = !login ? 'not recorded' : login.twoFactor ? `on, held by ${login.twoFactorHolder ?? 'someone not named'}` : 'off';
  if (login?.twoFactor && !login.twoFactorHolder) problems.push('Two-factor sign-in is on but nobody is named as holding the second factor.');
  return { onFile: status !== 'NOT_ON_FILE', confirmed, ...(ageDays !== undefined ? { ageDays } : {}), twoFactor, peopleWithAccess: holders.size, problems };
}

/** What the registry and the pages call each state. */
export const credentialStatusText: Record<CredentialStatus, string> = {
  NOT_ON_FILE: 'Credential not on file',
  RECORDED: 'Recorded, not yet confirmed',
  CONFIRMED: 'On file and confirmed',
  RETIRED: 'Retired',
};
