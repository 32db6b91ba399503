import type { Person, RoleHolder } from '#core/policy';

/**
 * Who may see the annual reviews, apart from the rules: the navigation reads this on every page, so
 * it imports nothing else of the review (no zod, no findings).
 */

/** Who may read a review's report: DTI, the Communications Director and Coordinator (and designees). Reviewers see their own pages. */
export function canReadReport(viewer: Pick<Person, 'id' | 'departmentCode'>, roleHolders: RoleHolder[]): boolean {
  if (viewer.departmentCode === 'DTI') return true;
  return roleHolders.some(
    (r) => (r.role === 'COMMUNICATIONS_DIRECTOR' || r.role === 'COMMUNICATIONS_COORDINATOR') && (r.holderId === viewer.id || r.designeeId === viewer.id),
  );
}

/** Only DTI starts a review by hand (O.a: DTI keeps the list and reviews it). */
export const canStartReview = (viewer: Pick<Person, 'departmentCode'>) => viewer.departmentCode === 'DTI';
