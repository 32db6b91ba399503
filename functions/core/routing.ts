import type { Department, Person, Policy, RoleHolder } from '#core/policy';
import { policy } from '#core/policy';
import type { PlannedStep } from '#core/request';

/**
 * Who can act on a step now. A request's steps are planned when it is submitted; by the time a
 * step's link is made (or while it waits) the directory may have changed: the director replaced,
 * a role left vacant, the approver separated. Every link is made for whoever holds the step's post
 * at that moment, never for someone who has left it, and when nobody in the department or role can
 * act, the Communications Director (policy.directory.fallbackRole) decides and DTI is told.
 */
export interface RoutingDirectory {
  /** The request's department, and the DTI department (for a DTI_DIRECTOR step). */
  department: Department | undefined;
  dti: Department | undefined;
  roleHolders: readonly RoleHolder[];
  /** People by id, as far as the caller read them: anyone not here is not in the directory. */
  people: ReadonlyMap<string, Person>;
}

export interface Routed {
  approverId: string;
  approverName: string;
  escalateToId: string | null;
  /** Why it is not the post's holder (undefined: it is), for the history and the approver's email. */
  because?: string;
  /** Nobody in the department or role could act: the fallback decides, and DTI is told. */
  fallback: boolean;
}

export type Routing = Routed | { nobody: string };

/** The people whose records a step's routing reads: read them all, then route without I/O. */
export function peopleToRead(
  step: Pick<PlannedStep, 'role' | 'approverId' | 'escalateToId'>,
  requester: Pick<Person, 'id'>,
  dir: Omit<RoutingDirectory, 'people'>,
  p: Policy = policy,
): string[] {
  const ids: (string | null | undefined)[] = [step.approverId, step.escalateToId, requester.id];
  for (const h of [dir.department, dir.dti]) ids.push(h?.directorId, h?.designeeId);
  for (const r of dir.roleHolders) if (r.role === step.role || r.role === p.directory.fallbackRole) ids.push(r.holderId, r.designeeId);
  return [...new Set(ids.filter((id): id is string => Boolean(id)))];
}

const canAct = (people: RoutingDirectory['people'], id: string | null | undefined): id is string =>
  Boolean(id && people.get(id) && !people.get(id)?.separatedOn);

function why(people: RoutingDirectory['people'], id: string | undefined, post: string): string {
  if (!id) return `nobody holds ${post}`;
  const person = people.get(id);
  if (!person) return `${post} (${id}) is not in the directory`;
  return `${person.name}, ${post}, separated from the City on ${person.separatedOn}`;
}

/**
 * The holder and designee of a step's post now: a department's director and designee, DTI's, a
 * City-wide role's; for a supervisor step the requester's supervisor, then theirs (M.c).
 */
function postOf(
  step: Pick<PlannedStep, 'role' | 'approverId' | 'escalateToId'>,
  requester: Person,
  dir: RoutingDirectory,
): { holderId?: string; designeeId?: string } | undefined {
  switch (step.role) {
    case 'DEPARTMENT_DIRECTOR':
      return dir.department && { holderId: dir.department.directorId, designeeId: dir.department.designeeId };
    case 'DTI_DIRECTOR':
      return dir.dti && { holderId: dir.dti.directorId, designeeId: dir.dti.designeeId };
    case 'SUPERVISOR': {
      const current = dir.people.get(requester.id)?.supervisorId ?? requester.supervisorId;
      const supervisor = current ? dir.people.get(current) : undefined;
      return { holderId: current, designeeId: supervisor?.supervisorId ?? step.escalateToId ?? undefined };
    }
    case 'REQUESTER':
      return { holderId: requester.id };
    default: {
      const r = dir.roleHolders.find((h) => h.role === step.role);
      return r && { holderId: r.holderId, designeeId: r.designeeId };
    }
  }
}

/**
 * Who decides `step` now, and who it escalates to. Nobody decides a request they made or that is
 * for them (`interested`), as at planning (planApprovalSteps). The requester's own confirm step
 * stays theirs.
 */
export function routeStep(
  step: Pick<PlannedStep, 'role' | 'title' | 'approverId' | 'escalateToId'>,
  requester: Person,
  interested: ReadonlySet<string>,
  dir: RoutingDirectory,
  p: Policy = policy,
): Routing {
  const name = (id: string) => dir.people.get(id)?.name ?? id;
  if (step.role === 'REQUESTER') return { approverId: requester.id, approverName: requester.name, escalateToId: null, fallback: false };
  const post = postOf(step, requester, dir);
  const usable = (id: string | undefined) => canAct(dir.people, id) && !interested.has(id as string);
  const candidates = [post?.holderId, post?.designeeId].filter((id, i, all): id is string => usable(id) && all.indexOf(id) === i);
  const [first, second] = candidates;
  if (first) {
    const because =
      first === post?.holderId ? undefined : post?.holderId && interested.has(post.holderId) ? undefined : why(dir.people, post?.holderId, step.title);
    return { approverId: first, approverName: name(first), escalateToId: second ?? null, ...(because ? { because } : {}), fallback: false };
  }
  const unable = [why(dir.people, post?.holderId, step.title), ...(post?.designeeId ? [why(dir.people, post.designeeId, 'the designee')] : [])].join('; ');
  const fallback = dir.roleHolders.find((r) => r.role === p.directory.fallbackRole);
  const fallbackIds = [fallback?.holderId, fallback?.designeeId].filter((id, i, all): id is string => usable(id) && all.indexOf(id) === i);
  const title = p.roles[p.directory.fallbackRole]?.title ?? p.directory.fallbackRole;
  if (!fallbackIds[0] || step.role === p.directory.fallbackRole)
    return { nobody: `Nobody can decide the ${step.title} step: ${unable}, and no ${title} can act in their place.` };
  return {
    approverId: fallbackIds[0],
    approverName: name(fallbackIds[0]),
    escalateToId: fallbackIds[1] ?? null,
    because: `${unable}, so the ${title} decides in their place`,
    fallback: true,
  };
}

/** The people a request is for besides its requester, who may not decide it either (a posting-authority grantee). */
export function interestedIn(request: { requester: { id: string }; grantee?: { id: string } }): Set<string> {
  return new Set([request.requester.id, ...(request.grantee ? [request.grantee.id] : [])]);
}
