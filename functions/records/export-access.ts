import { ForbiddenError } from '#core/errors';
import { type DirectoryRole, type Person, type Policy, policy, type RoleHolder } from '#core/policy';

/** Who may make a records export (H): DTI, and the holders and designees of the policy's export roles. */

const roleWords: Partial<Record<DirectoryRole, string>> = { CITY_CLERK_CONTACT: 'the City Clerk’s records contact' };
const roleName = (role: DirectoryRole, p: Policy) => roleWords[role] ?? p.roles[role]?.title ?? role.toLowerCase().replaceAll('_', ' ');

/** DTI, which keeps the registry (O.b), and the holders and designees of `policy.records.exportRoles` (H). */
export function canExportRecords(viewer: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[], p: Policy = policy): boolean {
  return (
    viewer.departmentCode === 'DTI' ||
    roleHolders.some((r) => p.records.exportRoles.includes(r.role) && (r.holderId === viewer.id || r.designeeId === viewer.id))
  );
}

export function assertMayExport(viewer: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[], p: Policy = policy): void {
  if (canExportRecords(viewer, roleHolders, p)) return;
  const who = ['DTI staff', ...p.records.exportRoles.map((r) => `${roleName(r, p)} or their designee`)].join(', ');
  throw new ForbiddenError(`Records exports (H) are made by ${who}. Ask them for the records a request needs.`);
}
