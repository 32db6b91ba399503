import { describe, expect, it } from 'vitest';
import type { Department, Person, RoleHolder } from '../../../functions/core/policy.ts';
import { interestedIn, routeStep } from '../../../functions/core/routing.ts';

const person = (id: string, name: string, extra: Partial<Person> = {}): Person => ({
  id,
  name,
  email: `${id.toLowerCase()}@cabq.example`,
  departmentCode: 'PRD',
  ...extra,
});
const people = (...list: Person[]) => new Map(list.map((p) => [p.id, p]));
const prd: Department = { code: 'PRD', name: 'Parks and Recreation', directorId: 'E100', designeeId: 'E101' };
const roles: RoleHolder[] = [{ role: 'COMMUNICATIONS_DIRECTOR', holderId: 'E500', designeeId: 'E501' }];
const requester = person('E102', 'Ana Gallegos', { supervisorId: 'E101' });
const directorStep = { role: 'DEPARTMENT_DIRECTOR' as const, title: 'Department Director (Parks and Recreation)', approverId: 'E100', escalateToId: 'E101' };
const everyone = [
  person('E100', 'Dolores Baca'),
  person('E101', 'Marcus Chavez', { supervisorId: 'E100' }),
  requester,
  person('E500', 'Elena Martinez'),
  person('E501', 'Paul Herrera'),
];
const dir = (list: Person[] = everyone, department: Department | undefined = prd) => ({
  department,
  dti: undefined,
  roleHolders: roles,
  people: people(...list),
});

describe('routeStep: who can act on a step now', () => {
  it('keeps the post holder, escalating to the designee, when both can act', () => {
    expect(routeStep(directorStep, requester, interestedIn({ requester }), dir())).toEqual({
      approverId: 'E100',
      approverName: 'Dolores Baca',
      escalateToId: 'E101',
      fallback: false,
    });
  });

  it('goes to the designee when the director has separated, with nobody left to escalate to', () => {
    const list = everyone.map((p) => (p.id === 'E100' ? { ...p, separatedOn: '2026-12-01' } : p));
    expect(routeStep(directorStep, requester, interestedIn({ requester }), dir(list))).toEqual({
      approverId: 'E101',
      approverName: 'Marcus Chavez',
      escalateToId: null,
      because: 'Dolores Baca, Department Director (Parks and Recreation), separated from the City on 2026-12-01',
      fallback: false,
    });
  });

  it('falls back to the Communications Director when nobody in the department can act', () => {
    const list = everyone.filter((p) => p.id !== 'E100' && p.id !== 'E101');
    expect(routeStep(directorStep, requester, interestedIn({ requester }), dir(list))).toEqual({
      approverId: 'E500',
      approverName: 'Elena Martinez',
      escalateToId: 'E501',
      because:
        'Department Director (Parks and Recreation) (E100) is not in the directory; the designee (E101) is not in the directory, so the Communications Director decides in their place',
      fallback: true,
    });
  });

  it('never routes to the requester or the person the request is for', () => {
    const grantee = { id: 'E100', name: 'Dolores Baca', email: 'x' };
    expect(routeStep(directorStep, requester, interestedIn({ requester, grantee }), dir())).toMatchObject({
      approverId: 'E101',
      escalateToId: null,
      fallback: false,
    });
    expect(routeStep(directorStep, requester, interestedIn({ requester, grantee }), dir())).not.toHaveProperty('because');
  });

  it('says nobody can decide when not even the Communications Director can act', () => {
    const list = [requester];
    expect(routeStep(directorStep, requester, interestedIn({ requester }), dir(list))).toEqual({
      nobody:
        'Nobody can decide the Department Director (Parks and Recreation) step: Department Director (Parks and Recreation) (E100) is not in the directory; the designee (E101) is not in the directory, and no Communications Director can act in their place.',
    });
  });

  it('routes a vacant City-wide role to the fallback, and a supervisor step to the requester’s current supervisor', () => {
    const coordinator = { role: 'COMMUNICATIONS_COORDINATOR' as const, title: 'Communications Coordinator', approverId: 'E502', escalateToId: 'E500' };
    expect(routeStep(coordinator, requester, interestedIn({ requester }), dir())).toMatchObject({
      approverId: 'E500',
      fallback: true,
      because: 'nobody holds Communications Coordinator, so the Communications Director decides in their place',
    });
    const supervisor = { role: 'SUPERVISOR' as const, title: 'Supervisor', approverId: 'E999', escalateToId: null };
    expect(routeStep(supervisor, requester, interestedIn({ requester }), dir())).toEqual({
      approverId: 'E101',
      approverName: 'Marcus Chavez',
      escalateToId: 'E100',
      fallback: false,
    });
    const confirm = { role: 'REQUESTER' as const, title: 'Removal, confirmed by the requester', approverId: 'E102', escalateToId: null };
    expect(routeStep(confirm, requester, interestedIn({ requester }), dir())).toEqual({
      approverId: 'E102',
      approverName: 'Ana Gallegos',
      escalateToId: null,
      fallback: false,
    });
  });
});
