import type { AccountRequest } from '#new-account/new-account';
import type { PostRemovalRequest } from '#post-removal/post-removal';
import type { PostingAuthorityRequest } from '#posting-authority/posting-authority';
import type { RequestKind } from '#core/request';

/*
 * Where the request kinds meet: what needs every kind imports this module. No kind imports it
 * (each builds on `#domain/request`), so adding a kind adds an import here, never a cycle.
 */

/** Every kind of request that goes through the approval chain, as stored and shown. */
export type GovernanceRequest = AccountRequest | PostingAuthorityRequest | PostRemovalRequest;

// Compiles only while `requestKinds` (ids and their prefixes) and the union above name the same kinds.
type SameKinds = [GovernanceRequest['kind']] extends [RequestKind] ? ([RequestKind] extends [GovernanceRequest['kind']] ? true : false) : false;
type Holds<T extends true> = T;
export type KindsAgree = Holds<SameKinds>;

/**
 * Who may read a request and its history: the requester, the person it asks posting authority
 * for, anyone sent a link for it, the department's director and designee, City-wide role holders,
 * and DTI (which keeps the registry).
 */
export function canViewRequest(input: {
  request: GovernanceRequest;
  approverIds: string[];
  viewer: { id: string; departmentCode: string };
  department?: { directorId: string; designeeId: string };
  roleHolders: { holderId: string; designeeId: string }[];
}): boolean {
  const { request, viewer } = input;
  return (
    viewer.id === request.requester.id ||
    (request.kind === 'POSTING_AUTHORITY' && viewer.id === request.grantee.id) ||
    input.approverIds.includes(viewer.id) ||
    request.steps.some((s) => s.approverId === viewer.id || s.escalateToId === viewer.id) ||
    viewer.id === input.department?.directorId ||
    viewer.id === input.department?.designeeId ||
    input.roleHolders.some((r) => r.holderId === viewer.id || r.designeeId === viewer.id) ||
    viewer.departmentCode === 'DTI'
  );
}
