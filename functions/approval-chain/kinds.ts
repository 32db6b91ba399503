import type { Approval } from '#core/approval';
import type { ExceptionRequest } from '#exception/exception';
import { exceptionKind } from '#exception/kind';
import type { DescribeContext, RequestDescription } from '#core/description';
import type { GovernanceRecord } from '#core/records';
import type { RequestKindModule, Told } from '#core/request-kind';
import type { DepartmentPolicyRequest } from '#department-policy/department-policy';
import { departmentPolicyKind } from '#department-policy/kind';
import { newAccountKind } from '#new-account/kind';
import { platformProposalKind } from '#platform-proposal/kind';
import type { PlatformProposalRequest } from '#platform-proposal/platform-proposal';
import type { AccountRequest } from '#new-account/new-account';
import { postRemovalKind } from '#post-removal/kind';
import type { PostRemovalRequest } from '#post-removal/post-removal';
import { postingAuthorityKind } from '#posting-authority/kind';
import type { PostingAuthorityRequest } from '#posting-authority/posting-authority';
import { retirementKind } from '#retirement/kind';
import type { RetirementRequest } from '#retirement/retirement';
import { websiteDisplayKind } from '#website-display/kind';
import type { WebsiteDisplayRequest } from '#website-display/website-display';

/*
 * The registry of request kinds: the one place that lists them. Every part of the system that
 * depends on a request's kind (how it reads, who may see it, who hears its outcome, its item, its
 * export row, what its approval does) asks the kind's module through `kindOf`; no other module
 * dispatches on kind (a request's own handler may check that what it read back is its kind). Adding a kind is its module (see core/request-kind.ts) plus one line here and
 * its catalogue entry; test/unit/approval-chain/kinds.test.ts fails if a registered kind lacks a part.
 */

/** Every kind of request that goes through the approval chain, as stored and shown. */
export type GovernanceRequest =
  | AccountRequest
  | PostingAuthorityRequest
  | PostRemovalRequest
  | DepartmentPolicyRequest
  | ExceptionRequest
  | WebsiteDisplayRequest
  | PlatformProposalRequest
  | RetirementRequest;
export type RequestKindName = GovernanceRequest['kind'];

type ModuleFor<K extends RequestKindName> = RequestKindModule<Extract<GovernanceRequest, { kind: K }>>;

// Typed per kind: a kind in the union without a module here, or a module lacking a part, does not compile.
export const requestKinds: { [K in RequestKindName]: ModuleFor<K> } = {
  NEW_ACCOUNT: newAccountKind,
  POSTING_AUTHORITY: postingAuthorityKind,
  POST_REMOVAL: postRemovalKind,
  DEPARTMENT_POLICY: departmentPolicyKind,
  EXCEPTION: exceptionKind,
  WEBSITE_DISPLAY: websiteDisplayKind,
  PLATFORM_PROPOSAL: platformProposalKind,
  RETIRE_ACCOUNT: retirementKind,
};

/** Any request's id, of every registered kind: its kind's two-letter prefix, the UTC day, a digest (core/request.ts). */
export const requestIdPattern = new RegExp(
  `^(?:${Object.values(requestKinds)
    .map((k) => k.idPrefix)
    .join('|')})-\\d{8}-[0-9a-f]{16}$`,
);

/** The module of a request's kind. */
export function kindOf<R extends GovernanceRequest>(request: R): RequestKindModule<R> {
  const module = requestKinds[request.kind as RequestKindName] as unknown as RequestKindModule<R> | undefined;
  if (!module) throw new TypeError(`No module for request kind ${String(request.kind)}.`);
  return module;
}

/** How a request reads: every page and email about a request takes its words from here. */
export function describeRequest(request: GovernanceRequest, context: DescribeContext = {}): RequestDescription {
  return kindOf(request).describe(request, context);
}

/** Reads the context a request's description needs (nothing for most kinds), from whatever store the caller has. */
export async function describeContext(
  request: GovernanceRequest,
  read: { record(recordId: string): Promise<GovernanceRecord | undefined>; approvals(requestId: string): Promise<Approval[]> },
  known: DescribeContext = {},
): Promise<DescribeContext> {
  const needs = kindOf(request).contextNeeds(request);
  const [record, approvals] = await Promise.all([
    known.record ?? (needs.recordId ? read.record(needs.recordId) : undefined),
    known.approvals ?? (needs.approvals ? read.approvals(request.requestId) : undefined),
  ]);
  return { ...(record ? { record } : {}), ...(approvals ? { approvals } : {}) };
}

/** Who hears a request's outcome: the requester, and the people its kind names (each once, by audience). */
export function toldOfOutcome(request: GovernanceRequest): Told[] {
  return [{ audience: 'requester', person: request.requester }, ...kindOf(request).interested(request)];
}

/**
 * Who may read a request and its history: the requester, the people its kind names (the person it
 * asks posting authority for), anyone sent a link for it, the department's director and designee,
 * City-wide role holders, and DTI (which keeps the registry).
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
    kindOf(request)
      .interested(request)
      .some((t) => t.person.id === viewer.id) ||
    input.approverIds.includes(viewer.id) ||
    request.steps.some((s) => s.approverId === viewer.id || s.escalateToId === viewer.id) ||
    viewer.id === input.department?.directorId ||
    viewer.id === input.department?.designeeId ||
    input.roleHolders.some((r) => r.holderId === viewer.id || r.designeeId === viewer.id) ||
    viewer.departmentCode === 'DTI'
  );
}
