import type { GovernanceRequest } from '#approval-chain/kinds';
import { interestedIn, peopleToRead, type Routing, routeStep } from '#core/routing';
import type { HandOverStore } from '#adapters/hand-over-store';

/**
 * Who can act on a request's step now (core/routing.ts), read from the directory: the request's
 * department, DTI, the City-wide roles, then every person the step could go to, in one batch.
 */
export async function routeNow(store: HandOverStore, request: GovernanceRequest, stepIndex: number): Promise<Routing> {
  const step = request.steps[stepIndex];
  if (!step) return { nobody: `Request ${request.requestId} has no step ${stepIndex}.` };
  // Strongly consistent, by key: this runs right after a directory change commits (a hand-over) or
  // as a link is made, and must not see who held a post before the change.
  const [department, dti, roleHolders, requesterById] = await Promise.all([
    store.departmentNow(request.departmentCode),
    store.departmentNow('DTI'),
    store.roleHoldersNow(),
    store.peopleById([request.requester.id]),
  ]);
  const requester = requesterById.get(request.requester.id);
  const dir = { department, dti, roleHolders };
  const who = requester ?? { ...request.requester, departmentCode: request.departmentCode };
  const people = await store.peopleById([...peopleToRead(step, who, dir), ...(requester?.supervisorId ? [requester.supervisorId] : [])]);
  // A supervisor step's second line is the supervisor's own supervisor: read them too.
  const supervisor = requester?.supervisorId ? people.get(requester.supervisorId) : undefined;
  if (supervisor?.supervisorId && !people.has(supervisor.supervisorId)) {
    for (const [id, p] of await store.peopleById([supervisor.supervisorId])) people.set(id, p);
  }
  return routeStep(step, who, interestedIn(request as { requester: { id: string }; grantee?: { id: string } }), { ...dir, people });
}
