import { type Person, type Policy, policy, type RoleHolder } from '#core/policy';
import { canViewOffboarding } from '#offboarding/offboarding';
import { canExportRecords } from '#records/export-access';
import { mayManagePlatforms } from '#platforms/platforms';
import { mayAdministerDirectory } from '#directory/admin';
import { canReadReport, canStartReview } from '#annual-review/access';
import { mayViewCredential } from '#credentials/credential';

/**
 * What the signed-in person may reach, and so what the navigation offers them: every page shows
 * the same links to the same person, and never a link that would answer 403. The checks are the
 * ones the pages themselves enforce (canViewOffboarding, canExportRecords, mayManagePlatforms), not
 * copies of them.
 */
export interface Capabilities {
  /** DTI and the City-wide role holders (the offboarding records, O.b). */
  offboardings: boolean;
  /** DTI and the policy's export roles (H): the City Clerk's records contact. */
  recordsExport: boolean;
  /** DTI, which maintains the approved-platforms list (O.a, P); everyone may read it, from the New Social Media form's link. */
  platforms: boolean;
  /** DTI, which administers the directory: departments' directors and designees, City-wide role holders (issue 13). */
  directory: boolean;
  /** DTI (who start them) and the Communications Director and Coordinator: the annual reviews and their reports (O.a, P). */
  reviews: boolean;
  /** DTI and the Communications Coordinator: the accounts' credentials on file and who may view them (O.b, O.c). */
  credentials: boolean;
  /**
   * Departments whose accounts this person reviews as their own list: the APD Director of
   * Communications (and designee) for the departments whose new accounts they approve (S).
   */
  ownDepartments: string[];
}

export interface NavLink {
  href: string;
  label: string;
}

/** The signed-in person as every page's layout sees them: who, what they may do, and the links that follow. */
export interface Viewer {
  person: Person;
  capabilities: Capabilities;
  nav: readonly NavLink[];
  /** The City-wide role holders read to decide the above; a handler that needs them reuses this read. */
  roleHolders: RoleHolder[];
}

const holds = (r: RoleHolder, person: Pick<Person, 'id'>) => r.holderId === person.id || r.designeeId === person.id;

export function capabilitiesOf(person: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[], p: Policy = policy): Capabilities {
  // A City-wide role that only some departments' chains use (APD's Director of Communications, S)
  // makes those departments' accounts this person's own list.
  const ownDepartments = Object.entries(p.newAccountApproval.chainByDepartment)
    .filter(([, chain]) => chain.some((role) => !p.newAccountApproval.chain.includes(role) && roleHolders.some((r) => r.role === role && holds(r, person))))
    .map(([code]) => code);
  return {
    offboardings: canViewOffboarding({ viewer: person, roleHolders, departments: [], tasks: [] }),
    recordsExport: canExportRecords(person, roleHolders, p),
    platforms: mayManagePlatforms(person),
    directory: mayAdministerDirectory(person),
    reviews: canStartReview(person) || canReadReport(person, roleHolders),
    credentials: mayViewCredential(person, roleHolders, p.credentials.viewRoles),
    ownDepartments,
  };
}

/** The links every signed-in person has, then the ones their role adds. */
export function navigationFor(capabilities: Capabilities): NavLink[] {
  return [
    { href: '/', label: 'My work' },
    { href: '/requests/new', label: 'New account' },
    { href: '/requests', label: 'My requests' },
    { href: '/accounts', label: 'Registry' },
    ...capabilities.ownDepartments.map((code) => ({ href: `/accounts?department=${encodeURIComponent(code)}`, label: `${code} accounts` })),
    ...(capabilities.platforms ? [{ href: '/platforms', label: 'Platforms' }] : []),
    ...(capabilities.directory ? [{ href: '/directory', label: 'Directory' }] : []),
    ...(capabilities.reviews ? [{ href: '/reviews', label: 'Annual reviews' }] : []),
    ...(capabilities.credentials ? [{ href: '/credentials', label: 'Credentials' }] : []),
    ...(capabilities.offboardings ? [{ href: '/offboardings', label: 'Offboardings' }] : []),
    ...(capabilities.recordsExport ? [{ href: '/records/export', label: 'Records export' }] : []),
  ];
}

export function viewerFor(person: Person, roleHolders: RoleHolder[], p: Policy = policy): Viewer {
  const capabilities = capabilitiesOf(person, roleHolders, p);
  return { person, capabilities, nav: navigationFor(capabilities), roleHolders };
}

/** What a page shows to someone not (yet) known: the way in, and the public pages. */
export const anonymousNav: readonly NavLink[] = [
  { href: '/', label: 'My work' },
  { href: '/guidelines', label: 'Comment guidelines' },
];
